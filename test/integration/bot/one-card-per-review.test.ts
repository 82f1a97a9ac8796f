import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { AdaptiveReviewCards, MOVED_NOTE } from '../../../adaptiveCards/adaptive-review-cards.js';
import { loadBotConfig } from '../../../composition/bot-config.js';
import { createBot, type CreatedBot } from '../../../composition/create-bot.js';
import { UpstreamError } from '../../../core/errors.js';
import type { Review } from '../../../core/model/review.js';
import { EFFECT_LEASE_MS } from '../../../core/use-cases/run-once.js';
import { syncCard } from '../../../core/use-cases/sync-card.js';
import { updateReview } from '../../../core/use-cases/update-review.js';
import { FakeBotConnectorServer } from '../../../simulators/bot-connector/fake-bot-connector-server.js';
import { userMessageActivity } from '../../../simulators/bot-connector/teams-activities.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../doubles/in-memory-audit-log.js';
import { InMemoryEffectLedger } from '../../doubles/in-memory-effect-ledger.js';
import { InMemoryEventQueue } from '../../doubles/in-memory-event-queue.js';
import { InMemoryPhotoArchive } from '../../doubles/in-memory-photo-archive.js';
import { InMemoryTaskBoard } from '../../doubles/in-memory-task-board.js';
import { RecordingLogger } from '../../doubles/recording-logger.js';
import {
  aReview,
  type BotServer,
  CONVERSATION_KEY,
  MemoryConversationStore,
  startBotServer,
} from './support.js';
import { InMemoryReviewStore } from '../../doubles/in-memory-review-store.js';

// One actionable card per review, on real sockets: syncCard posts through the bot's notifier to the
// Bot Connector simulator, which loses an answer or outlives a crashed poster, and the bot answers
// presses on every card the conversation shows. Cards are the product's (AdaptiveReviewCards), so
// what is asserted is what Teams would render.

interface ShownCard {
  readonly activityId: string;
  readonly versions: number;
  readonly content: unknown;
}

type Json = { readonly [key: string]: unknown };
const isJson = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The card an activity carries (its first attachment's content). */
function contentOf(activity: unknown): unknown {
  const attachments = isJson(activity) ? activity.attachments : undefined;
  const [first]: unknown[] = Array.isArray(attachments) ? attachments : [];
  return isJson(first) ? first.content : undefined;
}

/** Every `Action.Execute` in a card (buttons, the ShowCard's, the refresh). */
function executes(card: unknown): Json[] {
  const found: Json[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isJson(value)) {
      if (value.type === 'Action.Execute') found.push(value);
      Object.values(value).forEach(walk);
    }
  };
  walk(card);
  return found;
}

const decisionVerbs = (card: unknown): string[] =>
  executes(card)
    .map((a) => String(a.verb))
    .filter((verb) => verb !== 'refresh');

/** The card instance every action of a card names (one, or none on a card from before them). */
function instanceOf(card: unknown): string | undefined {
  const instances = new Set(executes(card).map((a) => (isJson(a.data) ? a.data.cardInstance : '')));
  expect(instances.size).toBe(1);
  const [instance] = instances;
  return typeof instance === 'string' ? instance : undefined;
}

