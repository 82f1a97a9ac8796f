import { ConflictError } from '../errors.js';
import { holdsDecision, type ReviewSync } from '../model/queue-message.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { StoredReview } from '../ports/review-store.js';
import { type SyncReviewDeps, syncReview } from './sync-review.js';
import { fanOutSaved, type WebhookDeps } from './webhooks.js';

export interface SyncRequestedDeps extends SyncReviewDeps, WebhookDeps {
  readonly queue: EventQueue;
  /**
   * How long a review must have gone without new files before a sync that follows uploads writes its
   * task details and card (BATCH_WINDOW_SECONDS; 0 or unset: at once). The Functions host works up to
   * 16 messages side by side, so the last uploads of a batch can still be joining while the first
   * ones' syncs run; held back until the review is quiet, they all see the whole batch, written once.
   */
  readonly batchWindowMs?: number;
}

export type SyncRequestedResult =
  | { readonly kind: 'synced'; readonly reviewId: string; readonly effects: number }
  /** Queued again to run once the review has gone quiet (`batchWindowMs`). */
  | { readonly kind: 'held'; readonly reviewId: string };

/**
 * A `review.sync` message: once the save it follows has landed and the batch window has passed,
 * the decision it carries is put on the audit trail and announced, and the review's task, card and
 * PhotoShelter status are brought in line (sync-review.ts).
 */
export async function syncRequested(
  deps: SyncRequestedDeps,
  message: ReviewSync,
): Promise<SyncRequestedResult> {
  const stored = await deps.reviews.get(message.reviewId);
  if (!isVersionSaved(deps, message, stored)) {
    return { kind: 'synced', reviewId: message.reviewId, effects: 0 };
  }
  if (await heldForBatch(deps, message, stored)) {
    return { kind: 'held', reviewId: message.reviewId };
  }
  await followDecision(deps, message, stored);
  const result = await syncReview(deps, message.reviewId);
  return { kind: 'synced', reviewId: message.reviewId, effects: result.effects.length };
}

/** How long a sync queued ahead of its save waits for it (the save follows within milliseconds). */
const SAVE_WINDOW_MS = 60_000;

/**
 * Whether the save a sync was queued ahead of has landed, given the review as stored now. Not yet, and
 * asked a moment ago: the message comes back after its visibility timeout. Never: the request is
 * dropped (whoever saved instead queued their own).
 */
function isVersionSaved(
  deps: SyncRequestedDeps,
  message: ReviewSync,
  stored: StoredReview | undefined,
): boolean {
  if (message.atLeastVersion === undefined) return true;
  if (stored !== undefined && stored.review.cardVersion >= message.atLeastVersion) return true;
  const age = deps.clock.now().getTime() - Date.parse(message.requestedAt ?? '');
  if (!(age >= SAVE_WINDOW_MS)) {
    throw new ConflictError(
      `card version ${message.atLeastVersion} of ${message.reviewId} is not saved yet`,
    );
  }
  deps.logger.info('review sync dropped: the version it followed was never saved', {
    reviewId: message.reviewId,
    version: message.atLeastVersion,
  });
  return false;
}

/** A gallery that keeps receiving files is still synced after this many windows. */
const MAX_HELD_WINDOWS = 5;

/**
 * Whether a sync that follows uploads is queued again for later, because the review changed less than
 * the batch window ago: rather than hold a worker while the batch's other uploads join (the Functions
 * host has only so many per instance), its message comes back once the window has passed.
 */
async function heldForBatch(
  deps: SyncRequestedDeps,
  message: ReviewSync,
  stored: StoredReview | undefined,
): Promise<boolean> {
  const windowMs = deps.batchWindowMs ?? 0;
  const followsUploads = message.atLeastVersion === undefined && message.decision === undefined;
  if (windowMs <= 0 || !followsUploads || stored === undefined) return false;
  const now = deps.clock.now();
  const quietMs = now.getTime() - Date.parse(stored.review.updatedAt);
  const heldSince = message.heldSince ?? now.toISOString();
  const heldMs = now.getTime() - Date.parse(heldSince);
  if (quietMs >= windowMs || heldMs >= MAX_HELD_WINDOWS * windowMs) return false;
  await deps.queue.enqueue({ ...message, heldSince }, { delayMs: windowMs - quietMs });
  return true;
}

/**
 * The audit entry and announcement of the decision a sync follows, once that decision is found in its
 * place in the review's history. Both are keyed, so a redelivered message appends and announces
 * nothing new. Before the sync itself: Planner being down must not hold up the trail or subscribers.
 */
async function followDecision(
  deps: SyncRequestedDeps,
  message: ReviewSync,
  stored: StoredReview | undefined,
): Promise<void> {
  const { decision } = message;
  if (decision === undefined) return;
  if (stored === undefined || !holdsDecision(stored.review, decision)) {
    deps.logger.info('decision follow-ups dropped: another decision was saved in its place', {
      reviewId: message.reviewId,
      decision: decision.number,
    });
    return;
  }
  if (message.audit !== undefined) {
    await deps.audit.append({
      ...message.audit,
      key: `review.decided:${message.reviewId}:d${decision.number}`,
    });
  }
  if (message.announce !== undefined) await fanOutSaved(deps, message.announce);
}
