import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import { isRecord, multipartFields, parseJson, readBody } from '../kit/body.js';
import {
  type ControlContext,
  type ControlRoute,
  parseInput,
  trafficControlRoutes,
} from '../kit/control.js';
import { asSimError, SimError } from '../kit/errors.js';
import {
  corsHeaders,
  delay,
  flatHeaders,
  type Listening,
  listen,
  reply,
  sendBytes,
  sendJson,
} from '../kit/http.js';
import { Router } from '../kit/router.js';
import { JsonStateFile } from '../kit/state-file.js';
import { faultEffect, type ThrottleSettings, TrafficControls } from '../kit/traffic.js';
import { type ApiContext, type ApiRoute, apiRoutes } from './api.js';
import { type ControlHost, controlRoutes, type ZiflowSettings } from './control.js';
import { nestForm } from './form.js';
import {
  DEFAULT_RETRY_DELAYS_MS,
  DEFAULT_SIGNATURE_MODE,
  eventType,
  type SignatureMode,
} from './inferred.js';
import type { EventRecord, ProofRecord, UserRecord, ZiflowState } from './records.js';
import { resetSchema } from './schemas.js';
import { ADMIN_API_KEY, SEEDED_USERS } from './seed.js';
import { type Emit, ZiflowStore } from './store.js';
import { type Delivery, Deliverer } from './webhooks.js';

// A loopback Ziflow (docs/ziflow-simulator.md): the `/v1` proof, stage, reviewer, decision, comment
// and webhook calls Lightdesk's connector makes, acting as the user whose `apikey` a call carries;
// source files fetched over HTTP like Ziflow does; signed webhook deliveries with retries; and the
// `/_sim/…` drivers and state views. Errors are `{"message": …}` [INF].

export interface FakeZiflowServerOptions {
  readonly now?: () => Date;
  /** Seeds the generated ids (default 17). */
  readonly seed?: number;
  /** Keep proofs, comments and webhooks in this file across restarts (the local demo). */
  readonly stateFile?: string;
  readonly throttle?: ThrottleSettings;
  /** Fetch a new proof's files at once (default true); false: only `POST /_sim/process`. */
  readonly autoProcess?: boolean;
  /** [OFF] "Allow passing API key as a parameter" (default true). */
  readonly allowApiKeyQuery?: boolean;
  /** [OFF] "Admin comment impersonation": an admin may comment as a reviewer (default false). */
  readonly commentImpersonation?: boolean;
  /** [INF] Waits between delivery attempts (default 1 s, 5 s, 30 s). */
  readonly retryDelaysMs?: readonly number[];
  /** [INF] How `x-ziflow-signature` is computed (default `sha256-concat`). */
  readonly signatureMode?: SignatureMode;
  /** Base of `public_link` and the proof URLs (default the listening URL). */
  readonly publicBaseUrl?: string;
}

export interface StartedZiflowServer {
  /** `http://127.0.0.1:PORT`; the API is under `${url}/v1`, the controls under `${url}/_sim`. */
  readonly url: string;
}

const STATE_FORMAT = 'lightdesk-ziflow-simulator/1';
const DEFAULT_SEED = 17;
const MAX_BODY_BYTES = 1024 * 1024;
const SOURCE_TIMEOUT_MS = 30_000;
const CORS = corsHeaders(['apikey']);
const TOO_LARGE = new SimError(413, 'PayloadTooLarge', 'The request body is too large.');
const MALFORMED_PATH = new SimError(400, 'BadRequest', 'Malformed path.');
const INVALID_JSON = new SimError(400, 'BadRequest', 'The request body is not valid JSON.');

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  429: 'TooManyRequests',
};

function freshState(seed: number): ZiflowState {
  return {
    seed,
    randomState: seed,
    users: SEEDED_USERS.map((u) => ({ ...u })),
    proofs: [],
    comments: [],
    webhooks: [],
    events: [],
    signatureMode: DEFAULT_SIGNATURE_MODE,
  };
}

