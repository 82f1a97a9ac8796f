import type { QueueMessage } from '../model/queue-message.js';
import { type OpenReviewDeps, reviewAssetEvent } from './open-review.js';
import { handleProofEvent, type ProofEventDeps, type ProofEventResult } from './proof-event.js';
import { handlePreservationCheck, handlePreservicaEvent } from './preserve-review.js';
import { recordLibraryEvent } from './record-library-event.js';
import { handleReviewRequested } from './request-review.js';
import {
  type SyncRequestedDeps,
  type SyncRequestedResult,
  syncRequested,
} from './sync-requested.js';
import { syncReview } from './sync-review.js';
import { deliver, fanOut } from './webhooks.js';

export interface ProcessEventDeps extends SyncRequestedDeps, OpenReviewDeps, ProofEventDeps {}

export type ProcessEventResult =
  | SyncRequestedResult
  | ProofEventResult
  | { readonly kind: 'duplicate'; readonly id: string }
  | { readonly kind: 'recorded'; readonly id: string }
  | {
      readonly kind: 'reviewed';
      readonly id: string;
      readonly reviewId: string;
      readonly opened: boolean;
    }
  | { readonly kind: 'requested'; readonly id: string; readonly assets: number }
  | { readonly kind: 'fannedOut'; readonly id: string; readonly deliveries: number }
  | { readonly kind: 'attempted'; readonly id: string; readonly outcome: string }
  | {
      readonly kind: 'preservation';
      readonly id: string;
      /** The reviews whose ingest settled, and were synced (card, Planner, PhotoShelter). */
      readonly settled: readonly string[];
    };

/**
 * The work of one parsed events-queue message: records library events once, routes uploads and
 * replacements to the gallery's review (open-review.ts), and runs `review.sync`
 * (sync-requested.ts).
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
    case 'ziflow.event':
      return handleProofEvent(deps, message);
    case 'preservica.check': {
      const outcome = await handlePreservationCheck(deps, message);
      const settled = outcome === 'preserved' || outcome === 'failed' ? [message.reviewId] : [];
      for (const reviewId of settled) await syncReview(deps, reviewId);
      return { kind: 'preservation', id: message.id, settled };
    }
    case 'preservica.event': {
      const settled = await handlePreservicaEvent(deps, message);
      for (const reviewId of settled) await syncReview(deps, reviewId);
      return { kind: 'preservation', id: message.id, settled };
    }
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
