import { describe, expect, it } from 'vitest';

import { ConflictError, NotFoundError, UpstreamError } from '../../../../core/errors.js';
import type { DecisionRequest } from '../../../../core/model/review.js';
import { decideReview } from '../../../../core/use-cases/decide-review.js';
import { parseQueueMessage } from '../../../../core/model/queue-message.js';
import { processEvent } from '../../../../core/use-cases/process-event.js';
import { RecentReviewsCache } from '../../../../composition/recent-reviews.js';
import { cardView } from '../../../doubles/json-review-cards.js';
import {
  aReviewLoop,
  ada,
  ben,
  pam,
  type ReviewLoop,
  type ReviewLoopOptions,
} from './review-loop.js';

/** A review of two uploads to Media Day, opened with its task and card. */
async function anOpenReview(options: ReviewLoopOptions = {}) {
  const loop = aReviewLoop(options);
  const uploads = [loop.upload(loop.galleries.mediaDay), loop.upload(loop.galleries.mediaDay)];
  for (const upload of uploads) await loop.deliver(upload);
  const review = loop.onlyReviewOf(loop.galleries.mediaDay);
  return { loop, review, assetIds: uploads.map((u) => u.assetId) };
}

function onCard(
  reviewer: { readonly id: string },
  verb: DecisionRequest['verb'],
  cardVersion: number,
  comment?: string,
): DecisionRequest {
  return { reviewerId: reviewer.id, verb, cardVersion, source: 'teams', comment };
}

/** The syncs a decision queued (uploads queue their own, named after the event). */
const syncRequests = (loop: ReviewLoop) =>
  loop.queue.messages.filter((m) => m.type === 'review.sync' && m.reason.startsWith('decision'));

/** A press whose save the store refuses: the sync it queued ahead of the save stays behind. */
async function pressWhoseSaveFails(loop: ReviewLoop, reviewId: string, press: DecisionRequest) {
  loop.reviews.failNextSave = new UpstreamError('azure-table', 'unavailable');
  await expect(decideReview(loop.deps, reviewId, press)).rejects.toBeInstanceOf(UpstreamError);
}

