import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { loadBotConfig } from '../../../composition/bot-config.js';
import { createBot, type CreatedBot } from '../../../composition/create-bot.js';
import type { Review } from '../../../core/model/review.js';
import { FakeBotConnectorServer } from '../../../simulators/bot-connector/fake-bot-connector-server.js';
import { userMessageActivity } from '../../../simulators/bot-connector/teams-activities.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../doubles/in-memory-audit-log.js';
import { InMemoryEventQueue } from '../../doubles/in-memory-event-queue.js';
import { RecordingLogger } from '../../doubles/recording-logger.js';
import {
  aReview,
  type BotServer,
  CONVERSATION_KEY,
  LabelledReviewCards,
  MemoryConversationStore,
  startBotServer,
} from './support.js';
import { InMemoryReviewStore } from '../../doubles/in-memory-review-store.js';

// The bot end to end on real sockets: the Bot Connector simulator plays Teams (install, messages,
// Action.Execute invokes) and receives the bot's replies; the bot runs anonymously here (JWTs are
// covered in jwt.test.ts).

describe('LightdeskBot against the Bot Connector simulator', () => {
  const sim = new FakeBotConnectorServer();
  const seed = sim.seed;
  const channel = seed.photoReviewsChannel.id;
  const adele = seed.users.adele;
  const alex = seed.users.alex;
  const megan = seed.users.megan;
  let reviews: InMemoryReviewStore;
  let conversations: MemoryConversationStore;
  let queue: InMemoryEventQueue;
  let logger: RecordingLogger;
  let created: CreatedBot;
  let server: BotServer;
  const cards = new LabelledReviewCards();

  beforeAll(async () => {
    await sim.start();
  });

  afterAll(async () => {
    await sim.stop();
  });

  beforeEach(async () => {
    sim.reset();
    await server?.stop();
    reviews = new InMemoryReviewStore();
    conversations = new MemoryConversationStore();
    queue = new InMemoryEventQueue();
    logger = new RecordingLogger();
    created = createBot({
      botConfig: loadBotConfig({}),
      services: {
        reviews,
        conversations,
        cards,
        queue,
        audit: new InMemoryAuditLog(),
        clock: new FixedClock(),
        logger,
      },
    });
    server = await startBotServer(created, logger);
    sim.botEndpoint = server.url;
  });

  afterAll(async () => {
    await server?.stop();
  });

  /** Every string a reply shows (its text and its card's), one entry per reply. */
  function repliesTo(conversationId: string, activityId: string): string[] {
    const strings = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : Array.isArray(value)
          ? value.flatMap(strings)
          : typeof value === 'object' && value !== null
            ? Object.entries(value).flatMap(([key, v]) =>
                [
                  'text',
                  'title',
                  'value',
                  'attachments',
                  'content',
                  'body',
                  'items',
                  'facts',
                  'columns',
                ].includes(key)
                  ? strings(v)
                  : [],
              )
            : [];
    return (sim.conversation(conversationId)?.activities ?? [])
      .filter((a) => a.direction === 'fromBot' && a.latest?.replyToId === activityId)
      .map((a) => strings(a.latest).join('\n'));
  }

  /** Installs the bot in the review channel and posts the review's card there, as review.sync would. */
  async function postedReview(overrides: Partial<Review> = {}): Promise<Review> {
    await sim.installBot(channel, adele.aadObjectId);
    const review = aReview(overrides);
    const { activityId } = await created.notifier.postCard(
      CONVERSATION_KEY,
      cards.shared(review, {
        taskUrl: undefined,
        thumbnails: [],
        refreshUserIds: [],
        now: new Date(),
      }),
      'Review Spring shoot',
    );
    await reviews.open({ ...review, teams: { ...review.teams, activityId } });
    return (await reviews.get(review.id))?.review ?? review;
  }

  async function press(
    user: string,
    review: Review,
    verb: string,
    data: Record<string, unknown> = {},
  ) {
    return sim.actOnCard(channel, user, {
      replyToId: review.teams.activityId ?? '',
      verb,
      data: { reviewId: review.id, cardVersion: review.cardVersion, ...data },
    });
  }

  describe('install', () => {
    it('captures the channel under a readable key and greets once', async () => {
      const first = await sim.installBot(channel, adele.aadObjectId);
      expect(first.status).toBe(200);
      const record = conversations.records.get('channel:Marketing/Photo reviews');
      expect(record).toMatchObject({
        kind: 'channel',
        name: 'Marketing / Photo reviews',
        conversationId: channel,
        serviceUrl: sim.url,
        tenantId: seed.tenantId,
        status: 'active',
      });
      expect(JSON.parse(record?.reference ?? '{}')).toMatchObject({
        conversation: { id: channel },
        serviceUrl: sim.url,
        bot: { id: seed.bot.id },
      });
      expect(repliesTo(channel, first.activityId)).toEqual([expect.stringContaining('Commands')]);

      const again = await sim.installBot(channel, adele.aadObjectId);
      expect(again.status).toBe(200);
      expect(repliesTo(channel, again.activityId)).toEqual([]);
    });

    it('keys a group chat by its id and a personal chat by the user', async () => {
      await sim.installBot(seed.groupChat.id, alex.aadObjectId);
      await sim.installBot(megan.personalConversationId, megan.aadObjectId);
      expect([...conversations.records.keys()].sort()).toEqual([
        `chat:${seed.groupChat.id}`,
        `personal:${megan.aadObjectId}`,
      ]);
      expect(conversations.records.get(`personal:${megan.aadObjectId}`)).toMatchObject({
        kind: 'personal',
        name: megan.name,
      });
    });
  });

  describe('commands', () => {
    it('answers help, and unknown text with help', async () => {
      const help = await sim.sendMessage(channel, adele.aadObjectId, 'help');
      expect(repliesTo(channel, help.activityId)).toEqual([
        expect.stringContaining('the open reviews, newest first'),
      ]);
      const other = await sim.sendMessage(channel, adele.aadObjectId, 'what can you do?');
      expect(repliesTo(channel, other.activityId)).toEqual([expect.stringContaining('Commands')]);
    });

    it('lists open reviews newest first, at most ten', async () => {
      for (let i = 0; i < 12; i += 1) {
        const day = String(10 + i).padStart(2, '0');
        await reviews.open(
          aReview({
            galleryId: `G0000aBcDeFgH${String(i).padStart(3, '0')}`,
            galleryName: `Gallery ${i}`,
            openedAt: `2026-11-${day}T08:00:00.000Z`,
          }),
        );
      }
      reviews.given(aReview({ galleryId: 'G0000zzzzzzzzzzz', status: 'approved' }));
      const answer = await sim.sendMessage(channel, adele.aadObjectId, 'pending');
      const [text = ''] = repliesTo(channel, answer.activityId);
      expect(text).toContain('Open reviews (12)');
      const listed = [...text.matchAll(/^Gallery (\d+)$/gm)].map((m) => Number(m[1]));
      expect(listed).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
      expect(text).toContain('2 more');
    });

    it('in a personal chat, follows the list with a card to decide on for each review of the user', async () => {
      const postedToChannel = await postedReview();
      const other = aReview({
        galleryId: 'G0000oThErGaLlEr',
        galleryName: 'Autumn shoot',
        reviewers: [{ id: megan.aadObjectId, name: megan.name, upn: megan.userPrincipalName }],
        openedAt: '2026-11-24T08:00:00.000Z',
      });
      await reviews.open(other);
      const chat = alex.personalConversationId;
      const asked = await sim.sendMessage(chat, alex.aadObjectId, 'pending');
      const replies = repliesTo(chat, asked.activityId);
      // The list of every open review, then one reviewer card: Alex reviews Spring shoot only.
      expect(replies).toHaveLength(2);
      expect(replies[0]).toMatch(/Open reviews \(2\)[\s\S]*Autumn shoot[\s\S]*Spring shoot/);
      expect(JSON.parse(replies[1] ?? '{}')).toMatchObject({
        view: 'reviewer',
        reviewId: postedToChannel.id,
        status: 'pending',
      });

      // Approve on that card in the personal chat: the same checks and the same decision.
      const personalCard = (sim.conversation(chat)?.activities ?? []).filter(
        (a) => a.direction === 'fromBot' && a.latest?.replyToId === asked.activityId,
      )[1];
      const pressed = await sim.actOnCard(chat, alex.aadObjectId, {
        replyToId: personalCard?.id ?? '',
        verb: 'approve',
        data: { reviewId: postedToChannel.id, cardVersion: postedToChannel.cardVersion },
      });
      expect(pressed.body).toMatchObject({
        statusCode: 200,
        value: { view: 'reviewer', status: 'approved' },
      });
      expect((await reviews.get(postedToChannel.id))?.review.decisions).toMatchObject([
        { reviewerId: alex.aadObjectId, verb: 'approve', source: 'teams' },
      ]);

      // Someone who reviews nothing open gets the list alone; so does a channel.
      const diego = seed.users.diego;
      const notMine = await sim.sendMessage(
        diego.personalConversationId,
        diego.aadObjectId,
        'pending',
      );
      expect(repliesTo(diego.personalConversationId, notMine.activityId)).toHaveLength(1);
      const inChannel = await sim.sendMessage(channel, alex.aadObjectId, 'pending');
      expect(repliesTo(channel, inChannel.activityId)).toHaveLength(1);
    });

    it('tells the status of a gallery by name or id, in a personal chat too', async () => {
      await reviews.open(aReview());
      const byName = await sim.sendMessage(channel, adele.aadObjectId, 'status spring SHOOT');
      expect(repliesTo(channel, byName.activityId)).toEqual([
        expect.stringMatching(/Spring shoot[\s\S]*waiting for a decision/),
      ]);
      const chat = megan.personalConversationId;
      const byId = await sim.sendMessage(chat, megan.aadObjectId, 'status G0000aBcDeFgHiJk');
      expect(repliesTo(chat, byId.activityId)).toEqual([expect.stringContaining('Spring shoot')]);
      const missing = await sim.sendMessage(chat, megan.aadObjectId, 'status Winter');
      expect(repliesTo(chat, missing.activityId)).toEqual([
        expect.stringContaining('no review for a gallery called or numbered "Winter"'),
      ]);
    });
  });

  describe('card actions', () => {
    it("records an assigned reviewer's approval, answers with the updated card and queues the sync", async () => {
      const review = await postedReview();
      const answer = await press(adele.aadObjectId, review, 'approve');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        statusCode: 200,
        type: 'application/vnd.microsoft.card.adaptive',
        value: { view: 'reviewer', status: 'approved', cardVersion: 2 },
      });
      // The reviewers who get the actionable view when Teams refreshes: their MRIs from the roster.
      expect((answer.body as { value: { refreshUserIds: string[] } }).value.refreshUserIds).toEqual(
        [adele.mri, alex.mri],
      );
      const stored = (await reviews.get(review.id))?.review;
      expect(stored?.status).toBe('approved');
      expect(stored?.decisions).toMatchObject([
        { reviewerId: adele.aadObjectId, verb: 'approve', source: 'teams' },
      ]);
      // One message, queued before the save: the sync of the card, task and PhotoShelter, carrying
      // the audit entry and the announcement for webhook subscribers.
      expect(queue.messages).toEqual([
        expect.objectContaining({
          type: 'review.sync',
          reviewId: review.id,
          audit: expect.objectContaining({ kind: 'review.decided' }),
          announce: expect.objectContaining({ event: 'review.decided', reviewId: review.id }),
        }),
      ]);
      // Everyone's copy is updated by the queued review.sync, not inside the invoke.
      const card = sim
        .conversation(channel)
        ?.activities.find((a) => a.id === review.teams.activityId);
      expect(card?.versions.map((v) => v.kind)).toEqual(['created']);
    });

    it('takes a press from an older client (Action.Submit) and replaces the pressed card', async () => {
      const review = await postedReview();
      const submit = {
        ...userMessageActivity(sim.activityContext(channel), { ...adele, id: adele.mri }, '', {
          mentionBot: false,
          replyToId: review.teams.activityId ?? '',
        }),
        text: '',
        value: { reviewId: review.id, cardVersion: review.cardVersion, verb: 'approve' },
      };

      const answer = await sim.sendToBot(undefined, submit);

      expect(answer.status).toBe(200);
      expect((await reviews.get(review.id))?.review.status).toBe('approved');
      const card = sim
        .conversation(channel)
        ?.activities.find((a) => a.id === review.teams.activityId);
      expect(card?.versions.map((v) => v.kind)).toEqual(['created', 'updated']);
    });

    it('counts the same press delivered three times once', async () => {
      const review = await postedReview();
      const answers = [];
      for (let i = 0; i < 3; i += 1) answers.push(await press(alex.aadObjectId, review, 'approve'));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(answers.map((a) => (a.body as { value: { view: string } }).value.view)).toEqual([
        'reviewer',
        'reviewer',
        'reviewer',
      ]);
      expect((await reviews.get(review.id))?.review.decisions).toHaveLength(1);
      expect(queue.messages.filter((m) => m.type === 'review.sync')).toHaveLength(1);
    });

    it('shows someone who is not a reviewer the read-only card and changes nothing', async () => {
      const review = await postedReview();
      const before = await reviews.get(review.id);
      const answer = await press(megan.aadObjectId, review, 'archive');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        statusCode: 200,
        value: {
          view: 'readOnly',
          reason: 'Only assigned reviewers can decide',
          status: 'pending',
        },
      });
      expect(await reviews.get(review.id)).toEqual(before);
      expect(queue.messages).toEqual([]);
    });

    it('refuses a stale card with the current one and says why', async () => {
      const review = await postedReview({ cardVersion: 3 });
      const answer = await press(adele.aadObjectId, { ...review, cardVersion: 2 }, 'approve');
      expect(answer.body).toMatchObject({
        statusCode: 200,
        value: {
          view: 'readOnly',
          cardVersion: 3,
          status: 'pending',
          reason: expect.stringContaining('This card was out of date'),
        },
      });
      expect((await reviews.get(review.id))?.review.decisions).toEqual([]);
    });

    it('asks for a comment before a re-review, and takes one', async () => {
      const review = await postedReview();
      const bare = await press(adele.aadObjectId, review, 'rereview', { comment: '  ' });
      expect(bare.body).toMatchObject({
        statusCode: 200,
        value: { view: 'error', title: 'Comment required', reviewId: review.id },
      });
      expect((await reviews.get(review.id))?.review.status).toBe('pending');

      const withComment = await press(adele.aadObjectId, review, 'rereview', {
        comment: 'Crop tighter',
      });
      expect(withComment.body).toMatchObject({ value: { view: 'reviewer', status: 'rereview' } });
      expect((await reviews.get(review.id))?.review.decisions).toMatchObject([
        { verb: 'rereview', comment: 'Crop tighter' },
      ]);
    });

    it('refreshes to the reviewer view for a reviewer and the read-only view for others', async () => {
      const review = await postedReview();
      const forAlex = await press(alex.aadObjectId, review, 'refresh');
      expect(forAlex.body).toMatchObject({ statusCode: 200, value: { view: 'reviewer' } });
      const forMegan = await press(megan.aadObjectId, review, 'refresh');
      expect(forMegan.body).toMatchObject({
        statusCode: 200,
        value: { view: 'readOnly', reason: 'Only assigned reviewers can decide' },
      });
      expect(queue.messages).toEqual([]);
    });

    it('answers card data it cannot read with a friendly card and a warning', async () => {
      const review = await postedReview();
      const answer = await sim.actOnCard(channel, adele.aadObjectId, {
        replyToId: review.teams.activityId ?? '',
        verb: 'approve',
        data: { cardVersion: 'soon' },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ statusCode: 200, value: { view: 'error' } });
      expect(logger.records).toContainEqual(
        expect.objectContaining({ level: 'warn', message: 'card action data refused' }),
      );
      const unknown = await press(adele.aadObjectId, review, 'publish');
      expect(unknown.body).toMatchObject({ statusCode: 200, value: { view: 'error' } });
      expect((await reviews.get(review.id))?.review.decisions).toEqual([]);
    });

    it('refuses a body that is not an activity, and runs no turn', async () => {
      const answer = await created.process({
        method: 'POST',
        headers: {},
        body: { text: 'help', conversation: { id: channel } },
      });
      expect(answer).toEqual({ status: 400 });
      expect(logger.records).toContainEqual(
        expect.objectContaining({ level: 'warn', message: 'bot request without an activity type' }),
      );
      expect(sim.conversation(channel)?.activities ?? []).toEqual([]);
    });

    it('answers an action on a review that no longer exists with an error card', async () => {
      const review = await postedReview();
      const answer = await press(
        adele.aadObjectId,
        { ...review, id: `${review.galleryId}~gone` },
        'approve',
      );
      expect(answer.body).toMatchObject({
        statusCode: 200,
        value: { view: 'error', title: 'Review not found' },
      });
    });
  });
});