export class FakeZiflowServer extends TrafficControls implements ControlHost {
  private readonly now: () => Date;
  private readonly api: Router<ApiRoute>;
  private readonly control: Router<ControlRoute>;
  private readonly saved: JsonStateFile<ZiflowState>;
  private readonly processing = new Set<Promise<void>>();
  private readonly deliverer: Deliverer;
  private seedValue: number;
  private ziflow: ZiflowStore;
  private listening: Listening | undefined;
  readonly settings: ZiflowSettings;

  constructor(private readonly options: FakeZiflowServerOptions = {}) {
    const now = options.now ?? (() => new Date());
    super(now, options.throttle ?? null);
    this.now = now;
    this.seedValue = options.seed ?? DEFAULT_SEED;
    this.settings = this.initialSettings();
    this.deliverer = new Deliverer(now, this.settings);
    this.saved = new JsonStateFile(options.stateFile, STATE_FORMAT, () => ({
      ...this.ziflow.state,
      signatureMode: this.settings.signatureMode,
    }));
    const loaded = this.saved.load();
    // A file of another seed describes other ids: start from the seed instead.
    const state = loaded?.seed === this.seedValue ? loaded : freshState(this.seedValue);
    if (loaded?.seed === this.seedValue) this.settings.signatureMode = loaded.signatureMode;
    this.ziflow = new ZiflowStore(state, now, this.emit);
    this.api = new Router(apiRoutes(this));
    this.control = new Router([
      ...controlRoutes(this),
      ...trafficControlRoutes(this.traffic, (body) =>
        this.reset(parseInput(resetSchema, body).seed),
      ),
    ]);
  }

  private initialSettings(): ZiflowSettings {
    return {
      autoProcess: this.options.autoProcess ?? true,
      allowApiKeyQuery: this.options.allowApiKeyQuery ?? true,
      commentImpersonation: this.options.commentImpersonation ?? false,
      retryDelaysMs: this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      signatureMode: this.options.signatureMode ?? DEFAULT_SIGNATURE_MODE,
    };
  }

