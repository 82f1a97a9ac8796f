import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import { readBody } from '../kit/body.js';
import { type ControlContext, type ControlRoute, trafficControlRoutes } from '../kit/control.js';
import { asSimError, SimError } from '../kit/errors.js';
import { type Listening, listen, type Reply, reply, sendBytes, sendJson } from '../kit/http.js';
import { Router } from '../kit/router.js';
import { JsonStateFile } from '../kit/state-file.js';
import { faultEffect, TrafficControls } from '../kit/traffic.js';
import {
  type ControlTarget,
  controlRoutes,
  type GalleryImagesView,
  galleryImagesView,
  imageView,
  type ImageView,
  type LibraryView,
  libraryView,
  resetFromBody,
} from './control.js';
import { parseBox, type RouteContext } from './context.js';
import { FileStore, type OriginalFile } from './files.js';
import {
  BinaryBody,
  CORS_HEADERS,
  MAX_BODY_BYTES,
  parseRequest,
  type SimRequest,
} from './http-util.js';
import {
  type CustomFieldRecord,
  Library,
  type LibraryData,
  type MetadataInput,
  type ReplaceInput,
  type ShareInput,
  type UploadInput,
} from './library.js';
import { fittedSize, PngCache } from './png.js';
import { handleV3, v3Error } from './routes-v3.js';
import { handleV4, v4Error } from './routes-v4.js';
import { anchorFor, generateLibrary } from './seed.js';
import { apiKeyOf, Sessions, type SimOrg, type SimUser } from './sessions.js';
import { routeTemplate } from './route-template.js';
import { DEFAULT_TIME_ZONE, formatIso, isTimeZone, MonotonicClock } from './time.js';
import { renderWebPage } from './web-pages.js';

export type { SimOrg, SimUser } from './sessions.js';
export interface FakePhotoShelterServerOptions {
  /** 11 characters of `[A-Za-z0-9._]` [OFF]. */
  readonly apiKey?: string;
  readonly users?: readonly SimUser[];
  readonly orgs?: readonly SimOrg[];
  /** Seed of the generated library (default 42). */
  readonly seed?: number;
  /** Number of images in the generated library (default 400). */
  readonly assets?: number;
  /** Sessions die after this long without a call (default 2 h) [INF]. */
  readonly idleTimeoutMs?: number;
  /** Wall clock for modification times and session idleness (default: the system clock). */
  readonly now?: () => Date;
  /** Base of the links the simulator hands out (`next`, image links); default its own URL. */
  readonly publicBaseUrl?: string;
  /** Keep the library in this JSON file across restarts (local demo); absent: memory only. */
  readonly stateFile?: string;
  /**
   * The account's IANA time zone: record times are written as wall time in it and the v3 session's
   * `tz` names it. Default: `PHOTOSHELTER_SIM_TIME_ZONE` from the environment, else UTC.
   */
  readonly timeZone?: string;
}

export interface SimCredentials {
  readonly apiKey: string;
  readonly email: string;
  readonly password: string;
  readonly userId: string;
  readonly orgId: string | undefined;
}

/** Used when the options name no accounts; all ids follow the [OFF] formats. */
export const DEFAULT_API_KEY = 'lightdesk42';
export const DEFAULT_ORG: SimOrg = { id: 'O0000LightdeskU1', name: 'Lightdesk University' };
export const DEFAULT_USER: SimUser = {
  email: 'demo@lightdesk.example',
  password: 'lightdesk-demo',
  userId: 'U0000LightDemo01',
  orgIds: [DEFAULT_ORG.id],
  firstName: 'Demo',
  lastName: 'Photographer',
};

/** Read once per server: tests set it to a non-UTC zone (test/support/photoshelter-sim-zone.ts). */
function simTimeZoneFromEnv(): string | undefined {
  const value = process.env['PHOTOSHELTER_SIM_TIME_ZONE'];
  return value === undefined || value === '' ? undefined : value;
}

