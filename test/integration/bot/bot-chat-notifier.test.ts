import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { loadBotConfig } from '../../../composition/bot-config.js';
import { createBot } from '../../../composition/create-bot.js';
import { AuthError, NotFoundError, RateLimitedError } from '../../../core/errors.js';
import type { ChatNotifier } from '../../../core/ports/chat-notifier.js';
import { FakeBotConnectorServer } from '../../../simulators/bot-connector/fake-bot-connector-server.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../doubles/in-memory-audit-log.js';
import { InMemoryEventQueue } from '../../doubles/in-memory-event-queue.js';
import { RecordingLogger } from '../../doubles/recording-logger.js';
import {
  type BotServer,
  CONVERSATION_KEY,
  LabelledReviewCards,
  MemoryConversationStore,
  startBotServer,
} from './support.js';
import { InMemoryReviewStore } from '../../doubles/in-memory-review-store.js';

// BotChatNotifier against the simulator: the conversation is captured by a real install, then
// cards are posted and updated proactively and land in the simulator's transcript.

const card = (text: string) => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text }],
});

describe('BotChatNotifier against the Bot Connector simulator', () => {
  const sim = new FakeBotConnectorServer();
  const channel = sim.seed.photoReviewsChannel.id;
  const { adele, alex, megan } = sim.seed.users;
  let conversations: MemoryConversationStore;
  let clock: FixedClock;
  let notifier: ChatNotifier;
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
    conversations = new MemoryConversationStore();
    clock = new FixedClock();
    const logger = new RecordingLogger();
    const created = createBot({
      botConfig: loadBotConfig({}),
      services: {
        reviews: new InMemoryReviewStore(),
        conversations,
        cards: new LabelledReviewCards(),
        queue: new InMemoryEventQueue(),
        audit: new InMemoryAuditLog(),
        clock,
        logger,
      },
    });
    notifier = created.notifier;
    server = await startBotServer(created, logger);
    sim.botEndpoint = server.url;
    await sim.installBot(channel, adele.aadObjectId);
    sim.resetCalls();
  });

  it('posts a card and updates it; the transcript keeps both versions', async () => {
    const { activityId } = await notifier.postCard(CONVERSATION_KEY, card('v1'), 'Review: Spring');
    await notifier.updateCard(CONVERSATION_KEY, activityId, card('v2'));
    const posted = sim.conversation(channel)?.activities.find((a) => a.id === activityId);
    expect(posted?.direction).toBe('fromBot');
    expect(posted?.versions.map((v) => v.kind)).toEqual(['created', 'updated']);
    expect(posted?.versions[0]?.activity).toMatchObject({
      summary: 'Review: Spring',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: { body: [{ text: 'v1' }] },
        },
      ],
    });
    expect(posted?.latest).toMatchObject({
      attachments: [{ content: { body: [{ text: 'v2' }] } }],
    });
  });

  it('names the Teams ids of the given people in the roster, and reads the roster once every ten minutes', async () => {
    const absent = '00000000-0000-4000-8000-000000000000';
    expect(
      await notifier.memberIds(CONVERSATION_KEY, [alex.aadObjectId, absent, adele.aadObjectId]),
    ).toEqual([alex.mri, adele.mri]);
    expect(await notifier.memberIds(CONVERSATION_KEY, [megan.aadObjectId])).toEqual([megan.mri]);
    const rosterCalls = () =>
      Object.entries(sim.calls().byEndpoint)
        .filter(([endpoint]) => endpoint.includes('members'))
        .reduce((sum, [, n]) => sum + n, 0);
    expect(rosterCalls()).toBe(1);
    clock.advance(9 * 60_000);
    await notifier.memberIds(CONVERSATION_KEY, [megan.aadObjectId]);
    expect(rosterCalls()).toBe(1);
    clock.advance(60_001);
    await notifier.memberIds(CONVERSATION_KEY, [megan.aadObjectId]);
    expect(rosterCalls()).toBe(2);
  });

  it.each([
    ['notInRoster', 'notInRoster'],
    ['writesBlocked', 'writesBlocked'],
  ] as const)(
    'turns a 403 (%s) into AuthError and marks the conversation',
    async (mode, status) => {
      sim.setMode(channel, mode);
      const posting = notifier.postCard(CONVERSATION_KEY, card('v1'), 'Review');
      await expect(posting).rejects.toBeInstanceOf(AuthError);
      await expect(posting).rejects.toMatchObject({
        details: { conversation: CONVERSATION_KEY, status: 403 },
      });
      expect(conversations.records.get(CONVERSATION_KEY)?.status).toBe(status);

      // Back in the roster (or unblocked): the next post goes through and the mark is lifted.
      sim.setMode(channel, 'ok');
      await notifier.postCard(CONVERSATION_KEY, card('v1'), 'Review');
      expect(conversations.records.get(CONVERSATION_KEY)?.status).toBe('active');
    },
  );

  it('says NotFound for a key nobody installed the bot under, and for a card that is gone', async () => {
    await expect(notifier.postCard('channel:Sales/Nope', card('x'), 'x')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(notifier.updateCard(CONVERSATION_KEY, '999', card('x'))).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  // A post whose outcome is unknown is never sent again by the connector client: the card may be in
  // the conversation already, and only the caller (syncCard, with a new card instance) may post again.
  it.each([
    ['its answer is lost', { lostResponse: true }, 1],
    ['the connection drops', { drop: true }, 0],
    ['the Bot Connector answers 500', { status: 500 }, 0],
    ['the Bot Connector answers 503', { status: 503, retryAfterSeconds: 0 }, 0],
  ] as const)(
    'sends a new card once when %s, and leaves the retry to the caller',
    async (_what, fault, cardsApplied) => {
      sim.addFault({ path: '/v3/conversations', method: 'POST', ...fault, times: 4 });
      await expect(notifier.postCard(CONVERSATION_KEY, card('once'), 'x')).rejects.toThrow();
      expect(sim.calls().byEndpoint).toEqual({
        'POST /v3/conversations/:conversationId/activities/:activityId': 1,
      });
      const posted = (sim.conversation(channel)?.activities ?? []).filter((a) =>
        JSON.stringify(a.latest?.attachments ?? []).includes('"text":"once"'),
      );
      expect(posted).toHaveLength(cardsApplied);
    },
  );

  it('still retries an update (PUT is idempotent) when its answer is lost', async () => {
    const { activityId } = await notifier.postCard(CONVERSATION_KEY, card('v1'), 'Review');
    sim.resetCalls();
    sim.addFault({ path: '/v3/conversations', method: 'PUT', lostResponse: true });
    await notifier.updateCard(CONVERSATION_KEY, activityId, card('v2'));
    expect(sim.calls().byEndpoint).toEqual({
      'PUT /v3/conversations/:conversationId/activities/:activityId': 2,
    });
  });

  it('passes a 429 on a new card as RateLimitedError at once: Teams did nothing, the queue waits', async () => {
    sim.addFault({ path: '/v3/conversations', status: 429, retryAfterSeconds: 2, times: 4 });
    const posting = notifier.postCard(CONVERSATION_KEY, card('x'), 'x');
    await expect(posting).rejects.toBeInstanceOf(RateLimitedError);
    await expect(posting).rejects.toMatchObject({ retryAfterMs: 2000 });
    expect(sim.calls().byEndpoint).toEqual({
      'POST /v3/conversations/:conversationId/activities/:activityId': 1,
    });
  });

  it('passes a 429 on an update as RateLimitedError once the connector client gave up retrying', async () => {
    const { activityId } = await notifier.postCard(CONVERSATION_KEY, card('v1'), 'Review');
    sim.resetCalls();

    // botbuilder's connector client retries a 429 itself, three times, after Retry-After.
    sim.addFault({ path: '/v3/conversations', status: 429, retryAfterSeconds: 0, times: 4 });
    const updating = notifier.updateCard(CONVERSATION_KEY, activityId, card('v2'));
    await expect(updating).rejects.toBeInstanceOf(RateLimitedError);
    expect(sim.calls().byEndpoint).toMatchObject({
      'PUT /v3/conversations/:conversationId/activities/:activityId': 4,
    });
  });
});
