import type { TokenCredential } from '@azure/identity';
import {
  Client,
  type Context,
  type GraphRequest,
  HTTPMessageHandler,
  type Middleware,
  ResponseType,
} from '@microsoft/microsoft-graph-client';
import type { z } from 'zod';

import { type AppError, ensureError, UpstreamError, ValidationError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import { BearerTokenHandler } from './bearer-token-handler.js';
import { CallTag } from './call-tag.js';
import {
  errorFromAnswer,
  errorFromFailure,
  type FailureContext,
  parseRetryAfter,
  SERVICE,
} from './errors.js';
import { defaultRetryPolicy, GraphRetryHandler, type RetryPolicy } from './graph-retry-handler.js';
import { batchResponseSchema } from './wire.js';

// The request pipeline for Microsoft Graph (STYLE rule 10), built on the Graph client's own chain:
//
//   BearerTokenHandler (token from the TokenCredential, one renewal on 401)
//     → GraphRetryHandler (429/503 with Retry-After on the injected clock; 502/504/dropped if repeatable)
//     → HTTPMessageHandler (the library's; or our FetchHandler when a fetch is injected)
//
// Requests use ResponseType.RAW, so statuses, ETags, Retry-After and request-id are read here and
// turned into core errors in one place (errors.ts), never in connector methods.

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com';
export const DEFAULT_GRAPH_SCOPES: readonly string[] = ['https://graph.microsoft.com/.default'];

/** The options every Graph connector takes (STYLE rule 8): one object, everything injectable. */
export interface GraphConnectorOptions {
  /** Graph root, default https://graph.microsoft.com; a simulator's `http://127.0.0.1:PORT/v1.0`. */
  readonly baseUrl?: string;
  readonly credential: TokenCredential;
  /** Default `https://graph.microsoft.com/.default` (app-only: the app's granted permissions). */
  readonly scopes?: readonly string[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retry?: Partial<RetryPolicy>;
  /** Replaces the global fetch (the library's HTTPMessageHandler always calls the global one). */
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
const BATCH_RETRYABLE = new Set([429, 503]);

/** A `baseUrl` with or without its version segment, as the Graph client wants it: host and version. */
export function splitBaseUrl(baseUrl: string): { host: string; version: string; root: string } {
  const trimmed = baseUrl.replace(/\/+$/, '');
  const match = /^(.*)\/(v1\.0|beta)$/i.exec(trimmed);
  const host = match?.[1] ?? trimmed;
  const version = match?.[2] ?? 'v1.0';
  return { host, version, root: `${host}/${version}` };
}

/** Terminal middleware around an injected fetch, the same one line as the library's HTTPMessageHandler. */
class FetchHandler implements Middleware {
  constructor(private readonly fetchImpl: typeof fetch) {}

  async execute(context: Context): Promise<void> {
    context.response = await this.fetchImpl(context.request, context.options);
  }
}

function isResponse(value: unknown): value is Response {
  return (
    typeof value === 'object' &&
    value !== null &&
    'status' in value &&
    typeof value.status === 'number' &&
    'text' in value &&
    typeof value.text === 'function'
  );
}

function headerLookup(headers: Headers | Readonly<Record<string, string>>): GraphAnswer['header'] {
  if (headers instanceof Headers) return (name) => headers.get(name) ?? undefined;
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return (name) => lower.get(name.toLowerCase());
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

export class GraphTransport {
  /** e.g. `https://graph.microsoft.com/v1.0`: what `@odata.nextLink`s must start with. */
  readonly root: string;
  private readonly client: Client;
  private readonly retry: RetryPolicy;
  private readonly retryHandler: GraphRetryHandler;

  constructor(private readonly options: GraphConnectorOptions) {
    const { host, version, root } = splitBaseUrl(options.baseUrl ?? DEFAULT_GRAPH_BASE_URL);
    this.root = root;
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.retryHandler = new GraphRetryHandler({
      policy: this.retry,
      clock: options.clock,
      logger: options.logger,
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    const middleware: Middleware[] = [
      new BearerTokenHandler({
        credential: options.credential,
        scopes: options.scopes ?? DEFAULT_GRAPH_SCOPES,
        clock: options.clock,
        logger: options.logger,
      }),
      this.retryHandler,
      options.fetch === undefined ? new HTTPMessageHandler() : new FetchHandler(options.fetch),
    ];
    this.client = Client.initWithMiddleware({ middleware, baseUrl: host, defaultVersion: version });
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
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw ValidationError.fromZod(`Graph ${endpoint} answered an unexpected shape`, parsed.error);
    }
    return parsed.data;
  }

  /** The error a failed answer (top-level or batched) stands for. */
  toError(answer: GraphAnswer, ctx: FailureContext): AppError {
    return errorFromAnswer(answer, ctx, this.options.clock.now());
  }

  /**
   * `@odata.nextLink` is absolute (https://learn.microsoft.com/graph/paging). The Graph client only
   * strips https bases, and [INF] a link to any other host must not get our token, so the link has to
   * start with our own root; it is followed as a path below it.
   */
  nextLinkPath(link: string, endpoint: string): string {
    if (!link.toLowerCase().startsWith(`${this.root.toLowerCase()}/`)) {
      throw new UpstreamError(SERVICE, `${endpoint} sent a nextLink outside ${this.root}`);
    }
    return link.slice(this.root.length);
  }

  /**
   * GETs in `$batch`es of at most 20 (https://learn.microsoft.com/graph/json-batching), all in
   * parallel (no `dependsOn`). Each inner request is throttled on its own, so inner 429s and 503s
   * are sent again, only those, after their Retry-After, within the same retry policy. Answers are
   * matched by id: they come back in any order. Any other inner failure is the caller's to judge.
   */
  async batchGet(reads: readonly BatchRead[]): Promise<Map<string, BatchAnswer>> {
    const answers = new Map<string, BatchAnswer>();
    for (let start = 0; start < reads.length; start += MAX_BATCH) {
      let pending = reads.slice(start, start + MAX_BATCH);
      for (let round = 1; pending.length > 0; round += 1) {
        const inner = await this.batchOnce(pending);
        const again: BatchAnswer[] = [];
        for (const answer of inner) {
          if (BATCH_RETRYABLE.has(answer.status) && round < this.retry.maxAttempts) {
            again.push(answer);
          } else {
            answers.set(answer.read.id, answer);
          }
        }
        if (again.length === 0) break;
        const now = this.options.clock.now();
        const waits = again.map((a) => parseRetryAfter(a.header('retry-after'), now));
        const longest = Math.max(...waits.map((w) => w ?? this.retryHandler.backoff(round)));
        if (longest > this.retry.maxDelayMs) {
          for (const answer of again) answers.set(answer.read.id, answer);
          break;
        }
        this.options.logger.warn('graph batch items throttled; retrying them', {
          endpoint: 'POST /$batch',
          items: again.length,
          round,
          delayMs: longest,
        });
        await this.options.clock.sleep(longest);
        pending = again.map((a) => a.read);
      }
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
    const tag = new CallTag(call.endpoint, call.method);
    const started = this.options.clock.now().getTime();
    let request: GraphRequest = this.client
      .api(call.path)
      .middlewareOptions([tag])
      .responseType(ResponseType.RAW);
    if (call.headers !== undefined) request = request.headers({ ...call.headers });

    let raw: unknown;
    try {
      switch (call.method) {
        case 'GET':
          raw = await request.get();
          break;
        case 'POST':
          raw = await request.post(call.body ?? {});
          break;
        case 'PATCH':
          raw = await request.patch(call.body ?? {});
          break;
        case 'DELETE':
          raw = await request.delete();
          break;
      }
    } catch (e: unknown) {
      // A middleware's own error (AuthError …) comes back on the tag: the library wrapped it.
      if (tag.failure !== undefined) throw tag.failure;
      this.options.logger.debug('graph call', {
        endpoint: call.endpoint,
        failure: ensureError(e).name,
        durationMs: this.options.clock.now().getTime() - started,
      });
      throw errorFromFailure(ensureError(e), call);
    }
    if (!isResponse(raw)) {
      throw new UpstreamError(SERVICE, `${call.endpoint}: the Graph client returned no response`);
    }
    const text = await raw.text();
    const header = headerLookup(raw.headers);
    this.options.logger.debug('graph call', {
      endpoint: call.endpoint,
      status: raw.status,
      requestId: header('request-id'),
      durationMs: this.options.clock.now().getTime() - started,
    });
    let body: unknown;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text) as unknown;
      } catch (e: unknown) {
        if (isSuccess(raw.status)) {
          throw new ValidationError(`Graph ${call.endpoint} answered with no JSON`, ['(root)'], {
            cause: ensureError(e),
          });
        }
        body = undefined; // an error page from a proxy: the status alone says enough
      }
    }
    return { status: raw.status, body, header };
  }
}
