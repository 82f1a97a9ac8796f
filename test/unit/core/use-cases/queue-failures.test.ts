import { describe, expect, it } from 'vitest';

import {
  AuthError,
  ConflictError,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
  ValidationError,
} from '../../../../core/errors.js';
import { decideReview } from '../../../../core/use-cases/decide-review.js';
import { processEvent } from '../../../../core/use-cases/process-event.js';
import {
  judgeFailure,
  MAX_TRANSIENT_RETRIES,
  settleQueueWork,
} from '../../../../core/use-cases/queue-failures.js';
import { ada, aReviewLoop, CHANNEL, type ReviewLoop } from './review-loop.js';

const unavailable = () => new UpstreamError('planner', 'service unavailable', { status: 503 });

describe('judgeFailure (what becomes of a message whose work failed)', () => {
  it('queues transient failures again with a growing delay, capped at an hour', () => {
    expect(judgeFailure(unavailable(), 0)).toEqual({ kind: 'again', retries: 1, delayMs: 5_000 });
    expect(judgeFailure(unavailable(), 3)).toEqual({ kind: 'again', retries: 4, delayMs: 40_000 });
    expect(judgeFailure(unavailable(), 20)).toEqual({
      kind: 'again',
      retries: 21,
      delayMs: 3_600_000,
    });
    const noAnswer = new UpstreamError('teams', 'failed before an answer arrived');
    expect(judgeFailure(noAnswer, 0)).toMatchObject({ kind: 'again' });
    const timeout = new UpstreamError('photoshelter', 'timed out', { status: 408 });
    expect(judgeFailure(timeout, 0)).toMatchObject({ kind: 'again' });
    expect(judgeFailure(new ConflictError('effect busy'), 0)).toMatchObject({ kind: 'again' });
    // A lost race is looked at again soon, however often the message was throttled before.
    expect(judgeFailure(new ConflictError('effect busy'), 8)).toEqual({
      kind: 'again',
      retries: 9,
      delayMs: 20_000,
    });
  });

  it('waits as long as a throttled service asked', () => {
    expect(judgeFailure(new RateLimitedError('graph', 12_000), 2)).toEqual({
      kind: 'again',
      retries: 3,
      delayMs: 12_000,
    });
  });

  it('poisons, with the reason, what can never succeed as it is', () => {
    expect(judgeFailure(new ValidationError('Queue message is not understood'), 0)).toEqual({
      kind: 'poison',
      reason: 'validation: Queue message is not understood',
    });
    const forbidden = new UpstreamError('planner', 'POST /planner/tasks: 403', { status: 403 });
    expect(judgeFailure(forbidden, 0)).toEqual({
      kind: 'poison',
      reason: 'upstream: planner: POST /planner/tasks: 403',
    });
    expect(judgeFailure(new AuthError('token refused'), 0)).toMatchObject({ kind: 'poison' });
    expect(judgeFailure(new NotFoundError('Gallery', 'G1'), 0)).toMatchObject({ kind: 'poison' });
    expect(judgeFailure(unavailable(), MAX_TRANSIENT_RETRIES)).toEqual({
      kind: 'poison',
      reason: `still failing after ${MAX_TRANSIENT_RETRIES} retries: upstream: planner: service unavailable`,
    });
  });

  it('leaves what it does not understand to the host', () => {
    expect(judgeFailure(new TypeError('x is undefined'), 0)).toEqual({ kind: 'rethrow' });
  });
});

/**
 * The events queue worked as the Functions host works it, for `minutes` of the loop's clock: a
 * delivery that throws comes back after its 30 s visibility timeout and goes to the poison queue at
 * the fifth (QUEUE_MAX_DEQUEUE), a message the worker queued again starts from zero.
 */
async function runHost(loop: ReviewLoop, minutes: number): Promise<void> {
  const end = loop.clock.now().getTime() + minutes * 60_000;
  while (loop.clock.now().getTime() < end) {
    for (const message of await loop.queue.receive(16, 30_000)) {
      const body = JSON.parse(message.body) as unknown;
      try {
        await settleQueueWork(loop.deps, body, (parsed) => processEvent(loop.deps, parsed));
        await loop.queue.complete(message);
      } catch {
        if (message.dequeueCount >= 5) await loop.queue.moveToPoison(message);
      }
    }
    loop.clock.advance(5_000);
  }
}

describe('a Graph outage longer than the dequeue budget', () => {
  it('poisons nothing, delays only Planner, and converges once Graph is back', async () => {
    const loop = aReviewLoop();
    // Ten minutes of 503 from every Planner call: four times QUEUE_MAX_DEQUEUE × 30 s.
    loop.board.outageUntil = new Date(loop.clock.now().getTime() + 10 * 60_000);
    const upload = loop.upload(loop.galleries.mediaDay);
    await loop.queue.enqueue(upload);

    await runHost(loop, 2);
    // Planner is down; PhotoShelter and Teams are not held up by it.
    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    expect(loop.board.tasks()).toEqual([]);
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('pending review');
    expect(loop.chat.posts(CHANNEL)).toHaveLength(1);

    // A reviewer approves during the outage: PhotoShelter and the card follow at once.
    await decideReview(loop.deps, review.id, {
      reviewerId: ada.id,
      verb: 'approve',
      cardVersion: loop.reviews.reviewOf(review.id).cardVersion,
      source: 'teams',
    });
    await runHost(loop, 2);
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('approved');
    expect(loop.board.tasks()).toEqual([]);

    // Graph comes back: within the retries' backoff everything converges, and nothing was poisoned.
    await runHost(loop, 30);
    expect(await loop.queue.depth()).toEqual({ active: 0, poison: 0 });
    const [task, ...others] = loop.board.tasks();
    expect(others).toEqual([]);
    expect(task?.percentComplete).toBe(100);
    const stored = loop.reviews.reviewOf(review.id);
    expect(stored.status).toBe('approved');
    expect(stored.planner.taskId).toBe(task?.taskId);
    // One card, which now links the task made after it was posted.
    const [card, ...moreCards] = loop.cardsIn();
    expect(moreCards).toEqual([]);
    expect(card?.taskUrl).toBe(loop.board.taskUrl({ taskId: task?.taskId ?? '', planId: '' }));
  });

  it('poisons a message that can never succeed at once, with its reason', async () => {
    const loop = aReviewLoop();
    const outcome = await settleQueueWork(loop.deps, { type: 'nonsense' }, (parsed) =>
      processEvent(loop.deps, parsed),
    );
    expect(outcome).toMatchObject({ kind: 'poisoned', reason: /^validation: Queue message/ });
    const [poisoned] = await loop.queue.peekPoison(10);
    expect(JSON.parse(poisoned?.body ?? '{}')).toMatchObject({
      type: 'nonsense',
      poisonReason: expect.stringMatching(/^validation: Queue message is not understood/),
    });
  });

  it('replays poisoned messages as they were first queued', async () => {
    const loop = aReviewLoop();
    const upload = loop.upload(loop.galleries.mediaDay);
    await loop.queue.poison({ ...upload, retries: 56 }, 'still failing after 56 retries');
    expect(await loop.queue.replayPoison(100)).toBe(1);
    expect(await loop.queue.depth()).toEqual({ active: 1, poison: 0 });
    await loop.drainQueue();
    expect(loop.board.tasks()).toHaveLength(1);
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('pending review');
  });
});
