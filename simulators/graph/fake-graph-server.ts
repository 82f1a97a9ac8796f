import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import { z } from 'zod';

import {
  type ControlContext,
  type ControlRoute,
  parseInput,
  trafficControlRoutes,
} from '../kit/control.js';
import { parseJson, readBody } from '../kit/body.js';
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
import { JsonStateFile } from '../kit/state-file.js';
import { Router, type RouteLookup, splitPath } from '../kit/router.js';
import { faultEffect, type ThrottleSettings, TrafficControls } from '../kit/traffic.js';
import { type Outcome, runBatch } from './batch.js';
import { type ControlHost, controlRoutes, stateSnapshot } from './control.js';
import { codeForStatus } from './graph-error.js';
import {
  checkQueryOptions,
  type GraphRequest,
  type GraphResponse,
  type GraphRoute,
  graphRoutes,
} from './graph-routes.js';
import {
  DEFAULT_LIMITS,
  type PlannerLimits,
  type PlannerSnapshot,
  PlannerStore,
} from './planner-store.js';
import { type GraphSeed, SIM_APP_ID, seedTenant } from './seed.js';

const STATE_FORMAT = 'lightdesk-graph-simulator/1';

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
  /** Keep the tenant (plans, buckets, tasks) in this file across restarts (the local demo). */
  readonly stateFile?: string;
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

const CORS = corsHeaders([]);

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const TOO_LARGE = new SimError(413, 'RequestEntityTooLarge', 'The request body is too large.');
const MALFORMED_SEGMENT = new SimError(400, 'BadRequest', 'Malformed path segment.');

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

export class FakeGraphServer extends TrafficControls implements ControlHost {
  private readonly now: () => Date;
  private readonly requireToken: boolean;
  private readonly acceptedTokens: readonly string[] | undefined;
  private readonly graph: Router<GraphRoute>;
  private readonly control: Router<ControlRoute>;
  private plannerStore: PlannerStore;
  private readonly saved: JsonStateFile<{ seed: number; store: PlannerSnapshot }>;
  private seedData: GraphSeed;
  private seedValue: number;
  private listening: Listening | undefined;
  pageSize: number;

  constructor(private readonly options: FakeGraphServerOptions = {}) {
    const now = options.now ?? (() => new Date());
    super(now, options.throttle ?? null);
    this.now = now;
    this.requireToken = options.requireToken ?? true;
    this.acceptedTokens = options.acceptedTokens;
    this.seedValue = options.seed ?? 1;
    this.pageSize = options.pageSize ?? 100;
    ({ store: this.plannerStore, seed: this.seedData } = this.freshTenant(this.seedValue));
    this.saved = new JsonStateFile(options.stateFile, STATE_FORMAT, () => ({
      seed: this.seedValue,
      store: this.plannerStore.snapshot(),
    }));
    const loaded = this.saved.load();
    // A file of another seed describes other ids: start from the seed instead.
    if (loaded?.seed === this.seedValue) this.plannerStore.restore(loaded.store);
    this.graph = new Router(
      graphRoutes({ store: () => this.plannerStore, pageSize: () => this.pageSize }),
    );
    this.control = new Router([
      ...controlRoutes(this),
      ...trafficControlRoutes(this.traffic, (body) =>
        this.reset(parseInput(resetInput, body).seed),
      ),
    ]);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<StartedGraphServer> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.listening = await listen(server, port, host);
    return { url: this.listening.url };
  }

  async stop(): Promise<void> {
    const listening = this.listening;
    this.listening = undefined;
    await listening?.close();
    await this.saved.flush();
  }

