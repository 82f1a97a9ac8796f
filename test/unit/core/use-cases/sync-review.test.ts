import { describe, expect, it } from 'vitest';

import { NotFoundError, UpstreamError } from '../../../../core/errors.js';
import { decideReview } from '../../../../core/use-cases/decide-review.js';
import { EFFECT_LEASE_MS } from '../../../../core/use-cases/run-once.js';
import { QUIET_MS } from '../../../../core/use-cases/sync-card.js';
import { syncReview } from '../../../../core/use-cases/sync-review.js';
import { cardView } from '../../../doubles/json-review-cards.js';
import { ada, aReviewLoop, CHANNEL, PLAN_ID, type ReviewLoop } from './review-loop.js';

/** A gallery upload that opened a review, with every effect carried out. */
async function anOpenReview(loop: ReviewLoop) {
  const upload = loop.upload(loop.galleries.mediaDay);
  await loop.deliver(upload);
  return { upload, review: loop.onlyReviewOf(loop.galleries.mediaDay) };
}

/** What each system shows: the whole observable state of the loop. */
function everything(loop: ReviewLoop) {
  return {
    reviews: loop.reviews.all(),
    tasks: loop.board.tasks().map((t) => ({ ...t, details: loop.board.detailsOf(t.taskId) })),
    posts: loop.chat.posts(),
    archive: loop.archive.assetIdsIn(loop.galleries.mediaDay).map((id) => ({
      id,
      status: loop.archive.reviewStatusOf(id),
    })),
    gallery: loop.archive.galleryState(loop.galleries.mediaDay),
  };
}