describe('decideReview', () => {
  it('saves the decision and queues one sync under its version, carrying its audit entry', async () => {
    const { loop, review } = await anOpenReview();
    loop.clock.advance(60_000);

    const result = await decideReview(loop.deps, review.id, onCard(ben, 'approve', 2));

    expect(result.kind).toBe('decided');
    const stored = loop.reviews.reviewOf(review.id);
    expect(stored).toMatchObject({ status: 'approved', cardVersion: 3 });
    expect(stored.decisions).toEqual([
      expect.objectContaining({ reviewerId: ben.id, verb: 'approve', source: 'teams' }),
    ]);
    expect(result.current).toEqual(stored);
    // One message, queued ahead of the save, naming the version and decision it waits for.
    const at = stored.decisions[0]?.at ?? '';
    expect(syncRequests(loop)).toEqual([
      {
        type: 'review.sync',
        id: `review.sync:${review.id}:v3`,
        reviewId: review.id,
        reason: 'decision approve',
        atLeastVersion: 3,
        requestedAt: loop.clock.now().toISOString(),
        decision: { number: 1, reviewerId: ben.id, verb: 'approve', at },
        audit: {
          at,
          kind: 'review.decided',
          subject: review.id,
          summary: `${ben.name} chose approve on Media Day`,
          data: { reviewId: review.id, verb: 'approve', source: 'teams', status: 'approved' },
        },
        announce: expect.objectContaining({
          type: 'webhook.fanout',
          id: `review.decided:${review.id}:d1`,
          decision: { number: 1, reviewerId: ben.id, verb: 'approve', at },
        }),
      },
    ]);
    // The trail gets the entry when the worker finds the decision stored.
    expect(loop.auditKinds()).not.toContain('review.decided');
    await loop.drainQueue();
    expect(loop.audit.entries.filter((e) => e.kind === 'review.decided')).toEqual([
      expect.objectContaining({
        at,
        subject: review.id,
        summary: `${ben.name} chose approve on Media Day`,
      }),
    ]);
  });

  it('queues no announcement for a vote the review still waits on', async () => {
    const { loop, review } = await anOpenReview({ athletics: { approval: 'all' } });

    const result = await decideReview(loop.deps, review.id, onCard(ada, 'approve', 2));

    expect(result.kind).toBe('recorded');
    const [sync] = syncRequests(loop);
    expect(sync).toMatchObject({
      decision: { number: 1, verb: 'approve' },
      audit: { kind: 'review.decided' },
    });
    expect(sync).not.toHaveProperty('announce');
  });

  it('counts the same press delivered three times once', async () => {
    const { loop, review } = await anOpenReview();
    const press = onCard(ada, 'approve', 2);

    const outcomes = [
      await decideReview(loop.deps, review.id, press),
      await decideReview(loop.deps, review.id, press),
      await decideReview(loop.deps, review.id, press),
    ];

    expect(outcomes.map((o) => o.kind)).toEqual(['decided', 'alreadyDecided', 'alreadyDecided']);
    expect(loop.reviews.reviewOf(review.id).decisions).toHaveLength(1);
    expect(syncRequests(loop)).toHaveLength(1);
    await loop.drainQueue();
    expect(loop.auditKinds().filter((k) => k === 'review.decided')).toHaveLength(1);
  });

  it('appends the audit entry once when its sync is delivered again', async () => {
    const { loop, review } = await anOpenReview();
    await decideReview(loop.deps, review.id, onCard(ben, 'archive', 2));
    const [sync] = syncRequests(loop);

    await loop.drainQueue();
    await processEvent(loop.deps, parseQueueMessage(sync));
    await processEvent(loop.deps, parseQueueMessage(sync));

    expect(loop.auditKinds().filter((k) => k === 'review.decided')).toHaveLength(1);
  });

  it('drops the audit entry of a decision that lost its place to another', async () => {
    const { loop, review } = await anOpenReview();
    await pressWhoseSaveFails(loop, review.id, onCard(ben, 'archive', 2));
    const [lost] = syncRequests(loop);
    // Ada's approval takes the first place in the history (same card version, so the same sync id).
    await decideReview(loop.deps, review.id, onCard(ada, 'approve', 2));

    await processEvent(loop.deps, parseQueueMessage(lost));
    await loop.drainQueue();

    const entries = loop.audit.entries.filter((e) => e.kind === 'review.decided');
    expect(entries.map((e) => e.summary)).toEqual([`${ada.name} chose approve on Media Day`]);
  });

  it('lets exactly one of two reviewers pressing at the same moment decide', async () => {
    const { loop, review } = await anOpenReview();

    const outcomes = await Promise.all([
      decideReview(loop.deps, review.id, onCard(ada, 'approve', 2)),
      decideReview(loop.deps, review.id, onCard(ben, 'archive', 2)),
    ]);

    const kinds = outcomes.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'decided')).toHaveLength(1);
    expect(
      kinds.filter((k) => k === 'closed' || k === 'staleCard' || k === 'alreadyDecided'),
    ).toHaveLength(1);
    const stored = loop.reviews.reviewOf(review.id);
    expect(stored.decisions).toHaveLength(1);
    // Each press queued its sync ahead of its save; both wait for the one version that was saved.
    expect(new Set(syncRequests(loop).map((m) => m.id))).toEqual(
      new Set([`review.sync:${review.id}:v3`]),
    );
  });

  it('syncs after a decision even when the process stops right after the save', async () => {
    const { loop, review } = await anOpenReview();
    // The save lands, then the worker dies before it hears so, let alone does anything after it.
    loop.reviews.loseNextSaveAnswer = new UpstreamError('azure-table', 'connection reset');
    await expect(
      decideReview(loop.deps, review.id, onCard(ben, 'approve', 2)),
    ).rejects.toBeInstanceOf(UpstreamError);
    expect(loop.reviews.reviewOf(review.id).status).toBe('approved');

    await loop.drainQueue();
    const task = loop.board.task(review.planner.taskId ?? '');
    expect(task.percentComplete).toBe(100);
    expect(loop.cardsIn().at(-1)?.status).toBe('approved');
  });

  it('drops a sync whose save never landed, after waiting a minute for it', async () => {
    const { loop, review } = await anOpenReview();
    await pressWhoseSaveFails(loop, review.id, onCard(ben, 'approve', 2));
    const [queued] = syncRequests(loop);

    await expect(processEvent(loop.deps, parseQueueMessage(queued))).rejects.toBeInstanceOf(
      ConflictError,
    );
    loop.clock.advance(60_000);
    expect(await processEvent(loop.deps, parseQueueMessage(queued))).toEqual({
      kind: 'synced',
      reviewId: review.id,
      effects: 0,
    });
    expect(loop.reviews.reviewOf(review.id).status).toBe('pending');
  });

  it('changes nothing for someone who is not a reviewer', async () => {
    const { loop, review } = await anOpenReview();
    const writes = loop.reviews.writeCount;

    const result = await decideReview(loop.deps, review.id, onCard(pam, 'approve', 2));

    expect(result.kind).toBe('notReviewer');
    expect(loop.reviews.writeCount).toBe(writes);
    expect(syncRequests(loop)).toEqual([]);
  });

  it('names a review that does not exist', async () => {
    const { loop, review } = await anOpenReview();

    await expect(
      decideReview(loop.deps, `${review.galleryId}~nope`, onCard(ada, 'approve', 1)),
    ).rejects.toThrow(NotFoundError);
  });

  it('after the queued sync: the task is complete in Approved, the card updated, PhotoShelter approved', async () => {
    const { loop, review, assetIds } = await anOpenReview();
    const taskId = review.planner.taskId ?? '';
    await decideReview(loop.deps, review.id, onCard(ada, 'approve', 2));

    await loop.drainQueue();

    expect(loop.board.task(taskId)).toMatchObject({ bucketName: 'Approved', percentComplete: 100 });
    expect(loop.board.detailsOf(taskId).checklist.every((c) => c.isChecked)).toBe(true);
    const [post, ...others] = loop.chat.posts();
    expect(others).toEqual([]);
    expect(post?.versions.map((v) => cardView(v).cardVersion)).toEqual([1, 2, 3]);
    expect(cardView(post?.card ?? {})).toMatchObject({
      kind: 'shared',
      status: 'approved',
      cardVersion: 3,
    });
    expect(assetIds.map((id) => loop.archive.reviewStatusOf(id))).toEqual(['approved', 'approved']);
    // The gallery stays where it was: only archiving takes it out of circulation.
    expect(loop.archive.galleryState(loop.galleries.mediaDay).visibility).toBe('permission');
  });

  it('with approval from all, the task waits until the last reviewer approves', async () => {
    const { loop, review, assetIds } = await anOpenReview({ athletics: { approval: 'all' } });
    const taskId = review.planner.taskId ?? '';

    const first = await decideReview(loop.deps, review.id, onCard(ada, 'approve', 2));
    await loop.drainQueue();

    expect(first).toMatchObject({ kind: 'recorded', waitingFor: [ben.name] });
    expect(loop.board.task(taskId)).toMatchObject({ bucketName: 'To review', percentComplete: 0 });
    expect(loop.cardsIn()).toEqual([
      expect.objectContaining({ status: 'pending', cardVersion: 3 }),
    ]);
    expect(loop.archive.reviewStatusOf(assetIds[0] ?? '')).toBe('pending review');

    const last = await decideReview(loop.deps, review.id, onCard(ben, 'approve', 3));
    await loop.drainQueue();

    expect(last.kind).toBe('decided');
    expect(loop.board.task(taskId)).toMatchObject({ bucketName: 'Approved', percentComplete: 100 });
    expect(loop.archive.reviewStatusOf(assetIds[0] ?? '')).toBe('approved');
  });

  it('credits an API decision to the reviewer via the calling application, in the audit and in Planner', async () => {
    const { loop, review } = await anOpenReview({ athletics: { approval: 'all' } });
    const taskId = review.planner.taskId ?? '';

    await decideReview(loop.deps, review.id, onCard(ada, 'approve', 2));
    await decideReview(loop.deps, review.id, {
      reviewerId: ben.id,
      verb: 'approve',
      comment: 'Lovely set',
      source: 'api',
      via: 'Power Automate',
    });
    await loop.drainQueue();

    const decided = loop.audit.entries.filter((e) => e.kind === 'review.decided');
    expect(decided.map((e) => e.summary)).toEqual([
      `${ada.name} chose approve on Media Day`,
      `${ben.name} via Power Automate chose approve on Media Day: "Lovely set"`,
    ]);
    expect(decided.map((e) => e.data.via)).toEqual([undefined, 'Power Automate']);
    const description = loop.board.detailsOf(taskId).description;
    expect(description).toContain(`\n${ada.name}: approve\n`);
    expect(description).toContain(`\n${ben.name} via Power Automate: approve ("Lovely set")\n`);
  });

  it('says "via the API" for an API caller that does not name itself', async () => {
    const { loop, review } = await anOpenReview();

    await decideReview(loop.deps, review.id, {
      reviewerId: ben.id,
      verb: 'archive',
      source: 'api',
    });
    await loop.drainQueue();

    expect(loop.audit.entries.filter((e) => e.kind === 'review.decided')).toEqual([
      expect.objectContaining({ summary: `${ben.name} via the API chose archive on Media Day` }),
    ]);
    expect(loop.board.detailsOf(review.planner.taskId ?? '').description).toContain(
      `${ben.name} via the API: archive`,
    );
  });

  it('archiving with "hide" makes the gallery private', async () => {
    const { loop, review, assetIds } = await anOpenReview({
      athletics: { archive: { action: 'hide' } },
    });

    await decideReview(loop.deps, review.id, onCard(ada, 'archive', 2));
    await loop.drainQueue();

    expect(loop.archive.galleryState(loop.galleries.mediaDay).visibility).toBe('private');
    expect(loop.board.task(review.planner.taskId ?? '')).toMatchObject({
      bucketName: 'Archived',
      percentComplete: 100,
    });
    expect(assetIds.map((id) => loop.archive.reviewStatusOf(id))).toEqual(['archived', 'archived']);
    expect(loop.auditKinds()).toContain('photoshelter.gallery.archived');
  });

  it('archiving with "move" puts the gallery under the archive collection', async () => {
    const { loop, review } = await anOpenReview({
      athletics: ({ archiveCollectionId }) => ({
        archive: { action: 'move', collectionId: archiveCollectionId },
      }),
    });

    await decideReview(loop.deps, review.id, onCard(ben, 'archive', 2));
    await loop.drainQueue();

    expect(loop.archive.galleryState(loop.galleries.mediaDay)).toEqual({
      visibility: 'permission',
      collectionIds: [loop.collections.archived],
    });
    expect(loop.auditKinds().filter((k) => k === 'photoshelter.gallery.archived')).toHaveLength(1);
  });

  it('archiving with "none" leaves the gallery alone', async () => {
    const { loop, review } = await anOpenReview({ athletics: { archive: { action: 'none' } } });

    await decideReview(loop.deps, review.id, onCard(ada, 'archive', 2));
    await loop.drainQueue();

    expect(loop.archive.galleryState(loop.galleries.mediaDay).visibility).toBe('permission');
    expect(loop.auditKinds()).not.toContain('photoshelter.gallery.archived');
  });
});

