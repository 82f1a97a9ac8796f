import {
  FakePhotoShelterServer,
  type FakePhotoShelterServerOptions,
} from '../../../../simulators/photoshelter/fake-photoshelter-server.js';

// A started simulator plus small fetch helpers that speak its wire formats, for the tests beside it.

/** Parsed JSON, as loosely typed as `response.json()` (tests read it with expect). */
type Json = ReturnType<typeof JSON.parse>;

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Json;
}

/** A clock tests move by hand. */
export class ManualClock {
  constructor(private ms = Date.UTC(2026, 2, 14, 15, 9, 26)) {}
  readonly now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export class SimHarness {
  token: string | undefined;

  private constructor(
    readonly server: FakePhotoShelterServer,
    readonly url: string,
  ) {}

  static async start(options: FakePhotoShelterServerOptions = {}): Promise<SimHarness> {
    // Record times below are New York wall time (EDT in March), whatever the suite's default zone.
    const server = new FakePhotoShelterServer({
      seed: 42,
      assets: 240,
      timeZone: 'America/New_York',
      ...options,
    });
    const { url } = await server.start(0);
    return new SimHarness(server, url);
  }

  get apiKey(): string {
    return this.server.credentials.apiKey;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  async request(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: BodyInit; withKey?: boolean } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {
      ...(init.withKey === false ? {} : { 'x-ps-api-key': this.apiKey }),
      ...(this.token === undefined ? {} : { 'x-ps-auth-token': this.token }),
      ...init.headers,
    };
    const response = await fetch(new URL(path, this.url), {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await response.text();
    let body: Json = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body };
  }

  get(path: string, headers?: Record<string, string>): Promise<Answer> {
    return this.request('GET', path, headers === undefined ? {} : { headers });
  }

  /** `POST` with a urlencoded form, as v3 documents [DOC]. */
  postForm(path: string, form: Record<string, string>): Promise<Answer> {
    return this.request('POST', path, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** A `/_sim` control call with a JSON body. */
  sim(method: string, path: string, body?: unknown): Promise<Answer> {
    return this.request(method, `/_sim${path}`, {
      withKey: false,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
  }

  /** Logs in (v3 #1) and switches to the organization (#2) unless told not to. */
  async login(options: { org?: boolean } = {}): Promise<string> {
    this.token = undefined;
    const { email, password, orgId } = this.server.credentials;
    const answer = await this.postForm('/psapi/v3/mem/authenticate', {
      email,
      password,
      mode: 'token',
    });
    if (answer.status !== 200) throw new TypeError(`login failed: ${JSON.stringify(answer.body)}`);
    this.token = answer.body.data.token as string;
    if (options.org !== false && orgId !== undefined) {
      await this.request('POST', `/psapi/v3/mem/organization/${orgId}/authenticate`);
    }
    return this.token;
  }
}

export const PS_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;

export const extend = (spec: unknown): string => encodeURIComponent(JSON.stringify(spec));

/** Width and height from a PNG's IHDR, after checking the signature. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  signature.forEach((byte, i) => {
    if (bytes[i] !== byte) throw new TypeError('not a PNG signature');
  });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== 'IHDR') throw new TypeError(`first chunk is ${type}, not IHDR`);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
