import { createPublicKey, verify } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { FakeBotConnectorServer } from '../../../../simulators/bot-connector/fake-bot-connector-server.js';
import {
  call,
  enc,
  fixture,
  type Json,
  manualClock,
  shapeDifferences,
  startCaptureBot,
  type CaptureBot,
} from './support.js';

// Checked with node:crypto alone, independently of the simulator's own JWT code.
function decode(token: string): { header: Json; claims: Json; signature: Buffer; input: string } {
  const [h = '', c = '', s = ''] = token.split('.');
  const part = (p: string): Json => JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  return {
    header: part(h),
    claims: part(c),
    signature: Buffer.from(s, 'base64url'),
    input: `${h}.${c}`,
  };
}

function verifiesWith(token: string, jwks: { keys: Json[] }): boolean {
  const { header, signature, input } = decode(token);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (jwk === undefined || header.alg !== 'RS256' || signature.length === 0) return false;
  const key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
  return verify('sha256', Buffer.from(input), key, signature);
}

const bearer = (headers: IncomingHttpHeaders): string =>
  (headers.authorization ?? '').replace(/^Bearer /, '');

const clock = manualClock();
const BOT_APP_ID = '6d1cd46e-b86b-48d3-bffd-fcd2ec296044';
const TENANT_ID = 'c601b413-7f60-466e-b851-06f02f9b53aa';
const server = new FakeBotConnectorServer({
  now: clock.now,
  botAppId: BOT_APP_ID,
  tenantId: TENANT_ID,
  botAppPassword: 'sim-secret',
  requireBotToken: true,
});
let url = '';
let bot: CaptureBot;

beforeAll(async () => {
  ({ url } = await server.start());
  bot = await startCaptureBot((req) =>
    req.body.type === 'invoke'
      ? { status: 200, body: fixture('invoke-response-card.json') }
      : { status: 200, body: {} },
  );
});
afterAll(async () => {
  await bot.close();
  await server.stop();
});
beforeEach(() => {
  server.reset();
  bot.received.length = 0;
});