  async start(port = 0, host = '127.0.0.1'): Promise<StartedZiflowServer> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.listening = await listen(server, port, host);
    return { url: this.listening.url };
  }

  async stop(): Promise<void> {
    this.deliverer.cancel();
    const listening = this.listening;
    this.listening = undefined;
    await listening?.close();
    await this.saved.flush();
  }

  get url(): string {
    if (this.listening === undefined) {
      throw new SimError(500, 'InternalServerError', 'FakeZiflowServer is not started.');
    }
    return this.listening.url;
  }

  /** The API base a connector is configured with: `${url}/v1`. */
  get apiUrl(): string {
    return `${this.url}/v1`;
  }

  get publicBaseUrl(): string {
    return this.options.publicBaseUrl?.replace(/\/+$/, '') ?? this.url;
  }

  get store(): ZiflowStore {
    return this.ziflow;
  }

  /** The key of the admin "Lightdesk integration" user (webhooks need an admin). */
  get adminApiKey(): string {
    return ADMIN_API_KEY;
  }

  get users(): readonly UserRecord[] {
    return this.ziflow.state.users;
  }

  /** Empty account (seeded people only); faults, calls, throttle and settings back to the options. */
  reset(seed: number = this.seedValue): { seed: number; users: number } {
    this.seedValue = seed;
    this.deliverer.cancel();
    this.deliverer.clearLog();
    Object.assign(this.settings, this.initialSettings());
    this.ziflow = new ZiflowStore(freshState(seed), this.now, this.emit);
    this.traffic.reset();
    this.saved.schedule();
    return { seed, users: this.ziflow.state.users.length };
  }

  /** Resolves once no source fetch and no webhook delivery or retry is under way. */
  async settled(): Promise<void> {
    while (this.processing.size > 0) await Promise.all([...this.processing]);
    await this.deliverer.settled();
  }

  deliveries(): Delivery[] {
    return this.deliverer.deliveries();
  }

  clearDeliveries(): void {
    this.deliverer.clearLog();
  }

  changed(): void {
    this.saved.schedule();
  }

  newSignatureKey(): string {
    return randomBytes(24).toString('hex');
  }

  // ---- events and processing ----------------------------------------------------------------

  private readonly emit: Emit = (key, proof, extra) => {
    for (const webhook of this.ziflow.state.webhooks) {
      if (!webhook.active) continue;
      if (!webhook.subscriptions.includes('all') && !webhook.subscriptions.includes(key)) continue;
      const event: EventRecord = {
        event_id: this.ziflow.uuid(),
        webhook_id: webhook.id,
        type: eventType(key),
        proof_id: proof.id,
        ...extra,
        created_at: this.now().toISOString(),
      };
      this.deliverer.publish(this.ziflow.state.events, webhook, event);
    }
    this.saved.schedule();
  };

  redeliver(eventId: string): Delivery[] {
    const state = this.ziflow.state;
    return state.events
      .filter((e) => e.event_id === eventId)
      .flatMap((event) => {
        const webhook = state.webhooks.find((w) => w.id === event.webhook_id);
        return webhook === undefined ? [] : [this.deliverer.send(webhook, event, true)];
      });
  }

  proofCreated(proof: ProofRecord): void {
    if (!this.settings.autoProcess) return;
    void this.processProof(proof.id);
  }

  /** Fetches each source file (GET) like Ziflow's ingestion: `in_progress`, or `failed`. */
  processProof(proofId: string): Promise<void> {
    const store = this.ziflow;
    const proof = store.state.proofs.find((p) => p.id === proofId);
    if (proof?.status !== 'uploading') return Promise.resolve();
    const run = Promise.all(proof.sourceFiles.map((f) => fetchSource(f.source, f.name))).then(
      (files) => store.processed(proofId, files),
      (e: unknown) => store.failed(proofId, e instanceof Error ? e.message : String(e)),
    );
    const tracked = run.finally(() => {
      this.processing.delete(tracked);
      this.saved.schedule();
    });
    this.processing.add(tracked);
    return tracked;
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      if (method === 'OPTIONS') {
        sendJson(res, reply(204), CORS);
        return;
      }
      this.ziflow.checkDeadlines();
      const uploaded = /^\/_sim\/uploads\/([^/]+)$/.exec(url.pathname);
      if (uploaded !== null && method === 'GET') {
        // A person's uploaded file, where the version made of it fetches it from (`/_sim/versions`).
        const file = this.ziflow.upload(decodeURIComponent(uploaded[1] ?? ''));
        sendBytes(res, 200, Buffer.from(file.base64, 'base64'), {
          'content-type': file.contentType,
          'content-disposition': `attachment; filename="${encodeURIComponent(file.name)}"`,
          ...CORS,
        });
        return;
      }
      if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) {
        await this.handleControl(req, res, url, method);
        return;
      }
      const page = /^\/proof\/([A-Za-z0-9]+)(?:\/(image|download)(?:\/([^/]+))?)?\/?$/.exec(
        url.pathname,
      );
      if (page !== null && method === 'GET') {
        const [, token = '', kind, fileId] = page;
        if (kind === undefined) this.proofPage(res, token);
        else await this.proofFile(res, token, kind === 'download', fileId);
        return;
      }
      await this.handleApi(req, res, url, method);
    } catch (e: unknown) {
      // A streamed file that broke half-way cannot be answered any more: end the connection.
      if (res.headersSent) res.destroy();
      else this.sendError(res, asSimError(e, 'InternalServerError'));
    }
  }

  private async handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
  ): Promise<void> {
    const headers = flatHeaders(req);
    const found = this.api.find(method, url.pathname, MALFORMED_PATH);
    const template = found.match?.route.template ?? url.pathname;
    this.traffic.calls.record(`${method} ${template}`);
    // A fault may name the path with or without the `/v1` of the connector's base URL.
    const bare = url.pathname.replace(/^\/v1(?=\/|$)/i, '') || '/';
    const fault = this.traffic.faults.take(method, [url.pathname, bare]);
    if (fault?.latencyMs !== undefined) await delay(fault.latencyMs);
    const effect = faultEffect(fault, (status) => STATUS_TEXT[status] ?? 'Error');
    if (effect.kind === 'drop') {
      res.socket?.destroy();
      return;
    }
    if (effect.kind === 'error') {
      this.sendError(res, effect.error);
      return;
    }
    if (effect.kind === 'malformed') {
      sendJson(res, reply(200, effect.body), CORS);
      return;
    }
    let answer;
    try {
      const caller = this.authenticate(headers, url.searchParams);
      const wait = this.traffic.admit();
      if (wait !== undefined) {
        throw new SimError(429, 'TooManyRequests', 'Too many requests.', {
          'retry-after': String(wait),
        });
      }
      const match = found.match;
      if (match === undefined) {
        throw found.methodMismatch
          ? new SimError(405, 'MethodNotAllowed', `${method} is not allowed on ${url.pathname}.`)
          : new SimError(404, 'NotFound', `No such endpoint: ${url.pathname}.`);
      }
      const raw = await readBody(req, MAX_BODY_BYTES, TOO_LARGE);
      const ctx: ApiContext = {
        params: match.params,
        query: url.searchParams,
        body: await readRequestBody(raw, headers),
        caller,
      };
      answer = await match.route.handler(ctx);
      if (method !== 'GET') this.saved.schedule();
    } catch (e: unknown) {
      if (effect.lostResponse) {
        res.socket?.destroy();
        return;
      }
      this.sendError(res, asSimError(e, 'InternalServerError'));
      return;
    }
    if (effect.lostResponse) {
      res.socket?.destroy();
      return;
    }
    sendJson(res, answer, CORS);
  }

  /** [OFF] `apikey` header, or `?apikey=` unless the admin turned that off. */
  private authenticate(
    headers: Readonly<Record<string, string>>,
    query: URLSearchParams,
  ): UserRecord {
    const fromHeader = headers['apikey']?.trim();
    const fromQuery = query.get('apikey')?.trim();
    if (
      (fromHeader === undefined || fromHeader === '') &&
      fromQuery !== undefined &&
      !this.settings.allowApiKeyQuery
    ) {
      throw new SimError(401, 'Unauthorized', 'Passing the API key as a parameter is disabled.');
    }
    const key = fromHeader !== undefined && fromHeader !== '' ? fromHeader : fromQuery;
    if (key === undefined || key === '') {
      throw new SimError(401, 'Unauthorized', 'An API key is required.');
    }
    const user = this.ziflow.userByKey(key);
    if (user === undefined) throw new SimError(401, 'Unauthorized', 'Invalid API key.');
    return user;
  }

  private sendError(res: ServerResponse, error: SimError): void {
    sendJson(res, reply(error.status, { message: error.message }, error.headers), CORS);
  }

  private async handleControl(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
  ): Promise<void> {
    const raw = await readBody(req, MAX_BODY_BYTES, TOO_LARGE);
    const json = parseJson(raw, INVALID_JSON);
    const { match, methodMismatch } = this.control.find(method, url.pathname, MALFORMED_PATH);
    if (match === undefined) {
      throw new SimError(
        methodMismatch ? 405 : 404,
        methodMismatch ? 'MethodNotAllowed' : 'NotFound',
        `No control endpoint ${method} ${url.pathname}.`,
      );
    }
    const ctx: ControlContext = { params: match.params, query: url.searchParams, json };
    sendJson(res, await match.route.handler(ctx), CORS);
  }

  /**
   * `image_link` / `download_link`: a proof's file (the first one, or `fileId`), streamed from its
   * source [INF: Ziflow serves its stored copy; the simulator keeps no bytes].
   */
  private async proofFile(
    res: ServerResponse,
    token: string,
    download: boolean,
    fileId: string | undefined,
  ): Promise<void> {
    const proof = this.ziflow.liveProofs().find((p) => p.linkToken === token);
    const file =
      fileId === undefined
        ? proof?.sourceFiles[0]
        : proof?.sourceFiles.find((f) => f.id === fileId);
    if (proof === undefined || file === undefined) {
      throw new SimError(404, 'NotFound', 'No such proof file.');
    }
    if (download && !proof.allowSourceDownload) {
      throw new SimError(403, 'Forbidden', 'Downloading the source is not allowed.');
    }
    if (proof.status === 'uploading' || proof.status === 'failed') {
      throw new SimError(409, 'Conflict', `Proof ${proof.id} is ${proof.status}.`);
    }
    const upstream = await fetch(file.source, { signal: AbortSignal.timeout(SOURCE_TIMEOUT_MS) });
    if (!upstream.ok || upstream.body === null) {
      await upstream.body?.cancel();
      throw new SimError(502, 'BadGateway', `The file is not available (${upstream.status}).`);
    }
    res.writeHead(200, {
      'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
      ...(download
        ? { 'content-disposition': `attachment; filename="${encodeURIComponent(file.name)}"` }
        : {}),
      ...CORS,
    });
    for await (const chunk of upstream.body) {
      if (!res.write(chunk)) await once(res, 'drain');
    }
    res.end();
  }

  /** The reviewer's page a `public_link` opens: a stand-in for Ziflow's viewer. */
  private proofPage(res: ServerResponse, token: string): void {
    const proof = this.ziflow.liveProofs().find((p) => p.linkToken === token);
    if (proof === undefined) {
      this.sendError(res, new SimError(404, 'NotFound', 'No such proof.'));
      return;
    }
    const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const html = `<!doctype html><meta charset="utf-8"><title>${escape(proof.name)} · Ziflow (simulated)</title>
<h1>${escape(proof.name)}</h1><p>Version ${proof.version} · ${escape(proof.status)} · ${escape(
      this.ziflow.decisionStatus(proof) ?? 'no decision yet',
    )}</p><ul>${proof.sourceFiles.map((f) => `<li>${escape(f.name)} (${f.size} bytes)</li>`).join('')}</ul>`;
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(Buffer.byteLength(html)),
    });
    res.end(html);
  }
}

