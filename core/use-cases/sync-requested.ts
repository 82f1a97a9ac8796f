import { ConflictError } from '../errors.js';
import { holdsDecision, type ReviewSync } from '../model/queue-message.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { StoredReview } from '../ports/review-store.js';
import { type SyncReviewDeps, syncReview } from './sync-review.js';
import { fanOutSaved, type WebhookDeps } from './webhooks.js';

export interface SyncRequestedDeps extends SyncReviewDeps, WebhookDeps {
  readonly queue: EventQueue;
  /**
   * How long a review must be free of new files before an upload's sync writes details and card
   * (BATCH_WINDOW_SECONDS; 0/unset: at once), so a batch joined side by side is written once.
   */
  readonly batchWindowMs?: number;
}

export type SyncRequestedResult =
  | { readonly kind: 'synced'; readonly reviewId: string; readonly effects: number }
  /** Queued again to run once the review has gone quiet (`batchWindowMs`). */
  | { readonly kind: 'held'; readonly reviewId: string };

/**
 * A `review.sync` message: once its save has landed and the batch window passed, the decision it
 * carries is audited and announced, then task, card and PhotoShelter status follow
 * (sync-review.ts).
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
 * Whether the save a sync was queued ahead of has landed. Not yet, and asked recently: the message
 * comes back later. Never: dropped (whoever saved instead queued their own).
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
 * Whether an upload's sync is queued again because the review changed within the batch window,
 * rather than holding a worker while the batch joins.
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
 * The audit entry and announcement of the decision a sync follows, once it is found stored; keyed,
 * so redeliveries add nothing. Done before the sync: a Planner outage must not hold them up.
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
