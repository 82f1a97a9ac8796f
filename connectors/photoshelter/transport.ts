import type { z } from 'zod';

import type { AppError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import { parseAnswer, readJson } from '../http/answer.js';
import {
  HttpPipeline,
  type HttpOutcome,
  type HttpRequest,
  noAnswerError,
  type RetryPolicy,
} from '../http/http-pipeline.js';
import { TokenSession } from '../http/token-session.js';
import { effectiveStatus, errorFromResponse, SERVICE } from './errors.js';

// PhotoShelter's use of the connectors' HTTP pipeline (connectors/http): the member session (one
// re-login on 401) and the API key on every call, then the shared timeout, retry and logging.

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

export type { RetryPolicy };

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
  /** Per attempt; default DEFAULT_TIMEOUT_MS (connectors/http). */
  readonly timeoutMs?: number | undefined;
  /** Logs in (and switches organization) and returns a fresh member token. */
  readonly authenticate: () => Promise<string>;
  /** Values no error message may repeat, beyond the API key and tokens the transport knows itself. */
  readonly secrets: readonly string[];
  /** For jitter; injectable so a test could pin it. */
  readonly random?: () => number;
}

type Answer = HttpOutcome & { kind: 'response' };

/**
 * PhotoShelter's retry rule: 429, 5xx, dropped connections and timeouts, honouring `Retry-After`
 * plus jitter [WIP 429 TooManyRequestsException]. Every call is a read, log-in or idempotent write,
 * so safe.
 */
function isRetryable(outcome: HttpOutcome): boolean {
  return outcome.kind === 'failure' || outcome.status === 429 || outcome.status >= 500;
}

export class PhotoShelterTransport {
  private readonly http: HttpPipeline;
  private readonly session: TokenSession;

  constructor(private readonly options: TransportOptions) {
    this.http = new HttpPipeline({
      service: SERVICE,
      fetch: options.fetch,
      clock: options.clock,
      logger: options.logger,
      retry: options.retry,
      timeoutMs: options.timeoutMs,
      random: options.random,
      isRetryable,
      jitterAfterRetryAfter: true,
      requestIdHeader: 'x-request-id', // [INF] header name
    });
    // Sessions expire after idle time [V2 "2 hours"] and say so only by refusing the token.
    this.session = new TokenSession(
      async () => ({ token: await options.authenticate() }),
      options.clock,
    );
  }

  /** Sends the request and parses a successful answer with `schema`; failures become core errors. */
  async call<S extends z.ZodType>(request: PsRequest, schema: S): Promise<z.output<S>> {
    const outcome = await this.send(request);
    if (outcome.kind === 'failure') throw noAnswerError(SERVICE, request.endpoint, outcome);
    const status = effectiveStatus(outcome.status, outcome.body);
    if (status < 200 || status >= 300) throw this.toError(request, outcome, status);

    const context = `PhotoShelter ${request.endpoint} answered an unexpected shape`;
    // [INF] A write may answer 204 or 200 with no body at all; that is an empty answer, not junk.
    const json = readJson(outcome.body, context) ?? (request.method === 'GET' ? undefined : {});
    return parseAnswer(json, schema, context);
  }

  /** The member token, logging in first if there is none (one log-in even for concurrent callers). */
  sessionToken(): Promise<string> {
    return this.session.token();
  }

  /** Forgets the cached token (after logout) and returns it, if there was one. */
  dropSession(): string | undefined {
    return this.session.drop();
  }

  /**
   * Member calls carry `X-PS-Auth-Token` [3P]; real clients re-authenticate once on a refusal and
   * retry [3P JS/TS], so a 401 logs in once more and repeats the call once.
   */
  private send(request: PsRequest): Promise<HttpOutcome> {
    const { auth } = request;
    if (auth === 'none') return this.http.send(this.toHttp(request, undefined));
    if (auth !== 'session') return this.http.send(this.toHttp(request, auth.token));
    return this.session.authorize(
      (token) => this.http.send(this.toHttp(request, token)),
      (outcome) =>
        outcome.kind === 'response' && effectiveStatus(outcome.status, outcome.body) === 401,
      () => {
        this.options.logger.info('photoshelter session expired; logging in again', {
          endpoint: request.endpoint,
        });
      },
    );
  }

  /** Every request carries `X-PS-Api-Key` [DOC] (the header, not the query, so it stays out of URLs). */
  private toHttp(request: PsRequest, token: string | undefined): HttpRequest {
    const url = new URL(request.path, this.options.baseUrl);
    for (const [key, value] of Object.entries(request.query ?? {}))
      url.searchParams.set(key, value);
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'X-PS-Api-Key': this.options.apiKey,
    };
    if (token !== undefined) headers['X-PS-Auth-Token'] = token;
    let body: string | undefined;
    if (request.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
      body = new URLSearchParams(request.form).toString();
    } else if (request.json !== undefined) {
      headers['Content-Type'] = 'application/json; charset=UTF-8';
      body = JSON.stringify(request.json);
    }
    return { tag: { endpoint: request.endpoint }, method: request.method, url, headers, body };
  }

  private toError(request: PsRequest, outcome: Answer, status: number): AppError {
    return errorFromResponse(status, outcome.body, {
      endpoint: request.endpoint,
      resource: request.resource,
      secrets: [...this.options.secrets, this.options.apiKey, ...this.session.issued],
      requestId: outcome.headers.get('x-request-id') ?? undefined,
      retryAfterMs: this.http.retryAfterMs(outcome.headers.get('retry-after')),
      isLogin: request.isLogin === true,
    });
  }
}
