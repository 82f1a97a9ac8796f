import type { z } from 'zod';

import { type AppError, ensureError, ValidationError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import { effectiveStatus, errorFromFailure, errorFromResponse } from './errors.js';

// The request pipeline for PhotoShelter (STYLE rule 10): middleware around an injected fetch, so auth,
// retry and telemetry live here once instead of in every connector method (msgraph middleware chain).
//
//   session (token, one re-login on 401) → api key → retry (429/5xx/dropped/timeout) → log → fetch

/** One PhotoShelter call, described in our terms. */
export interface PsRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the base URL, ids already encoded. */
  readonly path: string;
  /** Route template for logs and errors, e.g. `GET /psapi/v3/mem/gallery/:id` (never carries a query). */
  readonly endpoint: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Sent as `application/x-www-form-urlencoded` (the login form [DOC]). */
  readonly form?: Readonly<Record<string, string>>;
  /** Sent as JSON, as PhotoShelter's own importer sends v4 bodies [OFF `API/RemoteSource.php`]. */
  readonly json?: unknown;
  /**
   * `none`: API key only (log in). `session`: the cached member token, logging in first when there is
   * none and once more after a 401. `{ token }`: that token as is (the org switch right after log-in).
   */
  readonly auth: 'none' | 'session' | { readonly token: string };
  /** What a 404 means is missing. */
  readonly resource?: { readonly what: string; readonly id: string };
  /** The log-in call itself: its 401 means wrong credentials. */
  readonly isLogin?: boolean;
}

interface Outgoing extends PsRequest {
  readonly headers: Readonly<Record<string, string>>;
}

/** An answer (any status), or no answer at all. Exceptions are kept for the end of the pipeline. */
type Outcome =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly headers: Headers;
      readonly body: string;
    }
  | { readonly kind: 'failure'; readonly reason: 'network' | 'timeout'; readonly cause: Error };

type Handler = (request: Outgoing) => Promise<Outcome>;
type Middleware = (next: Handler) => Handler;

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** Cap on one backoff wait; a Retry-After longer than this is not waited out (see withRetry). */
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
};

export interface TransportOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  /** Logs in (and switches organization) and returns a fresh member token. */
  readonly authenticate: () => Promise<string>;
  /** Values no error message may repeat, beyond the API key and tokens the transport knows itself. */
  readonly secrets: readonly string[];
  /** For jitter; injectable so a test could pin it. */
  readonly random?: () => number;
}

