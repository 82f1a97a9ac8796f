import type { AccessToken, TokenCredential } from '@azure/identity';
import {
  Client,
  type Context,
  type GraphRequest,
  type MiddlewareOptions,
  ResponseType,
} from '@microsoft/microsoft-graph-client';
import type { z } from 'zod';

import { type AppError, AuthError, ensureError, UpstreamError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import {
  type CallTag,
  HttpPipeline,
  type HttpOutcome,
  type HttpRequest,
  noAnswerError,
  type RetryPolicy,
} from '../http/http-pipeline.js';
import { jsonOrUndefined, parseAnswer, readJson } from '../http/answer.js';
import { type IssuedToken, TokenSession } from '../http/token-session.js';
import { errorFromAnswer, type FailureContext, SERVICE } from './errors.js';
import { batchResponseSchema } from './wire.js';

// Graph calls are built by the Graph client and sent by one terminal middleware of ours through the
// shared pipeline (connectors/http) with a TokenSession bearer; ResponseType.RAW, so statuses,
// ETags, Retry-After and request-id become core errors in one place (errors.ts). Why:
// docs/decisions.md.

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com';
export const DEFAULT_GRAPH_SCOPES: readonly string[] = ['https://graph.microsoft.com/.default'];

/** The options every Graph connector takes: one object, everything injectable. */
export interface GraphConnectorOptions {
  /** Graph root, default https://graph.microsoft.com; a simulator's `http://127.0.0.1:PORT/v1.0`. */
  readonly baseUrl?: string;
  readonly credential: TokenCredential;
  /** Default `https://graph.microsoft.com/.default` (app-only: the app's granted permissions). */
  readonly scopes?: readonly string[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retry?: Partial<RetryPolicy>;
  /** Per attempt; an attempt that runs longer is abandoned as a dropped connection. Default 30 s. */
  readonly timeoutMs?: number;
  /** Replaces the global fetch. */
  readonly fetch?: typeof fetch;
  /** For jitter; injectable so a test can pin it. */
  readonly random?: () => number;
}

/** One Graph call, described in our terms. */
export interface GraphCall {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Below the version root, ids already encoded, query included: `/planner/tasks/abc/details`. */
  readonly path: string;
  /** Route template for logs and errors: `GET /planner/tasks/:id/details`. */
  readonly endpoint: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** What a 404 means is missing. */
  readonly resource?: FailureContext['resource'];
}

/** A successful answer: status, parsed JSON body (undefined when empty), header lookup. */
export interface GraphAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly header: (name: string) => string | undefined;
}

/** One read inside a `$batch`. */
export interface BatchRead {
  /** Unique in the batch. */
  readonly id: string;
  readonly path: string;
  readonly endpoint: string;
  readonly resource?: FailureContext['resource'];
}

/** The inner answer to one batched read, whatever its status (the outer 200 says nothing about it). */
export interface BatchAnswer extends GraphAnswer {
  readonly read: BatchRead;
}

/** https://learn.microsoft.com/graph/json-batching: "JSON batch requests are currently limited to 20". */
const MAX_BATCH = 20;

export type { RetryPolicy };

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

/** Renew this long before the token says it expires, so a request never leaves with a dying one. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

/** Throttled or briefly unavailable: the request was not processed, so any method may repeat. */
const NOT_PROCESSED = new Set([429, 503]);
/** May have been processed: only a method that is safe to repeat tries again. */
const MAYBE_PROCESSED = new Set([502, 504]);

/**
 * Graph's retry rule (https://learn.microsoft.com/graph/throttling): 429/503 for any method;
 * 502/504 and dropped connections only for GET and If-Match PATCH/DELETE, never a POST that may
 * have applied.
 */
function isRetryable(outcome: HttpOutcome, request: HttpRequest): boolean {
  const isRepeatable = request.method !== 'POST';
  if (outcome.kind === 'failure') return isRepeatable;
  return NOT_PROCESSED.has(outcome.status) || (MAYBE_PROCESSED.has(outcome.status) && isRepeatable);
}

/**
 * The credential's token, reused until shortly before it expires (or its refreshAfterTimestamp).
 * https://learn.microsoft.com/graph/auth-v2-service
 */
async function issueToken(
  credential: TokenCredential,
  scopes: readonly string[],
): Promise<IssuedToken> {
  let token: AccessToken | null;
  try {
    token = await credential.getToken([...scopes]);
  } catch (e: unknown) {
    throw new AuthError('Could not get a Microsoft Graph token from the credential', {
      cause: ensureError(e),
    });
  }
  if (token === null || token.token === '') {
    // A credential may answer null instead of throwing; there is nothing to send, so do not.
    throw new AuthError('The credential gave no Microsoft Graph token');
  }
  const expiring = token.expiresOnTimestamp - EXPIRY_MARGIN_MS;
  return {
    token: token.token,
    renewAt: Math.min(expiring, token.refreshAfterTimestamp ?? expiring),
  };
}

/** A `baseUrl` with or without its version segment: host, version, and the root calls go below. */
export function splitBaseUrl(baseUrl: string): { host: string; version: string; root: string } {
  const trimmed = baseUrl.replace(/\/+$/, '');
  const match = /^(.*)\/(v1\.0|beta)$/i.exec(trimmed);
  const host = match?.[1] ?? trimmed;
  const version = match?.[2] ?? 'v1.0';
  return { host, version, root: `${host}/${version}` };
}

function headerLookup(headers: Headers | Readonly<Record<string, string>>): GraphAnswer['header'] {
  if (headers instanceof Headers) return (name) => headers.get(name) ?? undefined;
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return (name) => lower.get(name.toLowerCase());
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * Rides with one request through the Graph client: its tag for the pipeline's logs, and the error that
 * kept it from an answer (the client hands back a GraphError in its place, without the original).
 */
class CallOption implements MiddlewareOptions, CallTag {
  failure: Error | undefined;

  constructor(readonly endpoint: string) {}
}

/** The Graph client's request (URL, method, headers, serialised body) as the pipeline sends it. */
function pipelineRequest(context: Context, tag: CallTag, token: string): HttpRequest {
  const { request, options } = context;
  return {
    tag,
    method: options?.method ?? 'GET',
    url: new URL(request instanceof Request ? request.url : request),
    headers: {
      ...Object.fromEntries(new Headers(options?.headers)),
      Authorization: `Bearer ${token}`,
    },
    // The client serialises every body it is given (ours are JSON) to a string.
    body: typeof options?.body === 'string' ? options.body : undefined,
  };
}

export class GraphTransport {
  /** e.g. `https://graph.microsoft.com/v1.0`: what `@odata.nextLink`s must start with. */
  readonly root: string;
  private readonly http: HttpPipeline;
  private readonly session: TokenSession;
  private readonly client: Client;

  constructor(private readonly options: GraphConnectorOptions) {
    const { host, version, root } = splitBaseUrl(options.baseUrl ?? DEFAULT_GRAPH_BASE_URL);
    this.root = root;
    this.http = new HttpPipeline({
      service: SERVICE,
      fetch: options.fetch,
      clock: options.clock,
      logger: options.logger,
      retry: { ...defaultRetryPolicy, ...options.retry },
      timeoutMs: options.timeoutMs,
      random: options.random,
      isRetryable,
      // Graph's Retry-After is the service's word: wait exactly that.
      jitterAfterRetryAfter: false,
      requestIdHeader: 'request-id',
    });
    const scopes = options.scopes ?? DEFAULT_GRAPH_SCOPES;
    this.session = new TokenSession(() => issueToken(options.credential, scopes), options.clock);
    this.client = Client.initWithMiddleware({
      middleware: { execute: (context) => this.dispatch(context) },
      baseUrl: host,
      defaultVersion: version,
    });
  }

  /** Sends the call; a non-2xx answer or no answer at all becomes a core error. */
  async send(call: GraphCall): Promise<GraphAnswer> {
    const answer = await this.exchange(call);
    if (!isSuccess(answer.status)) throw this.toError(answer, call);
    return answer;
  }

  /** Sends the call and parses the body of its successful answer with `schema`. */
  async call<S extends z.ZodType>(call: GraphCall, schema: S): Promise<z.output<S>> {
    return this.parse((await this.send(call)).body, schema, call.endpoint);
  }

  parse<S extends z.ZodType>(body: unknown, schema: S, endpoint: string): z.output<S> {
    return parseAnswer(body, schema, `Graph ${endpoint} answered an unexpected shape`);
  }

  /** The error a failed answer (top-level or batched) stands for. */
  toError(answer: GraphAnswer, ctx: FailureContext): AppError {
    return errorFromAnswer(answer, ctx, this.options.clock.now(), this.session.issued);
  }

  /**
   * `@odata.nextLink` is absolute (https://learn.microsoft.com/graph/paging). [INF] A link to another
   * host must not get our token, so it must start with our root and is followed as a path below it.
   */
  nextLinkPath(link: string, endpoint: string): string {
    if (!link.toLowerCase().startsWith(`${this.root.toLowerCase()}/`)) {
      throw new UpstreamError(SERVICE, `${endpoint} sent a nextLink outside ${this.root}`);
    }
    return link.slice(this.root.length);
  }

  /**
   * GETs in parallel `$batch`es of 20 (https://learn.microsoft.com/graph/json-batching). Inner 429/503s
   * alone are resent after their Retry-After, within the retry policy; answers are matched by id.
   */
  async batchGet(reads: readonly BatchRead[]): Promise<Map<string, BatchAnswer>> {
    const answers = new Map<string, BatchAnswer>();
    for (let start = 0; start < reads.length; start += MAX_BATCH) {
      let pending = reads.slice(start, start + MAX_BATCH);
      const throttled = await this.http.repeat(
        { endpoint: 'POST /$batch' },
        async () => {
          const again: BatchAnswer[] = [];
          for (const answer of await this.batchOnce(pending)) {
            if (NOT_PROCESSED.has(answer.status)) again.push(answer);
            else answers.set(answer.read.id, answer);
          }
          pending = again.map((answer) => answer.read);
          return again;
        },
        (again) => {
          const waits = again.flatMap((a) => this.http.retryAfterMs(a.header('retry-after')) ?? []);
          return {
            retry: again.length > 0,
            retryAfterMs: waits.length === 0 ? undefined : Math.max(...waits),
            fields: { items: again.length },
          };
        },
      );
      for (const answer of throttled) answers.set(answer.read.id, answer);
    }
    return answers;
  }

  private async batchOnce(reads: readonly BatchRead[]): Promise<BatchAnswer[]> {
    const endpoint = 'POST /$batch';
    const body = await this.call(
      {
        method: 'POST',
        path: '/$batch',
        endpoint,
        body: { requests: reads.map((r) => ({ id: r.id, method: 'GET', url: r.path })) },
      },
      batchResponseSchema,
    );
    const byId = new Map(body.responses.map((r) => [r.id, r]));
    return reads.map((read) => {
      const response = byId.get(read.id);
      if (response === undefined) {
        throw new UpstreamError(SERVICE, `${endpoint} left out the answer to ${read.endpoint}`);
      }
      return {
        read,
        status: response.status,
        body: response.body,
        header: headerLookup(response.headers ?? {}),
      };
    });
  }

  private async exchange(call: GraphCall): Promise<GraphAnswer> {
    const tag = new CallOption(call.endpoint);
    const request = this.client
      .api(call.path)
      .headers({ Accept: 'application/json', ...call.headers })
      .middlewareOptions([tag])
      .responseType(ResponseType.RAW);
    let raw: unknown;
    try {
      raw = await send(request, call);
    } catch (e: unknown) {
      throw (
        tag.failure ??
        new UpstreamError(SERVICE, `${call.endpoint}: the Graph client failed`, {
          cause: ensureError(e),
        })
      );
    }
    if (!(raw instanceof Response)) {
      throw new UpstreamError(SERVICE, `${call.endpoint}: the Graph client returned no response`);
    }
    const text = await raw.text();
    const header = headerLookup(raw.headers);
    // An error page from a proxy is no envelope: the status alone says enough.
    if (!isSuccess(raw.status)) return { status: raw.status, body: jsonOrUndefined(text), header };
    const body = readJson(text, `Graph ${call.endpoint} answered with no JSON`);
    return { status: raw.status, body, header };
  }

  /** The end of the Graph client's middleware chain: out through the shared pipeline, with our token. */
  private async dispatch(context: Context): Promise<void> {
    const tag = context.middlewareControl?.getMiddlewareOptions(CallOption);
    if (!(tag instanceof CallOption)) {
      throw new UpstreamError(SERVICE, 'a request reached the pipeline without its call tag');
    }
    try {
      const outcome = await this.session.authorize(
        (token) => this.http.send(pipelineRequest(context, tag, token)),
        (answer) => answer.kind === 'response' && answer.status === 401,
        () => {
          this.options.logger.info('graph refused our token; retrying once with a fresh one', {
            endpoint: tag.endpoint,
          });
        },
      );
      if (outcome.kind === 'failure') throw noAnswerError(SERVICE, tag.endpoint, outcome);
      context.response = new Response(outcome.body === '' ? null : outcome.body, {
        status: outcome.status,
        headers: outcome.headers,
      });
    } catch (e: unknown) {
      tag.failure = ensureError(e);
      throw e;
    }
  }
}

function send(request: GraphRequest, call: GraphCall): Promise<unknown> {
  switch (call.method) {
    case 'GET':
      return request.get();
    case 'POST':
      return request.post(call.body ?? {});
    case 'PATCH':
      return request.patch(call.body ?? {});
    case 'DELETE':
      return request.delete();
  }
}