describe('syncReview', () => {
  it('keeps checklist ticks a project manager made when a new upload rewrites the task details', async () => {
    const loop = aReviewLoop();
    const { review } = await anOpenReview(loop);
    const taskId = review.planner.taskId ?? '';
    const [first] = loop.board.detailsOf(taskId).checklist;
    loop.board.tickAsPm(taskId, first?.id ?? '');

    await loop.deliver(loop.upload(loop.galleries.mediaDay));
    const details = loop.board.detailsOf(taskId);
    expect(details.description).toContain('2 images');
    expect(details.checklist.map((item) => [item.title, item.isChecked])).toEqual([
      ['Check captions and credits', true],
      ['Check model releases', false],
      ['Pick the hero image', false],
    ]);
  });

  it('finds the task a create made when its answer was lost, instead of making a second', async () => {
    const loop = aReviewLoop();
    const upload = loop.upload(loop.galleries.mediaDay);
    loop.board.loseNextCreateResponse = true;

    await expect(loop.deliver(upload)).rejects.toThrow(UpstreamError);
    expect(loop.board.tasks()).toHaveLength(1);
    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    expect(review.planner.taskId).toBeUndefined();

    // The failed attempt freed its key at once, as one that may have made something: the next sync
    // does not wait out a lease, and looks for the task before making one.
    const result = await syncReview(loop.deps, review.id);

    const [task, ...others] = loop.board.tasks();
    expect(others).toEqual([]);
    expect(loop.board.callsOf('createTask')).toHaveLength(1);
    expect(loop.reviews.reviewOf(review.id).planner.taskId).toBe(task?.taskId);
    expect(loop.board.detailsOf(task?.taskId ?? '').references.map((r) => r.alias)).toEqual([
      'PhotoShelter: Media Day',
      'Lightdesk review',
    ]);
    // The crashed attempt never got to audit its task, so the one that adopts it does, once.
    expect(result.effects).toContain('planner.task.created');
    expect(loop.auditKinds().filter((k) => k === 'planner.task.created')).toHaveLength(1);
    expect(loop.chat.posts()).toHaveLength(1);
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('pending review');
  });

  it('when Teams refuses the bot, still converges Planner and PhotoShelter and posts the card once allowed', async () => {
    const loop = aReviewLoop();
    loop.chat.refuse(CHANNEL, 'writesBlocked');
    const upload = loop.upload(loop.galleries.mediaDay);

    await loop.deliver(upload);

    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    expect(loop.auditKinds()).toContain('teams.card.refused');
    expect(loop.audit.entries.find((e) => e.kind === 'teams.card.refused')?.summary).toMatch(
      /writesBlocked/,
    );
    expect(loop.chat.posts()).toEqual([]);
    expect(review.teams.activityId).toBeUndefined();
    expect(loop.board.tasks()).toHaveLength(1);
    expect(loop.board.detailsOf(review.planner.taskId ?? '').references).toHaveLength(2);
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('pending review');

    // The bot is added back; the next sync (after the refused attempt's lease) posts the card.
    loop.chat.allow(CHANNEL);
    loop.clock.advance(EFFECT_LEASE_MS + 1);
    await syncReview(loop.deps, review.id);
    await syncReview(loop.deps, review.id);

    const [post, ...others] = loop.chat.posts();
    expect(others).toEqual([]);
    expect(post?.versions).toHaveLength(1);
    expect(loop.reviews.reviewOf(review.id).teams.activityId).toBe(post?.activityId);
    expect(loop.board.tasks()).toHaveLength(1);
  });

  it('while Teams refuses the bot, later uploads to the gallery still reach Planner and PhotoShelter', async () => {
    const loop = aReviewLoop();
    loop.chat.refuse(CHANNEL, 'notInRoster');
    await loop.deliver(loop.upload(loop.galleries.mediaDay));

    loop.clock.advance(5_000);
    const second = loop.upload(loop.galleries.mediaDay);
    // The refused post freed its key: the next delivery asks Teams again, which still refuses; that
    // is noted, and the rest of the review is done.
    await loop.deliver(second);
    await loop.drainQueue();

    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    expect(review.assets).toHaveLength(2);
    expect(loop.board.detailsOf(review.planner.taskId ?? '').description).toMatch(/^2 images/);
    expect(loop.archive.reviewStatusOf(second.assetId)).toBe('pending review');
    expect(
      loop.auditKinds().filter((k) => k === 'teams.card.refused').length,
    ).toBeGreaterThanOrEqual(2);
    expect(loop.chat.posts()).toEqual([]);
    expect(loop.board.tasks()).toHaveLength(1);
  });

  it("records the first card's activity and instance together, with no write before the post", async () => {
    const loop = aReviewLoop();
    const { review } = await anOpenReview(loop);

    const [post, ...others] = loop.chat.posts();
    expect(others).toEqual([]);
    expect(cardView(post?.versions[0] ?? {}).cardInstance).toBe(`${review.id}#1`);
    expect(review.teams).toEqual({
      conversation: CHANNEL,
      activityId: post?.activityId,
      cardInstance: `${review.id}#1`,
    });
  });

  it('posts a new card instance after a lost answer, recorded before the post, so the lost card is left behind', async () => {
    const loop = aReviewLoop();
    loop.chat.loseNextPostAnswer = new UpstreamError('teams', 'the answer was lost');
    await expect(loop.deliver(loop.upload(loop.galleries.mediaDay))).rejects.toThrow(UpstreamError);
    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    // The lost card carries the first instance; the review knows of no card yet.
    expect(loop.cardsIn().map((c) => c.cardInstance)).toEqual([`${review.id}#1`]);
    expect(review.teams).toEqual({ conversation: CHANNEL });

    // The retry's answer is lost too: its instance was recorded before it posted, so the card it
    // made is the current one, and the first is left behind, though neither id came back.
    loop.chat.loseNextPostAnswer = new UpstreamError('teams', 'the answer was lost again');
    await expect(syncReview(loop.deps, review.id)).rejects.toThrow(UpstreamError);
    expect(loop.reviews.reviewOf(review.id).teams).toEqual({
      conversation: CHANNEL,
      cardInstance: `${review.id}#2`,
    });

    await syncReview(loop.deps, review.id);
    const posts = loop.chat.posts();
    expect(posts.map((p) => cardView(p.card).cardInstance)).toEqual([
      `${review.id}#1`,
      `${review.id}#2`,
      `${review.id}#3`,
    ]);
    expect(loop.reviews.reviewOf(review.id).teams).toEqual({
      conversation: CHANNEL,
      activityId: posts[2]?.activityId,
      cardInstance: `${review.id}#3`,
    });
    expect(loop.auditKinds().filter((k) => k === 'teams.card.posted')).toHaveLength(1);

    // Later versions update only the card the review records, which keeps its instance.
    await loop.deliver(loop.upload(loop.galleries.mediaDay));
    expect(loop.chat.posts().map((p) => p.versions.length)).toEqual([1, 1, 2]);
    expect(cardView(loop.chat.posts()[2]?.card ?? {})).toMatchObject({
      cardVersion: 2,
      cardInstance: `${review.id}#3`,
    });
  });

  it('shows the task link on the card when another worker records the task while the post is in flight', async () => {
    const loop = aReviewLoop();
    // This worker's Planner call fails, so it posts a card without the task link; meanwhile
    // another worker's sync of the same review makes the task (and finds the card post taken).
    loop.board.failNextCreate = new UpstreamError('graph', 'Planner is down');
    const upload = loop.upload(loop.galleries.mediaDay);
    loop.chat.whileNextPostInFlight = async () => {
      const reviewId = loop.onlyReviewOf(loop.galleries.mediaDay).id;
      await expect(syncReview(loop.deps, reviewId)).rejects.toThrow(
        /being carried out by another worker/,
      );
    };

    await expect(loop.deliver(upload)).rejects.toThrow(UpstreamError);

    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    const [task, ...otherTasks] = loop.board.tasks();
    expect(otherTasks).toEqual([]);
    expect(review.planner.taskId).toBe(task?.taskId);
    const [post, ...otherPosts] = loop.chat.posts();
    expect(otherPosts).toEqual([]);
    expect(review.teams.activityId).toBe(post?.activityId);
    // The card first went out without the link, and was updated to show it at once.
    expect(post?.versions.map((v) => cardView(v).taskUrl === undefined)).toEqual([true, false]);
    expect(cardView(post?.card ?? {}).cardVersion).toBe(review.cardVersion);
  });

  it('records the activity of a post made before card instances, and leaves the review without one', async () => {
    const loop = aReviewLoop();
    loop.chat.failNextPost = new UpstreamError('teams', 'down');
    await expect(loop.deliver(loop.upload(loop.galleries.mediaDay))).rejects.toThrow(UpstreamError);
    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    // What an earlier version of the post left in the ledger: the bare activity id.
    loop.ledger.records.set(`teams.card:${review.id}`, {
      state: 'done',
      attempt: 1,
      result: 'activity-from-before',
      leaseUntil: undefined,
    });

    await syncReview(loop.deps, review.id);

    expect(loop.reviews.reviewOf(review.id).teams).toEqual({
      conversation: CHANNEL,
      activityId: 'activity-from-before',
    });
    expect(loop.chat.posts()).toEqual([]);
  });

  it('never adopts the task of another review of the gallery, even one still without details', async () => {
    const loop = aReviewLoop();
    // An earlier review of the gallery owns a task that never got its details (Graph went down).
    const bucketId = await loop.board.ensureBucket(PLAN_ID, 'To review');
    const earlier = await loop.board.createTask({
      planId: PLAN_ID,
      bucketId,
      title: 'Review: Media Day',
      assigneeIds: [],
      dueAt: loop.clock.now().toISOString(),
      priority: 5,
      labels: [],
    });
    const owner = `planner.owner:${earlier.taskId}`;
    await loop.ledger.begin(owner, { now: loop.clock.now(), leaseMs: 60_000 });
    await loop.ledger.complete(owner, 'G000000000000005~earlier');

    // This review's create lands but its answer is lost; the retry looks for its task by title, and
    // the oldest blank one with that title is the earlier review's.
    loop.board.loseNextCreateResponse = true;
    await expect(loop.deliver(loop.upload(loop.galleries.mediaDay))).rejects.toThrow(UpstreamError);
    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    await syncReview(loop.deps, review.id);

    const taskId = loop.reviews.reviewOf(review.id).planner.taskId;
    expect(taskId).toBeDefined();
    expect(taskId).not.toBe(earlier.taskId);
    expect(loop.board.detailsOf(earlier.taskId).description).toBe('');
  });

  it('notes a card deleted in Teams and carries on, instead of failing the review for ever', async () => {
    const loop = aReviewLoop();
    const { review, upload } = await anOpenReview(loop);
    loop.chat.failNextUpdate = new NotFoundError('Activity', review.teams.activityId ?? '');
    await decideReview(loop.deps, review.id, {
      reviewerId: ada.id,
      verb: 'approve',
      cardVersion: review.cardVersion,
      source: 'teams',
    });
    await loop.drainQueue();

    expect(loop.auditKinds()).toContain('teams.card.gone');
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('approved');
    expect(loop.board.tasks()[0]?.percentComplete).toBe(100);
    expect(await loop.queue.depth()).toEqual({ active: 0, poison: 0 });
  });

  it("leaves a replaced image's status to the newer review when the older one writes its status once more", async () => {
    const loop = aReviewLoop();
    const { review, upload } = await anOpenReview(loop);
    const kept = loop.upload(loop.galleries.mediaDay);
    await loop.deliver(kept);
    await decideReview(loop.deps, review.id, {
      reviewerId: ada.id,
      verb: 'approve',
      cardVersion: loop.reviews.reviewOf(review.id).cardVersion,
      source: 'teams',
    });
    await loop.drainQueue();

    // The photographer replaces one approved image: a new review of the gallery holds it, and is
    // archived.
    loop.clock.advance(60_000);
    await loop.deliver(loop.replace(upload));
    const newer = loop.reviews.all().find((r) => r.id !== review.id);
    expect(newer?.assets.map((a) => a.assetId)).toEqual([upload.assetId]);
    await decideReview(loop.deps, newer?.id ?? '', {
      reviewerId: ada.id,
      verb: 'archive',
      cardVersion: newer?.cardVersion ?? 0,
      source: 'teams',
    });
    await loop.drainQueue();
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('archived');

    // Both go quiet; the older review's once-more write keeps to the image only it holds.
    loop.clock.advance(QUIET_MS + 1);
    await syncReview(loop.deps, newer?.id ?? '');
    await syncReview(loop.deps, review.id);
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('archived');
    expect(loop.archive.reviewStatusOf(kept.assetId)).toBe('approved');
  });

  it('writes what Planner accepts when the checklist is over its limit, and says so', async () => {
    const loop = aReviewLoop();
    loop.board.limitChecklist(2);

    await loop.deliver(loop.upload(loop.galleries.mediaDay));

    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    const details = loop.board.detailsOf(review.planner.taskId ?? '');
    expect(details.checklist.map((c) => c.title)).toEqual([
      'Check captions and credits',
      'Check model releases',
    ]);
    expect(details.references).toHaveLength(2);
    expect(loop.audit.entries.find((e) => e.kind === 'planner.details.written')?.summary).toBe(
      'task details (degraded)',
    );
    expect(loop.logger.records).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'task details degraded by a Planner limit',
        fields: expect.objectContaining({ dropped: 'Pick the hero image' }),
      }),
    );
    // The rest of the review carried on.
    expect(loop.chat.posts()).toHaveLength(1);
  });

  it('changes nothing when run again on a review already in line', async () => {
    const loop = aReviewLoop();
    const { review } = await anOpenReview(loop);
    const before = everything(loop);
    const writes = loop.reviews.writeCount;
    const boardCalls = loop.board.calls.length;
    const audited = loop.audit.entries.length;

    const again = await syncReview(loop.deps, review.id);
    const thrice = await syncReview(loop.deps, review.id);

    expect(again.effects).toEqual([]);
    expect(thrice.effects).toEqual([]);
    expect(everything(loop)).toEqual(before);
    expect(loop.reviews.writeCount).toBe(writes);
    expect(loop.board.calls.slice(boardCalls).map((c) => c.method)).toEqual([]);
    expect(loop.audit.entries).toHaveLength(audited);
  });

  it('brings a review back to its bucket when new files arrive after a re-review', async () => {
    const loop = aReviewLoop();
    const { review } = await anOpenReview(loop);
    await decideReview(loop.deps, review.id, {
      reviewerId: ada.id,
      verb: 'rereview',
      comment: 'Need the team photo too',
      cardVersion: 1,
      source: 'teams',
    });
    await loop.drainQueue();
    expect(loop.board.task(review.planner.taskId ?? '')).toMatchObject({
      bucketName: 'Re-review',
      percentComplete: 50,
    });

    const more = loop.upload(loop.galleries.mediaDay);
    await loop.deliver(more);

    expect(loop.reviews.reviewOf(review.id)).toMatchObject({
      status: 'pending',
      round: 2,
      cardVersion: 3,
    });
    expect(loop.board.task(review.planner.taskId ?? '')).toMatchObject({
      bucketName: 'To review',
      percentComplete: 0,
    });
    expect(loop.cardsIn()).toEqual([
      expect.objectContaining({ status: 'pending', round: 2, cardVersion: 3 }),
    ]);
    expect(loop.archive.reviewStatusOf(more.assetId)).toBe('pending review');
  });
});