describe('one actionable card per review', () => {
  const sim = new FakeBotConnectorServer();
  const channel = sim.seed.photoReviewsChannel.id;
  const { adele, alex } = sim.seed.users;
  const cards = new AdaptiveReviewCards();
  let clock: FixedClock;
  let reviews: InMemoryReviewStore;
  let ledger: InMemoryEffectLedger;
  let logger: RecordingLogger;
  let created: CreatedBot;
  let server: BotServer | undefined;

  beforeAll(async () => {
    await sim.start();
  });

  afterAll(async () => {
    await server?.stop();
    await sim.stop();
  });

  beforeEach(async () => {
    sim.reset();
    await server?.stop();
    clock = new FixedClock();
    reviews = new InMemoryReviewStore();
    ledger = new InMemoryEffectLedger();
    logger = new RecordingLogger();
    created = createBot({
      botConfig: loadBotConfig({}),
      services: {
        reviews,
        conversations: new MemoryConversationStore(),
        cards,
        queue: new InMemoryEventQueue(),
        audit: new InMemoryAuditLog(),
        clock,
        logger,
      },
    });
    server = await startBotServer(created, logger);
    sim.botEndpoint = server.url;
    await sim.installBot(channel, adele.aadObjectId);
  });

  /** A pending review whose images all carry thumbnails (so no PhotoShelter call is needed). */
  async function anOpenReview(): Promise<Review> {
    const review = aReview();
    await reviews.open({
      ...review,
      assets: review.assets.map((a) => ({
        ...a,
        thumbnailUrl: `https://example.com/${a.assetId}`,
      })),
    });
    return review;
  }

  /** review.sync's card step, with the bot's notifier and the product's cards. */
  async function syncTheCard(reviewId: string): Promise<Review> {
    const stored = await reviews.get(reviewId);
    if (stored === undefined) throw new TypeError(`no review ${reviewId}`);
    return syncCard(
      {
        archive: new InMemoryPhotoArchive(clock),
        board: new InMemoryTaskBoard(clock),
        chat: created.notifier,
        cards,
        ledger,
        clock,
        logger,
      },
      stored.review,
      async (change) => (await updateReview(reviews, reviewId, change, { clock })).review,
      () => Promise.resolve(),
    );
  }

  const stored = async (reviewId: string): Promise<Review> =>
    (await reviews.get(reviewId))?.review ?? expect.fail(`no review ${reviewId}`);

  /** The review's cards in the channel as everyone sees them now, oldest first. */
  function cardsIn(reviewId: string): ShownCard[] {
    return (sim.conversation(channel)?.activities ?? []).flatMap((a) => {
      const content = contentOf(a.latest);
      const ofReview = JSON.stringify(content ?? null).includes(`"reviewId":"${reviewId}"`);
      return a.direction === 'fromBot' && ofReview
        ? [{ activityId: a.id, versions: a.versions.length, content }]
        : [];
    });
  }

  /** The card of that activity as everyone sees it now (a moved card names no review any more). */
  function cardAt(activityId: string | undefined): ShownCard | undefined {
    const activity = sim.conversation(channel)?.activities.find((a) => a.id === activityId);
    return activity === undefined
      ? undefined
      : {
          activityId: activity.id,
          versions: activity.versions.length,
          content: contentOf(activity.latest),
        };
  }

  /** Presses `verb` on a card with the data its own button carries, as Teams would send it. */
  async function press(card: ShownCard, user: string, verb: string): Promise<unknown> {
    const action = executes(card.content).find((a) => a.verb === verb);
    const data = isJson(action?.data) ? action.data : expect.fail(`no ${verb} on the card`);
    const answer = await sim.actOnCard(channel, user, {
      replyToId: card.activityId,
      verb,
      data: verb === 'rereview' ? { ...data, comment: 'Crop tighter' } : { ...data },
    });
    expect(answer.status).toBe(200);
    return (answer.body as { value: unknown }).value;
  }

  /** Which of the review's cards a reviewer's refresh turns into Approve / Re-review / Archive. */
  async function actionable(reviewId: string): Promise<string[]> {
    const found: string[] = [];
    for (const card of cardsIn(reviewId)) {
      const refresh = executes(card.content).find((a) => a.verb === 'refresh');
      if (refresh === undefined) continue;
      const answer = await press(card, alex.aadObjectId, 'refresh');
      if (decisionVerbs(answer).length > 0) found.push(card.activityId);
    }
    return found;
  }

  it('posts a second card after a lost answer, and only the card the review records takes presses', async () => {
    const review = await anOpenReview();
    sim.addFault({ path: '/v3/conversations', method: 'POST', lostResponse: true });

    // Teams made the card, but its id never came back.
    await expect(syncTheCard(review.id)).rejects.toBeInstanceOf(UpstreamError);
    expect(cardsIn(review.id)).toHaveLength(1);
    expect((await stored(review.id)).teams).toEqual({ conversation: CONVERSATION_KEY });

    // The next delivery posts again, as a new instance, and records it with the card's id.
    await syncTheCard(review.id);
    const [lost, posted, ...more] = cardsIn(review.id);
    expect(more).toEqual([]);
    expect(instanceOf(lost?.content)).toBe(`${review.id}#1`);
    expect(instanceOf(posted?.content)).toBe(`${review.id}#2`);
    expect((await stored(review.id)).teams).toEqual({
      conversation: CONVERSATION_KEY,
      activityId: posted?.activityId,
      cardInstance: `${review.id}#2`,
    });

    // A press on the lost card decides nothing: the presser reads that the review moved, and so
    // does everyone else, as the lost card is replaced by the read-only one.
    const onLost = await press(lost ?? expect.fail('no lost card'), adele.aadObjectId, 'approve');
    expect(JSON.stringify(onLost)).toContain(MOVED_NOTE);
    expect(decisionVerbs(onLost)).toEqual([]);
    expect((await stored(review.id)).decisions).toEqual([]);
    const replaced = cardAt(lost?.activityId);
    expect(replaced?.versions).toBe(2);
    expect(JSON.stringify(replaced?.content)).toContain(MOVED_NOTE);
    expect(executes(replaced?.content)).toEqual([]);
    expect(await actionable(review.id)).toEqual([posted?.activityId]);

    // The card the review records takes the decision.
    const onPosted = await press(posted ?? expect.fail('no card'), adele.aadObjectId, 'approve');
    expect(JSON.stringify(onPosted)).not.toContain(MOVED_NOTE);
    expect((await stored(review.id)).status).toBe('approved');
  });

  it('after a crash mid-post, the fresh run posts a new instance and the crashed one is read-only', async () => {
    const review = await anOpenReview();
    // The crashed run claimed the post, and Teams showed its card; it died before recording
    // anything, so the ledger entry stays pending until its lease runs out.
    const claim = await ledger.begin(`teams.card:${review.id}`, {
      now: clock.now(),
      leaseMs: EFFECT_LEASE_MS,
    });
    expect(claim).toEqual({ kind: 'claimed', attempt: 1 });
    const context = { taskUrl: undefined, thumbnails: [], refreshUserIds: [], now: clock.now() };
    const crashed = await created.notifier.postCard(
      CONVERSATION_KEY,
      cards.shared(
        { ...review, teams: { ...review.teams, cardInstance: `${review.id}#1` } },
        context,
      ),
      'Review Spring shoot',
    );

    clock.advance(EFFECT_LEASE_MS + 1);
    await syncTheCard(review.id);

    const [first, second, ...more] = cardsIn(review.id);
    expect(more).toEqual([]);
    expect(first?.activityId).toBe(crashed.activityId);
    expect(instanceOf(second?.content)).toBe(`${review.id}#2`);
    expect((await stored(review.id)).teams.activityId).toBe(second?.activityId);
    expect(await actionable(review.id)).toEqual([second?.activityId]);
    // The refresh on the crashed card above replaced it for everyone, once.
    const replaced = cardAt(crashed.activityId);
    expect(replaced?.versions).toBe(2);
    expect(JSON.stringify(replaced?.content)).toContain(MOVED_NOTE);

    const onCrashed = await press(
      first ?? expect.fail('no crashed card'),
      adele.aadObjectId,
      'archive',
    );
    expect(JSON.stringify(onCrashed)).toContain(MOVED_NOTE);
    expect((await stored(review.id)).decisions).toEqual([]);
  });

  it('treats a card from before instances as current until a newer instance is posted', async () => {
    const review = await anOpenReview();
    // A post made before card instances existed, whose poster died: its buttons carry none.
    await ledger.begin(`teams.card:${review.id}`, { now: clock.now(), leaseMs: EFFECT_LEASE_MS });
    const context = { taskUrl: undefined, thumbnails: [], refreshUserIds: [], now: clock.now() };
    const legacy = await created.notifier.postCard(
      CONVERSATION_KEY,
      cards.shared(review, context),
      'Review Spring shoot',
    );
    const [old] = cardsIn(review.id);
    expect(instanceOf(old?.content)).toBeUndefined();
    expect(await actionable(review.id)).toEqual([legacy.activityId]);

    clock.advance(EFFECT_LEASE_MS + 1);
    await syncTheCard(review.id);

    const [, current] = cardsIn(review.id);
    // An older Teams client presses the Action.Submit fallback: a message, answered by replacing
    // the pressed card in place.
    const approve = executes(old?.content).find((a) => a.verb === 'approve');
    const fallback = isJson(approve?.fallback) ? approve.fallback : expect.fail('no fallback');
    expect(fallback.type).toBe('Action.Submit');
    const submit = {
      ...userMessageActivity(sim.activityContext(channel), { ...alex, id: alex.mri }, '', {
        mentionBot: false,
        replyToId: legacy.activityId,
      }),
      text: '',
      value: fallback.data,
    };
    expect((await sim.sendToBot(undefined, submit)).status).toBe(200);
    expect((await stored(review.id)).decisions).toEqual([]);
    expect(JSON.stringify(cardAt(legacy.activityId)?.content)).toContain(MOVED_NOTE);
    expect(await actionable(review.id)).toEqual([current?.activityId]);
  });

  it('refuses a press that races with the move to a newer card, though the bot kept a copy from before', async () => {
    const review = await anOpenReview();
    sim.addFault({ path: '/v3/conversations', method: 'POST', lostResponse: true });
    await expect(syncTheCard(review.id)).rejects.toBeInstanceOf(UpstreamError);
    const [lost] = cardsIn(review.id);
    // Alex's client refreshed the lost card while it was the only one: the bot keeps that copy.
    const refreshed = await press(lost ?? expect.fail('no card'), alex.aadObjectId, 'refresh');
    expect(decisionVerbs(refreshed)).toEqual(['approve', 'rereview', 'archive']);
    // Meanwhile the repeated post recorded its instance, behind the bot's copy.
    await updateReview(reviews, review.id, (r) => ({
      ...r,
      teams: { ...r.teams, cardInstance: `${review.id}#2` },
    }));

    const answer = await press(lost ?? expect.fail('no card'), alex.aadObjectId, 'approve');

    expect(JSON.stringify(answer)).toContain(MOVED_NOTE);
    expect((await stored(review.id)).decisions).toEqual([]);
  });

  it('takes presses on the first card before its post is recorded, and keeps its instance on the answer', async () => {
    const review = await anOpenReview();
    await syncTheCard(review.id);
    const [card] = cardsIn(review.id);
    expect(instanceOf(card?.content)).toBe(`${review.id}#1`);
    // As if the press came between the post and its record: the review names no card yet.
    const recorded = await stored(review.id);
    await updateReview(reviews, review.id, (r) => ({
      ...r,
      teams: { conversation: r.teams.conversation },
    }));

    const refreshed = await press(card ?? expect.fail('no card'), alex.aadObjectId, 'refresh');
    expect(decisionVerbs(refreshed)).toEqual(['approve', 'rereview', 'archive']);
    expect(instanceOf(refreshed)).toBe(`${review.id}#1`);

    await updateReview(reviews, review.id, (r) => ({ ...r, teams: recorded.teams }));
    const answer = await sim.actOnCard(channel, alex.aadObjectId, {
      replyToId: card?.activityId ?? '',
      verb: 'approve',
      data: { ...(executes(refreshed).find((a) => a.verb === 'approve')?.data as Json) },
    });
    expect(JSON.stringify(answer.body)).not.toContain(MOVED_NOTE);
    expect((await stored(review.id)).status).toBe('approved');
  });
});
