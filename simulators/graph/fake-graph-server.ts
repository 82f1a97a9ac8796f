import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type Outcome, runBatch } from './batch.js';
import { type ControlHost, controlRoutes, type ControlRoute, stateSnapshot } from './control.js';
import { ensureError, GraphError } from './graph-error.js';
import {
  checkQueryOptions,
  type GraphRequest,
  type GraphResponse,
  type GraphRoute,
  graphRoutes,
} from './graph-routes.js';
import { delay, flatHeaders, matchRoute, readBody, sendJson, splitPath } from './http-kit.js';
import { DEFAULT_LIMITS, type PlannerLimits, PlannerStore } from './planner-store.js';
import { SeededRandom } from './seeded-random.js';
import { type GraphSeed, SIM_APP_ID, seedTenant } from './seed.js';
import {
  CallCounter,
  type CallCounts,
  codeForStatus,
  FaultQueue,
  type FaultSpec,
  type PendingFault,
  SlidingWindowThrottle,
  type ThrottleSettings,
} from './traffic.js';

// A loopback fake of the Microsoft Graph v1.0 endpoints Lightdesk's Planner connector calls:
// plans, plan details, buckets, tasks, task details, users and JSON batching, with Graph's error
// envelope, Planner's ETags and limits, a throttle and injectable faults. README.md in this folder
// lists the routes, the control endpoints and every choice made where the docs are silent ([INF]).

export interface FakeGraphServerOptions {
  readonly now?: () => Date;
  /** Every Graph call must carry `Authorization: Bearer <token>` (default true). */
  readonly requireToken?: boolean;
  /** When given, only these tokens pass; otherwise any non-empty bearer token does. */
  readonly acceptedTokens?: readonly string[];
  readonly throttle?: ThrottleSettings;
  /** Seeds the generated ids (default 1): the same seed gives the same plan and bucket ids. */
  readonly seed?: number;
  /** Tasks per page of `GET /planner/plans/{id}/tasks` before `@odata.nextLink` (default 100). */
  readonly pageSize?: number;
  readonly limits?: Partial<PlannerLimits>;
  /** [INF] Whether a task-details write also changes the task's ETag (default false). */
  readonly detailsWriteBumpsTaskEtag?: boolean;
}

export interface StartedGraphServer {
  /** `http://127.0.0.1:PORT`; Graph lives under `${url}/v1.0`, the controls under `${url}/_sim`. */
  readonly url: string;
}

const GRAPH_JSON =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, PATCH, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
};

// What Graph sends with a 401 (the Graph resource's app id is the well-known 00000003-…).
const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

const KNOWN_SEGMENTS = new Set([
  'users',
  'planner',
  'plans',
  'tasks',
  'buckets',
  'details',
  '$batch',
]);

function looksLikeId(segment: string): boolean {
  return (
    /^[A-Za-z0-9_-]{28}$/.test(segment) ||
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment) ||
    /@|%40/i.test(segment)
  );
}

/** For the call counter when no route matched: ids become `:id`. */
function genericTemplate(path: string): string {
  const segments = splitPath(path);
  if (segments.length === 0) return '/';
  return `/${segments.map((s) => (looksLikeId(s) ? ':id' : s)).join('/')}`;
}

interface RequestIds {
  readonly requestId: string;
  readonly clientRequestId: string;
}

export class FakeGraphServer implements ControlHost {
  private readonly now: () => Date;
  private readonly requireToken: boolean;
  private readonly acceptedTokens: readonly string[] | undefined;
  private readonly faults = new FaultQueue();
  private readonly calls: CallCounter;
  private readonly throttler: SlidingWindowThrottle;
  private readonly graph: GraphRoute[];
  private readonly control: ControlRoute[];
  private plannerStore: PlannerStore;
  private seedData: GraphSeed;
  private seedValue: number;
  private httpServer: Server | undefined;
  private baseUrl: string | undefined;
  pageSize: number;