describe('channel → bot: OpenID metadata and signed activities', () => {
  it('serves the OpenID metadata and a JWKS whose key is endorsed for msteams', async () => {
    const metadata = await call(url, 'GET', '/v1/.well-known/openidconfiguration');
    expect(shapeDifferences(metadata.body, fixture('openid-configuration.json'))).toEqual([]);
    expect(metadata.body.issuer).toBe('https://api.botframework.com');
    expect(metadata.body.jwks_uri).toBe(`${url}/.well-known/keys`);
    const keys = await call(url, 'GET', '/.well-known/keys');
    expect(shapeDifferences(keys.body, fixture('jwks.json'))).toEqual([]);
    expect(keys.body.keys[0].endorsements).toContain('msteams');
  });

  it('signs what sendToBot posts the way the Bot Framework channel does', async () => {
    const keys = (await call(url, 'GET', '/.well-known/keys')).body;
    const ctx = server.activityContext(server.seed.photoReviewsChannel.id);
    const answer = await server.sendToBot(bot.url, {
      type: 'message',
      text: 'hello',
      conversation: { id: ctx.conversation.id },
    });
    expect(answer.status).toBe(200);
    const [received] = bot.received;
    const token = bearer(received?.headers ?? {});
    expect(verifiesWith(token, keys)).toBe(true);
    const { header, claims } = decode(token);
    expect(header).toMatchObject({ alg: 'RS256', kid: keys.keys[0].kid });
    expect(claims).toMatchObject({
      iss: 'https://api.botframework.com',
      aud: BOT_APP_ID,
      serviceurl: url,
    });
    expect(received?.body.serviceUrl).toBe(claims.serviceurl);
    expect(claims.exp - claims.iat).toBe(3600);
    expect(claims.nbf).toBeLessThanOrEqual(claims.iat);
    expect(claims.iat).toBe(clock.now().getTime() / 1000);
    expect(received?.body).toMatchObject({
      channelId: 'msteams',
      recipient: { id: `28:${BOT_APP_ID}` },
      id: answer.activityId,
    });
  });

  it.each([
    ['forged', (t: string, keys: { keys: Json[] }) => expect(verifiesWith(t, keys)).toBe(false)],
    [
      'unsigned',
      (t: string, keys: { keys: Json[] }) => {
        expect(decode(t).header.alg).toBe('none');
        expect(verifiesWith(t, keys)).toBe(false);
      },
    ],
    [
      'expired',
      (t: string, keys: { keys: Json[] }) => {
        expect(verifiesWith(t, keys)).toBe(true);
        // Expired beyond botbuilder's 300 s clock tolerance.
        expect(decode(t).claims.exp).toBeLessThan(clock.now().getTime() / 1000 - 300);
      },
    ],
    [
      'wrongAudience',
      (t: string, keys: { keys: Json[] }) => {
        expect(verifiesWith(t, keys)).toBe(true);
        expect(decode(t).claims.aud).not.toBe(BOT_APP_ID);
      },
    ],
  ] as const)('tamper %s yields a token the bot must refuse', async (tamper, check) => {
    const keys = (await call(url, 'GET', '/.well-known/keys')).body;
    await server.sendToBot(bot.url, { type: 'message', text: 'x' }, { tamper });
    check(bearer(bot.received[0]?.headers ?? {}), keys);
  });

  it('sends no Authorization header with sign: false', async () => {
    await server.sendToBot(bot.url, { type: 'message', text: 'x' }, { sign: false });
    expect(bot.received[0]?.headers['authorization']).toBeUndefined();
  });

  /** Alex pressing Approve on card 1700000000000 in `conversationId`, as the /_sim/invoke routes take it. */
  const alexApproves = (conversationId: string) => ({
    botEndpoint: bot.url,
    conversationId,
    user: server.seed.users.alex.aadObjectId,
    replyToId: '1700000000000',
    verb: 'approve',
    data: { reviewId: 'r-1', cardVersion: 1 },
  });

  it('records an Action.Execute invoke and the bot answer in the transcript', async () => {
    const channel = server.seed.photoReviewsChannel.id;
    const thread = `${channel};messageid=1700000000000`;
    const answer = await call(url, 'POST', '/_sim/invoke', alexApproves(thread));
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe(200);
    expect(answer.body.body).toEqual(fixture('invoke-response-card.json'));
    const sent = bot.received[0]?.body;
    expect(shapeDifferences(sent, fixture('adaptive-card-action-invoke.json'))).toEqual([]);
    expect(sent).toMatchObject({
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: '1700000000000',
      from: {
        id: server.seed.users.alex.mri,
        aadObjectId: server.seed.users.alex.aadObjectId,
        name: 'Alex Wilber',
      },
      value: {
        action: { type: 'Action.Execute', verb: 'approve', data: { reviewId: 'r-1' } },
        trigger: 'manual',
      },
      channelData: { channel: { id: channel }, team: { id: server.seed.team.id } },
    });
    const transcript = server.conversation(thread);
    expect(transcript?.activities[0]).toMatchObject({
      direction: 'toBot',
      botAnswer: { status: 200, body: { statusCode: 200 } },
    });
  });

  it('prepares a signed invoke without sending it, for a client to post itself', async () => {
    const channel = server.seed.photoReviewsChannel.id;
    const prepared = await call(url, 'POST', '/_sim/invoke/prepare', alexApproves(channel));
    expect(prepared.status).toBe(200);
    expect(bot.received).toHaveLength(0);
    const { endpoint, headers, body, activityId } = prepared.body as {
      endpoint: string;
      headers: Record<string, string>;
      body: string;
      activityId: string;
    };
    expect(endpoint).toBe(bot.url);
    const keys = (await call(url, 'GET', '/.well-known/keys')).body;
    expect(verifiesWith(bearer({ authorization: headers['Authorization'] ?? '' }), keys)).toBe(
      true,
    );
    expect(JSON.parse(body)).toMatchObject({
      id: activityId,
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { verb: 'approve', data: { reviewId: 'r-1' } } },
    });
    expect(server.conversation(channel)?.activities.at(-1)).toMatchObject({
      id: activityId,
      direction: 'toBot',
    });

    await fetch(endpoint, { method: 'POST', headers, body });
    expect(bot.received[0]?.body).toEqual(JSON.parse(body));
  });

  it('builds install and @mention message activities for each scope', async () => {
    await call(url, 'POST', '/_sim/install', {
      botEndpoint: bot.url,
      conversationId: server.seed.team.id,
    });
    expect(
      shapeDifferences(
        bot.received[0]?.body,
        fixture('conversation-update-bot-added-to-team.json'),
      ),
    ).toEqual([]);
    await server.installBot(server.seed.users.megan.personalConversationId, undefined, bot.url);
    expect(bot.received[1]?.body).toMatchObject({
      type: 'conversationUpdate',
      membersAdded: [{ id: `28:${BOT_APP_ID}` }],
      conversation: { conversationType: 'personal', tenantId: TENANT_ID },
      from: { aadObjectId: server.seed.users.megan.aadObjectId },
    });
    await server.sendMessage(server.seed.groupChat.id, server.seed.users.adele.mri, 'status?', {
      botEndpoint: bot.url,
    });
    const message = bot.received[2]?.body;
    expect(message.text).toBe('<at>Lightdesk</at> status?');
    expect(message.entities[0]).toEqual({
      type: 'mention',
      text: '<at>Lightdesk</at>',
      mentioned: { id: `28:${BOT_APP_ID}`, name: 'Lightdesk' },
    });
    expect(message.conversation).toMatchObject({ isGroup: true, conversationType: 'groupChat' });
  });
});

