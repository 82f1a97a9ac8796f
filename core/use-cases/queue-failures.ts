import { z } from 'zod';

import {
  AppError,
  ConflictError,
  isTransient,
  RateLimitedError,
  ValidationError,
} from '../errors.js';
import { parseQueueMessage, type QueueMessage } from '../model/queue-message.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { Logger } from '../ports/logger.js';

// What becomes of a failed queue message: the host's redeliver-then-poison would spend a good
// message's deliveries on an outage and poison a hopeless one without a reason (docs/decisions.md
// "Outages").

/** Delay before the first retry of a transient failure; each next one waits twice as long. */
const FIRST_RETRY_MS = 5_000;
/** However long an outage lasts, work is looked at again at least this often. */
const MAX_RETRY_MS = 60 * 60_000;
/** A lost race (an effect another worker holds, a save not landed yet) is looked at again soon. */
const MAX_RACE_DELAY_MS = 20_000;
/** Azure Queue Storage hides a new message for at most 7 days; throttling asks for far less. */
const MAX_THROTTLE_DELAY_MS = 15 * 60_000;
/**
 * About two days of hourly tries: a failure that "may pass by itself" and has not by then needs a
 * person (it is poisoned with its reason, and replayed once fixed).
 */
export const MAX_TRANSIENT_RETRIES = 56;

export type FailureVerdict =
  /** Queue it again as a new message, after `delayMs`: its deliveries start from zero. */
  | { readonly kind: 'again'; readonly retries: number; readonly delayMs: number }
  /** It can never succeed as it is: on the poison queue with the reason, for a person. */
  | { readonly kind: 'poison'; readonly reason: string }
  /** Not understood (a bug, an unexpected error): let the host deliver it again, as before. */
  | { readonly kind: 'rethrow' };

const retriesSchema = z.object({ retries: z.number().int().min(0).max(10_000) });

/** How many times a message was queued again after transient failures (0 for a first delivery). */
export function retriesOf(message: unknown): number {
  const parsed = retriesSchema.safeParse(message);
  return parsed.success ? parsed.data.retries : 0;
}

const describe = (error: Error): string =>
  error instanceof AppError ? `${error.code}: ${error.message}` : error.name;

/** Decides what becomes of a message whose work threw `error`, after `retries` transient retries. */
export function judgeFailure(error: unknown, retries: number): FailureVerdict {
  if (error instanceof ValidationError) return { kind: 'poison', reason: describe(error) };
  if (isTransient(error)) {
    if (retries >= MAX_TRANSIENT_RETRIES) {
      return {
        kind: 'poison',
        reason: `still failing after ${retries} retries: ${describe(error as Error)}`,
      };
    }
    const backoffMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(retries, 20));
    const delayMs =
      error instanceof RateLimitedError
        ? Math.min(MAX_THROTTLE_DELAY_MS, Math.max(1_000, error.retryAfterMs))
        : error instanceof ConflictError
          ? // A race is over in moments, however often this message was throttled before.
            Math.min(MAX_RACE_DELAY_MS, backoffMs)
          : backoffMs;
    return { kind: 'again', retries: retries + 1, delayMs };
  }
  // A refusal that will not change by itself (4xx, missing permission, configuration).
  if (error instanceof AppError) return { kind: 'poison', reason: describe(error) };
  return { kind: 'rethrow' };
}

/** What a queue worker needs to queue a message again or poison it. */
export interface QueueFailureDeps {
  readonly queue: EventQueue;
  readonly logger: Logger;
}

export type QueueWorkOutcome<T> =
  | { readonly kind: 'done'; readonly result: T }
  | { readonly kind: 'again'; readonly retries: number; readonly delayMs: number }
  | { readonly kind: 'poisoned'; readonly reason: string };

/**
 * Parses a delivery once and runs its work, settling a failure as `judgeFailure` says: queued again
 * as a new message, or poisoned with its reason. Unknown errors are thrown for the host to
 * redeliver.
 */
export async function settleQueueWork<T>(
  deps: QueueFailureDeps,
  message: unknown,
  work: (parsed: QueueMessage) => Promise<T>,
): Promise<QueueWorkOutcome<T>> {
  let parsed: QueueMessage | undefined;
  try {
    parsed = parseQueueMessage(message);
    return { kind: 'done', result: await work(parsed) };
  } catch (e: unknown) {
    const verdict = judgeFailure(e, retriesOf(message));
    const id = parsed?.id;
    if (verdict.kind === 'again' && parsed !== undefined) {
      await deps.queue.enqueue(Object.assign({}, parsed, { retries: verdict.retries }), {
        delayMs: verdict.delayMs,
      });
      deps.logger.warn('message failed for now; queued again', {
        id,
        retries: verdict.retries,
        delayMs: verdict.delayMs,
        error: e instanceof Error ? e.name : 'unknown',
      });
      return verdict;
    }
    if (verdict.kind === 'poison') {
      await deps.queue.poison(message, verdict.reason);
      deps.logger.error('message moved to the poison queue', { id, reason: verdict.reason });
      return { kind: 'poisoned', reason: verdict.reason };
    }
    throw e;
  }
}
