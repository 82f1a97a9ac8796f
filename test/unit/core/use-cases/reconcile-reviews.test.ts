import { describe, expect, it } from 'vitest';

import { decideReview } from '../../../../core/use-cases/decide-review.js';
import {
  lastReconcile,
  reconcileReviews,
  type ReconcileDeps,
} from '../../../../core/use-cases/reconcile-reviews.js';
import { InMemoryCursorStore } from '../../../doubles/in-memory-cursor-store.js';
import { ada, aReviewLoop, CHANNEL, type ReviewLoop } from './review-loop.js';

const minutes = (n: number) => n * 60_000;

/** A review opened and synced, then approved on its card (the sync that queued not yet run). */
async function anApprovedReview(loop: ReviewLoop) {
  const upload = loop.upload(loop.galleries.mediaDay);
  await loop.deliver(upload);
  const review = loop.onlyReviewOf(loop.galleries.mediaDay);
  await decideReview(loop.deps, review.id, {
    reviewerId: ada.id,
    verb: 'approve',
    cardVersion: review.cardVersion,
    source: 'teams',
  });
  return { review, upload };
}

/** A review opened and synced, then approved, with the sync that approval queued lost for good. */
async function anApprovalWhoseSyncWasLost(loop: ReviewLoop) {
  const approved = await anApprovedReview(loop);
  // Deleted by hand, or poisoned before transient failures were queued again: it never runs.
  for (const message of await loop.queue.receive(16, 30_000)) await loop.queue.complete(message);
  return approved;
}

function reconcileDeps(loop: ReviewLoop): ReconcileDeps {
  return { ...loop.deps, cursors: new InMemoryCursorStore() };
}

/** Three quiet minutes on, one sweep finds the one lagging review, and its sync runs. */
async function sweepOnceQuiet(loop: ReviewLoop) {
  loop.clock.advance(minutes(3));
  const deps = reconcileDeps(loop);
  expect(await reconcileReviews(deps)).toMatchObject({ lagging: 1, queued: 1 });
  await loop.drainQueue();
  return deps;
}

describe('reconcileReviews (nothing stays behind)', () => {
  it('queues a sync for a review whose task, card and PhotoShelter status lag it', async () => {
    const loop = aReviewLoop();
    const { review, upload } = await anApprovalWhoseSyncWasLost(loop);
    const deps = reconcileDeps(loop);
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('pending review');

    // Left alone while it is fresh: the sync for it may still be on its way.
    expect(await reconcileReviews(deps)).toMatchObject({ checked: 1, lagging: 0, queued: 0 });

    loop.clock.advance(minutes(3));
    expect(await reconcileReviews(deps)).toMatchObject({ checked: 1, lagging: 1, queued: 1 });
    expect(await lastReconcile(deps)).toMatchObject({ lagging: 1, sample: [review.id] });
    await loop.drainQueue();

    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('approved');
    const [task] = loop.board.tasks();
    expect(task?.percentComplete).toBe(100);
    expect(loop.cardsIn().map((c) => c.status)).toEqual(['approved']);
    expect(await reconcileReviews(deps)).toMatchObject({ lagging: 0, queued: 0 });
    expect(await lastReconcile(deps)).toMatchObject({ checked: 1, lagging: 0, sample: [] });
  });

  it('writes a decided review’s PhotoShelter status once more when it has been quiet, over a stalled older write', async () => {
    const loop = aReviewLoop();
    const { upload } = await anApprovedReview(loop);
    await loop.drainQueue();
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('approved');
    // A "pending review" write that timed out earlier lands now, over the approval.
    await loop.archive.setReviewStatus([upload.assetId], 'pending review');

    const deps = await sweepOnceQuiet(loop);
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('approved');
    expect(await reconcileReviews(deps)).toMatchObject({ lagging: 0, queued: 0 });
  });

  it('does the same for a review still open, over a stalled write of another status', async () => {
    const loop = aReviewLoop();
    const upload = loop.upload(loop.galleries.mediaDay);
    await loop.deliver(upload);
    await loop.archive.setReviewStatus([upload.assetId], 'approved');

    await sweepOnceQuiet(loop);
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('pending review');
  });

  it('leaves the images to a newer review of the gallery, and writes a quiet card once more over a late update', async () => {
    const loop = aReviewLoop();
    const { review, upload } = await anApprovedReview(loop);
    await loop.drainQueue();
    const [card] = loop.chat.posts(CHANNEL);
    const approvedCard = card?.card;
    // An update of the open card that stalled lands now, over the approved one.
    const firstVersion = loop.chat.post(card?.activityId ?? '').versions[0];
    await loop.chat.updateCard(CHANNEL, card?.activityId ?? '', firstVersion ?? {});
    // The image is replaced: the gallery's next review takes it over and marks it pending.
    loop.clock.advance(minutes(1));
    await loop.deliver(loop.replace(upload));
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('pending review');

    loop.clock.advance(minutes(3));
    await reconcileReviews(reconcileDeps(loop));
    await loop.drainQueue();
    // The approved review's card shows its decision again; the image keeps the newer review's status.
    expect(loop.chat.post(card?.activityId ?? '').card).toEqual(approvedCard);
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('pending review');
    expect(loop.reviews.reviewOf(review.id).status).toBe('approved');
  });

  it('queues a review that keeps lagging again only once its last sync had time to run', async () => {
    const loop = aReviewLoop();
    await anApprovalWhoseSyncWasLost(loop);
    const deps = reconcileDeps(loop);
    // Planner is down for the whole hour: the review lags every sweep.
    loop.board.outageUntil = new Date(loop.clock.now().getTime() + minutes(60));
    loop.clock.advance(minutes(3));

    const queued: number[] = [];
    for (let sweep = 0; sweep < 6; sweep += 1) {
      queued.push((await reconcileReviews(deps)).queued);
      loop.clock.advance(minutes(5));
    }
    // Every 15 minutes at most, not on each five-minute sweep.
    expect(queued).toEqual([1, 0, 0, 1, 0, 0]);
  });
});