const DEFAULT_SEED = 42;
const DEFAULT_ASSETS = 400;
const DEFAULT_IDLE_MS = 2 * 60 * 60 * 1000;
const STATE_FORMAT = 'lightdesk-photoshelter-simulator/2';
const TOO_LARGE = new SimError(413, '', 'Request body too large');
const MALFORMED_PATH = new SimError(400, '', 'Malformed path');

interface SavedState {
  /** The `assets` the library was generated with (uploads add to the count later). */
  readonly generatedAssets: number;
  readonly library: LibraryData;
}

/**
 * A loopback PhotoShelter (docs/photoshelter-wire.md): the v3/v4 calls Lightdesk makes, a PNG CDN
 * at `/img-get2/…`, gallery pages, and `/_sim/…` controls, each also a typed method here.
 */
export class FakePhotoShelterServer extends TrafficControls implements ControlTarget {
  private readonly apiKey: string;
  private readonly users: readonly SimUser[];
  private readonly orgs: readonly SimOrg[];
  private readonly now: () => Date;
  private readonly clock: MonotonicClock;
  private readonly sessions: Sessions;
  private readonly control: Router<ControlRoute>;
  private readonly pngs = new PngCache();
  /** Uploaded bytes, in memory only (files.ts says why). */
  private readonly files = new FileStore(this.pngs);
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly state: JsonStateFile<SavedState>;
  private readonly publicBaseUrl: string | undefined;
  /** The account's zone (see the option). */
  readonly timeZone: string;
  private seed: number;
  private generatedAssets: number;
  private lib: Library;
  private listening: Listening | undefined;

  constructor(options: FakePhotoShelterServerOptions = {}) {
    const now = options.now ?? (() => new Date());
    super(now);
    this.apiKey = options.apiKey ?? DEFAULT_API_KEY;
    this.orgs = options.orgs ?? (options.users === undefined ? [DEFAULT_ORG] : []);
    this.users = options.users ?? [DEFAULT_USER];
    if (this.users.length === 0) throw new SimError(500, '', 'at least one user is needed');
    this.now = now;
    this.clock = new MonotonicClock(this.now);
    this.sessions = new Sessions(this.now, options.idleTimeoutMs ?? DEFAULT_IDLE_MS);
    this.control = new Router([
      ...controlRoutes(this),
      ...trafficControlRoutes(this.traffic, (json) => resetFromBody(this, json)),
    ]);
    this.state = new JsonStateFile(options.stateFile, STATE_FORMAT, () => ({
      generatedAssets: this.generatedAssets,
      library: this.lib.toData(),
    }));
    this.publicBaseUrl = options.publicBaseUrl?.replace(/\/+$/, '');
    const zone = options.timeZone ?? simTimeZoneFromEnv() ?? DEFAULT_TIME_ZONE;
    if (!isTimeZone(zone)) {
      throw new SimError(
        500,
        '',
        `time zone "${zone}" is not an IANA zone name (e.g. Europe/Paris)`,
      );
    }
    this.timeZone = zone;
    this.seed = options.seed ?? DEFAULT_SEED;
    this.generatedAssets = options.assets ?? DEFAULT_ASSETS;
    this.lib = this.loadState() ?? this.generate();
  }

  /** The first user, their first organization and the API key: what a client logs in with. */
  get credentials(): SimCredentials {
    const user = this.users[0] ?? DEFAULT_USER;
    return {
      apiKey: this.apiKey,
      email: user.email,
      password: user.password,
      userId: user.userId,
      orgId: user.orgIds[0],
    };
  }