  constructor(private readonly options: FakeGraphServerOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.requireToken = options.requireToken ?? true;
    this.acceptedTokens = options.acceptedTokens;
    this.calls = new CallCounter(this.now);
    this.throttler = new SlidingWindowThrottle(this.now);
    this.throttler.set(options.throttle ?? null);
    this.seedValue = options.seed ?? 1;
    this.pageSize = options.pageSize ?? 100;
    ({ store: this.plannerStore, seed: this.seedData } = this.freshTenant(this.seedValue));
    this.graph = graphRoutes({
      store: () => this.plannerStore,
      pageSize: () => this.pageSize,
    });
    this.control = controlRoutes(this);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<StartedGraphServer> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const hostText = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.httpServer = server;
    this.baseUrl = `http://${hostText}:${address.port}`;
    return { url: this.baseUrl };
  }

  async stop(): Promise<void> {
    const server = this.httpServer;
    this.httpServer = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  get url(): string {
    if (this.baseUrl === undefined) {
      throw new GraphError(500, 'generalException', 'FakeGraphServer is not started.');
    }
    return this.baseUrl;
  }

  /** The Graph base URL a connector is configured with: `${url}/v1.0`. */
  get graphUrl(): string {
    return `${this.url}/v1.0`;
  }

  /** Ids of the seeded plan, buckets and people (they follow the seed; see README.md). */
  get seeded(): GraphSeed {
    return this.seedData;
  }

  get store(): PlannerStore {
    return this.plannerStore;
  }

  /** Everything, as `GET /_sim/state` shows it. */
  state(): unknown {
    return stateSnapshot(this.plannerStore);
  }

  /** A fresh seeded tenant; faults, counters, throttle and settings go back to the options. */
  reset(seed: number = this.seedValue): GraphSeed {
    this.seedValue = seed;
    ({ store: this.plannerStore, seed: this.seedData } = this.freshTenant(seed));
    this.faults.clear();
    this.calls.reset();
    this.throttler.set(this.options.throttle ?? null);
    this.pageSize = this.options.pageSize ?? 100;
    return this.seedData;
  }

  addFaults(specs: readonly FaultSpec[]): PendingFault[] {
    return specs.map((spec) => this.faults.add(spec));
  }

  pendingFaults(): PendingFault[] {
    return this.faults.pending();
  }

  clearFaults(): void {
    this.faults.clear();
  }

  callCounts(): CallCounts {
    return this.calls.snapshot();
  }

  resetCalls(): void {
    this.calls.reset();
  }

  setThrottle(settings: ThrottleSettings | null): void {
    this.throttler.set(settings);
  }

  get throttle(): ThrottleSettings | null {
    return this.throttler.current;
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private freshTenant(seed: number): { store: PlannerStore; seed: GraphSeed } {
    const store = new PlannerStore({
      now: this.now,
      random: new SeededRandom(seed),
      limits: { ...DEFAULT_LIMITS, ...this.options.limits },
      appId: SIM_APP_ID,
      detailsWriteBumpsTaskEtag: this.options.detailsWriteBumpsTaskEtag ?? false,
    });
    return { store, seed: seedTenant(store) };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = flatHeaders(req);
    const ids: RequestIds = {
      requestId: randomUUID(),
      clientRequestId: headers['client-request-id'] ?? randomUUID(),
    };
    // Every answer carries both ids (concepts/errors.md innerError; Graph echoes the client's).
    const idHeaders = { 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId };
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    try {
      if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) {
        await this.handleControl(req, res, url, idHeaders);
        return;
      }
      const version = /^\/v1\.0(\/.*)?$/i.exec(url.pathname);
      const raw = await readBody(req);
      if (version === null) {
        // [INF] Graph answers an unknown version segment with 400.
        throw new GraphError(
          400,
          'BadRequest',
          `Invalid version: '${splitPath(url.pathname)[0] ?? ''}'.`,
        );
      }
      const request: GraphRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: version[1] ?? '/',
        query: url.searchParams,
        headers,
        ...readJsonBody(raw, headers['content-type']),
      };
      const outcome = await this.process(request, ids, false);
      if (outcome.kind !== 'response') {
        // drop: nothing was applied; lost: the write was applied. Either way, no answer.
        res.socket?.destroy();
        return;
      }
      const { response } = outcome;
      sendJson(
        res,
        response.status,
        response.body,
        { ...response.headers, ...idHeaders },
        GRAPH_JSON,
      );
    } catch (e: unknown) {
      const answer = this.errorResponse(ensureError(e), ids);
      if (!res.headersSent) {
        sendJson(res, answer.status, answer.body, { ...answer.headers, ...idHeaders }, GRAPH_JSON);
      }
    }
  }

