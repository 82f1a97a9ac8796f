import { ConflictError } from '../errors.js';
import { holdsDecision, type QueueMessage, type ReviewSync } from '../model/queue-message.js';
import type { StoredReview } from '../ports/review-store.js';
import { type OpenReviewDeps, reviewAssetEvent } from './open-review.js';
import { recordLibraryEvent } from './record-library-event.js';
import { handleReviewRequested } from './request-review.js';
import { type SyncReviewDeps, syncReview } from './sync-review.js';
import { deliver, fanOut, fanOutSaved } from './webhooks.js';

export interface ProcessEventDeps extends SyncReviewDeps, OpenReviewDeps {
  /**
   * How long a review must have gone without new files before a sync that follows uploads writes its
   * task details and card (BATCH_WINDOW_SECONDS; 0 or unset: at once). The Functions host works up to
   * 16 messages side by side, so the last uploads of a batch can still be joining while the first
   * ones' syncs run; held back until the review is quiet, they all see the whole batch, written once.
   */
  readonly batchWindowMs?: number;
}

export type ProcessEventResult =
  | { readonly kind: 'duplicate'; readonly id: string }
  | { readonly kind: 'recorded'; readonly id: string }
  | {
      readonly kind: 'reviewed';
      readonly id: string;
      readonly reviewId: string;
      readonly opened: boolean;
    }
  | { readonly kind: 'synced'; readonly reviewId: string; readonly effects: number }
  /** Queued again to run once the review has gone quiet (`batchWindowMs`). */
  | { readonly kind: 'held'; readonly reviewId: string }
  | { readonly kind: 'requested'; readonly id: string; readonly assets: number }
  | { readonly kind: 'fannedOut'; readonly id: string; readonly deliveries: number }
  | { readonly kind: 'attempted'; readonly id: string; readonly outcome: string };

/**
 * The work of one events-queue message, already parsed (queue-failures.ts `settleQueueWork` parses
 * each delivery once): records each library event once and routes uploads and replacements to the
 * gallery's review (open-review.ts); `review.sync` brings Planner, Teams and PhotoShelter in line.
 */
export async function processEvent(
  deps: ProcessEventDeps,
  message: QueueMessage,
): Promise<ProcessEventResult> {
  switch (message.type) {
    case 'review.sync':
      return syncRequested(deps, message);
    case 'review.requested':
      return {
        kind: 'requested',
        id: message.id,
        assets: await handleReviewRequested(deps, message),
      };
    case 'webhook.fanout':
      return { kind: 'fannedOut', id: message.id, deliveries: await fanOut(deps, message) };
    case 'webhook.deliver':
      return { kind: 'attempted', id: message.id, outcome: await deliver(deps, message) };
    case 'gallery.shared': {
      const recorded = await recordLibraryEvent(deps, message);
      return { kind: recorded.kind === 'duplicate' ? 'duplicate' : 'recorded', id: message.id };
    }
    case 'asset.uploaded':
    case 'asset.replaced':
    case 'metadata.changed': {
      await recordLibraryEvent(deps, message);
      // A redelivered event still continues: the steps below are idempotent, and an earlier delivery
      // may have crashed after recording but before the review was saved.
      const reviewed = await reviewAssetEvent(deps, message);
      return reviewed === undefined
        ? { kind: 'recorded', id: message.id }
        : { kind: 'reviewed', id: message.id, ...reviewed };
    }
  }
}

async function syncRequested(
  deps: ProcessEventDeps,
  message: ReviewSync,
): Promise<ProcessEventResult> {
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
  deps: ProcessEventDeps,
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
  deps: ProcessEventDeps,
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
  deps: ProcessEventDeps,
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