/** `Retry-After`: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

export class PhotoShelterTransport {
  private readonly pipeline: Handler;
  private token: string | undefined;
  private pending: Promise<string> | undefined;
  /** Every token we have held, so none can leak into an error message even after a re-login. */
  private readonly issuedTokens: string[] = [];

  constructor(private readonly options: TransportOptions) {
    const chain: Middleware[] = [
      this.withSession(),
      this.withApiKey(),
      this.withRetry(),
      this.withLogging(),
    ];
    this.pipeline = chain.reduceRight<Handler>(
      (next, middleware) => middleware(next),
      (request) => this.fetchOnce(request),
    );
  }

  /** Sends the request and parses a successful answer with `schema`; failures become core errors. */
  async call<S extends z.ZodType>(request: PsRequest, schema: S): Promise<z.output<S>> {
    const outcome = await this.pipeline({ ...request, headers: {} });
    if (outcome.kind === 'failure') {
      throw errorFromFailure(outcome.reason, outcome.cause, request);
    }
    const status = effectiveStatus(outcome.status, outcome.body);
    if (status < 200 || status >= 300) throw this.toError(request, outcome, status);

    const context = `PhotoShelter ${request.endpoint} answered an unexpected shape`;
    let json: unknown;
    try {
      // [INF] A write may answer 204 or 200 with no body at all; that is an empty answer, not junk.
      json = request.method !== 'GET' && outcome.body.trim() === '' ? {} : JSON.parse(outcome.body);
    } catch (e: unknown) {
      throw new ValidationError(context, ['(root): not JSON'], { cause: ensureError(e) });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw ValidationError.fromZod(context, parsed.error);
    return parsed.data;
  }

  /** The member token, logging in first if there is none (one log-in even for concurrent callers). */
  async sessionToken(): Promise<string> {
    if (this.token !== undefined) return this.token;
    if (this.pending === undefined) {
      this.pending = this.options
        .authenticate()
        .then((token) => {
          this.token = token;
          this.issuedTokens.push(token);
          return token;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }

  /** Forgets the cached token (after logout) and returns it, if there was one. */
  dropSession(): string | undefined {
    const token = this.token;
    this.token = undefined;
    return token;
  }

  private secrets(): string[] {
    return [...this.options.secrets, this.options.apiKey, ...this.issuedTokens];
  }

  private toError(
    request: PsRequest,
    outcome: Outcome & { kind: 'response' },
    status: number,
  ): AppError {
    return errorFromResponse(status, outcome.body, {
      endpoint: request.endpoint,
      resource: request.resource,
      secrets: this.secrets(),
      requestId: outcome.headers.get('x-request-id') ?? undefined, // [INF] header name
      retryAfterMs: parseRetryAfter(outcome.headers.get('retry-after'), this.options.clock.now()),
      isLogin: request.isLogin === true,
    });
  }

  // -------------------------------------------------------------------------------------------------
  // Middleware

  /**
   * Member calls carry `X-PS-Auth-Token` [3P]. Sessions expire after idle time [V2 "2 hours"], and real
   * clients re-authenticate once on failure and retry [3P JS/TS]: so a 401 drops the token, logs in once
   * more and repeats the call once. A second 401 is a real refusal.
   */
  private withSession(): Middleware {
    return (next) => async (request) => {
      if (request.auth === 'none') return next(request);
      if (request.auth !== 'session') {
        return next(withHeader(request, 'X-PS-Auth-Token', request.auth.token));
      }
      const token = await this.sessionToken();
      const first = await next(withHeader(request, 'X-PS-Auth-Token', token));
      if (first.kind !== 'response' || effectiveStatus(first.status, first.body) !== 401)
        return first;

      this.options.logger.info('photoshelter session expired; logging in again', {
        endpoint: request.endpoint,
      });
      // Only the caller whose token failed drops it; concurrent callers then share one new log-in.
      if (this.token === token) this.token = undefined;
      const renewed = await this.sessionToken();
      return next(withHeader(request, 'X-PS-Auth-Token', renewed));
    };
  }

  /** Every request carries `X-PS-Api-Key` [DOC] (the header, not the query, so it stays out of URLs). */
  private withApiKey(): Middleware {
    return (next) => (request) => next(withHeader(request, 'X-PS-Api-Key', this.options.apiKey));
  }

  /**
   * One retry policy for PhotoShelter: 429, 5xx, dropped connections and timeouts are retried with
   * exponential backoff and jitter, honouring `Retry-After` [WIP 429 TooManyRequestsException]. A
   * Retry-After beyond `maxDelayMs` is not slept through here: the call fails with RateLimitedError
   * (carrying retryAfterMs) so the caller, a timer, can come back later instead of holding a function.
   * All our calls are reads, idempotent log-ins or idempotent writes (set a value, add a parent the
   * gallery may already have, remove one it may no longer have: photoshelter-archive.ts copes with
   * the echo), so repeating them is safe.
   */
  private withRetry(): Middleware {
    const { retry, clock, logger } = this.options;
    const random = this.options.random ?? Math.random;
    return (next) => async (request) => {
      for (let attempt = 1; ; attempt += 1) {
        const outcome = await next(request);
        const isRetryable =
          outcome.kind === 'failure' || outcome.status === 429 || outcome.status >= 500;
        if (!isRetryable || attempt >= retry.maxAttempts) return outcome;

        const retryAfterMs =
          outcome.kind === 'response'
            ? parseRetryAfter(outcome.headers.get('retry-after'), clock.now())
            : undefined;
        if (retryAfterMs !== undefined && retryAfterMs > retry.maxDelayMs) return outcome;

        const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
        // Equal jitter: half the backoff fixed, half random. Retry-After is a floor, never cut short.
        const delayMs = Math.round(
          retryAfterMs === undefined
            ? backoff / 2 + (random() * backoff) / 2
            : retryAfterMs + random() * Math.min(retry.baseDelayMs, backoff),
        );
        logger.warn('photoshelter call failed; retrying', {
          endpoint: request.endpoint,
          attempt,
          status: outcome.kind === 'response' ? outcome.status : undefined,
          reason: outcome.kind === 'failure' ? outcome.reason : undefined,
          delayMs,
        });
        await clock.sleep(delayMs);
      }
    };
  }

  /** One debug line per attempt: route template, status, duration. Never the URL, body or headers. */
  private withLogging(): Middleware {
    const { clock, logger } = this.options;
    return (next) => async (request) => {
      const started = clock.now().getTime();
      const outcome = await next(request);
      logger.debug('photoshelter call', {
        endpoint: request.endpoint,
        status: outcome.kind === 'response' ? outcome.status : undefined,
        failure: outcome.kind === 'failure' ? outcome.reason : undefined,
        requestId:
          outcome.kind === 'response'
            ? (outcome.headers.get('x-request-id') ?? undefined)
            : undefined,
        durationMs: clock.now().getTime() - started,
      });
      return outcome;
    };
  }

  private async fetchOnce(request: Outgoing): Promise<Outcome> {
    const url = new URL(request.path, this.options.baseUrl);
    for (const [key, value] of Object.entries(request.query ?? {}))
      url.searchParams.set(key, value);
    const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
    let body: string | undefined;
    if (request.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
      body = new URLSearchParams(request.form).toString();
    } else if (request.json !== undefined) {
      headers['Content-Type'] = 'application/json; charset=UTF-8';
      body = JSON.stringify(request.json);
    }
    try {
      const response = await this.options.fetch(url, {
        method: request.method,
        headers,
        body,
        // [INF] A redirect would carry our token to wherever it points; treat it as a failed answer.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      return {
        kind: 'response',
        status: response.status,
        headers: response.headers,
        body: await response.text(),
      };
    } catch (e: unknown) {
      const error = ensureError(e);
      const isTimeout = error.name === 'TimeoutError' || error.name === 'AbortError';
      return { kind: 'failure', reason: isTimeout ? 'timeout' : 'network', cause: error };
    }
  }
}

function withHeader(request: Outgoing, name: string, value: string): Outgoing {
  return { ...request, headers: { ...request.headers, [name]: value } };
}
