import type { z } from 'zod';

import { AuthError, NotFoundError, RateLimitedError, UpstreamError } from '../../core/errors.js';
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
import { safeVendorMessage } from '../http/redact.js';
import { TokenSession } from '../http/token-session.js';
import { signS3Request } from './sigv4.js';
import { errorOf, readXml, tokenSchema } from './wire.js';

// Preservica's APIs on the connectors' HTTP pipeline (docs/preservica.md "Connector"): a form login
// to the Access Token API, the token in `Preservica-Access-Token` (the S3 Upload API: as the SigV4
// access key), refreshed before it expires on the injected clock, and a login again (once) when
// Preservica refuses it. Tokens, refresh tokens and the password never reach a log line or an error.

export const SERVICE = 'preservica';

export const preservicaRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

/** Renewed this long before Preservica's `validFor` runs out (or at 3/4 of a shorter lifetime). */
const RENEW_MARGIN_MS = 60_000;

export interface PreservicaClientOptions {
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  readonly tenant: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly fetch?: typeof fetch | undefined;
  readonly retry?: RetryPolicy | undefined;
  readonly timeoutMs?: number | undefined;
}

/** Which API a call goes to: it decides the error envelope and how a refused token looks. */
export type Family = 'entity' | 'json' | 's3';

export interface PvCall {
  readonly family: Family;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** From the server root, e.g. `/api/entity/information-objects/<ref>` (segments encoded). */
  readonly path: string;
  /** Route template for logs and errors, never a URL. */
  readonly endpoint: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array<ArrayBuffer>;
  /** What a 404 means: NotFoundError(what, id). */
  readonly resource?: { readonly what: string; readonly id: string };
}

export type Answer = HttpOutcome & { readonly kind: 'response' };

interface Held {
  readonly token: string;
  readonly refreshToken: string | undefined;
  readonly expiresAt: number;
}

/**
 * Whether repeating may help and is safe: 429 and 503 (nothing was done [INF]) always; other 5xx and
 * lost answers for idempotent methods and the login only (a lost subscribe or multipart completion
 * may have been acted on).
 */
function isRetryable(outcome: HttpOutcome, request: HttpRequest): boolean {
  if (outcome.kind === 'response' && (outcome.status === 429 || outcome.status === 503)) {
    return true;
  }
  const idempotent =
    request.method === 'GET' ||
    request.method === 'PUT' ||
    request.method === 'DELETE' ||
    request.tag.endpoint === 'POST /api/accesstoken/login';
  if (!idempotent) return false;
  return outcome.kind === 'failure' || outcome.status >= 500;
}

/** A token Preservica no longer takes: 401, or S3's 403 for an unknown access key. */
function isRefused(family: Family, outcome: HttpOutcome): boolean {
  if (outcome.kind !== 'response') return false;
  if (outcome.status === 401) return true;
  if (family !== 's3' || outcome.status !== 403) return false;
  const code = errorOf(outcome.body, outcome.headers.get('content-type')).code;
  return code === 'InvalidAccessKeyId' || code === 'ExpiredToken';
}

export class PreservicaClient {
  readonly base: string;
  readonly http: HttpPipeline;
  private readonly session: TokenSession;
  private readonly logger: Logger;
  private held: Held | undefined;
  /** The token Preservica last refused: it is not refreshed, a login replaces it. */
  private refused: string | undefined;
  private readonly refreshTokens: string[] = [];

  constructor(private readonly options: PreservicaClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.logger = options.logger.child(SERVICE);
    this.http = new HttpPipeline({
      service: SERVICE,
      fetch: options.fetch,
      clock: options.clock,
      logger: this.logger,
      retry: options.retry ?? preservicaRetryPolicy,
      timeoutMs: options.timeoutMs,
      isRetryable,
      jitterAfterRetryAfter: true,
      // [INF] Preservica names no request id header; S3's is the one its Upload API may send.
      requestIdHeader: 'x-amz-request-id',
    });
    this.session = new TokenSession(() => this.issue(), options.clock);
  }

  /** Everything that must never show: the password and every token held so far. */
  get secrets(): readonly string[] {
    return [this.options.password, ...this.session.issued, ...this.refreshTokens];
  }

  /** Sends `call` with the current token, once more with a fresh one if refused; throws on non-2xx. */
  async send(call: PvCall): Promise<Answer> {
    const outcome = await this.authorized(call.family, (token) =>
      this.http.send(this.request(call, token)),
    );
    if (outcome.kind === 'failure') throw noAnswerError(SERVICE, call.endpoint, outcome);
    if (outcome.status < 200 || outcome.status >= 300) throw this.errorFor(call, outcome);
    return outcome;
  }

  /** An XML answer read with `schema`. */
  async xml<S extends z.ZodType>(call: PvCall, schema: S): Promise<z.output<S>> {
    const answer = await this.send({
      ...call,
      headers: { accept: 'application/xml', ...call.headers },
    });
    const context = `Preservica ${call.endpoint}`;
    return parseAnswer(readXml(answer.body, context), schema, context);
  }

