import { randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { z } from 'zod';

import { parseJson, readBody } from '../kit/body.js';
import {
  type ControlContext,
  type ControlRoute,
  parseInput,
  trafficControlRoutes,
} from '../kit/control.js';
import { asSimError, ensureError, SimError } from '../kit/errors.js';
import {
  corsHeaders,
  delay,
  flatHeaders,
  type Listening,
  listen,
  reply,
  sendJson,
} from '../kit/http.js';
import { SeededRandom } from '../kit/random.js';
import { Router } from '../kit/router.js';
import { JsonStateFile } from '../kit/state-file.js';
import {
  faultEffect,
  MALFORMED_BODY,
  type ThrottleSettings,
  TrafficControls,
} from '../kit/traffic.js';
import { accessTokenFrom, apiRoutes } from './api-routes.js';
import {
  JSON_CONTENT,
  type Family,
  type PvReply,
  type PvRequest,
  type PvRoute,
} from './context.js';
import { type ControlHost, controlRoutes } from './control.js';
import { entityRoutes } from './entity-routes.js';
import { DEFAULT_INFERRED, type InferredSettings } from './inferred.js';
import { type IngestOutcome, type IngestRecord, Ingests } from './ingests.js';
import { ByteBudget } from './package-reader.js';
import { type EntityRecord, EntityStore, type StoreData, uuidFrom } from './store.js';
import {
  DEFAULT_TENANT,
  DEFAULT_USERS,
  MANAGER_ROLE,
  type PreservicaUser,
  Tokens,
} from './tokens.js';
import { uploadRoutes } from './upload-routes.js';
import { type Delivery, type Subscription, type Trigger, Webhooks } from './webhooks.js';
import { API_VERSION, esc, XML_HEADER } from './xml.js';

// A loopback Preservica (docs/preservica-simulator.md): Access Token, Entity (XML, v7.7), Upload
// (S3-compatible) with XIP package ingest, Process Monitor, Content and Webhook APIs, with the kit's
// faults and throttle and `/_sim/…` drivers. Every undocumented choice is in inferred.ts.

export interface FakePreservicaServerOptions {
  readonly now?: () => Date;
  /** Seeds generated refs and ids (default 1). */
  readonly seed?: number;
  /** Keep the repository in this JSON file across restarts; bitstreams go beside it. */
  readonly stateFile?: string;
  /** Where uploads and bitstream bytes go; default beside the state file, else a temp dir. */
  readonly filesDir?: string;
  readonly throttle?: ThrottleSettings;
  readonly users?: readonly PreservicaUser[];
  readonly tenant?: string;
  /** Access token lifetime in minutes (default 15, as Preservica). */
  readonly validForMinutes?: number;
  /** Bitstream bytes kept on disk in total; past it only size and hash are kept (default 512 MB). */
  readonly maxStoredBytes?: number;
  readonly settings?: Partial<InferredSettings>;
  /** How often (real ms) ingests are moved along the injected clock (default 100). */
  readonly tickMs?: number;
  /** Base of the absolute links handed out; default the request's Host. */
  readonly publicBaseUrl?: string;
}

interface SavedState {
  readonly seed: number;
  readonly random: number;
  readonly store: StoreData;
  readonly storedBytes: number;
  readonly ingests: IngestRecord[];
  readonly subscriptions: Subscription[];
  readonly deliveries: Delivery[];
}

const STATE_FORMAT = 'lightdesk-preservica-simulator/1';
const DEFAULT_MAX_STORED_BYTES = 512 * 1024 * 1024;
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const CORS = corsHeaders(['preservica-access-token']);
const MALFORMED_PATH = new SimError(400, 'BadRequest', 'Malformed path');

const resetSchema = z.object({ seed: z.number().int().optional() });

/**
 * The whole body up to `max` bytes; past it the rest is drained, then a 413 thrown. (The kit's
 * readBody stops reading, which resets the socket before the client can read the 413.)
 */
function readCapped(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => {
      if (size > max) reject(new SimError(413, 'EntityTooLarge', 'The request body is too large'));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function familyOfPath(path: string): Family {
  const p = path.toLowerCase();
  if (p.startsWith('/api/entity')) return 'entity';
  if (p.startsWith('/api/s3')) return 's3';
  if (p.startsWith('/api/accesstoken')) return 'token';
  if (p.startsWith('/api/content')) return 'content';
  return 'json';
}

const S3_CODES: Readonly<Record<number, string>> = {
  400: 'InvalidRequest',
  401: 'AccessDenied',
  403: 'AccessDenied',
  404: 'NoSuchKey',
  413: 'EntityTooLarge',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'SlowDown',
};

export class FakePreservicaServer extends TrafficControls implements ControlHost {
  readonly tenant: string;
  private readonly now: () => Date;
  private readonly tokens: Tokens;
  private readonly api: Router<PvRoute>;
  private readonly control: Router<ControlRoute>;
  private readonly saved: JsonStateFile<SavedState>;
  private readonly filesDir: string;
  private readonly ownsFilesDir: boolean;
  private readonly budget: ByteBudget;
  private readonly abortUploads: () => Promise<void>;
  private readonly webhooks: Webhooks;
  private readonly ingestQueue: Ingests;
  private current: InferredSettings;
  private random: SeededRandom;
  private seedValue: number;
  private repository: EntityStore;
  private listening: Listening | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private moves = new Map<string, number>();

  constructor(private readonly options: FakePreservicaServerOptions = {}) {
    const now = options.now ?? (() => new Date());
    super(now, options.throttle ?? null);
    this.now = now;
    this.tenant = options.tenant ?? DEFAULT_TENANT;
    this.seedValue = options.seed ?? 1;
    this.random = new SeededRandom(this.seedValue);
    this.current = { ...DEFAULT_INFERRED, ...options.settings };
    this.tokens = new Tokens(
      options.users ?? DEFAULT_USERS,
      this.tenant,
      now,
      options.validForMinutes ?? 15,
    );
    this.budget = new ByteBudget(options.maxStoredBytes ?? DEFAULT_MAX_STORED_BYTES);
    this.ownsFilesDir = options.filesDir === undefined && options.stateFile === undefined;
    this.filesDir =
      options.filesDir ??
      (options.stateFile === undefined
        ? mkdtempSync(join(tmpdir(), 'preservica-sim-'))
        : join(dirname(options.stateFile), 'preservica-files'));
    mkdirSync(join(this.filesDir, 'bitstreams'), { recursive: true });
    mkdirSync(join(this.filesDir, 'uploads'), { recursive: true });
    this.repository = EntityStore.seeded(now, this.random);
    this.webhooks = new Webhooks({
      now,
      random: this.random,
      settings: () => this.current,
      changed: () => this.saved.schedule(),
    });
    this.ingestQueue = new Ingests({
      now,
      random: this.random,
      settings: () => this.current,
      store: () => this.repository,
      budget: this.budget,
      bitstreamDir: () => join(this.filesDir, 'bitstreams'),
      finished: (outcome) => this.ingestFinished(outcome),
    });
    this.saved = new JsonStateFile(options.stateFile, STATE_FORMAT, () => ({
      seed: this.seedValue,
      random: this.random.state,
      store: this.repository.snapshot(),
      storedBytes: this.budget.used,
      ingests: [...this.ingestQueue.list()],
      subscriptions: this.webhooks.subscriptions,
      deliveries: this.webhooks.deliveries,
    }));
    this.restore();
    const upload = uploadRoutes({
      bucket: () => this.bucket,
      uploadDir: () => join(this.filesDir, 'uploads'),
      minPartBytes: () => this.current.minPartBytes,
      submit: (zipPath, key, folderRef, size) => {
        const record = this.ingestQueue.submit(zipPath, key, folderRef, size);
        this.saved.schedule();
        return record;
      },
    });
    this.abortUploads = upload.abortAll;
    this.api = new Router<PvRoute>([
      ...apiRoutes({
        tokens: this.tokens,
        store: () => this.repository,
        ingests: () => this.ingestQueue,
      }),
      ...entityRoutes({
        store: () => this.repository,
        now,
        startMove: () => {
          const token = uuidFrom(this.random);
          this.moves.set(token, this.now().getTime() + this.current.moveMs);
          return token;
        },
        progressStatus: (token) => this.progressStatus(token),
        changed: (trigger, entity) => {
          this.saved.schedule();
          if (trigger !== undefined && entity !== undefined) this.notifyEntity(trigger, entity);
        },
      }),
      ...upload.routes,
      ...this.webhooks.routes(),
    ]);
    this.control = new Router<ControlRoute>([
      ...controlRoutes(this),
      ...trafficControlRoutes(this.traffic, (json) =>
        this.reset(parseInput(resetSchema, json).seed),
      ),
    ]);
  }

  // ---- lifecycle ----

  async start(port = 0, host = '127.0.0.1'): Promise<{ url: string }> {
    if (this.listening !== undefined) return { url: this.url };
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        this.send(res, this.errorReply('json', ensureError(e), '/'));
      });
    });
    this.listening = await listen(server, port, host);
    this.ticker = setInterval(() => this.advance(), this.options.tickMs ?? 100);
    this.ticker.unref();
    return { url: this.listening.url };
  }

  async stop(): Promise<void> {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
    this.webhooks.stop();
    const listening = this.listening;
    this.listening = undefined;
    await listening?.close();
    await this.ingestQueue.settle();
    await this.abortUploads();
    await this.saved.flush();
    if (this.ownsFilesDir) rmSync(this.filesDir, { recursive: true, force: true });
  }

  get url(): string {
    if (this.listening === undefined)
      throw new SimError(500, 'NotStarted', 'FakePreservicaServer is not started');
    return this.listening.url;
  }

  /** The Upload API bucket: `<tenant lowercase>.package.upload`. */
  get bucket(): string {
    return `${this.tenant.toLowerCase()}.package.upload`;
  }

  /** The first user (the manager): what a connector logs in with. */
  get credentials(): { username: string; password: string; tenant: string } {
    const user = (this.options.users ?? DEFAULT_USERS)[0];
    return { username: user?.username ?? '', password: user?.password ?? '', tenant: this.tenant };
  }

  /** Where bitstream bytes and uploads live (tests check the temp files). */
  get files(): { readonly uploads: string; readonly bitstreams: string } {
    return {
      uploads: join(this.filesDir, 'uploads'),
      bitstreams: join(this.filesDir, 'bitstreams'),
    };
  }

  /** True when no webhook delivery is in flight or waiting to be retried. */
  get deliveriesIdle(): boolean {
    return this.webhooks.idle;
  }

  /** Waits for uploaded packages still being read. */
  settleIngests(): Promise<void> {
    return this.ingestQueue.settle();
  }

  // ---- ControlHost ----

  store(): EntityStore {
    return this.repository;
  }

  ingests(): readonly IngestRecord[] {
    this.advance();
    return this.ingestQueue.list();
  }

  subscriptions(): readonly Subscription[] {
    return this.webhooks.subscriptions;
  }

  deliveries(): readonly Delivery[] {
    return this.webhooks.deliveries;
  }

  settings(): InferredSettings {
    return this.current;
  }

  updateSettings(patch: Partial<InferredSettings>): InferredSettings {
    this.current = { ...this.current, ...patch };
    return this.current;
  }

  failNextIngest(reason: string): void {
    this.ingestQueue.failNextIngest(reason);
  }

  async completeIngests(): Promise<IngestRecord[]> {
    const done = await this.ingestQueue.completeAll();
    this.saved.schedule();
    return done;
  }

  redeliver(ids: readonly string[] | undefined): Delivery[] {
    return this.webhooks.redeliver(ids);
  }

  expireTokens(): number {
    return this.tokens.expireAll();
  }

  storedBytes(): { used: number; limit: number } {
    return { used: this.budget.used, limit: this.budget.limit };
  }

  changeSecurityTag(ref: string, tag: string): EntityRecord {
    const entity = this.anyEntity(ref);
    if (!['open', 'closed'].includes(tag))
      throw new SimError(400, 'BadRequest', `Unknown security tag: ${tag}`);
    entity.securityTag = tag;
    this.repository.touch(entity);
    this.saved.schedule();
    this.notifyEntity('CHANGED_SECURITY_DESCRIPTOR', entity);
    return entity;
  }

  move(ref: string, parent: string | null): EntityRecord {
    const entity = this.anyEntity(ref);
    if (entity.type === 'CO')
      throw new SimError(400, 'BadRequest', 'Content objects cannot be moved');
    if (parent !== null) this.repository.require('SO', parent);
    else if (entity.type !== 'SO')
      throw new SimError(400, 'BadRequest', 'Only folders can be at the root');
    entity.parent = parent;
    this.repository.touch(entity);
    this.saved.schedule();
    this.notifyEntity('MOVED', entity);
    return entity;
  }

  edit(ref: string, patch: { title?: string; description?: string }): EntityRecord {
    const entity = this.anyEntity(ref);
    if (patch.title !== undefined) entity.title = patch.title;
    if (patch.description !== undefined) entity.description = patch.description;
    this.repository.touch(entity);
    this.saved.schedule();
    return entity;
  }

  /** A fresh seeded repository: ingests, subscriptions, deliveries and kept bytes are dropped. */
  reset(seed: number = this.seedValue): Record<string, unknown> {
    this.seedValue = seed;
    this.random.state = seed >>> 0;
    this.repository = EntityStore.seeded(this.now, this.random);
    this.ingestQueue.restore([]);
    this.webhooks.stop();
    this.webhooks.subscriptions = [];
    this.webhooks.deliveries = [];
    this.moves.clear();
    this.current = { ...DEFAULT_INFERRED, ...this.options.settings };
    rmSync(join(this.filesDir, 'bitstreams'), { recursive: true, force: true });
    mkdirSync(join(this.filesDir, 'bitstreams'), { recursive: true });
    this.budget.used = 0;
    this.saved.schedule();
    return {
      seed,
      tenant: this.tenant,
      folders: this.repository.all().map((e) => ({ ref: e.ref, title: e.title })),
    };
  }

  // ---- internals ----

  private anyEntity(ref: string): EntityRecord {
    const entity = this.repository.get(ref);
    if (entity === undefined) throw new SimError(404, 'NotFound', `Entity not found: ${ref}`);
    return entity;
  }

  private restore(): void {
    const loaded = this.saved.load();
    if (loaded?.seed !== this.seedValue) return;
    this.random.state = loaded.random;
    this.repository = new EntityStore(loaded.store, this.now, this.random);
    this.budget.used = loaded.storedBytes;
    this.ingestQueue.restore(loaded.ingests);
    this.webhooks.subscriptions = loaded.subscriptions;
    this.webhooks.deliveries = loaded.deliveries.map((d) =>
      d.state === 'pending' ? { ...d, state: 'failed' } : d,
    );
  }

  private advance(): void {
    this.ingestQueue.advance();
  }

  private progressStatus(token: string): string | undefined {
    this.advance();
    const ingest = this.ingestQueue.get(token);
    if (ingest !== undefined) return ingest.status;
    const due = this.moves.get(token);
    if (due === undefined) return undefined;
    return this.now().getTime() >= due ? 'COMPLETED' : 'ACTIVE';
  }

  private identifiersOf(ref: string): Record<string, string>[] {
    return this.repository.identifiersOf(ref).map((i) => ({ [i.type]: i.value }));
  }

  private notifyEntity(trigger: Trigger, entity: EntityRecord): void {
    this.webhooks.notify(trigger, [
      {
        event: { entityRef: entity.ref, entityType: entity.type },
        identifiers: this.identifiersOf(entity.ref),
      },
    ]);
  }

  private ingestFinished(outcome: IngestOutcome): void {
    this.saved.schedule();
    const { ingest } = outcome;
    const events =
      ingest.status === 'FAILED'
        ? outcome.declared.map((d) => ({
            event: { entityRef: d.ref, entityType: 'IO' as const },
            identifiers: d.identifiers,
          }))
        : [...outcome.created, ...(this.current.notifySkipped ? outcome.skipped : [])].map((e) => ({
            event: { entityRef: e.ref, entityType: e.type },
            identifiers: this.identifiersOf(e.ref),
          }));
    if (ingest.status === 'FAILED' && events.length === 0 && ingest.folderRef !== null) {
      // [INF] a package that could not be read names no asset: the event names the target folder.
      events.push({ event: { entityRef: ingest.folderRef, entityType: 'SO' }, identifiers: [] });
    }
    const trigger: Trigger = ingest.status === 'FAILED' ? 'INGEST_FAILED' : 'FULL_TEXT_INDEXED';
    if (this.current.webhookBatching === 'per-ingest') this.webhooks.notify(trigger, events);
    else for (const event of events) this.webhooks.notify(trigger, [event]);
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) {
      await this.handleControl(req, res, url, method);
      return;
    }
    if (method === 'OPTIONS') {
      sendJson(res, reply(204), CORS);
      return;
    }
    const path = url.pathname;
    let family = familyOfPath(path);
    let found: ReturnType<Router<PvRoute>['find']> | undefined;
    let routeError: SimError | undefined;
    try {
      found = this.api.find(method, path, MALFORMED_PATH);
    } catch (e: unknown) {
      routeError = asSimError(e, 'BadRequest');
    }
    const route = found?.match?.route;
    if (route !== undefined) family = route.family;
    this.traffic.calls.record(`${method} ${route?.template ?? path}`);
    const unversioned = path.replace(
      new RegExp(`^/api/entity/v${API_VERSION.replace('.', '\\.')}(?=/|$)`, 'i'),
      '/api/entity',
    );
    const fault = this.traffic.faults.take(method, [path, unversioned]);
    if (fault?.latencyMs !== undefined) await delay(fault.latencyMs);
    const effect = faultEffect(fault, (status) =>
      family === 's3' ? (S3_CODES[status] ?? 'InternalError') : `HTTP${status}`,
    );
    if (effect.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (effect.kind === 'error') {
      this.send(res, this.errorReply(family, effect.error, path), req);
      return;
    }
    if (effect.kind === 'malformed') {
      this.send(
        res,
        {
          status: 200,
          headers: { 'content-type': JSON_CONTENT },
          body: JSON.stringify(MALFORMED_BODY),
        },
        req,
      );
      return;
    }
    let answer: PvReply;
    try {
      if (routeError !== undefined) throw routeError;
      if (route === undefined || found?.match === undefined) {
        throw new SimError(
          found?.methodMismatch === true ? 405 : 404,
          found?.methodMismatch === true ? 'MethodNotAllowed' : 'NotFound',
          found?.methodMismatch === true
            ? `${method} is not allowed on ${path}`
            : `No resource at ${path}`,
        );
      }
      const user = this.authenticate(route, req);
      const wait = this.traffic.admit();
      if (wait !== undefined) {
        throw new SimError(
          429,
          family === 's3' ? 'SlowDown' : 'TooManyRequests',
          'Too many requests; retry later',
          {
            'retry-after': String(wait),
          },
        );
      }
      this.advance();
      answer = await route.handler(this.request(req, url, method, user), found.match.params);
    } catch (e: unknown) {
      answer = this.errorReply(family, ensureError(e), path);
    }
    if (effect.lostResponse) {
      req.socket.destroy();
      return;
    }
    this.send(res, answer, req);
  }

  private authenticate(route: PvRoute, req: IncomingMessage): PreservicaUser | undefined {
    if (route.auth === 'none') return undefined;
    const headers = flatHeaders(req);
    let user: PreservicaUser;
    try {
      user = this.tokens.check(accessTokenFrom(headers));
    } catch (e: unknown) {
      // S3 refuses an unknown access key with 403 InvalidAccessKeyId [INF: an expired one too].
      if (route.family === 's3') {
        throw new SimError(
          403,
          'InvalidAccessKeyId',
          'The AWS Access Key Id you provided does not exist in our records.',
        );
      }
      throw e;
    }
    if (route.auth === 'manager' && !user.roles.includes(MANAGER_ROLE)) {
      throw new SimError(403, 'Forbidden', `This needs the ${MANAGER_ROLE} role`);
    }
    return user;
  }

  private request(
    req: IncomingMessage,
    url: URL,
    method: string,
    user: PreservicaUser | undefined,
  ): PvRequest {
    const headers = flatHeaders(req);
    const base =
      this.options.publicBaseUrl?.replace(/\/+$/, '') ??
      (headers['host'] === undefined ? this.url : `http://${headers['host']}`);
    const versioned = new RegExp(`^/api/entity/v${API_VERSION.replace('.', '\\.')}(/|$)`, 'i').test(
      url.pathname,
    );
    let body: Promise<Buffer> | undefined;
    return {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers,
      incoming: req,
      base,
      entityBase: `${base}/api/entity${versioned ? `/v${API_VERSION}` : ''}`,
      user,
      body: () => {
        body ??= readCapped(req, MAX_BODY_BYTES);
        return body;
      },
    };
  }

  private errorReply(family: Family, error: Error, path: string): PvReply {
    const sim =
      error instanceof SimError
        ? error
        : new SimError(500, 'InternalError', `Simulator error: ${error.message}`);
    const headers = { ...sim.headers };
    if (family === 's3') {
      return {
        status: sim.status,
        headers: { ...headers, 'content-type': 'application/xml' },
        body: `${XML_HEADER}<Error><Code>${esc(sim.code)}</Code><Message>${esc(sim.message)}</Message><Resource>${esc(path)}</Resource><RequestId>${randomUUID()}</RequestId></Error>`,
      };
    }
    if (family === 'entity') {
      // [INF] Entity API error bodies are undocumented (inferred.ts entityErrorBody).
      return this.current.entityErrorBody === 'text'
        ? {
            status: sim.status,
            headers: { ...headers, 'content-type': 'text/plain;charset=UTF-8' },
            body: sim.message,
          }
        : {
            status: sim.status,
            headers: { ...headers, 'content-type': 'application/xml;charset=UTF-8' },
            body: `${XML_HEADER}<Error><Status>${sim.status}</Status><Message>${esc(sim.message)}</Message></Error>`,
          };
    }
    // JSON APIs: the Access Token API's documented `message`, beside `success: false` [INF].
    return {
      status: sim.status,
      headers: { ...headers, 'content-type': JSON_CONTENT },
      body: JSON.stringify({ success: false, message: sim.message }),
    };
  }

  private send(res: ServerResponse, answer: PvReply, req?: IncomingMessage): void {
    if (res.destroyed || res.headersSent) return;
    // A body the route did not read (a refused upload) is drained, not left to stall the socket.
    if (req !== undefined && !req.readableEnded) req.resume();
    const headers: Record<string, string> = { ...CORS, ...answer.headers };
    if (answer.file !== undefined) {
      const { path, start, end } = answer.file;
      const length = Math.max(0, end - start + 1);
      res.writeHead(answer.status, { ...headers, 'content-length': String(length) });
      if (length === 0) {
        res.end();
        return;
      }
      const stream = createReadStream(path, { start, end });
      stream.on('error', () => res.destroy());
      stream.pipe(res);
      return;
    }
    const body = answer.body ?? '';
    res.writeHead(answer.status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(answer.status === 204 ? undefined : body);
  }

  private async handleControl(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
  ): Promise<void> {
    if (method === 'OPTIONS') {
      sendJson(res, reply(204), CORS);
      return;
    }
    try {
      const raw = await readBody(
        req,
        MAX_BODY_BYTES,
        new SimError(413, 'TooLarge', 'The body is too large'),
      );
      const json = parseJson(
        raw,
        new SimError(400, 'BadRequest', 'The request body is not valid JSON.'),
      );
      const { match, methodMismatch } = this.control.find(method, url.pathname, MALFORMED_PATH);
      if (match === undefined) {
        throw new SimError(
          methodMismatch ? 405 : 404,
          methodMismatch ? 'MethodNotAllowed' : 'NotFound',
          `No control endpoint ${method} ${url.pathname}`,
        );
      }
      const ctx: ControlContext = { params: match.params, query: url.searchParams, json };
      sendJson(res, await match.route.handler(ctx), CORS);
    } catch (e: unknown) {
      const error = asSimError(e, 'InternalError');
      sendJson(
        res,
        reply(error.status, { error: { code: error.code, message: error.message } }),
        CORS,
      );
    }
  }
}