/** JSON, a form or multipart text fields [OFF: bodies may be JSON or form-encoded]. */
async function readRequestBody(
  raw: Buffer,
  headers: Readonly<Record<string, string>>,
): Promise<unknown> {
  if (raw.length === 0) return undefined;
  const type = (headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return nestForm(new URLSearchParams(raw.toString('utf8')));
  }
  if (type.startsWith('multipart/form-data')) {
    return nestForm(await multipartFields(headers, raw));
  }
  const json = parseJson(raw, INVALID_JSON);
  if (json !== undefined && !isRecord(json) && !Array.isArray(json)) {
    throw new SimError(400, 'BadRequest', 'The request body must be a JSON object.');
  }
  return json;
}

/** GETs a source file as Ziflow does on ingestion: its name and size, or an error. */
async function fetchSource(
  source: string,
  fallbackName: string,
): Promise<{ name: string; size: number }> {
  const response = await fetch(source, { signal: AbortSignal.timeout(SOURCE_TIMEOUT_MS) });
  if (!response.ok) {
    await response.body?.cancel();
    throw new SimError(502, 'SourceFailed', `GET ${source} answered ${response.status}.`);
  }
  let size = 0;
  if (response.body !== null) {
    for await (const chunk of response.body) size += (chunk as Uint8Array).byteLength;
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const named = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  let name = fallbackName;
  if (named !== undefined) {
    try {
      name = decodeURIComponent(named);
    } catch {
      name = named;
    }
  }
  return { name, size };
}
