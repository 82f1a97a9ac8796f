import type { Context, Middleware } from '@microsoft/microsoft-graph-client';

import { ensureError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import { CallTag } from './call-tag.js';
import { parseRetryAfter } from './errors.js';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** Cap on one wait; a Retry-After longer than this is not waited out (the call fails instead). */
  readonly maxDelayMs: number;
  /** Per attempt; an attempt that runs longer is abandoned as a dropped connection. */
  readonly timeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  timeoutMs: 30_000,
};

export interface GraphRetryHandlerOptions {
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  /** For jitter; injectable so a test can pin it. */
  readonly random?: () => number;
}

/** Throttled or briefly unavailable: the request was not processed, so any method may repeat. */
const NOT_PROCESSED = new Set([429, 503]);
/** May have been processed: only a method that is safe to repeat tries again. */
const MAYBE_PROCESSED = new Set([502, 504]);

/**
 * Graph's one retry policy (STYLE rule 10), in place of the library's RetryHandler, whose waits are
 * a private `setTimeout` that an injected Clock cannot replace (so a test would really sleep through
 * every Retry-After) and whose ceiling is 180 s, longer than a queue-triggered function should hold.
 *
 * 429 and 503 wait `Retry-After` exactly when Graph sends it, else back off exponentially with jitter
 * (https://learn.microsoft.com/graph/throttling). A Retry-After beyond `maxDelayMs`, or running out of
 * attempts, hands the last answer back, which becomes RateLimitedError with its retryAfterMs so the
 * caller (a timer or queue) can come back later. 502/504 and dropped connections are repeated only for
 * GET and PATCH/DELETE with If-Match, which cannot apply twice: a POST that may have been applied is
 * not repeated (a create would make a twin task; the core reconciles with findTaskByReference).
 */
export class GraphRetryHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly options: GraphRetryHandlerOptions) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const next = this.next;
    if (next === undefined) return;
    const { policy, clock, logger } = this.options;
    const tag = CallTag.of(context);
    const method = (tag?.method ?? context.options?.method ?? 'GET').toUpperCase();
    const isRepeatable = method === 'GET' || method === 'PATCH' || method === 'DELETE';

    for (let attempt = 1; ; attempt += 1) {
      // A fresh timeout for every attempt; the waits between attempts are not counted against it.
      context.options = {
        ...context.options,
        redirect: 'manual', // [INF] a redirect would carry our token to wherever it points
        signal: AbortSignal.timeout(policy.timeoutMs),
      };
      let status: number | undefined;
      try {
        await next.execute(context);
        status = context.response?.status;
      } catch (e: unknown) {
        if (!isRepeatable || attempt >= policy.maxAttempts) throw e;
        const delayMs = this.backoff(attempt);
        logger.warn('graph call failed before an answer; retrying', {
          endpoint: tag?.endpoint,
          attempt,
          reason: ensureError(e).name,
          delayMs,
        });
        await clock.sleep(delayMs);
        continue;
      }
      if (status === undefined) return;
      const isRetryable =
        NOT_PROCESSED.has(status) || (MAYBE_PROCESSED.has(status) && isRepeatable);
      if (!isRetryable || attempt >= policy.maxAttempts) return;

      const retryAfterMs = parseRetryAfter(
        context.response?.headers.get('retry-after'),
        clock.now(),
      );
      if (retryAfterMs !== undefined && retryAfterMs > policy.maxDelayMs) return;
      // Retry-After is the service's word: wait exactly that. Without one, back off with jitter.
      const delayMs = retryAfterMs ?? this.backoff(attempt);
      logger.warn('graph call throttled or unavailable; retrying', {
        endpoint: tag?.endpoint,
        attempt,
        status,
        delayMs,
      });
      // The answer we are discarding still holds a body stream; release it.
      await context.response?.body?.cancel().catch(() => undefined);
      await clock.sleep(delayMs);
    }
  }

  /** Exponential with equal jitter: half fixed, half random, capped. */
  backoff(attempt: number): number {
    const { policy } = this.options;
    const random = this.options.random ?? Math.random;
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }
}
