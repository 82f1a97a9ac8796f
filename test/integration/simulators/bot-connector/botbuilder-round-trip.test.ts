import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

import {
  type Activity,
  ActivityHandler,
  type AdaptiveCardInvokeResponse,
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
  MessageFactory,
  type TurnContext,
} from 'botbuilder';
import { MsalServiceClientCredentialsFactory } from 'botframework-connector';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { FakeBotConnectorServer } from '../../../../simulators/bot-connector/fake-bot-connector-server.js';
import { selfSignedCertificate } from '../../../support/self-signed-certificate.js';

// A real botbuilder CloudAdapter + ActivityHandler on node:http, talking to the simulator both ways:
// inbound JWTs validated against the simulator's OpenID metadata, outbound calls authorised with a
// token MSAL fetched from the simulator's token endpoint over TLS (MSAL refuses http authorities).

const BOT_APP_ID = 'cffc1642-38ff-483f-b01b-99a6dda6de35';
const TENANT_ID = 'd474143d-8716-44b6-83c8-8d48b5737dc3';
const BOT_APP_PASSWORD = 'round-trip-secret';

// The MSAL copy botframework-connector itself resolves (2.x), so its ConfidentialClientApplication is
// the one MsalServiceClientCredentialsFactory expects; the project's top-level @azure/msal-node is
// another major, brought by @azure/identity. Only the options used here are typed.
interface MsalNode {
  ConfidentialClientApplication: new (configuration: {
    auth: { clientId: string; clientSecret: string; authority: string; knownAuthorities: string[] };
    system: { customAgentOptions: { ca: string } };
  }) => unknown;
}
const msal = createRequire(createRequire(import.meta.url).resolve('botframework-connector'))(
  '@azure/msal-node',
) as MsalNode;
type ClientApplication = ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1];

class ReviewBot extends ActivityHandler {
  readonly handled: string[] = [];

  constructor() {
    super();
    this.onMessage(async (context, next) => {
      this.handled.push(`message:${context.activity.text}`);
      await context.sendActivity(`echo: ${context.activity.text}`);
      await next();
    });
  }

  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
  ): Promise<AdaptiveCardInvokeResponse> {
    const value = context.activity.value as { action: { verb: string } };
    this.handled.push(`invoke:${value.action.verb}`);
    const card = CardFactory.adaptiveCard({
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'TextBlock', text: `${value.action.verb} by ${context.activity.from.name}` }],
    });
    // Everyone's view: update the card activity the invoke came from.
    await context.updateActivity({
      ...MessageFactory.attachment(card),
      id: context.activity.replyToId,
    });
    return {
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: card.content as Record<string, unknown>,
    };
  }
}

// Made in-process (no openssl CLI), so these tests run everywhere and never skip.
const tls = await selfSignedCertificate();