  /** One Graph request, top-level or inside a batch: count, faults, auth, throttle, route. */
  private async process(
    request: GraphRequest,
    ids: RequestIds,
    inBatch: boolean,
  ): Promise<Outcome> {
    const isBatchPath = !inBatch && request.path.toLowerCase() === '/$batch';
    const isBatch = isBatchPath && request.method === 'POST';
    let found: ReturnType<typeof matchRoute<GraphRoute>> = { methodMismatch: isBatchPath };
    let routeError: GraphError | undefined;
    if (!isBatchPath) {
      try {
        found = matchRoute(this.graph, request.method, request.path);
      } catch (e: unknown) {
        routeError = e instanceof GraphError ? e : undefined;
      }
    }
    const template = isBatchPath
      ? '/$batch'
      : (found.match?.route.template ?? genericTemplate(request.path));
    this.calls.record(`${request.method} ${template}`);

    const fault = this.faults.take(request.method, request.path);
    if (fault?.latencyMs !== undefined) await delay(fault.latencyMs);
    if (fault?.drop === true) return { kind: 'drop' };
    if (fault?.status !== undefined) {
      const status = fault.status;
      const error = new GraphError(
        status,
        fault.code ?? codeForStatus(status),
        fault.message ?? `Injected fault: ${status}.`,
        fault.retryAfterSeconds === undefined
          ? {}
          : { 'Retry-After': String(fault.retryAfterSeconds) },
      );
      return { kind: 'response', response: this.errorResponse(error, ids) };
    }

    let outcome: Outcome;
    try {
      this.authenticate(request.headers);
      // [INF] The $batch envelope itself is not throttled; each request inside it is
      // (concepts/json-batching.md "Batch size limitations").
      if (!isBatch) {
        const wait = this.throttler.admit();
        if (wait !== undefined) {
          this.calls.recordThrottled();
          // concepts/throttling.md: 429 with Retry-After in seconds.
          throw new GraphError(429, 'TooManyRequests', 'Please retry again later.', {
            'Retry-After': String(wait),
          });
        }
      }
      if (request.bodyError !== undefined) throw request.bodyError;
      if (routeError !== undefined) throw routeError;
      if (isBatch) {
        outcome = await runBatch(
          request.body,
          request.headers,
          (inner) =>
            this.process(
              inner,
              { requestId: randomUUID(), clientRequestId: ids.clientRequestId },
              true,
            ),
          (id, dependency) =>
            this.errorResponse(
              // [INF] code and message; the 424 itself is from concepts/json-batching.md.
              new GraphError(
                424,
                'FailedDependency',
                `Request '${id}' was not run: request '${dependency}' it depends on failed.`,
              ),
              ids,
            ),
        );
      } else {
        const match = found.match;
        if (match === undefined) throw this.noRoute(request, found.methodMismatch);
        checkQueryOptions(match.route, request.query);
        outcome = {
          kind: 'response',
          response: match.route.handler({ request, params: match.params, graphUrl: this.graphUrl }),
        };
      }
    } catch (e: unknown) {
      outcome = { kind: 'response', response: this.errorResponse(ensureError(e), ids) };
    }
    // [INF] lostResponse drops the answer whatever it was; when the write itself failed, nothing
    // was applied, which is still a lost answer to the client.
    if (fault?.lostResponse === true) return { kind: 'lost' };
    return outcome;
  }