  /** A JSON answer read with `schema`. */
  async json<S extends z.ZodType>(call: PvCall, schema: S): Promise<z.output<S>> {
    const answer = await this.send({
      ...call,
      headers: { accept: 'application/json', ...call.headers },
    });
    const context = `Preservica ${call.endpoint}`;
    return parseAnswer(readJson(answer.body, context), schema, context);
  }

  /** Runs `send` with the token, and once more with a fresh one when Preservica refuses it. */
  async authorized<T extends HttpOutcome>(
    family: Family,
    send: (token: string) => Promise<T>,
  ): Promise<T> {
    return this.session.authorize(
      async (token) => {
        const outcome = await send(token);
        if (isRefused(family, outcome)) this.refused = token;
        return outcome;
      },
      (outcome) => isRefused(family, outcome),
      () => this.logger.info('Preservica refused the access token; logged in again'),
    );
  }

  /** The request for `call` under `token`: the token header, or SigV4 for the Upload API. */
  request(call: PvCall, token: string): HttpRequest {
    const url = new URL(`${this.base}${call.path}`);
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> =
      call.family === 's3'
        ? {
            ...call.headers,
            ...signS3Request({
              method: call.method,
              url,
              headers: call.headers ?? {},
              accessKey: token,
              now: this.options.clock.now(),
            }),
          }
        : { ...call.headers, 'Preservica-Access-Token': token };
    return { tag: { endpoint: call.endpoint }, method: call.method, url, headers, body: call.body };
  }

  /** The error an answer stands for, in our words plus Preservica's (never a secret). */
  errorFor(call: PvCall, answer: Answer): Error {
    const said = errorOf(answer.body, answer.headers.get('content-type'));
    const message = safeVendorMessage(said.message, this.secrets);
    const detail = message === undefined ? '' : `: ${message}`;
    if (answer.status === 401 || answer.status === 403) {
      return new AuthError(`Preservica refused ${call.endpoint} (${answer.status})${detail}`);
    }
    if (answer.status === 404 && call.resource !== undefined) {
      return new NotFoundError(call.resource.what, call.resource.id);
    }
    if (answer.status === 429) {
      return new RateLimitedError(
        SERVICE,
        this.http.retryAfterMs(answer.headers.get('retry-after')) ??
          (this.options.retry ?? preservicaRetryPolicy).baseDelayMs,
      );
    }
    return new UpstreamError(SERVICE, `${call.endpoint} answered ${answer.status}${detail}`, {
      status: answer.status,
      requestId: answer.headers.get('x-amz-request-id') ?? undefined,
    });
  }

  /** A fresh token: a refresh while the held one is valid and was not refused, else a login. */
  private async issue(): Promise<{ token: string; renewAt: number }> {
    const held = this.held;
    const now = this.options.clock.now().getTime();
    if (held?.refreshToken !== undefined && held.token !== this.refused && now < held.expiresAt) {
      try {
        return this.accept(
          await this.tokenCall(
            'POST /api/accesstoken/refresh',
            '/api/accesstoken/refresh',
            {
              refreshToken: held.refreshToken,
            },
            held.token,
          ),
        );
      } catch (e: unknown) {
        // A refresh Preservica will not give: the login still may.
        if (!(e instanceof AuthError)) throw e;
        this.logger.info('Preservica refused the refresh; logging in again');
      }
    }
    return this.accept(
      await this.tokenCall('POST /api/accesstoken/login', '/api/accesstoken/login', {
        username: this.options.username,
        password: this.options.password,
        tenant: this.options.tenant,
      }),
    );
  }

  private accept(answer: z.output<typeof tokenSchema>): { token: string; renewAt: number } {
    const now = this.options.clock.now().getTime();
    const lifetime = answer.validFor * 60_000;
    const expiresAt = now + lifetime;
    this.held = { token: answer.token, refreshToken: answer['refresh-token'], expiresAt };
    if (answer['refresh-token'] !== undefined) this.refreshTokens.push(answer['refresh-token']);
    return { token: answer.token, renewAt: expiresAt - Math.min(RENEW_MARGIN_MS, lifetime / 4) };
  }

  private async tokenCall(
    endpoint: string,
    path: string,
    form: Record<string, string>,
    token?: string,
  ): Promise<z.output<typeof tokenSchema>> {
    const call: PvCall = { family: 'json', method: 'POST', path, endpoint };
    const outcome = await this.http.send({
      tag: { endpoint },
      method: 'POST',
      url: new URL(`${this.base}${path}`),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...(token === undefined ? {} : { 'Preservica-Access-Token': token }),
      },
      body: new URLSearchParams(form).toString(),
    });
    if (outcome.kind === 'failure') throw noAnswerError(SERVICE, endpoint, outcome);
    if (outcome.status === 400 || outcome.status === 401 || outcome.status === 403) {
      const said = safeVendorMessage(
        errorOf(outcome.body, outcome.headers.get('content-type')).message,
        this.secrets,
      );
      throw new AuthError(
        `Preservica refused the ${endpoint.endsWith('refresh') ? 'token refresh' : 'login'} (${outcome.status})${said === undefined ? '' : `: ${said}`}`,
      );
    }
    if (outcome.status < 200 || outcome.status >= 300) throw this.errorFor(call, outcome);
    const context = `Preservica ${endpoint}`;
    return parseAnswer(readJson(outcome.body, context), tokenSchema, context);
  }
}
