import { describe, expect, it } from 'vitest';

import {
  ConflictError,
  RateLimitedError,
  UpstreamError,
  ValidationError,
} from '../../../../core/errors.js';
import { decideReview } from '../../../../core/use-cases/decide-review.js';
import { aReviewLoop, ada, ben, CHANNEL, PLAN_ID, type ReviewLoop } from './review-loop.js';

/** Delivers a message the way the queue does: a worker that fails on a conflict gets it again. */
async function deliverUntilHandled(loop: ReviewLoop, message: unknown, attempts = 5) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await loop.deliver(message);
    } catch (e: unknown) {
      if (!(e instanceof ConflictError) || attempt >= attempts) throw e;
    }
  }
}

describe('processEvent', () => {
  it('opens a review for a routed upload: one task, one card, the status in PhotoShelter, audited', async () => {
    const loop = aReviewLoop();
    const upload = loop.upload(loop.galleries.mediaDay, { fileName: 'kickoff.jpg' });

    const result = await loop.deliver(upload);

    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    expect(result).toEqual({ kind: 'reviewed', id: upload.id, reviewId: review.id, opened: true });
    expect(review).toMatchObject({
      galleryName: 'Media Day',
      rule: 'Athletics',
      status: 'pending',
      round: 1,
      cardVersion: 1,
      approval: 'any',
      reviewers: [ada, ben],
      assets: [{ assetId: upload.assetId, fileName: 'kickoff.jpg' }],
      dueAt: '2026-11-24T09:00:00.000Z',
      teams: { conversation: CHANNEL },
    });

    const [task, ...otherTasks] = loop.board.tasks();
    expect(otherTasks).toEqual([]);
    expect(task).toMatchObject({
      taskId: review.planner.taskId,
      planId: PLAN_ID,
      bucketName: 'To review',
      title: 'Review: Media Day',
      percentComplete: 0,
      assigneeIds: [ada.id, ben.id],
      priority: 3,
      labels: ['category1'],
      dueAt: review.dueAt,
    });
    const details = loop.board.detailsOf(task?.taskId ?? '');
    expect(details.references).toEqual([
      { url: review.galleryUrl, alias: 'PhotoShelter: Media Day' },
      { url: `https://lightdesk.example.com/reviews/${review.id}`, alias: 'Lightdesk review' },
    ]);
    expect(details.checklist.map((c) => [c.title, c.isChecked])).toEqual([
      ['Check captions and credits', false],
      ['Check model releases', false],
      ['Pick the hero image', false],
    ]);

    expect(loop.chat.posts()).toHaveLength(1);
    expect(loop.chat.posts()[0]?.activityId).toBe(review.teams.activityId);
    expect(loop.cardsIn(CHANNEL)).toEqual([
      expect.objectContaining({
        kind: 'shared',
        reviewId: review.id,
        cardVersion: 1,
        status: 'pending',
        assetIds: [upload.assetId],
        taskUrl: `https://tasks.office.com/contoso.onmicrosoft.com/Home/Task/${task?.taskId ?? ''}`,
        refreshUserIds: ['29:1mri-' + ada.id, '29:1mri-' + ben.id],
      }),
    ]);

    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('pending review');
    expect(loop.auditKinds()).toEqual([
      'asset.uploaded',
      'review.opened',
      'planner.task.created',
      'planner.details.written',
      'photoshelter.status.written',
      'teams.card.posted',
    ]);
  });

  it('adds a second upload to the open review of the gallery, updating its task and card', async () => {
    const loop = aReviewLoop();
    const first = loop.upload(loop.galleries.mediaDay);
    await loop.deliver(first);
    const opened = loop.onlyReviewOf(loop.galleries.mediaDay);

    const second = loop.upload(loop.galleries.mediaDay);
    const result = await loop.deliver(second);

    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    expect(result).toMatchObject({ kind: 'reviewed', reviewId: opened.id, opened: false });
    expect(review.assets.map((a) => a.assetId)).toEqual([first.assetId, second.assetId]);
    expect(review.cardVersion).toBe(2);
    expect(loop.board.tasks()).toHaveLength(1);
    expect(loop.board.detailsOf(review.planner.taskId ?? '').description).toMatch(
      /^2 images from the PhotoShelter gallery "Media Day"/,
    );
    const [post, ...otherPosts] = loop.chat.posts();
    expect(otherPosts).toEqual([]);
    expect(post?.versions).toHaveLength(2);
    expect(loop.cardsIn()).toEqual([
      expect.objectContaining({ cardVersion: 2, assetIds: [first.assetId, second.assetId] }),
    ]);
    expect(loop.archive.reviewStatusOf(second.assetId)).toBe('pending review');
  });

  it('only records an upload no rule routes', async () => {
    const loop = aReviewLoop();
    const upload = loop.upload(loop.galleries.logos);

    const result = await loop.deliver(upload);

    expect(result).toEqual({ kind: 'recorded', id: upload.id });
    expect(loop.reviews.all()).toEqual([]);
    expect(loop.board.tasks()).toEqual([]);
    expect(loop.chat.posts()).toEqual([]);
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBeNull();
    expect(loop.auditKinds()).toEqual(['asset.uploaded']);
  });

  it('handles the same event delivered three times as once', async () => {
    const loop = aReviewLoop();
    const upload = loop.upload(loop.galleries.mediaDay);

    await loop.deliver(upload);
    await loop.deliver(structuredClone(upload));
    await loop.deliver(structuredClone(upload));

    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    expect(review.assets).toHaveLength(1);
    expect(review.cardVersion).toBe(1);
    expect(loop.board.tasks()).toHaveLength(1);
    expect(loop.chat.posts()).toHaveLength(1);
    expect(loop.chat.posts()[0]?.versions).toHaveLength(1);
    expect(loop.auditKinds().filter((k) => k === 'asset.uploaded')).toHaveLength(1);
  });

  it('does not review an image again when its event comes back after the review was decided', async () => {
    const loop = aReviewLoop();
    const upload = loop.upload(loop.galleries.mediaDay);
    // The first delivery saves the review and its task, then Teams asks us to slow down.
    loop.chat.failNextPost = new RateLimitedError('teams', 1_000);
    await expect(loop.deliver(upload)).rejects.toThrow(RateLimitedError);
    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    await decideReview(loop.deps, review.id, {
      reviewerId: ada.id,
      verb: 'approve',
      source: 'api',
    });
    loop.clock.advance(2 * 60_000);
    await loop.drainQueue();
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('approved');

    const result = await loop.deliver(upload);

    expect(result).toMatchObject({ kind: 'reviewed', reviewId: review.id, opened: false });
    expect(loop.reviews.all()).toHaveLength(1);
    expect(loop.board.tasks()).toHaveLength(1);
    expect(loop.chat.posts()).toHaveLength(1);
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('approved');
  });

  it('puts two uploads handled at the same moment into one review', async () => {
    const loop = aReviewLoop();
    const first = loop.upload(loop.galleries.mediaDay);
    const second = loop.upload(loop.galleries.mediaDay);

    await Promise.all([deliverUntilHandled(loop, first), deliverUntilHandled(loop, second)]);

    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    expect(review.assets.map((a) => a.assetId).sort()).toEqual(
      [first.assetId, second.assetId].sort(),
    );
    expect(loop.board.tasks()).toHaveLength(1);
    expect(loop.chat.posts()).toHaveLength(1);
    // Whatever the interleaving, the card and the task end up showing both images.
    expect(loop.cardsIn()).toEqual([
      expect.objectContaining({ cardVersion: review.cardVersion, assetIds: expect.any(Array) }),
    ]);
    expect(loop.cardsIn()[0]?.assetIds).toHaveLength(2);
    expect(loop.board.detailsOf(review.planner.taskId ?? '').description).toMatch(/^2 images/);
    expect(loop.archive.reviewStatusOf(first.assetId)).toBe('pending review');
    expect(loop.archive.reviewStatusOf(second.assetId)).toBe('pending review');
  });

  it('refuses a malformed message, naming the field, and stores nothing', async () => {
    const loop = aReviewLoop();
    const upload = loop.upload(loop.galleries.mediaDay);

    const delivery = loop.deliver({ ...upload, galleryId: 'not-a-gallery' });

    await expect(delivery).rejects.toThrow(ValidationError);
    await expect(loop.deliver({ type: 'asset.teleported' })).rejects.toThrow(/type/);
    await expect(loop.deliver({ ...upload, galleryId: 'not-a-gallery' })).rejects.toThrow(
      /galleryId/,
    );
    expect(loop.reviews.all()).toEqual([]);
    expect(loop.ledger.records.size).toBe(0);
    expect(loop.audit.entries).toEqual([]);
    expect(loop.board.calls).toEqual([]);
  });

  it('only syncs on a review.sync message, finishing what an earlier delivery could not', async () => {
    const loop = aReviewLoop();
    const upload = loop.upload(loop.galleries.mediaDay);
    loop.board.failNextCreate = new UpstreamError('planner', 'service unavailable', {
      status: 503,
    });
    await expect(loop.deliver(upload)).rejects.toThrow(UpstreamError);
    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    expect(loop.board.tasks()).toEqual([]);
    // Planner being down held up neither PhotoShelter nor the card (posted without a task link).
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('pending review');
    expect(loop.chat.posts()).toHaveLength(1);
    const audited = loop.audit.entries.length;

    // The failed create freed its key at once: the sync asked for right after makes the task.
    const result = await loop.deliver({
      type: 'review.sync',
      id: `review.sync:${review.id}:v1`,
      reviewId: review.id,
      reason: 'retry',
    });

    expect(result).toMatchObject({ kind: 'synced', reviewId: review.id });
    expect(loop.reviews.all()).toHaveLength(1);
    expect(loop.board.tasks()).toHaveLength(1);
    expect(loop.chat.posts()).toHaveLength(1);
    // Only what was missing: the task, its details, and the card again, now with the task's link.
    expect(loop.audit.entries.slice(audited).map((e) => e.kind)).toEqual([
      'planner.task.created',
      'planner.details.written',
      'teams.card.updated',
    ]);
  });
});
