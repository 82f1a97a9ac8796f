import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { FakeBotConnectorServer } from '../../../../simulators/bot-connector/fake-bot-connector-server.js';
import { call, enc, fixture, manualClock, shapeDifferences } from './support.js';

const clock = manualClock();
const server = new FakeBotConnectorServer({ now: clock.now });
let url = '';
const seed = server.seed;
const channelId = seed.photoReviewsChannel.id;
const adele = seed.users.adele;

const card = (title: string): Record<string, unknown> => ({
  type: 'message',
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'TextBlock', text: title }],
      },
    },
  ],
});

beforeAll(async () => {
  ({ url } = await server.start());
});
afterAll(() => server.stop());
beforeEach(() => server.reset());

describe('conversations', () => {
  it('posts into a channel as a new reply chain with a Teams-style thread id', async () => {
    const answer = await call(url, 'POST', '/v3/conversations', {
      isGroup: true,
      channelData: { channel: { id: channelId } },
      activity: card('Review: Spring shoot'),
    });
    expect(answer.status).toBe(201);
    expect(answer.body.id).toBe(`${channelId};messageid=${answer.body.activityId}`);
    expect(answer.body.serviceUrl).toBe(url);
    expect(shapeDifferences(answer.body, fixture('conversation-resource-response.json'))).toEqual(
      [],
    );
    const thread = server.conversation(answer.body.id);
    expect(thread?.parentId).toBe(channelId);
    expect(thread?.activities[0]?.latest?.['attachments']).toBeDefined();
  });

  it('returns the existing personal chat for a one-on-one create and posts the activity', async () => {
    const answer = await call(url, 'POST', '/v3/conversations', {
      bot: { id: seed.bot.id },
      members: [{ id: adele.mri }],
      tenantId: seed.tenantId,
      activity: { type: 'message', text: 'You have a review waiting' },
    });
    expect(answer.status).toBe(201);
    expect(answer.body.id).toBe(adele.personalConversationId);
    const chat = server.conversation(adele.personalConversationId);
    expect(chat?.activities.map((a) => a.latest?.text)).toEqual(['You have a review waiting']);
  });

  it('refuses to create a group chat, as Teams does', async () => {
    const answer = await call(url, 'POST', '/v3/conversations', {
      isGroup: true,
      members: [{ id: adele.mri }, { id: seed.users.alex.mri }],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('BadArgument');
  });

  it('answers 404 in the Bot Framework error shape for an unknown conversation', async () => {
    const answer = await call(
      url,
      'POST',
      `/v3/conversations/${enc('19:nope@thread.v2')}/activities`,
      {
        type: 'message',
        text: 'hi',
      },
    );
    expect(answer.status).toBe(404);
    expect(shapeDifferences(answer.body, fixture('error-response.json'))).toEqual([]);
    expect(answer.body.error.code).toBe('ConversationNotFound');
  });
});

describe('activities on URL-encoded Teams conversation ids', () => {
  const ids = [
    () => channelId,
    () => seed.groupChat.id,
    () => adele.personalConversationId,
    () => `${channelId};messageid=1700000000000`,
  ];

  it.each(ids.map((id) => [id]))('send, reply, update and delete (%#)', async (id) => {
    const conversationId = id();
    const path = `/v3/conversations/${enc(conversationId)}/activities`;

    const sent = await call(url, 'POST', path, card('v1'));
    expect(sent.status).toBe(201);
    expect(shapeDifferences(sent.body, fixture('resource-response.json'))).toEqual([]);
    const cardId: string = sent.body.id;

    const reply = await call(url, 'POST', `${path}/${enc(cardId)}`, {
      type: 'message',
      text: 'a reply',
    });
    expect(reply.status).toBe(201);
    expect(reply.body.id).not.toBe(cardId);

    clock.advance(1000);
    const updated = await call(url, 'PUT', `${path}/${enc(cardId)}`, {
      ...card('v2'),
      id: cardId,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ id: cardId });

    const removed = await call(url, 'DELETE', `${path}/${enc(reply.body.id)}`);
    expect(removed.status).toBe(200);

    const transcript = await call(url, 'GET', `/_sim/conversations/${enc(conversationId)}`);
    expect(transcript.status).toBe(200);
    const [first, second] = transcript.body.activities;
    expect(first.id).toBe(cardId);
    expect(first.versions.map((v: { kind: string }) => v.kind)).toEqual(['created', 'updated']);
    expect(first.versions[0].activity.attachments[0].content.body[0].text).toBe('v1');
    expect(first.latest.attachments[0].content.body[0].text).toBe('v2');
    expect(Date.parse(first.versions[1].at) - Date.parse(first.versions[0].at)).toBe(1000);
    expect(second.latest.replyToId).toBe(cardId);
    expect(second.deleted).toBe(true);
    expect(second.versions.map((v: { kind: string }) => v.kind)).toEqual(['created', 'deleted']);
  });

  it('answers 404 when updating an activity that does not exist or was deleted', async () => {
    const path = `/v3/conversations/${enc(channelId)}/activities`;
    const missing = await call(url, 'PUT', `${path}/123`, card('x'));
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ActivityNotFoundInConversation');
    const sent = await call(url, 'POST', path, card('x'));
    await call(url, 'DELETE', `${path}/${sent.body.id}`);
    expect((await call(url, 'PUT', `${path}/${sent.body.id}`, card('y'))).status).toBe(404);
  });

  it('answers 400 for a body that is not an activity', async () => {
    const answer = await call(url, 'POST', `/v3/conversations/${enc(channelId)}/activities`, {
      text: 'no type',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('BadArgument');
  });

  it('accepts a serviceUrl with a trailing slash (`…//v3/…`)', async () => {
    const answer = await call(url, 'POST', `//v3/conversations/${enc(channelId)}/activities`, {
      type: 'message',
      text: 'hi',
    });
    expect(answer.status).toBe(201);
  });
});

describe('members', () => {
  it('lists the roster in the Teams member shape', async () => {
    const answer = await call(url, 'GET', `/v3/conversations/${enc(channelId)}/members`);
    expect(answer.status).toBe(200);
    expect(answer.body.map((m: { name: string }) => m.name)).toEqual([
      'Adele Vance',
      'Alex Wilber',
      'Megan Bowen',
      'Diego Siciliani',
    ]);
    expect(shapeDifferences(answer.body[0], fixture('teams-channel-account.json'))).toEqual([]);
  });

  it('finds one member by MRI or by AAD object id, also from a channel thread', async () => {
    const thread = `${channelId};messageid=1700000000000`;
    for (const memberId of [adele.mri, adele.aadObjectId]) {
      const answer = await call(
        url,
        'GET',
        `/v3/conversations/${enc(thread)}/members/${enc(memberId)}`,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.userPrincipalName).toBe(adele.userPrincipalName);
    }
    const missing = await call(url, 'GET', `/v3/conversations/${enc(channelId)}/members/29:nobody`);
    expect(missing.status).toBe(404);
  });

  it('pages members and uses a roster set through the control API', async () => {
    const roster = [adele, seed.users.megan].map((u) => ({
      id: u.mri,
      name: u.name,
      aadObjectId: u.aadObjectId,
      userPrincipalName: u.userPrincipalName,
    }));
    const set = await call(
      url,
      'PUT',
      `/_sim/conversations/${enc(seed.groupChat.id)}/members`,
      roster,
    );
    expect(set.status).toBe(200);
    const page = await call(
      url,
      'GET',
      `/v3/conversations/${enc(seed.groupChat.id)}/pagedmembers?pageSize=1`,
    );
    expect(page.body.members).toHaveLength(1);
    expect(shapeDifferences(page.body, fixture('paged-members-result.json'))).toEqual([
      '$.members[0].givenName: missing',
      '$.members[0].surname: missing',
      '$.members[0].email: missing',
      '$.members[0].tenantId: missing',
      '$.members[0].userRole: missing',
    ]);
    const next = await call(
      url,
      'GET',
      `/v3/conversations/${enc(seed.groupChat.id)}/pagedmembers?pageSize=1&continuationToken=${page.body.continuationToken}`,
    );
    expect(next.body.members[0].name).toBe('Megan Bowen');
    expect(next.body.continuationToken).toBeUndefined();
  });

  it('serves team details and channels for TeamsInfo', async () => {
    const details = await call(url, 'GET', `/v3/teams/${enc(seed.team.id)}`);
    expect(details.status).toBe(200);
    expect(shapeDifferences(details.body, fixture('team-details.json'))).toEqual([]);
    const channels = await call(url, 'GET', `/v3/teams/${enc(seed.team.id)}/conversations`);
    expect(channels.body.conversations).toEqual([
      { id: seed.team.generalChannelId },
      { id: channelId, name: 'Photo reviews' },
    ]);
  });
});

describe('modes', () => {
  const path = `/v3/conversations/${enc(channelId)}/activities`;

  it('notInRoster: every call on the conversation (and its threads) gets 403', async () => {
    await call(url, 'POST', `/_sim/conversations/${enc(channelId)}/mode`, { mode: 'notInRoster' });
    const send = await call(url, 'POST', path, card('x'));
    expect(send.status).toBe(403);
    expect(send.body).toEqual(fixture('error-response.json'));
    const members = await call(url, 'GET', `/v3/conversations/${enc(channelId)}/members`);
    expect(members.status).toBe(403);
    const inThread = await call(
      url,
      'POST',
      `/v3/conversations/${enc(`${channelId};messageid=1`)}/activities`,
      card('x'),
    );
    expect(inThread.status).toBe(403);
    const create = await call(url, 'POST', '/v3/conversations', {
      isGroup: true,
      channelData: { channel: { id: channelId } },
      activity: card('x'),
    });
    expect(create.body.error.code).toBe('BotNotInConversationRoster');
  });

  it('writesBlocked: writes get 403 MessageWritesBlocked, reads still work', async () => {
    const sent = await call(url, 'POST', path, card('x'));
    await call(url, 'POST', `/_sim/conversations/${enc(channelId)}/mode`, {
      mode: 'writesBlocked',
    });
    for (const answer of [
      await call(url, 'POST', path, card('y')),
      await call(url, 'PUT', `${path}/${sent.body.id}`, card('y')),
      await call(url, 'DELETE', `${path}/${sent.body.id}`),
    ]) {
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('MessageWritesBlocked');
    }
    expect((await call(url, 'GET', `/v3/conversations/${enc(channelId)}/members`)).status).toBe(
      200,
    );
    await call(url, 'POST', `/_sim/conversations/${enc(channelId)}/mode`, { mode: 'ok' });
    expect((await call(url, 'POST', path, card('z'))).status).toBe(201);
  });

  it('rejects an unknown mode', async () => {
    const answer = await call(url, 'POST', `/_sim/conversations/${enc(channelId)}/mode`, {
      mode: 'sleepy',
    });
    expect(answer.status).toBe(400);
  });
});

describe('size limit', () => {
  const path = `/v3/conversations/${enc(channelId)}/activities`;
  // JSON length × 2 (UTF-16) against 100 KB; the envelope `{"type":"message","text":""}` is 28 chars.
  const withText = (chars: number): Record<string, unknown> => ({
    type: 'message',
    text: 'x'.repeat(chars - 28),
  });

  it('accepts exactly 100 KB and refuses one character more with 413 MessageSizeTooBig', async () => {
    expect((await call(url, 'POST', path, withText(51_200))).status).toBe(201);
    const tooBig = await call(url, 'POST', path, withText(51_201));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('MessageSizeTooBig');
  });

  it('applies the limit to updates too, and does not count inline base64 images', async () => {
    const sent = await call(url, 'POST', path, withText(100));
    expect((await call(url, 'PUT', `${path}/${sent.body.id}`, withText(60_000))).status).toBe(413);
    const image = `data:image/png;base64,${'A'.repeat(200_000)}`;
    const withImage = {
      ...card('pic'),
      attachments: [{ contentType: 'image/png', contentUrl: image }],
    };
    expect((await call(url, 'POST', path, withImage)).status).toBe(201);
  });
});

describe('throttling', () => {
  const path = `/v3/conversations/${enc(channelId)}/activities`;

  it('answers 429 with Retry-After beyond the configured rate, until the next second', async () => {
    expect((await call(url, 'POST', '/_sim/throttle', { requestsPerSecond: 2 })).status).toBe(200);
    clock.advance(1000 - (clock.now().getTime() % 1000) + 250);
    expect((await call(url, 'POST', path, card('1'))).status).toBe(201);
    expect((await call(url, 'POST', path, card('2'))).status).toBe(201);
    const limited = await call(url, 'POST', path, card('3'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body.error.code).toBe('Throttled');
    clock.advance(1000);
    expect((await call(url, 'POST', path, card('4'))).status).toBe(201);
    await call(url, 'POST', '/_sim/throttle', { requestsPerSecond: null });
    for (let i = 0; i < 5; i += 1) {
      expect((await call(url, 'POST', path, card(String(i)))).status).toBe(201);
    }
  });
});

describe('faults and call counters', () => {
  const path = `/v3/conversations/${enc(channelId)}/activities`;

  it('injects a status with Retry-After the given number of times', async () => {
    const armed = await call(url, 'POST', '/_sim/faults', {
      path: '/v3/conversations',
      method: 'POST',
      status: 503,
      retryAfterSeconds: 7,
      times: 2,
    });
    expect(armed.status).toBe(201);
    for (let i = 0; i < 2; i += 1) {
      const failed = await call(url, 'POST', path, card('x'));
      expect(failed.status).toBe(503);
      expect(failed.headers.get('retry-after')).toBe('7');
      expect(failed.body.error.code).toBe('ServiceUnavailable');
    }
    expect((await call(url, 'POST', path, card('x'))).status).toBe(201);
  });

  it('matches a decoded conversation id as a path prefix, and only that method', async () => {
    await call(url, 'POST', '/_sim/faults', {
      path: `/v3/conversations/${seed.groupChat.id}`,
      method: 'PUT',
      status: 412,
    });
    const other = await call(url, 'POST', path, card('x'));
    expect(other.status).toBe(201);
    const gc = `/v3/conversations/${enc(seed.groupChat.id)}/activities`;
    const sent = await call(url, 'POST', gc, card('x'));
    expect((await call(url, 'PUT', `${gc}/${sent.body.id}`, card('y'))).status).toBe(412);
    expect((await call(url, 'PUT', `${gc}/${sent.body.id}`, card('y'))).status).toBe(200);
  });

  it('drop: the socket closes without an answer and nothing is stored', async () => {
    await call(url, 'POST', '/_sim/faults', { path: '/v3/', drop: true });
    await expect(call(url, 'POST', path, card('lost'))).rejects.toThrow();
    expect(server.conversation(channelId)?.activities).toHaveLength(0);
  });

  it('lostResponse: the change is applied but the answer never arrives', async () => {
    await call(url, 'POST', '/_sim/faults', { path: '/v3/', method: 'POST', lostResponse: true });
    await expect(call(url, 'POST', path, card('applied'))).rejects.toThrow();
    const transcript = server.conversation(channelId);
    expect(transcript?.activities).toHaveLength(1);
    expect(transcript?.activities[0]?.latest?.['attachments']).toBeDefined();
  });

  it('latency delays the answer; malformed answers 200 with an undocumented body', async () => {
    await call(url, 'POST', '/_sim/faults', { path: '/v3/', latencyMs: 20 });
    expect((await call(url, 'POST', path, card('slow'))).status).toBe(201);
    await call(url, 'POST', '/_sim/faults', { path: '/v3/', malformed: true });
    const malformed = await call(url, 'POST', path, card('x'));
    expect(malformed.status).toBe(200);
    expect(malformed.body.id).toBeUndefined();
  });

  it('DELETE /_sim/faults clears armed faults', async () => {
    await call(url, 'POST', '/_sim/faults', { status: 500, times: 10 });
    expect((await call(url, 'GET', '/_sim/faults')).body.faults).toHaveLength(1);
    expect((await call(url, 'DELETE', '/_sim/faults')).status).toBe(204);
    expect((await call(url, 'POST', path, card('x'))).status).toBe(201);
  });

  it('counts calls by method and route template; control routes are not counted', async () => {
    await call(url, 'POST', path, card('x'));
    await call(url, 'POST', path, card('y'));
    await call(url, 'GET', `/v3/conversations/${enc(channelId)}/members/${enc(adele.mri)}`);
    await call(url, 'GET', '/_sim/conversations');
    const calls = await call(url, 'GET', '/_sim/calls');
    expect(calls.body).toEqual({
      total: 3,
      byEndpoint: {
        'POST /v3/conversations/:conversationId/activities': 2,
        'GET /v3/conversations/:conversationId/members/:memberId': 1,
      },
      throttled: 0,
      firstAt: clock.now().toISOString(),
      lastAt: clock.now().toISOString(),
    });
    expect((await call(url, 'DELETE', '/_sim/calls')).status).toBe(204);
    expect((await call(url, 'GET', '/_sim/calls')).body).toEqual({
      total: 0,
      byEndpoint: {},
      throttled: 0,
      firstAt: null,
      lastAt: null,
    });
  });
});

describe('transcript and seed control routes', () => {
  it('lists the seeded conversations and exposes the seed', async () => {
    const list = await call(url, 'GET', '/_sim/conversations');
    const byId = new Map<string, { conversationType: string; name?: string }>(
      list.body.conversations.map((c: { id: string }) => [c.id, c]),
    );
    expect(byId.get(channelId)).toMatchObject({
      conversationType: 'channel',
      name: 'Photo reviews',
    });
    expect(byId.get(seed.groupChat.id)?.conversationType).toBe('groupChat');
    for (const u of Object.values(seed.users)) {
      expect(byId.get(u.personalConversationId)?.conversationType).toBe('personal');
    }
    const seedAnswer = await call(url, 'GET', '/_sim/seed');
    expect(seedAnswer.body.users.adele.name).toBe('Adele Vance');
    expect(seedAnswer.body.team.name).toBe('Marketing');
  });

  it('lets the console page on another origin call it (CORS)', async () => {
    const preflight = await fetch(`${url}/_sim/conversations`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const list = await call(url, 'GET', '/_sim/conversations');
    expect(list.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('creates a conversation through the control API', async () => {
    const created = await call(url, 'POST', '/_sim/conversations', {
      id: 'a:1newPersonalChat',
      conversationType: 'personal',
      members: [
        {
          id: '29:1newUser',
          name: 'Lee Gu',
          aadObjectId: '0b7c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
          userPrincipalName: 'LeeG@contoso.onmicrosoft.com',
        },
      ],
    });
    expect(created.status).toBe(201);
    const chat = await call(url, 'GET', `/_sim/conversations/${enc('a:1newPersonalChat')}`);
    expect(chat.body.members[0].name).toBe('Lee Gu');
    expect((await call(url, 'GET', `/_sim/conversations/${enc('a:1missing')}`)).status).toBe(404);
  });
});