  private authenticate(headers: Readonly<Record<string, string>>): void {
    if (!this.requireToken) return;
    const match = /^Bearer(?:\s+(.*))?$/i.exec((headers['authorization'] ?? '').trim());
    const token = match?.[1]?.trim() ?? '';
    if (token === '') {
      throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.', {
        'WWW-Authenticate': WWW_AUTHENTICATE,
      });
    }
    if (this.acceptedTokens !== undefined && !this.acceptedTokens.includes(token)) {
      // [INF] The message Graph gives for a token it cannot validate varies; this is one of them.
      throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.', {
        'WWW-Authenticate': WWW_AUTHENTICATE,
      });
    }
  }

  private noRoute(request: GraphRequest, methodMismatch: boolean): GraphError {
    if (methodMismatch) {
      // The 405 in the example response of concepts/json-batching.md.
      return new GraphError(
        405,
        'Request_BadRequest',
        'Specified HTTP method is not allowed for the request target.',
      );
    }
    const segments = splitPath(request.path);
    const unknown =
      segments.find((s) => !KNOWN_SEGMENTS.has(s.toLowerCase()) && !looksLikeId(s)) ??
      segments.at(-1) ??
      '';
    return new GraphError(400, 'BadRequest', `Resource not found for the segment '${unknown}'.`);
  }

  /** Graph's envelope (concepts/errors.md); a 429 gets the inner fields of concepts/throttling.md. */
  private errorResponse(error: Error, ids: RequestIds): GraphResponse {
    const isGraph = error instanceof GraphError;
    const status = isGraph ? error.status : 500;
    // Graph writes the innerError date without fraction or zone, e.g. "2025-02-13T10:17:05".
    const date = this.now().toISOString().slice(0, 19);
    const innerError =
      status === 429
        ? {
            code: '429',
            date,
            message: 'Please retry after',
            'request-id': ids.requestId,
            status: '429',
            'client-request-id': ids.clientRequestId,
          }
        : { date, 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId };
    return {
      status,
      headers: isGraph ? { ...error.headers } : {},
      body: {
        error: {
          code: isGraph ? error.code : 'generalException',
          message: isGraph ? error.message : `Simulator error: ${error.message}`,
          innerError,
        },
      },
    };
  }

  private async handleControl(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    idHeaders: Readonly<Record<string, string>>,
  ): Promise<void> {
    const headers = { ...CORS, ...idHeaders };
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'OPTIONS') {
      sendJson(res, 204, undefined, headers);
      return;
    }
    try {
      const raw = await readBody(req);
      let body: unknown;
      if (raw.trim() !== '') {
        try {
          body = JSON.parse(raw) as unknown;
        } catch {
          throw new GraphError(400, 'BadRequest', 'The request body is not valid JSON.');
        }
      }
      const { match, methodMismatch } = matchRoute(this.control, method, url.pathname);
      if (match === undefined) {
        throw new GraphError(
          methodMismatch ? 405 : 404,
          methodMismatch ? 'MethodNotAllowed' : 'NotFound',
          `No control endpoint ${method} ${url.pathname}.`,
        );
      }
      const answer = match.route.handler(body, match.params);
      sendJson(res, answer.status, answer.body, headers);
    } catch (e: unknown) {
      const error = ensureError(e);
      const status = error instanceof GraphError ? error.status : 500;
      const code = error instanceof GraphError ? error.code : 'generalException';
      sendJson(res, status, { error: { code, message: error.message } }, headers);
    }
  }
}

/**
 * Bodies are JSON. [INF] A body without a JSON Content-Type is refused with 415 rather than guessed
 * at; unreadable JSON gets Graph's 400 message.
 */
function readJsonBody(
  raw: string,
  contentType: string | undefined,
): { body: unknown; bodyError?: GraphError } {
  if (raw.trim() === '') return { body: undefined };
  if (contentType === undefined || !/json/i.test(contentType)) {
    return {
      body: undefined,
      bodyError: new GraphError(
        415,
        'UnsupportedMediaType',
        'A request body needs Content-Type: application/json.',
      ),
    };
  }
  try {
    return { body: JSON.parse(raw) as unknown };
  } catch {
    return {
      body: undefined,
      bodyError: new GraphError(
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      ),
    };
  }
}
