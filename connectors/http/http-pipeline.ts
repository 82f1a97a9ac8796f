import {
  DelegateBackoff,
  handleWhenResult,
  retry,
  TaskCancelledError,
  timeout,
  type TimeoutPolicy,
  TimeoutStrategy,
} from 'cockatiel';

import { ensureError, UpstreamError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';

// The one outbound HTTP pipeline of the connectors (PhotoShelter, Graph): a per-attempt timeout and a
// retry with backoff, jitter and Retry-After (cockatiel policies), one log line per attempt named by
// the call's tag. Each vendor brings its policy values, its retry rules, its auth and its errors.ts.

/** A hung upstream must not hold a poll or an invoke for ever; each attempt gets this long. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** Cap on one wait; a Retry-After longer than this is not waited out (the call fails instead). */
  readonly maxDelayMs: number;
}

/**
 * Names one outbound call in logs and errors, so calls can be counted per kind: the route template,
 * e.g. `GET /planner/tasks/:id`, never a URL (ids and UPNs are personal data; queries carry keys).
 */
export interface CallTag {
  readonly endpoint: string;
}

export interface HttpRequest {
  readonly tag: CallTag;
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** Bytes for uploads (a Preservica package part); kept, so a retry sends them again. */
  readonly body?: string | Uint8Array<ArrayBuffer> | undefined;
}

/** An answer (any status, body read), or no answer at all. Nothing is thrown for either. */
export type HttpOutcome =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly headers: Headers;
      readonly body: string;
    }
  | { readonly kind: 'failure'; readonly reason: 'network' | 'timeout'; readonly cause: Error };

export interface HttpPipelineOptions {
  /** Names the log lines: `<service> call`. */
  readonly service: string;
  /** Default: the global fetch, looked up on each call. */
  readonly fetch?: typeof fetch | undefined;
  /** Retry waits run on it, so a test's clock sees (and skips) them. */
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  /** Per attempt; the waits between attempts are not counted. Default DEFAULT_TIMEOUT_MS. */
  readonly timeoutMs?: number | undefined;
  /** For jitter; injectable so a test can pin it. */
  readonly random?: (() => number) | undefined;
  /** The vendor's word on whether repeating may help and is safe (throttling, idempotency). */
  readonly isRetryable: (outcome: HttpOutcome, request: HttpRequest) => boolean;
  /**
   * Adds up to `baseDelayMs` of random wait on top of a Retry-After, so clients throttled together
   * do not all come back at the same instant. Off: the Retry-After is waited exactly.
   */
  readonly jitterAfterRetryAfter: boolean;
  /** The header carrying the vendor's request id, logged with each attempt. */
  readonly requestIdHeader: string;
}

export type HttpFailure = HttpOutcome & { readonly kind: 'failure' };

/** A request that never got an answer: the connection dropped, or it ran past its timeout. */
export function noAnswerError(
  service: string,
  endpoint: string,
  failure: HttpFailure,
): UpstreamError {
  const what = failure.reason === 'timeout' ? 'timed out' : 'failed before an answer arrived';
  return new UpstreamError(service, `${endpoint} ${what}`, { cause: failure.cause });
}

/** What one attempt tells the retry: whether to go again, and the wait the service asked for. */
export interface Verdict {
  readonly retry: boolean;
  readonly retryAfterMs?: number | undefined;
  /** For the log line of the retry. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** `Retry-After`: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined | null, now: Date): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

export class HttpPipeline {
  private readonly timeoutPolicy: TimeoutPolicy;

  constructor(private readonly options: HttpPipelineOptions) {
    // Aggressive: the attempt ends at the deadline even if the body is still trickling in; the
    // signal handed to fetch aborts the socket behind it.
    this.timeoutPolicy = timeout(
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      TimeoutStrategy.Aggressive,
    );
  }

  /** Sends the request, each attempt under the timeout, repeating what the vendor calls retryable. */
  send(request: HttpRequest): Promise<HttpOutcome> {
    return this.repeat(
      request.tag,
      () => this.attempt(request),
      (outcome) => ({
        retry: this.options.isRetryable(outcome, request),
        retryAfterMs:
          outcome.kind === 'response'
            ? this.retryAfterMs(outcome.headers.get('retry-after'))
            : undefined,
        fields:
          outcome.kind === 'response' ? { status: outcome.status } : { reason: outcome.reason },
      }),
    );
  }

