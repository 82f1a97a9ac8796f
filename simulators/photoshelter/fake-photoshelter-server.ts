import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import {
  type ControlTarget,
  type GalleryImagesView,
  galleryImagesView,
  handleControl,
  imageView,
  type ImageView,
  type LibraryView,
  libraryView,
} from './control.js';
import { parseBox, type RouteContext } from './context.js';
import { CallCounter, type CallCounts, type Fault, Faults, type FaultSpec } from './faults.js';
import {
  CORS_HEADERS,
  parseRequest,
  readBody,
  type Reply,
  sendBytes,
  sendJson,
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
import { SimulatorError } from './simulator-error.js';
import { formatIso, MonotonicClock } from './time.js';
import { renderWebPage } from './web-pages.js';

export type { SimOrg, SimUser } from './sessions.js';
export type { FaultSpec } from './faults.js';

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

const DEFAULT_SEED = 42;
const DEFAULT_ASSETS = 400;
const DEFAULT_IDLE_MS = 2 * 60 * 60 * 1000;
const STATE_FORMAT = 'lightdesk-photoshelter-simulator/1';

interface StateFile {
  readonly format: string;
  /** The `assets` the library was generated with (uploads add to the count later). */
  readonly generatedAssets: number;
  readonly library: LibraryData;
}

/**
 * A loopback PhotoShelter (docs/photoshelter-wire.md): the v3 and v4 calls Lightdesk makes, a small
 * PNG CDN at `/img-get2/…`, web-UI gallery pages, and `/_sim/…` control endpoints. Every control
 * endpoint has a typed method here too, so tests can call either.
 */
export class FakePhotoShelterServer implements ControlTarget {
  private readonly apiKey: string;
  private readonly users: readonly SimUser[];
  private readonly orgs: readonly SimOrg[];
  private readonly now: () => Date;
  private readonly clock: MonotonicClock;
  private readonly sessions: Sessions;
  private readonly faultList = new Faults();
  private readonly counter = new CallCounter();
  private readonly pngs = new PngCache();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  private readonly stateFile: string | undefined;
  private readonly publicBaseUrl: string | undefined;
  private seed: number;
  private generatedAssets: number;
  private lib: Library;
  private server: Server | undefined;
  private listeningUrl: string | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(options: FakePhotoShelterServerOptions = {}) {
    this.apiKey = options.apiKey ?? DEFAULT_API_KEY;
    this.orgs = options.orgs ?? (options.users === undefined ? [DEFAULT_ORG] : []);
    this.users = options.users ?? [DEFAULT_USER];
    if (this.users.length === 0) throw new SimulatorError(500, 'at least one user is needed');
    this.now = options.now ?? (() => new Date());
    this.clock = new MonotonicClock(this.now);
    this.sessions = new Sessions(this.now, options.idleTimeoutMs ?? DEFAULT_IDLE_MS);
    this.stateFile = options.stateFile;
    this.publicBaseUrl = options.publicBaseUrl?.replace(/\/+$/, '');
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
    if (this.listeningUrl === undefined) {
      throw new SimulatorError(500, 'FakePhotoShelterServer is not started');
    }
    return this.listeningUrl;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<{ url: string }> {
    if (this.server !== undefined) return { url: this.url };
    const server = createServer((request, response) => {
      this.handle(request, response).catch((e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        sendJson(response, 500, { error: `simulator failure: ${message}` });
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const shown =
      address.address === '0.0.0.0' || address.address === '::'
        ? '127.0.0.1'
        : address.family === 'IPv6'
          ? `[${address.address}]`
          : address.address;
    this.server = server;
    this.listeningUrl = `http://${shown}:${address.port}`;
    return { url: this.listeningUrl };
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of this.sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    }
    await this.flushState();
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

  upload(input: UploadInput): { imageId: string } {
    const image = this.lib.upload(input);
    this.scheduleSave();
    return { imageId: image.id };
  }

  replace(input: ReplaceInput): { imageId: string; fileSize: number } {
    const image = this.lib.replace(input);
    this.scheduleSave();
    return { imageId: image.id, fileSize: image.fileSize };
  }

  share(input: ShareInput): { permissionId: string } {
    const permission = this.lib.share(input);
    this.scheduleSave();
    return { permissionId: permission.id };
  }

  editMetadata(input: MetadataInput): { imageId: string; modifiedAt: string } {
    const image = this.lib.editMetadata(input);
    this.scheduleSave();
    return { imageId: image.id, modifiedAt: formatIso(image.modifiedAt) };
  }

  addFault(fault: FaultSpec): Fault {
    return this.faultList.add(fault);
  }

  faults(): readonly Fault[] {
    return this.faultList.pending();
  }

  clearFaults(): number {
    return this.faultList.clear();
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
    this.scheduleSave();
    return field;
  }

  /** Removes the field called `name` (every field when undefined): tests the connector's clear error. */
  removeCustomFields(name?: string): number {
    const removed = this.lib.removeCustomFields(name);
    this.scheduleSave();
    return removed;
  }

  resetCustomFields(): readonly CustomFieldRecord[] {
    this.lib.resetCustomFields();
    this.scheduleSave();
    return this.lib.customFields;
  }

  calls(): CallCounts {
    return this.counter.snapshot();
  }

  resetCalls(): void {
    this.counter.reset();
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
    this.scheduleSave();
    return { seed, assets: this.lib.assetCount };
  }

  // -------------------------------------------------------------------------------------------------
  // HTTP

  private context(): RouteContext {
    return {
      library: this.lib,
      sessions: this.sessions,
      users: this.users,
      orgs: this.orgs,
      baseUrl: this.publicBaseUrl ?? this.listeningUrl ?? 'http://127.0.0.1',
    };
  }

  private async handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (incoming.method ?? 'GET').toUpperCase();
    const path = new URL(incoming.url ?? '/', 'http://simulator.invalid').pathname;
    if (method === 'OPTIONS') {
      response.writeHead(204, CORS_HEADERS);
      response.end();
      return;
    }
    const isControl = path === '/_sim' || path.startsWith('/_sim/');
    const isImage = path.startsWith('/img-get2/');
    if (!isControl && !isImage) this.counter.record(method, path);

    let request: SimRequest;
    try {
      request = parseRequest(incoming, await readBody(incoming));
    } catch (e: unknown) {
      if (!(e instanceof SimulatorError)) throw e;
      return this.send(response, this.errorFor(path, e.status, e.message));
    }

    if (isControl) {
      return this.send(response, handleControl(this, request, path.slice('/_sim'.length)));
    }

    // Faults come before normal handling, first match first, each counting down its `times`.
    const fault = this.faultList.take(method, path);
    if (fault !== undefined) {
      if (fault.latencyMs !== undefined && fault.latencyMs > 0) {
        await this.delay(fault.latencyMs);
        if (this.server === undefined || response.destroyed) return;
      }
      if (fault.drop === true) {
        incoming.socket.destroy();
        return;
      }
      if (fault.status !== undefined) return this.send(response, this.faultReply(path, fault));
      if (fault.malformed === true) {
        // Valid JSON in neither the v3 nor the v4 envelope.
        return this.send(response, { status: 200, body: { malformed: true, data: 'unexpected' } });
      }
    }

    if (isImage) return this.serveImage(request, response);
    const v3 = /^\/psapi\/v3(?:\.0)?(\/.*)$/.exec(path);
    const v4 = /^\/psapi\/v4(?:\.0)?(\/.*)$/.exec(path);
    if (v3 !== null || v4 !== null) {
      if (apiKeyOf(request) !== this.apiKey) {
        // The key is checked on every call, before the session [DOC].
        return this.send(
          response,
          v4 !== null
            ? v4Error(403, 'ApiKeyInvalidException', 'Missing or invalid API key')
            : v3Error(403, 'Invalid API key'),
        );
      }
      const ctx = this.context();
      const answer =
        v4 !== null ? handleV4(ctx, request, v4[1] ?? '') : handleV3(ctx, request, v3?.[1] ?? '');
      // API writes (wire doc #15, #17–#19) change the library too; reads and log-ins save nothing.
      if (method !== 'GET' && answer.status < 300 && !/authenticate|logout/.test(path)) {
        this.scheduleSave();
      }
      return this.send(response, answer);
    }
    const page = renderWebPage(this.context(), request);
    if (page !== undefined) {
      response.writeHead(page.status, {
        ...CORS_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(page.html);
      return;
    }
    this.send(response, { status: 404, body: { error: `Nothing at ${method} ${path}` } });
  }

  private send(response: ServerResponse, answer: Reply): void {
    sendJson(response, answer.status, answer.body, answer.headers);
  }

  private errorFor(path: string, status: number, message: string): Reply {
    if (path.startsWith('/psapi/v4')) {
      return v4Error(status, status === 400 ? 'BadRequestException' : 'HttpException', message);
    }
    if (path.startsWith('/psapi/')) return v3Error(status, message);
    return { status, body: { error: message } };
  }

  /** An injected failure in the envelope of the API generation the path belongs to. */
  private faultReply(path: string, fault: Fault): Reply {
    const status = fault.status ?? 500;
    const retryAfter =
      fault.retryAfterSeconds ?? (status === 429 || status === 503 ? 1 : undefined);
    const headers: Record<string, string> =
      retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
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
    return { status, body, headers };
  }

  private serveImage(request: SimRequest, response: ServerResponse): void {
    // `/img-get2/{id}/fit=WxH`, `/img-get2/{id}/sec={token}/fill=WxH/{file}` [OFF] [3P].
    const segments = request.path.split('/').filter((s) => s !== '');
    const image = this.lib.image(segments[1] ?? '');
    if (image === undefined) {
      return this.send(response, { status: 404, body: { error: 'Image not found' } });
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
    sendBytes(response, 200, png, headers);
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
    if (this.stateFile === undefined) return undefined;
    let state: StateFile;
    try {
      state = JSON.parse(readFileSync(this.stateFile, 'utf8')) as StateFile;
    } catch {
      return undefined; // missing or unreadable: start from the seed
    }
    // Another seed or size asked for: the saved library is not the one wanted.
    if (
      state.format !== STATE_FORMAT ||
      state.library.seed !== this.seed ||
      state.generatedAssets !== this.generatedAssets
    ) {
      return undefined;
    }
    return new Library(state.library, this.clock);
  }

  private scheduleSave(): void {
    if (this.stateFile === undefined || this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.flushState();
    }, 200);
  }

  private flushState(): Promise<void> {
    const file = this.stateFile;
    if (file === undefined) return Promise.resolve();
    if (this.saveTimer !== undefined) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    const state: StateFile = {
      format: STATE_FORMAT,
      generatedAssets: this.generatedAssets,
      library: this.lib.toData(),
    };
    // Saves run one after another; write-then-rename so a crash never leaves half a file.
    this.saving = this.saving
      .then(async () => {
        const temp = `${file}.${process.pid}.tmp`;
        await writeFile(temp, JSON.stringify(state));
        await rename(temp, file);
      })
      .catch((e: unknown) => {
        process.stderr.write(`photoshelter simulator: could not save ${file}: ${String(e)}\n`);
      });
    return this.saving;
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