describe('decideReview on the copy of the review a Refresh read', () => {
  /** An open review whose card Teams refreshed for a reviewer: the bot's store keeps what it read. */
  async function aRefreshedReview(options: ReviewLoopOptions = {}) {
    const { loop, review } = await anOpenReview(options);
    const recent = new RecentReviewsCache(loop.reviews, { clock: loop.clock });
    await recent.get(review.id);
    return { loop, review, bot: { ...loop.deps, reviews: recent } };
  }

  it('decides on the copy, without reading the review again', async () => {
    const { loop, review, bot } = await aRefreshedReview();
    const reads = loop.reviews.readCount;

    const result = await decideReview(
      bot,
      review.id,
      onCard(ben, 'approve', 2),
      bot.reviews.peek(review.id),
    );

    expect(result.kind).toBe('decided');
    expect(loop.reviews.readCount).toBe(reads);
    expect(loop.reviews.reviewOf(review.id)).toMatchObject({ status: 'approved', cardVersion: 3 });
    expect(syncRequests(loop)).toHaveLength(1);
  });

  it('answers from the stored review when someone else decided after the Refresh', async () => {
    const { loop, review, bot } = await aRefreshedReview({ athletics: { approval: 'all' } });
    // Ada's approval is saved elsewhere (another instance): the copy is now behind.
    await decideReview(loop.deps, review.id, onCard(ada, 'approve', 2));

    // Ben presses the card he had, before his card was updated: stale, as it would be without a copy.
    const onOldCard = await decideReview(
      bot,
      review.id,
      onCard(ben, 'approve', 2),
      bot.reviews.peek(review.id),
    );
    expect(onOldCard).toMatchObject({ kind: 'staleCard', currentVersion: 3 });
    expect(loop.reviews.reviewOf(review.id).decisions.map((d) => d.reviewerId)).toEqual([ada.id]);

    // On the updated card his approval is the last one needed.
    const onNewCard = await decideReview(
      bot,
      review.id,
      onCard(ben, 'approve', 3),
      bot.reviews.peek(review.id),
    );
    expect(onNewCard.kind).toBe('decided');
    const stored = loop.reviews.reviewOf(review.id);
    expect(stored.decisions.map((d) => d.reviewerId)).toEqual([ada.id, ben.id]);
    expect(stored.status).toBe('approved');
  });

  it('never refuses a card newer than the copy', async () => {
    const { loop, review, bot } = await aRefreshedReview({ athletics: { approval: 'all' } });
    await decideReview(loop.deps, review.id, onCard(ada, 'approve', 2));

    // The copy is at version 2; Ben's card, updated by the sync, is at 3.
    const result = await decideReview(
      bot,
      review.id,
      onCard(ben, 'approve', 3),
      bot.reviews.peek(review.id),
    );

    expect(result.kind).toBe('decided');
    expect(loop.reviews.reviewOf(review.id).status).toBe('approved');
  });

  it('counts a press delivered three times once, the copy following each save', async () => {
    const { loop, review, bot } = await aRefreshedReview();
    const press = onCard(ada, 'approve', 2);

    const outcomes = [
      await decideReview(bot, review.id, press, bot.reviews.peek(review.id)),
      await decideReview(bot, review.id, press, bot.reviews.peek(review.id)),
      await decideReview(bot, review.id, press, bot.reviews.peek(review.id)),
    ];

    expect(outcomes.map((o) => o.kind)).toEqual(['decided', 'alreadyDecided', 'alreadyDecided']);
    expect(loop.reviews.reviewOf(review.id).decisions).toHaveLength(1);
    expect(syncRequests(loop)).toHaveLength(1);
  });
});