describe('botbuilder CloudAdapter against the simulator', () => {
  const sim = new FakeBotConnectorServer({
    botAppId: BOT_APP_ID,
    tenantId: TENANT_ID,
    botAppPassword: BOT_APP_PASSWORD,
    requireBotToken: true,
    https: tls,
  });
  const bot = new ReviewBot();
  let adapter: CloudAdapter;
  let botServer: Server;
  let botEndpoint = '';

  beforeAll(async () => {
    await sim.start();
    const clientApplication = new msal.ConfidentialClientApplication({
      auth: {
        clientId: BOT_APP_ID,
        clientSecret: BOT_APP_PASSWORD,
        authority: sim.authorityUrl,
        // Without this MSAL asks login.microsoftonline.com for instance discovery first.
        knownAuthorities: [new URL(sim.authorityUrl).host],
      },
      system: { customAgentOptions: { ca: tls.cert } },
    }) as ClientApplication;
    const auth = new ConfigurationBotFrameworkAuthentication(
      {
        MicrosoftAppId: BOT_APP_ID,
        MicrosoftAppType: 'SingleTenant',
        MicrosoftAppTenantId: TENANT_ID,
        // Setting any of these makes botbuilder take all of them as given
        // (botframework-connector BotFrameworkAuthenticationFactory.create).
        ToBotFromChannelOpenIdMetadataUrl: sim.openIdMetadataUrl,
        ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
        ToBotFromEmulatorOpenIdMetadataUrl: sim.openIdMetadataUrl,
        ToChannelFromBotLoginUrl: sim.authorityUrl,
        ToChannelFromBotOAuthScope: 'https://api.botframework.com',
        CallerId: 'urn:botframework:azure',
        OAuthUrl: sim.url,
        ValidateAuthority: true,
      },
      new MsalServiceClientCredentialsFactory(BOT_APP_ID, clientApplication),
    );
    adapter = new CloudAdapter(auth);
    adapter.onTurnError = async (_context, error) => {
      bot.handled.push(`error:${error.message}`);
      await Promise.resolve();
    };
    botServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let payload: unknown;
        const response = {
          socket: req.socket,
          status: (code: number) => {
            res.statusCode = code;
          },
          header: (name: string, value: unknown) => {
            res.setHeader(name, String(value));
          },
          send: (body: unknown) => {
            payload = body;
          },
          end: () => {
            if (payload === undefined) res.end();
            else if (typeof payload === 'string') res.end(payload);
            else {
              res.setHeader('Content-Type', 'application/json');
              res.end(JSON.stringify(payload));
            }
          },
        };
        const request = {
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          headers: req.headers,
          method: req.method ?? 'POST',
        };
        void adapter.process(request, response, (context) => bot.run(context));
      });
    });
    await new Promise<void>((resolve) => botServer.listen(0, '127.0.0.1', resolve));
    botEndpoint = `http://127.0.0.1:${(botServer.address() as AddressInfo).port}/api/messages`;
    sim.botEndpoint = botEndpoint;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => {
      botServer.close(() => resolve());
      botServer.closeAllConnections();
    });
    await sim.stop();
  });

  beforeEach(() => {
    sim.reset();
    bot.handled.length = 0;
  });

  it('accepts a signed message and the reply lands in the transcript', async () => {
    const chat = sim.seed.users.adele.personalConversationId;
    const answer = await sim.sendMessage(chat, sim.seed.users.adele.aadObjectId, 'hello');
    expect(answer.status).toBe(200);
    expect(bot.handled).toEqual(['message:hello']);
    const transcript = sim.conversation(chat);
    const reply = transcript?.activities.find((a) => a.direction === 'fromBot');
    expect(reply?.latest).toMatchObject({ text: 'echo: hello', replyToId: answer.activityId });
    // Every connector call carried an MSAL token issued by the simulator.
    expect(sim.calls().byEndpoint).toMatchObject({
      'GET /:tenantId/v2.0/.well-known/openid-configuration': 1,
      'POST /:tenantId/oauth2/v2.0/token': 1,
      'POST /v3/conversations/:conversationId/activities/:activityId': 1,
    });
  });

  it('posts a card proactively, answers the Action.Execute invoke and updates the card', async () => {
    const channel = sim.seed.photoReviewsChannel.id;
    const reference: Partial<ConversationReference> = {
      channelId: 'msteams',
      serviceUrl: sim.url,
      conversation: { id: channel, isGroup: true, conversationType: 'channel', name: '' },
      bot: { id: sim.seed.bot.id, name: sim.seed.bot.name },
    };
    let cardId = '';
    await adapter.continueConversationAsync(BOT_APP_ID, reference, async (context) => {
      const sent = await context.sendActivity(
        MessageFactory.attachment(
          CardFactory.adaptiveCard({
            type: 'AdaptiveCard',
            version: '1.5',
            body: [{ type: 'TextBlock', text: 'Review: Spring shoot' }],
            actions: [{ type: 'Action.Execute', title: 'Approve', verb: 'approve' }],
          }),
        ),
      );
      cardId = sent?.id ?? '';
    });
    expect(cardId).not.toBe('');

    const answer = await sim.actOnCard(channel, sim.seed.users.alex.aadObjectId, {
      replyToId: cardId,
      verb: 'approve',
      data: { reviewId: 'r-1' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: { body: [{ text: 'approve by Alex Wilber' }] },
    });
    const card = sim.conversation(channel)?.activities.find((a) => a.id === cardId);
    expect(card?.versions.map((v) => v.kind)).toEqual(['created', 'updated']);
    const attachments = (card?.latest as Activity | null)?.attachments;
    expect(attachments?.[0]?.content).toMatchObject({
      body: [{ text: 'approve by Alex Wilber' }],
    });
  });

  it('creates a channel reply chain with createConversationAsync', async () => {
    let conversationId = '';
    await adapter.createConversationAsync(
      BOT_APP_ID,
      'msteams',
      sim.url,
      'https://api.botframework.com',
      {
        isGroup: true,
        channelData: { channel: { id: sim.seed.photoReviewsChannel.id } },
        activity: MessageFactory.text('New review') as Activity,
        bot: { id: sim.seed.bot.id, name: sim.seed.bot.name },
        members: [],
      },
      async (context) => {
        conversationId = context.activity.conversation.id;
        await Promise.resolve();
      },
    );
    expect(conversationId.startsWith(`${sim.seed.photoReviewsChannel.id};messageid=`)).toBe(true);
    expect(sim.conversation(conversationId)?.activities[0]?.latest?.text).toBe('New review');
  });

  // botbuilder 4.23.3 maps only its AuthenticationError to 401; a bad signature surfaces as
  // jsonwebtoken's JsonWebTokenError, which CloudAdapter.process answers with 500
  // (botframework-connector src/auth/jwtTokenExtractor.ts rethrows it; botbuilder src/cloudAdapter.ts).
  it.each([
    ['no Authorization header', { sign: false }, 401],
    ['an expired token', { tamper: 'expired' }, 401],
    ['a token for another app id', { tamper: 'wrongAudience' }, 401],
    ['a forged signature', { tamper: 'forged' }, 500],
    ['an unsigned (alg none) token', { tamper: 'unsigned' }, 500],
  ] as const)('refuses %s without running the bot', async (_label, options, status) => {
    const ctx = sim.activityContext(sim.seed.groupChat.id);
    const answer = await sim.sendToBot(
      botEndpoint,
      {
        type: 'message',
        text: 'let me in',
        conversation: { id: ctx.conversation.id },
        from: { id: sim.seed.users.megan.mri, name: sim.seed.users.megan.name },
      },
      options,
    );
    expect(answer.status).toBe(status);
    expect(bot.handled).toEqual([]);
  });

  it('refuses an activity whose serviceUrl differs from the serviceurl claim', async () => {
    const token = await sim.channelToken('https://smba.trafficmanager.net/teams/');
    const response = await fetch(botEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({
        type: 'message',
        id: '1',
        text: 'x',
        channelId: 'msteams',
        serviceUrl: sim.url,
        conversation: { id: sim.seed.groupChat.id },
        from: { id: sim.seed.users.megan.mri },
        recipient: { id: sim.seed.bot.id },
      }),
    });
    expect(response.status).toBe(401);
    expect(bot.handled).toEqual([]);
  });
});