describe('bot → connector: token endpoint and bearer tokens', () => {
  const form = (fields: Record<string, string>): RequestInit => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const goodForm = {
    grant_type: 'client_credentials',
    client_id: BOT_APP_ID,
    client_secret: 'sim-secret',
    scope: 'https://api.botframework.com/.default',
  };
  const token = async (fields: Record<string, string> = goodForm): Promise<Response> =>
    fetch(`${url}/${TENANT_ID}/oauth2/v2.0/token`, form(fields));

  it('issues a client-credentials token for the Bot Framework audience', async () => {
    const response = await token();
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(shapeDifferences(body, fixture('client-credentials-token-response.json'))).toEqual([]);
    expect(body.token_type).toBe('Bearer');
    const discovery = await call(url, 'GET', `/${TENANT_ID}/v2.0/.well-known/openid-configuration`);
    expect(discovery.body.token_endpoint).toBe(`${url}/${TENANT_ID}/oauth2/v2.0/token`);
    const jwks = await call(url, 'GET', new URL(discovery.body.jwks_uri).pathname);
    expect(verifiesWith(body.access_token, jwks.body)).toBe(true);
    expect(decode(body.access_token).claims).toMatchObject({
      aud: 'https://api.botframework.com',
      appid: BOT_APP_ID,
      tid: TENANT_ID,
    });
  });

  it.each([
    [{ ...goodForm, client_secret: 'wrong' }, 401, 'invalid_client'],
    [{ ...goodForm, client_id: 'someone-else' }, 400, 'unauthorized_client'],
    [{ ...goodForm, scope: 'https://graph.microsoft.com/.default' }, 400, 'invalid_scope'],
    [{ ...goodForm, grant_type: 'password' }, 400, 'unsupported_grant_type'],
  ])('refuses a bad request in the Entra error shape (%#)', async (fields, status, error) => {
    const response = await token(fields);
    expect(response.status).toBe(status);
    const body = await response.json();
    expect(body.error).toBe(error);
    expect(shapeDifferences(body, fixture('entra-error-response.json'))).toEqual([]);
  });

  it('refuses an unknown tenant', async () => {
    const response = await fetch(`${url}/not-a-tenant/oauth2/v2.0/token`, form(goodForm));
    expect(response.status).toBe(400);
  });

  it('requires a valid bearer token on connector calls when requireBotToken is set', async () => {
    const path = `/v3/conversations/${enc(server.seed.groupChat.id)}/activities`;
    const activity = { type: 'message', text: 'hi' };
    const none = await call(url, 'POST', path, activity);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('Unauthorized');
    const garbage = await call(url, 'POST', path, activity, {
      Authorization: 'Bearer abc.def.ghi',
    });
    expect(garbage.status).toBe(401);
    const channelToken = await server.channelToken();
    const wrongKind = await call(url, 'POST', path, activity, {
      Authorization: `Bearer ${channelToken}`,
    });
    expect(wrongKind.status).toBe(401);

    const { access_token } = await (await token()).json();
    const auth = { Authorization: `Bearer ${access_token}` };
    expect((await call(url, 'POST', path, activity, auth)).status).toBe(201);
    expect((await call(url, 'GET', '/_sim/conversations')).status).toBe(200);

    clock.advance(3600 * 1000);
    const expired = await call(url, 'POST', path, activity, auth);
    expect(expired.status).toBe(401);
  });
});