  get url(): string {
    if (this.listening === undefined) {
      throw new SimError(500, '', 'FakePhotoShelterServer is not started');
    }
    return this.listening.url;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<{ url: string }> {
    if (this.listening !== undefined) return { url: this.url };
    const server = createServer((request, response) => {
      this.handle(request, response).catch((e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        sendJson(response, reply(500, { error: `simulator failure: ${message}` }), CORS_HEADERS);
      });
    });
    this.listening = await listen(server, port, host);
    return { url: this.listening.url };
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const listening = this.listening;
    this.listening = undefined;
    await listening?.close();
    await this.state.flush();
  }

  // -------------------------------------------------------------------------------------------------
  // Typed control (the `/_sim/…` endpoints call these)

  library(): LibraryView {
    return libraryView(this.context());
  }

  galleryImages(galleryId: string, page?: number, perPage?: number): GalleryImagesView {
    return galleryImagesView(this.context(), galleryId, page, perPage);
  }

  /** One image as the console shows it, with its galleries and review status. */
  image(imageId: string): ImageView & { galleryIds: string[] } {
    return imageView(this.context(), imageId);
  }

  original(imageId: string): OriginalFile {
    return this.files.originalOf(this.lib.requireImage(imageId));
  }

  upload(input: UploadInput): { imageId: string } {
    const image = this.lib.upload(input);
    this.state.schedule();
    return { imageId: image.id };
  }

  replace(input: ReplaceInput): { imageId: string; fileSize: number } {
    const image = this.lib.replace(input);
    // New made-up bytes: the download serves this version's generated PNG.
    this.files.drop(image.id);
    this.state.schedule();
    return { imageId: image.id, fileSize: image.fileSize };
  }

  share(input: ShareInput): { permissionId: string } {
    const permission = this.lib.share(input);
    this.state.schedule();
    return { permissionId: permission.id };
  }

  editMetadata(input: MetadataInput): { imageId: string; modifiedAt: string } {
    const image = this.lib.editMetadata(input);
    this.state.schedule();
    return { imageId: image.id, modifiedAt: formatIso(image.modifiedAt) };
  }

  expireSessions(): number {
    return this.sessions.expireAll();
  }

  /** The org's custom metadata fields (seeded: "Review status" with Lightdesk's five options). */
  customFields(): readonly CustomFieldRecord[] {
    return this.lib.customFields;
  }

  /** Adds or replaces a field by name, as an admin would in Metadata Settings [DOC help]. */
  defineCustomField(name: string, options: readonly string[]): CustomFieldRecord {
    const field = this.lib.defineCustomField(name, options);
    this.state.schedule();
    return field;
  }

  /** Removes the field called `name` (every field when undefined): tests the connector's clear error. */
  removeCustomFields(name?: string): number {
    const removed = this.lib.removeCustomFields(name);
    this.state.schedule();
    return removed;
  }

  resetCustomFields(): readonly CustomFieldRecord[] {
    this.lib.resetCustomFields();
    this.state.schedule();
    return this.lib.customFields;
  }

  /** A freshly generated library; sessions, faults and counters are left alone. */
  reset(
    seed: number = this.seed,
    assets: number = this.generatedAssets,
  ): {
    seed: number;
    assets: number;
  } {
    this.seed = seed;
    this.generatedAssets = assets;
    this.lib = this.generate();
    this.files.clear();
    this.state.schedule();
    return { seed, assets: this.lib.assetCount };
  }

  // -------------------------------------------------------------------------------------------------
  // HTTP

  private context(): RouteContext {
    return {
      library: this.lib,
      files: this.files,
      sessions: this.sessions,
      users: this.users,
      orgs: this.orgs,
      baseUrl: this.publicBaseUrl ?? this.listening?.url ?? 'http://127.0.0.1',
      timeZone: this.timeZone,
    };
  }

  private async handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (incoming.method ?? 'GET').toUpperCase();
    const path = new URL(incoming.url ?? '/', 'http://simulator.invalid').pathname;
    if (method === 'OPTIONS') {
      sendJson(response, reply(204), CORS_HEADERS);
      return;
    }
    const isControl = path === '/_sim' || path.startsWith('/_sim/');
    const isImage = path.startsWith('/img-get2/');
    if (!isControl && !isImage) this.traffic.calls.record(`${method} ${routeTemplate(path)}`);

    let request: SimRequest;
    try {
      request = await parseRequest(incoming, await readBody(incoming, MAX_BODY_BYTES, TOO_LARGE));
    } catch (e: unknown) {
      if (!(e instanceof SimError)) throw e;
      return this.send(response, this.errorFor(path, e.status, e.message));
    }

    if (isControl) return this.send(response, await this.handleControl(request));

    // Faults come before normal handling, first match first, each counting down its `times`.
    const fault = this.traffic.faults.take(method, [path]);
    if (fault?.latencyMs !== undefined && fault.latencyMs > 0) {
      await this.delay(fault.latencyMs);
      if (this.listening === undefined || response.destroyed) return;
    }
    // A 429 or 503 without its own Retry-After gets one second (wire doc, common rules).
    const effect = faultEffect(
      fault,
      () => '',
      (status) => (status === 429 || status === 503 ? 1 : undefined),
    );
    if (effect.kind === 'drop') {
      incoming.socket.destroy();
      return;
    }
    if (effect.kind === 'error') return this.send(response, this.faultReply(path, effect.error));
    if (effect.kind === 'malformed') return this.send(response, reply(200, effect.body));
    const wait = isImage ? undefined : this.traffic.admit();
    if (wait !== undefined) {
      const limited = new SimError(429, '', 'Too many requests', { 'retry-after': String(wait) });
      return this.send(response, this.faultReply(path, limited));
    }

    const answer = this.answer(request, response);
    if (effect.lostResponse) {
      incoming.socket.destroy();
      return;
    }
    if (answer !== undefined) this.send(response, answer);
  }

