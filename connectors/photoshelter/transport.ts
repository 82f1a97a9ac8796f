import { Readable } from 'node:stream';

import type { z } from 'zod';

import { type AppError, ensureError, UpstreamError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import { parseAnswer, readJson } from '../http/answer.js';
import {
  DEFAULT_TIMEOUT_MS,
  type HttpFailure,
  HttpPipeline,
  type HttpOutcome,
  type HttpRequest,
  noAnswerError,
  type RetryPolicy,
} from '../http/http-pipeline.js';
import { TokenSession } from '../http/token-session.js';
import { effectiveStatus, errorFromResponse, SERVICE } from './errors.js';
import { multipartBody, type SpooledFile } from './file-transfer.js';

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
  /**
   * The call creates something (an upload, a gallery): a repeat after a lost answer could create
   * it twice, so only a 429 (the service took nothing) is retried; the caller decides the rest.
   */
  readonly isCreate?: boolean;
}

/** A file sent as a `multipart/form-data` body, beside the text `fields`. */
export interface PsFilePart {
  readonly fields: Readonly<Record<string, string>>;
  readonly field: string;
  readonly spooled: SpooledFile;
}

/** A successful answer whose body is a file, not yet read. */
export interface PsFileAnswer {
  readonly headers: Headers;
  readonly body: AsyncIterable<Uint8Array>;
  /** Lets the connection go when the body will not be read. */
  cancel(): Promise<void>;
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
 * plus jitter [WIP 429 TooManyRequestsException]. Reads, log-ins and idempotent writes are safe to
 * repeat; a create only after a 429.
 */
function isRetryable(outcome: HttpOutcome, isCreate: boolean): boolean {
  if (outcome.kind === 'response' && outcome.status === 429) return true;
  if (isCreate) return false;
  return outcome.kind === 'failure' || outcome.status >= 500;
}

/** An answer with its body unread when it is a file, or a failure. */
type RawOutcome =
  | HttpFailure
  | (Answer & { readonly stream?: ReadableStream<Uint8Array>; readonly idle?: IdleTimer });

/**
 * Aborts a file transfer that makes no progress for `ms`: the whole transfer may take long (a big
 * original), so the per-attempt timeout applies between chunks, not to the total.
 */
class IdleTimer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly controller: AbortController,
  ) {
    this.touch();
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.controller.abort(new DOMException('no progress', 'TimeoutError'));
    }, this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

export class PhotoShelterTransport {
  private readonly http: HttpPipeline;
  private readonly session: TokenSession;
  /** Requests built from an `isCreate` PsRequest: only a 429 repeats them. */
  private readonly creates = new WeakSet<HttpRequest>();

