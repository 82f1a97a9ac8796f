import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  FakeZiflowServer,
  type FakeZiflowServerOptions,
} from '../../../../simulators/ziflow/fake-ziflow-server.js';

// A started Ziflow simulator, a loopback file host its proofs fetch their sources from, and a
// webhook receiver recording each delivery as the bytes arrived. Plain fetch, as a client would.

export type Json = ReturnType<typeof JSON.parse>;

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Json;
}

export const ADMIN = 'zf-lightdesk-integration-0001';
export const ADELE = { email: 'AdeleV@contoso.onmicrosoft.com', key: 'zf-adelev-0002' };
export const ALEX = { email: 'AlexW@contoso.onmicrosoft.com', key: 'zf-alexw-0003' };
export const MEGAN = { email: 'MeganB@contoso.onmicrosoft.com', key: 'zf-meganb-0004' };

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(private ms = Date.UTC(2026, 11, 3, 9, 0, 0)) {}
  readonly now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  readonly body: Json;
}

async function listenOn(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export class ZiflowHarness {
  private constructor(
    readonly received: Received[],
    /** Statuses the receiver answers next, in order; then 200. */
    readonly receiverStatuses: number[],
    readonly server: FakeZiflowServer,
    readonly url: string,
    readonly files: string,
    readonly hooks: string,
    private readonly extra: Server[],
  ) {}

  static async start(options: FakeZiflowServerOptions = {}): Promise<ZiflowHarness> {
    const server = new FakeZiflowServer({ retryDelaysMs: [20, 40], ...options });
    const { url } = await server.start(0);
    // `/files/<name>?size=n` answers n bytes; `/missing/…` 404.
    const fileHost = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://files');
      if (u.pathname.startsWith('/missing')) {
        res.writeHead(404).end('no');
        return;
      }
      const size = Number(u.searchParams.get('size') ?? '1000');
      const name = u.searchParams.get('download');
      res.writeHead(200, {
        'content-type': 'image/jpeg',
        ...(name === null ? {} : { 'content-disposition': `attachment; filename="${name}"` }),
      });
      res.end(Buffer.alloc(size, 7));
    });
    const files = await listenOn(fileHost);
    const received: Received[] = [];
    const receiverStatuses: number[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const status = receiverStatuses.shift() ?? 200;
        if (status < 300) {
          received.push({
            path: req.url ?? '/',
            headers: req.headers,
            raw,
            body: JSON.parse(raw),
          });
        }
        res.writeHead(status).end();
      });
    });
    const hooks = await listenOn(receiver);
    return new ZiflowHarness(received, receiverStatuses, server, url, files, hooks, [
      fileHost,
      receiver,
    ]);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    for (const s of this.extra) await close(s);
  }

  file(name: string, size = 1000): string {
    return `${this.files}/files/${name}?size=${size}`;
  }

  api(
    method: string,
    path: string,
    options: {
      body?: unknown;
      key?: string | null;
      form?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Answer> {
    const key = options.key === undefined ? ADMIN : options.key;
    const headers: Record<string, string> = {
      ...(key === null ? {} : { apikey: key }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.form === undefined
        ? {}
        : { 'content-type': 'application/x-www-form-urlencoded' }),
      ...options.headers,
    };
    const body =
      options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    return send(`${this.url}/v1${path}`, method, headers, body);
  }

  sim(method: string, path: string, body?: unknown): Promise<Answer> {
    return send(
      `${this.url}/_sim${path}`,
      method,
      body === undefined ? {} : { 'content-type': 'application/json' },
      body === undefined ? undefined : JSON.stringify(body),
    );
  }

  /** A processed proof with one stage of the given reviewers (all may decide). */
  async proof(
    stages: { name?: string; members: string[]; only_one_decision?: boolean }[] = [
      { members: [ADELE.email, ALEX.email] },
    ],
    extra: Record<string, unknown> = {},
  ): Promise<Json> {
    const made = await this.api('POST', '/proofs', {
      body: {
        name: 'Autumn campaign',
        input: [{ source: this.file('a.jpg'), type: 'file' }],
        stages: stages.map((s, i) => ({
          name: s.name ?? `Stage ${i + 1}`,
          ...(s.only_one_decision === undefined ? {} : { only_one_decision: s.only_one_decision }),
          members: s.members.map((email) => ({ email })),
        })),
        ...extra,
      },
    });
    if (made.status !== 201)
      throw new TypeError(`create: ${made.status} ${JSON.stringify(made.body)}`);
    await this.server.settled();
    return (await this.api('GET', `/proofs/${String(made.body.id)}`)).body;
  }

  /** Subscribes the receiver (active, signed) and returns the webhook reply. */
  async subscribe(
    types: Record<string, boolean> = { all: true },
    path = '/hooks/ziflow',
  ): Promise<Json> {
    const all = types['all'] === true;
    const proof = Object.fromEntries(Object.entries(types).filter(([k]) => k !== 'all'));
    const made = await this.api('POST', '/webhooks', {
      body: {
        name: 'lightdesk',
        target: `${this.hooks}${path}`,
        active: true,
        generate_signature_key: true,
        subscription_types: { ...(all ? { all: true } : {}), proof },
      },
    });
    if (made.status !== 201) throw new TypeError(`subscribe: ${made.status}`);
    return made.body;
  }

  /** The events received so far (each delivery carries one). */
  events(): Json[] {
    return this.received.flatMap((r) => r.body.events as Json[]);
  }
}

async function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<Answer> {
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: Json = text === '' ? undefined : text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON (an HTML page): kept as text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