  /** The API's, the CDN's or a web page's answer; undefined when already written. */
  private answer(request: SimRequest, response: ServerResponse): Reply | undefined {
    const { method, path } = request;
    if (path.startsWith('/img-get2/')) {
      this.serveImage(request, response);
      return undefined;
    }
    const v3 = /^\/psapi\/v3(?:\.0)?(\/.*)$/.exec(path);
    const v4 = /^\/psapi\/v4(?:\.0)?(\/.*)$/.exec(path);
    if (v3 !== null || v4 !== null) {
      if (apiKeyOf(request) !== this.apiKey) {
        // The key is checked on every call, before the session [DOC].
        return v4 !== null
          ? v4Error(403, 'ApiKeyInvalidException', 'Missing or invalid API key')
          : v3Error(403, 'Invalid API key');
      }
      const ctx = this.context();
      const answer =
        v4 !== null ? handleV4(ctx, request, v4[1] ?? '') : handleV3(ctx, request, v3?.[1] ?? '');
      // API writes (wire doc #15, #17–#19) change the library too; reads and log-ins save nothing.
      if (method !== 'GET' && answer.status < 300 && !/authenticate|logout/.test(path)) {
        this.state.schedule();
      }
      return answer;
    }
    const page = renderWebPage(this.context(), request);
    if (page !== undefined) {
      response.writeHead(page.status, {
        ...CORS_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(page.html);
      return undefined;
    }
    return reply(404, { error: `Nothing at ${method} ${path}` });
  }

  private async handleControl(request: SimRequest): Promise<Reply> {
    try {
      const { match, methodMismatch } = this.control.find(
        request.method,
        request.path,
        MALFORMED_PATH,
      );
      if (match === undefined) {
        return reply(methodMismatch ? 405 : 404, {
          error: `No simulator control at ${request.method} ${request.path}`,
        });
      }
      const ctx: ControlContext = {
        params: match.params,
        query: request.url.searchParams,
        json: request.json,
      };
      return await match.route.handler(ctx);
    } catch (e: unknown) {
      const error = asSimError(e, '');
      return reply(error.status, { error: error.message });
    }
  }

  private send(response: ServerResponse, answer: Reply): void {
    if (answer.body instanceof BinaryBody) {
      const { bytes, contentType, headers } = answer.body;
      sendBytes(response, answer.status, bytes, {
        ...CORS_HEADERS,
        'cache-control': 'no-store',
        'content-type': contentType,
        ...headers,
      });
      return;
    }
    sendJson(response, answer, { ...CORS_HEADERS, 'cache-control': 'no-store' });
  }

  private errorFor(path: string, status: number, message: string): Reply {
    if (path.startsWith('/psapi/v4')) {
      return v4Error(status, status === 400 ? 'BadRequestException' : 'HttpException', message);
    }
    if (path.startsWith('/psapi/')) return v3Error(status, message);
    return reply(status, { error: message });
  }

  /** An injected failure in the envelope of the API generation the path belongs to. */
  private faultReply(path: string, fault: SimError): Reply {
    const status = fault.status;
    const headers: Record<string, string> = { ...fault.headers };
    const [id, title] = FAULT_TITLES[status] ?? ['HttpException', `HTTP ${status}`];
    let body: unknown;
    if (path.startsWith('/psapi/v4') || status === 429) {
      // 429 uses the v4 TooManyRequestsException envelope on every path (wire doc, common rules).
      const detail =
        status === 429
          ? 'The user has sent too many requests in a given amount of time see "rate limiting"'
          : undefined;
      body = v4Error(status, id, title, detail).body;
    } else if (path.startsWith('/psapi/')) {
      body =
        status === 401
          ? {
              status: 'error',
              error: {
                message: 'You must be logged into PhotoShelter to perform this action',
                class: 'SessionRequiredErr',
              },
            }
          : { status: 'error', error: { message: title } };
    } else {
      body = { error: title };
    }
    if (status === 401 && path.startsWith('/psapi/v4')) headers['www-authenticate'] = 'Bearer';
    return reply(status, body, headers);
  }

  private serveImage(request: SimRequest, response: ServerResponse): void {
    // `/img-get2/{id}/fit=WxH`, `/img-get2/{id}/sec={token}/fill=WxH/{file}` [OFF] [3P].
    const segments = request.path.split('/').filter((s) => s !== '');
    const image = this.lib.image(segments[1] ?? '');
    if (image === undefined) {
      return this.send(response, reply(404, { error: 'Image not found' }));
    }
    let mode: 'fit' | 'fill' = 'fit';
    let box = { width: 320 as number | undefined, height: 320 as number | undefined };
    for (const segment of segments.slice(2)) {
      const m = /^(fit|fill)=(.+)$/.exec(segment);
      const parsed = m === null ? undefined : parseBox(m[2]);
      if (m !== null && parsed !== undefined) {
        mode = m[1] === 'fill' ? 'fill' : 'fit';
        box = parsed;
      }
    }
    const size = fittedSize(image, box, mode);
    const etag = `"${image.id}-${image.version}-${size.width}x${size.height}"`;
    const headers = {
      'content-type': 'image/png',
      'cache-control': 'public, max-age=3600',
      etag,
    };
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, { ...CORS_HEADERS, ...headers });
      response.end();
      return;
    }
    const png = this.pngs.get(`${image.id}:${image.version}`, size.width, size.height);
    sendBytes(response, 200, png, { ...CORS_HEADERS, ...headers });
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  // -------------------------------------------------------------------------------------------------
  // Library state

  private generate(): Library {
    const data = generateLibrary(this.seed, this.generatedAssets, anchorFor(this.now()));
    return new Library(data, this.clock);
  }

  private loadState(): Library | undefined {
    const state = this.state.load();
    // Another seed or size asked for: the saved library is not the one wanted.
    if (
      state === undefined ||
      state.library.seed !== this.seed ||
      state.generatedAssets !== this.generatedAssets
    ) {
      return undefined;
    }
    return new Library(state.library, this.clock);
  }
}

const FAULT_TITLES: Readonly<Record<number, readonly [string, string]>> = {
  400: ['BadRequestException', 'Bad Request'],
  401: ['AcsPermissionException', 'Invalid access to resource'],
  403: ['ApiKeyInvalidException', 'Missing or invalid API key'],
  404: ['ResourceNotFoundException', 'Resource not found'],
  409: ['ConflictException', 'Conflict'],
  429: ['TooManyRequestsException', 'Too many requests'],
  500: ['InternalServerErrorException', 'Internal server error'],
  502: ['BadGatewayException', 'Bad gateway'],
  503: ['ServiceUnavailableException', 'Service unavailable'],
  504: ['GatewayTimeoutException', 'Gateway timeout'],
};
