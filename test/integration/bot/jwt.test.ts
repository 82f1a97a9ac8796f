import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { loadBotConfig } from '../../../composition/bot-config.js';
import { createBot } from '../../../composition/create-bot.js';
import { FakeBotConnectorServer } from '../../../simulators/bot-connector/fake-bot-connector-server.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../doubles/in-memory-audit-log.js';
import { InMemoryEventQueue } from '../../doubles/in-memory-event-queue.js';
import { RecordingLogger } from '../../doubles/recording-logger.js';
import { selfSignedCertificate } from '../../support/self-signed-certificate.js';
import {
  type BotServer,
  LabelledReviewCards,
  MemoryConversationStore,
  startBotServer,
} from './support.js';
import { InMemoryReviewStore } from '../../doubles/in-memory-review-store.js';

// The bot with an app id: inbound channel JWTs checked against the simulator's OpenID metadata,
// outbound calls authorised with a token MSAL fetched from the simulator over TLS (MSAL refuses
// http authorities), all configured through the bot's environment keys as in production.

const BOT_APP_ID = '8a0e4f5c-2d5b-4a53-9f0f-1c7b7e0e2a11';
const TENANT_ID = '4c9a7e2d-6f1b-4e8a-b3d5-0a2f6c8e1b37';
const BOT_APP_PASSWORD = 'jwt-test-secret';

const dir = mkdtempSync(join(tmpdir(), 'lightdesk-bot-tls-'));
// Made in-process (no openssl CLI), so these tests run everywhere and never skip.
const tls = await selfSignedCertificate();

describe('bot authentication with an app id', () => {
  const sim = new FakeBotConnectorServer({
    botAppId: BOT_APP_ID,
    tenantId: TENANT_ID,
    botAppPassword: BOT_APP_PASSWORD,
    requireBotToken: true,
    https: tls,
  });
  const chat = sim.seed.users.adele.personalConversationId;
  const adele = sim.seed.users.adele;
  let server: BotServer;
  let logger: RecordingLogger;

  beforeAll(async () => {
    await sim.start();
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, tls.cert);
    logger = new RecordingLogger();
    const created = createBot({
      botConfig: loadBotConfig({
        MicrosoftAppId: BOT_APP_ID,
        MicrosoftAppPassword: BOT_APP_PASSWORD,
        MicrosoftAppTenantId: TENANT_ID,
        BOT_OPENID_METADATA_URL: sim.openIdMetadataUrl,
        BOT_LOGIN_URL: sim.authorityUrl,
        BOT_TRUSTED_CA_FILE: caFile,
      }),
      services: {
        reviews: new InMemoryReviewStore(),
        conversations: new MemoryConversationStore(),
        cards: new LabelledReviewCards(),
        queue: new InMemoryEventQueue(),
        audit: new InMemoryAuditLog(),
        clock: new FixedClock(),
        logger,
      },
    });
    server = await startBotServer(created, logger);
    sim.botEndpoint = server.url;
  });

  afterAll(async () => {
    await server.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    sim.reset();
  });

  const botReplies = () =>
    (sim.conversation(chat)?.activities ?? []).filter((a) => a.direction === 'fromBot');

  it('accepts a signed activity and replies with an MSAL token from the simulator', async () => {
    const answer = await sim.sendMessage(chat, adele.aadObjectId, 'help');
    expect(answer.status).toBe(200);
    expect(botReplies().map((a) => a.latest?.replyToId)).toEqual([answer.activityId]);
    expect(sim.calls().byEndpoint).toMatchObject({
      'POST /:tenantId/oauth2/v2.0/token': 1,
      'POST /v3/conversations/:conversationId/activities/:activityId': 1,
    });
    // Nothing secret reached the log.
    expect(logger.text()).not.toContain(BOT_APP_PASSWORD);
  });

  // botbuilder answers the last two with 500 (jsonwebtoken's error is not its AuthenticationError);
  // the messages function makes every refusal a 401 without detail.
  it.each([
    ['no Authorization header', { sign: false }],
    ['an expired token', { tamper: 'expired' }],
    ['a token for another app id', { tamper: 'wrongAudience' }],
    ['a forged signature', { tamper: 'forged' }],
    ['an unsigned (alg none) token', { tamper: 'unsigned' }],
  ] as const)('refuses %s with 401 and runs nothing', async (_label, options) => {
    const ctx = sim.activityContext(chat);
    const answer = await sim.sendToBot(
      undefined,
      {
        type: 'message',
        text: 'help',
        conversation: { id: ctx.conversation.id, conversationType: 'personal' },
        from: { id: adele.mri, name: adele.name, aadObjectId: adele.aadObjectId },
        channelData: { tenant: { id: TENANT_ID } },
      },
      options,
    );
    expect(answer.status).toBe(401);
    expect(answer.body).toBeUndefined();
    expect(botReplies()).toEqual([]);
  });

  it('ignores a signed activity from another tenant', async () => {
    const ctx = sim.activityContext(chat);
    const answer = await sim.sendToBot(undefined, {
      type: 'message',
      text: 'pending',
      conversation: { id: ctx.conversation.id, conversationType: 'personal' },
      from: { id: adele.mri, name: adele.name, aadObjectId: adele.aadObjectId },
      channelData: { tenant: { id: '11111111-2222-4333-8444-555555555555' } },
    });
    expect(answer.status).toBe(200);
    expect(botReplies()).toEqual([]);
    expect(logger.records).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'activity from another tenant ignored' }),
    );
  });
});