  get url(): string {
    if (this.listening === undefined) {
      throw new SimError(500, 'generalException', 'FakeGraphServer is not started.');
    }
    return this.listening.url;
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
    this.traffic.reset();
    this.pageSize = this.options.pageSize ?? 100;
    this.saved.schedule();
    return this.seedData;
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
    // Whatever changed the tenant (a Graph write or a person's edit through /_sim) is saved soon.
    if (req.method !== 'GET' && req.method !== 'HEAD')
      res.once('finish', () => this.saved.schedule());
    try {
      if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) {
        await this.handleControl(req, res, url, idHeaders);
        return;
      }
      const version = /^\/v1\.0(\/.*)?$/i.exec(url.pathname);
      const raw = (await readBody(req, MAX_BODY_BYTES, TOO_LARGE)).toString('utf8');
      if (version === null) {
        // [INF] Graph answers an unknown version segment with 400.
        throw new SimError(
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
      sendJson(res, response, idHeaders, GRAPH_JSON);
    } catch (e: unknown) {
      sendJson(res, this.errorResponse(ensureError(e), ids), idHeaders, GRAPH_JSON);
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
    let found: RouteLookup<GraphRoute> = { methodMismatch: isBatchPath };
    let routeError: SimError | undefined;
    if (!isBatchPath) {
      try {
        found = this.graph.find(request.method, request.path, MALFORMED_SEGMENT);
      } catch (e: unknown) {
        routeError = e instanceof SimError ? e : undefined;
      }
    }
    const template = isBatchPath
      ? '/$batch'
      : (found.match?.route.template ?? genericTemplate(request.path));
    this.traffic.calls.record(`${request.method} ${template}`);

    // A fault may name the path with or without the `/v1.0` the connector's base URL carries.
    const fault = this.traffic.faults.take(request.method, [`/v1.0${request.path}`, request.path]);
    if (fault?.latencyMs !== undefined) await delay(fault.latencyMs);
    const effect = faultEffect(fault, codeForStatus);
    if (effect.kind === 'drop') return { kind: 'drop' };
    if (effect.kind === 'error') {
      return { kind: 'response', response: this.errorResponse(effect.error, ids) };
    }
    if (effect.kind === 'malformed') {
      return { kind: 'response', response: { status: 200, body: effect.body } };
    }

    let outcome: Outcome;
    try {
      this.authenticate(request.headers);
      // [INF] The $batch envelope itself is not throttled; each request inside it is
      // (concepts/json-batching.md "Batch size limitations").
      if (!isBatch) {
        const wait = this.traffic.admit();
        if (wait !== undefined) {
          // concepts/throttling.md: 429 with Retry-After in seconds.
          throw new SimError(429, 'TooManyRequests', 'Please retry again later.', {
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
              new SimError(
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
    if (effect.lostResponse) return { kind: 'lost' };
    return outcome;
  }

  private authenticate(headers: Readonly<Record<string, string>>): void {
    if (!this.requireToken) return;
    const match = /^Bearer(?:\s+(.*))?$/i.exec((headers['authorization'] ?? '').trim());
    const token = match?.[1]?.trim() ?? '';
    if (token === '') {
      throw new SimError(401, 'InvalidAuthenticationToken', 'Access token is empty.', {
        'WWW-Authenticate': WWW_AUTHENTICATE,
      });
    }
    if (this.acceptedTokens !== undefined && !this.acceptedTokens.includes(token)) {
      // [INF] The message Graph gives for a token it cannot validate varies; this is one of them.
      throw new SimError(401, 'InvalidAuthenticationToken', 'Access token validation failure.', {
        'WWW-Authenticate': WWW_AUTHENTICATE,
      });
    }
  }

  private noRoute(request: GraphRequest, methodMismatch: boolean): SimError {
    if (methodMismatch) {
      // The 405 in the example response of concepts/json-batching.md.
      return new SimError(
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
    return new SimError(400, 'BadRequest', `Resource not found for the segment '${unknown}'.`);
  }

  /** Graph's envelope (concepts/errors.md); a 429 gets the inner fields of concepts/throttling.md. */
  private errorResponse(error: Error, ids: RequestIds): GraphResponse {
    const isGraph = error instanceof SimError;
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
      sendJson(res, reply(204), headers);
      return;
    }
    try {
      const raw = await readBody(req, MAX_BODY_BYTES, TOO_LARGE);
      const json = parseJson(
        raw,
        new SimError(400, 'BadRequest', 'The request body is not valid JSON.'),
      );
      const { match, methodMismatch } = this.control.find(method, url.pathname, MALFORMED_SEGMENT);
      if (match === undefined) {
        throw new SimError(
          methodMismatch ? 405 : 404,
          methodMismatch ? 'MethodNotAllowed' : 'NotFound',
          `No control endpoint ${method} ${url.pathname}.`,
        );
      }
      const ctx: ControlContext = { params: match.params, query: url.searchParams, json };
      sendJson(res, await match.route.handler(ctx), headers);
    } catch (e: unknown) {
      const error = asSimError(e, 'generalException');
      sendJson(
        res,
        reply(error.status, { error: { code: error.code, message: error.message } }),
        headers,
      );
    }
  }
}

const resetInput = z.object({ seed: z.number().int().optional() });

/**
 * Bodies are JSON. [INF] A body without a JSON Content-Type is refused with 415 rather than guessed
 * at; unreadable JSON gets Graph's 400 message.
 */
function readJsonBody(
  raw: string,
  contentType: string | undefined,
): { body: unknown; bodyError?: SimError } {
  if (raw.trim() === '') return { body: undefined };
  if (contentType === undefined || !/json/i.test(contentType)) {
    return {
      body: undefined,
      bodyError: new SimError(
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
      bodyError: new SimError(
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      ),
    };
  }
}
