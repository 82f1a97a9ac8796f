import { describe, expect, it } from 'vitest';

import { decideReview } from '../../../../core/use-cases/decide-review.js';
import { syncPlanner } from '../../../../core/use-cases/sync-planner.js';
import { aReviewLoop, ada, pam, PLAN_ID } from './review-loop.js';

/** A review of one upload to Media Day, opened with its task and card; the PM's board. */
async function anOpenReview(options: Parameters<typeof aReviewLoop>[0] = {}) {
  const loop = aReviewLoop(options);
  const upload = loop.upload(loop.galleries.mediaDay);
  await loop.deliver(upload);
  const review = loop.onlyReviewOf(loop.galleries.mediaDay);
  return { loop, review, taskId: review.planner.taskId ?? '', assetId: upload.assetId };
}

describe('syncPlanner', () => {
  it('leaves a task moved to a bucket of no decision alone, and makes no decision buckets', async () => {
    const { loop, review, taskId } = await anOpenReview();
    loop.board.moveAsPm(taskId, 'Waiting for the client');

    const result = await syncPlanner(loop.deps);

    expect(result.decided).toEqual([]);
    expect(loop.onlyReviewOf(loop.galleries.mediaDay).status).toBe('pending');
    for (const name of Object.values(review.route.buckets)) {
      expect(loop.board.bucketIdOf(PLAN_ID, name), name).toBeUndefined();
    }
  });

  it('takes a task completed in Planner as an approval, and the loop follows', async () => {
    const { loop, review, taskId, assetId } = await anOpenReview({
      athletics: { approval: 'all' },
    });
    loop.clock.advance(10 * 60_000);
    loop.board.completeAsPm(taskId, pam.id);

    const result = await syncPlanner(loop.deps);

    expect(result).toEqual({
      plans: 1,
      reviewsChecked: 1,
      decided: [{ reviewId: review.id, verb: 'approve' }],
    });
    const decided = loop.reviews.reviewOf(review.id);
    expect(decided.status).toBe('approved');
    expect(decided.decisions).toEqual([
      expect.objectContaining({ reviewerId: pam.id, verb: 'approve', source: 'planner' }),
    ]);

    await loop.drainQueue();

    expect(loop.archive.reviewStatusOf(assetId)).toBe('approved');
    expect(loop.cardsIn()).toEqual([
      expect.objectContaining({ status: 'approved', cardVersion: decided.cardVersion }),
    ]);
    expect(loop.board.task(taskId)).toMatchObject({
      bucketName: 'Approved',
      percentComplete: 100,
      completedBy: pam.id,
    });
  });

  it('takes a task moved to the Archived bucket as archiving', async () => {
    const { loop, review, assetId } = await anOpenReview();
    loop.board.moveAsPm(review.planner.taskId ?? '', 'Archived');

    const result = await syncPlanner(loop.deps);
    await loop.drainQueue();

    expect(result.decided).toEqual([{ reviewId: review.id, verb: 'archive' }]);
    expect(loop.reviews.reviewOf(review.id).status).toBe('archived');
    expect(loop.archive.reviewStatusOf(assetId)).toBe('archived');
    expect(loop.archive.galleryState(loop.galleries.mediaDay).visibility).toBe('private');
  });

  it('takes a task moved to the Re-review bucket as a re-review, with a comment saying so', async () => {
    const { loop, review, taskId, assetId } = await anOpenReview();
    loop.board.moveAsPm(taskId, 'Re-review');

    const result = await syncPlanner(loop.deps);
    await loop.drainQueue();

    expect(result.decided).toEqual([{ reviewId: review.id, verb: 'rereview' }]);
    const stored = loop.reviews.reviewOf(review.id);
    expect(stored.status).toBe('rereview');
    expect(stored.decisions.at(-1)).toMatchObject({
      verb: 'rereview',
      source: 'planner',
      comment: 'Moved to "Re-review" in Planner',
    });
    expect(loop.archive.reviewStatusOf(assetId)).toBe('re-review');
    expect(loop.board.task(taskId)).toMatchObject({ bucketName: 'Re-review', percentComplete: 50 });

    // The board now agrees with the review: the next pass decides nothing more.
    expect((await syncPlanner(loop.deps)).decided).toEqual([]);
    expect(loop.reviews.reviewOf(review.id).decisions).toHaveLength(1);
  });

  it('decides nothing when nothing moved in Planner', async () => {
    const { loop, review } = await anOpenReview();
    const writes = loop.reviews.writeCount;

    const result = await syncPlanner(loop.deps);

    expect(result).toEqual({ plans: 1, reviewsChecked: 1, decided: [] });
    expect(loop.reviews.writeCount).toBe(writes);
    expect(loop.reviews.reviewOf(review.id).decisions).toEqual([]);
    expect(
      loop.queue.messages.filter(
        (m) => m.type === 'review.sync' && m.reason.startsWith('decision'),
      ),
    ).toEqual([]);
  });

  it('leaves closed reviews alone, whatever happens to their tasks', async () => {
    const { loop, review, taskId } = await anOpenReview();
    await decideReview(loop.deps, review.id, {
      reviewerId: ada.id,
      verb: 'approve',
      cardVersion: 1,
      source: 'teams',
    });
    await loop.drainQueue();
    const sent = loop.queue.messages.length;
    loop.board.moveAsPm(taskId, 'Archived');

    const result = await syncPlanner(loop.deps);

    expect(result).toEqual({ plans: 0, reviewsChecked: 0, decided: [] });
    expect(loop.reviews.reviewOf(review.id).status).toBe('approved');
    expect(loop.queue.messages).toHaveLength(sent);
    expect(loop.board.callsOf('listPlanTasks')).toEqual([]);
  });

  it('reads each plan once for all its open reviews', async () => {
    const { loop } = await anOpenReview();
    const tennis = loop.archive.addGallery({
      name: 'Tennis Final',
      collectionId: loop.collections.athletics,
    });
    await loop.deliver(loop.upload(tennis));

    const result = await syncPlanner(loop.deps);

    expect(result).toEqual({ plans: 1, reviewsChecked: 2, decided: [] });
    expect(loop.board.callsOf('listPlanTasks')).toEqual([
      { method: 'listPlanTasks', subject: PLAN_ID },
    ]);
  });
});