  constructor(private readonly options: TransportOptions) {
    this.http = new HttpPipeline({
      service: SERVICE,
      fetch: options.fetch,
      clock: options.clock,
      logger: options.logger,
      retry: options.retry,
      timeoutMs: options.timeoutMs,
      random: options.random,
      isRetryable: (outcome, request) => isRetryable(outcome, this.creates.has(request)),
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

  /** Sends `file` as a multipart body (again from the start on each attempt); parses like `call`. */
  async callWithFile<S extends z.ZodType>(
    request: PsRequest,
    file: PsFilePart,
    schema: S,
  ): Promise<z.output<S>> {
    const outcome = await this.sendRaw(request, file, false);
    if (outcome.kind === 'failure') throw noAnswerError(SERVICE, request.endpoint, outcome);
    const status = effectiveStatus(outcome.status, outcome.body);
    if (status < 200 || status >= 300) throw this.toError(request, outcome, status);
    const context = `PhotoShelter ${request.endpoint} answered an unexpected shape`;
    return parseAnswer(readJson(outcome.body, context) ?? {}, schema, context);
  }

  /** A GET whose answer is a file: its headers, and the body as it arrives (never read whole). */
  async download(request: PsRequest): Promise<PsFileAnswer> {
    const outcome = await this.sendRaw(request, undefined, true);
    if (outcome.kind === 'failure') throw noAnswerError(SERVICE, request.endpoint, outcome);
    const { stream, idle } = outcome;
    const status = effectiveStatus(outcome.status, outcome.body);
    if (status < 200 || status >= 300) {
      idle?.stop();
      await stream?.cancel();
      throw this.toError(request, outcome, status);
    }
    if (stream === undefined) {
      // A JSON answer that is no error envelope: that text is the file.
      const text = new TextEncoder().encode(outcome.body);
      return {
        headers: outcome.headers,
        body: Readable.from([text]),
        cancel: () => Promise.resolve(),
      };
    }
    return {
      headers: outcome.headers,
      body: readStream(stream, idle, request.endpoint),
      cancel: async () => {
        idle?.stop();
        // Unread (not yet locked by the reader): cancelling releases the connection.
        await stream.cancel().catch(() => undefined);
      },
    };
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

  /**
   * One file call through the session (one re-login on 401) and the pipeline's retry, but with our
   * own exchange: the shared pipeline sends and reads text bodies only.
   */
  private sendRaw(
    request: PsRequest,
    file: PsFilePart | undefined,
    keepBody: boolean,
  ): Promise<RawOutcome> {
    const tag = { endpoint: request.endpoint };
    const attempt = (token: string) =>
      this.http.repeat(
        tag,
        () => this.rawAttempt(request, token, file, keepBody),
        (outcome) => {
          const retry = isRetryable(outcome, request.isCreate === true);
          if (retry && outcome.kind === 'response') void outcome.stream?.cancel();
          return {
            retry,
            retryAfterMs:
              outcome.kind === 'response'
                ? this.http.retryAfterMs(outcome.headers.get('retry-after'))
                : undefined,
            fields:
              outcome.kind === 'response' ? { status: outcome.status } : { reason: outcome.reason },
          };
        },
      );
    return this.session.authorize(
      attempt,
      (outcome) =>
        outcome.kind === 'response' && effectiveStatus(outcome.status, outcome.body) === 401,
      () => {
        this.options.logger.info('photoshelter session expired; logging in again', {
          endpoint: request.endpoint,
        });
      },
    );
  }

  private async rawAttempt(
    request: PsRequest,
    token: string,
    file: PsFilePart | undefined,
    keepBody: boolean,
  ): Promise<RawOutcome> {
    const { clock, logger } = this.options;
    const started = clock.now().getTime();
    const http = this.toHttp(request, token);
    const controller = new AbortController();
    const idle = new IdleTimer(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, controller);
    const headers: Record<string, string> = { ...http.headers };
    if (keepBody) headers['Accept'] = '*/*';
    let body: ReadableStream<Uint8Array> | undefined;
    if (file !== undefined) {
      const multipart = multipartBody(file.fields, { field: file.field, spooled: file.spooled });
      headers['Content-Type'] = multipart.contentType;
      headers['Content-Length'] = String(multipart.length);
      body = toReadableStream(multipart.chunks, () => idle.touch());
    }
    let outcome: RawOutcome;
    try {
      const response = await this.options.fetch(http.url, {
        method: http.method,
        headers,
        body: body ?? null,
        // [INF] A redirect would carry our credentials to wherever it points: it is an answer as is.
        redirect: 'manual',
        signal: controller.signal,
        // Node's fetch streams a request body only half-duplex (undici's `duplex` option).
        ...{ duplex: 'half' },
      });
      // [INF] v3 may say "error" in a 200 JSON envelope (errors.ts): JSON is read, never streamed.
      const isJson = /\bjson\b/i.test(response.headers.get('content-type') ?? '');
      const isFile = keepBody && response.ok && response.body !== null && !isJson;
      outcome = {
        kind: 'response',
        status: response.status,
        headers: response.headers,
        body: isFile ? '' : await response.text(),
        ...(isFile && response.body !== null ? { stream: response.body, idle } : {}),
      };
      if (!isFile) idle.stop();
    } catch (e: unknown) {
      idle.stop();
      const cause = ensureError(e);
      const isTimeout = cause.name === 'TimeoutError' || cause.name === 'AbortError';
      outcome = { kind: 'failure', reason: isTimeout ? 'timeout' : 'network', cause };
    }
    logger.debug(`${SERVICE} call`, {
      endpoint: request.endpoint,
      ...(outcome.kind === 'response'
        ? { status: outcome.status, requestId: outcome.headers.get('x-request-id') ?? undefined }
        : { failure: outcome.reason }),
      durationMs: clock.now().getTime() - started,
    });
    return outcome;
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
    const http = {
      tag: { endpoint: request.endpoint },
      method: request.method,
      url,
      headers,
      body,
    };
    if (request.isCreate === true) this.creates.add(http);
    return http;
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

/** Chunks as a web stream for fetch's body; `onChunk` sees each one go (progress for the timer). */
function toReadableStream(
  chunks: AsyncIterable<Uint8Array>,
  onChunk: () => void,
): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done === true) {
        controller.close();
        return;
      }
      onChunk();
      controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** A downloaded body, chunk by chunk; a stall past the timer or a broken connection is an UpstreamError. */
async function* readStream(
  stream: ReadableStream<Uint8Array>,
  idle: IdleTimer | undefined,
  endpoint: string,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (e: unknown) {
        throw new UpstreamError(SERVICE, `${endpoint} broke off while sending the file`, {
          cause: ensureError(e),
        });
      }
      if (next.done) return;
      idle?.touch();
      yield next.value;
    }
  } finally {
    idle?.stop();
    // The consumer may stop early: release the connection.
    await reader.cancel().catch(() => undefined);
  }
}
