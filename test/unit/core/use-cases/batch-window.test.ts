import { describe, expect, it } from 'vitest';

import { RateLimitedError } from '../../../../core/errors.js';
import { decideReview } from '../../../../core/use-cases/decide-review.js';
import { parseQueueMessage } from '../../../../core/model/queue-message.js';
import { processEvent } from '../../../../core/use-cases/process-event.js';
import { runOnce } from '../../../../core/use-cases/run-once.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { InMemoryEffectLedger } from '../../../doubles/in-memory-effect-ledger.js';
import { aReviewLoop, ben } from './review-loop.js';

/** A clock whose sleeps let other work happen: what a worker sees while it waits. */
class BusyClock extends FixedClock {
  duringSleep: (() => Promise<void>) | undefined;

  override async sleep(ms: number): Promise<void> {
    await super.sleep(ms);
    const work = this.duringSleep;
    this.duringSleep = undefined;
    await work?.();
  }
}

describe('the batch window', () => {
  const syncs = (loop: ReturnType<typeof aReviewLoop>) =>
    loop.queue.messages.filter((m) => m.type === 'review.sync');

  it('holds a sync after uploads until the review is quiet, so a late upload is in the first card', async () => {
    const loop = aReviewLoop({ batchWindowMs: 2_000 });
    const first = loop.upload(loop.galleries.mediaDay);
    const late = loop.upload(loop.galleries.mediaDay);
    await processEvent(loop.deps, parseQueueMessage(first));
    const [sync] = syncs(loop);

    // The review changed just now: the sync comes back once the window has passed.
    expect(await processEvent(loop.deps, parseQueueMessage(sync))).toMatchObject({ kind: 'held' });
    expect(syncs(loop).at(-1)).toMatchObject({
      id: sync?.id,
      heldSince: loop.clock.now().toISOString(),
    });
    // Meanwhile another worker joins the second upload, and its own sync is held too.
    loop.clock.advance(500);
    await processEvent(loop.deps, parseQueueMessage(late));
    await loop.drainQueue();
    expect(loop.chat.posts()).toEqual([]);
    expect(loop.board.tasks()).toEqual([]);

    loop.clock.advance(2_000);
    await loop.drainQueue();

    // Posted once, already showing both files, and never rewritten; the task details written once.
    const posts = loop.chat.posts();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.versions).toHaveLength(1);
    expect(loop.cardsIn()[0]?.assetIds).toHaveLength(2);
    expect(loop.board.tasks()).toHaveLength(1);
    expect(loop.board.callsOf('setDetails')).toHaveLength(1);
  });

  it('syncs a gallery that keeps receiving files after five windows', async () => {
    const loop = aReviewLoop({ batchWindowMs: 2_000 });
    await processEvent(loop.deps, parseQueueMessage(loop.upload(loop.galleries.mediaDay)));
    const [sync] = syncs(loop);
    // The copy that comes back each time: held since the first time, whatever joined since.
    const lastHeld = () =>
      syncs(loop)
        .filter((m) => m.heldSince !== undefined)
        .at(-1);
    let result = await processEvent(loop.deps, parseQueueMessage(sync));
    while (result.kind === 'held') {
      loop.clock.advance(1_000);
      await processEvent(loop.deps, parseQueueMessage(loop.upload(loop.galleries.mediaDay)));
      result = await processEvent(loop.deps, parseQueueMessage(lastHeld()));
    }

    expect(result.kind).toBe('synced');
    expect(loop.clock.now().getTime() - Date.parse('2026-11-23T09:00:00.000Z')).toBe(10_000);
    expect(loop.chat.posts()).toHaveLength(1);
  });

  it('does not hold the sync of a decision', async () => {
    const loop = aReviewLoop({ batchWindowMs: 2_000 });
    await loop.deliver(loop.upload(loop.galleries.mediaDay));
    loop.clock.advance(2_000);
    await loop.drainQueue();
    const review = loop.onlyReviewOf(loop.galleries.mediaDay);

    await decideReview(loop.deps, review.id, {
      reviewerId: ben.id,
      verb: 'approve',
      cardVersion: review.cardVersion,
      source: 'teams',
    });
    await loop.drainQueue();

    expect(loop.cardsIn().at(-1)?.status).toBe('approved');
  });
});

describe('an effect another worker holds', () => {
  it('is looked at again for a few seconds and its result used once it is done', async () => {
    const clock = new BusyClock();
    const ledger = new InMemoryEffectLedger();
    await ledger.begin('planner.task:r1', { now: clock.now(), leaseMs: 60_000 });
    clock.duringSleep = () => ledger.complete('planner.task:r1', 'task-1');

    const outcome = await runOnce({ ledger, clock }, 'planner.task:r1', () =>
      Promise.resolve('a second task'),
    );

    expect(outcome).toEqual({ result: 'task-1', isFresh: false });
    expect(clock.sleeps).toEqual([100]);
  });

  it('still fails the message when the other worker takes longer than that', async () => {
    const clock = new FixedClock();
    const ledger = new InMemoryEffectLedger();
    await ledger.begin('planner.task:r1', { now: clock.now(), leaseMs: 60_000 });

    await expect(
      runOnce({ ledger, clock }, 'planner.task:r1', () => Promise.resolve('a second task')),
    ).rejects.toThrow('being carried out by another worker');
    expect(clock.sleeps).toEqual([100, 200, 400, 800, 1600]);
  });

  it('is free at once for the next delivery when the service throttled the call', async () => {
    const clock = new FixedClock();
    const ledger = new InMemoryEffectLedger();
    const throttled = runOnce({ ledger, clock }, 'planner.task:r1', () =>
      Promise.reject(new RateLimitedError('graph', 1_000)),
    );
    await expect(throttled).rejects.toBeInstanceOf(RateLimitedError);

    const next = await runOnce({ ledger, clock }, 'planner.task:r1', (attempt) =>
      Promise.resolve(`task made on attempt ${attempt}`),
    );

    expect(next).toEqual({ result: 'task made on attempt 1', isFresh: true });
    expect(clock.sleeps).toEqual([]);
  });
});