  /**
   * Runs `attempt` until `judge` says done, with exponential backoff and equal jitter or
   * Retry-After; a wait over `maxDelayMs` is not taken and the last result returns. The wait runs
   * on the injected clock: cockatiel's timer cannot be replaced, so it is handed a zero wait.
   */
  async repeat<T>(
    tag: CallTag,
    attempt: () => Promise<T>,
    judge: (result: T) => Verdict,
  ): Promise<T> {
    const { retry: policy, clock, logger, service } = this.options;
    let verdict: Verdict = { retry: false };
    let waitMs = 0;
    const retrying = retry(
      handleWhenResult(() => verdict.retry && (verdict.retryAfterMs ?? 0) <= policy.maxDelayMs),
      {
        maxAttempts: policy.maxAttempts - 1,
        backoff: new DelegateBackoff((context) => {
          waitMs = this.delayMs(context.attempt, verdict.retryAfterMs);
          return 0;
        }),
      },
    );
    return retrying.execute(async ({ attempt: retries }) => {
      if (retries > 0) {
        logger.warn(`${service} call failed; retrying`, {
          endpoint: tag.endpoint,
          attempt: retries,
          ...verdict.fields,
          delayMs: waitMs,
        });
        await clock.sleep(waitMs);
      }
      const result = await attempt();
      verdict = judge(result);
      return result;
    });
  }

  retryAfterMs(header: string | undefined | null): number | undefined {
    return parseRetryAfter(header, this.options.clock.now());
  }

  /** The wait before retry number `retry` (1 for the first). */
  private delayMs(retryNumber: number, retryAfterMs: number | undefined): number {
    const { retry: policy, jitterAfterRetryAfter } = this.options;
    const random = this.options.random ?? Math.random;
    if (retryAfterMs !== undefined) {
      // Retry-After is a floor, never cut short.
      return Math.round(
        jitterAfterRetryAfter ? retryAfterMs + random() * policy.baseDelayMs : retryAfterMs,
      );
    }
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retryNumber - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  /** One attempt, and its debug line: route template, status, request id, duration; never the URL, body or headers. */
  private async attempt(request: HttpRequest): Promise<HttpOutcome> {
    const { clock, logger, service, requestIdHeader } = this.options;
    const started = clock.now().getTime();
    let outcome: HttpOutcome;
    try {
      outcome = await this.timeoutPolicy.execute(({ signal }) => this.exchange(request, signal));
    } catch (e: unknown) {
      const cause = ensureError(e);
      // Not cockatiel's isTaskCancelledError: in 3.2.1 it tests for the bulkhead's marker instead.
      const isTimeout =
        e instanceof TaskCancelledError ||
        cause.name === 'TimeoutError' ||
        cause.name === 'AbortError';
      outcome = { kind: 'failure', reason: isTimeout ? 'timeout' : 'network', cause };
    }
    logger.debug(`${service} call`, {
      endpoint: request.tag.endpoint,
      ...(outcome.kind === 'response'
        ? {
            status: outcome.status,
            requestId: outcome.headers.get(requestIdHeader) ?? undefined,
          }
        : { failure: outcome.reason }),
      durationMs: clock.now().getTime() - started,
    });
    return outcome;
  }

  private async exchange(request: HttpRequest, signal: AbortSignal): Promise<HttpOutcome> {
    const send = this.options.fetch ?? globalThis.fetch;
    const response = await send(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      // [INF] A redirect would carry our credentials to wherever it points: it is an answer as is.
      redirect: 'manual',
      signal,
    });
    return {
      kind: 'response',
      status: response.status,
      headers: response.headers,
      body: await response.text(),
    };
  }
}
