import { type InvokeResponse, TestAdapter } from 'botbuilder';
import { describe, expect, it } from 'vitest';

import { LightdeskBot } from '../../../bot/lightdesk-bot.js';
import { RecentReviewsCache } from '../../../composition/recent-reviews.js';
import type { Reviewer } from '../../../core/model/review.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../doubles/in-memory-audit-log.js';
import { InMemoryConversationStore } from '../../doubles/in-memory-conversation-store.js';
import { InMemoryEventQueue } from '../../doubles/in-memory-event-queue.js';
import { InMemoryReviewStore } from '../../doubles/in-memory-review-store.js';
import { cardView, JsonReviewCards, type ReviewCardView } from '../../doubles/json-review-cards.js';
import { RecordingLogger } from '../../doubles/recording-logger.js';
import { aReview, aReviewer, mriOf } from '../../support/review-builders.js';

// The invoke route table through the bot's own turn handling, on botbuilder's TestAdapter: no
// sockets and no Bot Connector, so every verb's route is checked in milliseconds. The socket
// round trips stay in test/integration/bot/.

const reviewer = aReviewer(1);
const stranger = aReviewer(2);

function aBot() {
  const clock = new FixedClock('2026-11-23T13:00:00.000Z');
  const store = new InMemoryReviewStore();
  const review = store.given(
    aReview({
      teams: {
        conversation: 'channel:Marketing/Photo reviews',
        activityId: 'activity-1',
        cardInstance: 'inst-1',
      },
    }),
  ).review;
  const queue = new InMemoryEventQueue(() => clock.now().getTime());
  const logger = new RecordingLogger();
  const bot = new LightdeskBot({
    reviews: new RecentReviewsCache(store, { clock }),
    conversations: new InMemoryConversationStore(),
    cards: new JsonReviewCards(),
    queue,
    audit: new InMemoryAuditLog(),
    clock,
    logger,
  });
  const adapter = new TestAdapter((context) => bot.run(context));

  /** One `adaptiveCard/action` invoke from `who`, and the invoke response the bot answered with. */
  async function invoke(who: Reviewer, value: unknown): Promise<InvokeResponse> {
    adapter.activeQueue.length = 0;
    await adapter.processActivity({
      type: 'invoke',
      name: 'adaptiveCard/action',
      value,
      from: { id: mriOf(who), name: who.name, aadObjectId: who.id },
      replyToId: 'activity-1',
    });
    const response = adapter.activeQueue.find((a) => a.type === 'invokeResponse');
    if (response === undefined) throw new RangeError('the bot sent no invoke response');
    return response.value as InvokeResponse;
  }

  const press = (who: Reviewer, verb: string, data: Record<string, unknown> = {}) =>
    invoke(who, {
      action: {
        type: 'Action.Execute',
        verb,
        data: { reviewId: review.id, cardVersion: 1, cardInstance: 'inst-1', ...data },
      },
    });

  return { store, review, queue, logger, invoke, press };
}

/** The card an invoke answered with, as the JSON cards double describes it. */
function answeredCard(response: InvokeResponse): ReviewCardView {
  expect(response).toMatchObject({
    status: 200,
    body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' },
  });
  return cardView((response.body as { value: Record<string, unknown> }).value);
}

describe('the invoke route table (TestAdapter, no network)', () => {
  it('routes approve to a decision: the reviewer sees the decided card and the sync is queued', async () => {
    const { store, review, queue, press } = aBot();

    const card = answeredCard(await press(reviewer, 'approve'));

    expect(card).toMatchObject({ kind: 'reviewer', status: 'approved', cardVersion: 2 });
    expect(store.reviewOf(review.id)).toMatchObject({
      status: 'approved',
      decisions: [{ reviewerId: reviewer.id, verb: 'approve', source: 'teams' }],
    });
    expect(queue.messages).toEqual([
      expect.objectContaining({ type: 'review.sync', reviewId: review.id }),
    ]);
  });

  it('routes archive and rereview to decisions, and asks for the comment a re-review needs', async () => {
    const asked = aBot();
    const withoutComment = answeredCard(await asked.press(reviewer, 'rereview'));
    expect(withoutComment).toMatchObject({ kind: 'error', title: 'Comment required' });
    expect(asked.store.reviewOf(asked.review.id).decisions).toEqual([]);

    const withComment = answeredCard(
      await asked.press(reviewer, 'rereview', { comment: 'Crop tighter' }),
    );
    expect(withComment).toMatchObject({ kind: 'reviewer', status: 'rereview' });

    const archived = aBot();
    expect(answeredCard(await archived.press(reviewer, 'archive'))).toMatchObject({
      kind: 'reviewer',
      status: 'archived',
    });
  });

  it('routes refresh to the view each user may have, and changes nothing', async () => {
    const { store, review, queue, press } = aBot();

    expect(answeredCard(await press(reviewer, 'refresh'))).toMatchObject({
      kind: 'reviewer',
      status: 'pending',
    });
    expect(answeredCard(await press(stranger, 'refresh'))).toMatchObject({
      kind: 'readOnly',
      reason: 'Only assigned reviewers can decide',
    });
    expect(store.reviewOf(review.id)).toEqual(review);
    expect(queue.messages).toEqual([]);
  });

  it('answers a verb no route knows, or data it cannot read, with a friendly card and a warning', async () => {
    const { store, review, queue, logger, press, invoke } = aBot();

    const unknown = answeredCard(await press(reviewer, 'delete'));
    const noAction = answeredCard(await invoke(reviewer, { verb: 'approve' }));
    const noVersion = answeredCard(await press(reviewer, 'approve', { cardVersion: 'one' }));

    for (const card of [unknown, noAction, noVersion]) {
      expect(card).toMatchObject({ kind: 'error', title: 'This card cannot do that' });
    }
    expect(store.reviewOf(review.id)).toEqual(review);
    expect(queue.messages).toEqual([]);
    expect(
      logger.records.filter((r) => r.message === 'card action data refused').map((r) => r.level),
    ).toEqual(['warn', 'warn', 'warn']);
  });

  it('answers a press on a card the review moved from with the moved card', async () => {
    const { store, review, press } = aBot();
    // A newer card was posted (a post repeated after its answer was lost): the review records it.
    store.given({
      ...review,
      teams: { ...review.teams, activityId: 'activity-2', cardInstance: 'inst-2' },
    });

    const card = answeredCard(await press(reviewer, 'approve'));

    expect(card).toMatchObject({ kind: 'moved' });
    expect(store.reviewOf(review.id).decisions).toEqual([]);
  });
});
