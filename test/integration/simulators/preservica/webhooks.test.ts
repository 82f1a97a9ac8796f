import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SEEDED_FOLDERS } from '../../../../simulators/preservica/store.js';
import { expectedSignature, Harness, startReceiver, until, writePackage } from './support.js';

const IO_A = '0b7a1c2e-2222-4a6b-8c9d-00000000000a';
const IO_B = '0b7a1c2e-2222-4a6b-8c9d-00000000000b';
const SECRET = 'shared-webhook-secret';

describe('Preservica simulator: Webhook API', () => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeEach(async () => {
    h = await Harness.start({ settings: { webhookRetryDelaysMs: [20, 20] } });
    await h.login();
  });

  afterEach(async () => {
    await h.stop();
    await receiver.close();
  });

  const subscribe = (url: string, triggerType: string, includeIdentifiers = 'true') =>
    h.call(
      'POST',
      '/api/webhook/subscriptions',
      JSON.stringify({ url, triggerType, secret: SECRET, includeIdentifiers }),
      { 'content-type': 'application/json' },
    );

  const ingest = async (assets: Parameters<typeof writePackage>[1]) => {
    await h.putPackage(await writePackage(h.dir, assets), SEEDED_FOLDERS.approved);
    await h.sim('POST', '/complete-ingests');
  };

  it('subscribes after the challenge handshake, lists and deletes subscriptions', async () => {
    receiver = await startReceiver(SECRET);
    const answer = await subscribe(receiver.url, 'FULL_TEXT_INDEXED');
    expect(answer.status).toBe(200);
    const subscription = JSON.parse(answer.text);
    expect(subscription).toMatchObject({
      id: expect.any(String),
      url: receiver.url,
      triggerType: 'FULL_TEXT_INDEXED',
      includeIdentifiers: true,
    });
    expect(subscription.secret).toBeUndefined();
    expect(JSON.parse((await h.call('GET', '/api/webhook/subscriptions')).text)).toEqual([
      subscription,
    ]);
    expect((await h.call('DELETE', `/api/webhook/subscriptions/${subscription.id}`)).status).toBe(
      204,
    );
    expect(JSON.parse((await h.call('GET', '/api/webhook/subscriptions')).text)).toEqual([]);
    expect((await h.call('DELETE', `/api/webhook/subscriptions/${subscription.id}`)).status).toBe(
      404,
    );
  });

  it('refuses the subscription when the challenge answer is wrong or the receiver is down, and bad input with 400', async () => {
    receiver = await startReceiver(SECRET, {
      challenge: (code) => ({ challengeCode: code, challengeResponse: 'wrong' }),
    });
    const wrong = await subscribe(receiver.url, 'FULL_TEXT_INDEXED');
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.text).message).toMatch(/challenge failed/i);
    await h.sim('POST', '/settings', { handshakeFailureStatus: 422 });
    expect((await subscribe('http://127.0.0.1:9/hooks', 'FULL_TEXT_INDEXED')).status).toBe(422);
    expect((await subscribe(receiver.url, 'NOT_A_TRIGGER')).status).toBe(400);
    expect(
      (
        await h.call('POST', '/api/webhook/subscriptions', '{', {
          'content-type': 'application/json',
        })
      ).status,
    ).toBe(400);
    expect(JSON.parse((await h.call('GET', '/api/webhook/subscriptions')).text)).toEqual([]);
  });

  it('sends FULL_TEXT_INDEXED per ingested asset, signed over "preservica-webhook-auth" + body, chunked', async () => {
    receiver = await startReceiver(SECRET);
    const subscription = JSON.parse((await subscribe(receiver.url, 'FULL_TEXT_INDEXED')).text);
    await ingest([
      {
        ref: IO_A,
        title: 'A',
        identifiers: [{ type: 'lightdesk', value: 'r1/a' }],
        files: [{ name: 'a.jpg', bytes: Buffer.from('a') }],
      },
      { ref: IO_B, title: 'B', files: [{ name: 'b.jpg', bytes: Buffer.from('b') }] },
    ]);
    await until(() => receiver.received.length === 2);
    // Two deliveries on two connections: their order on arrival is not fixed.
    const bodies = receiver.received
      .map((r) => JSON.parse(r.body))
      .sort((a, b) => String(a.events[0].entityRef).localeCompare(String(b.events[0].entityRef)));
    expect(bodies[0]).toEqual({
      subscriptionId: subscription.id,
      timestamp: h.clock.now().toISOString(),
      trigger: 'FULL_TEXT_INDEXED',
      events: [{ entityRef: IO_A, entityType: 'IO', identifiers: [{ lightdesk: 'r1/a' }] }],
    });
    expect(bodies[1].events[0].entityRef).toBe(IO_B);
    for (const hook of receiver.received) {
      expect(hook.headers['preservica-signature']).toBe(expectedSignature(SECRET, hook.body));
      expect(hook.headers['transfer-encoding']).toBe('chunked');
      expect(hook.headers['content-length']).toBeUndefined();
    }
    // a retried package sends nothing for the assets it skips
    await ingest([{ ref: IO_A, title: 'A', files: [{ name: 'a.jpg', bytes: Buffer.from('a') }] }]);
    await until(() => h.server.deliveriesIdle);
    expect(receiver.received).toHaveLength(2);
  });

  it('batches every asset of an ingest into one delivery when set to per-ingest', async () => {
    receiver = await startReceiver(SECRET);
    await subscribe(receiver.url, 'FULL_TEXT_INDEXED', 'false');
    await h.sim('POST', '/settings', { webhookBatching: 'per-ingest' });
    await ingest([
      { ref: IO_A, title: 'A', files: [{ name: 'a.jpg', bytes: Buffer.from('a') }] },
      { ref: IO_B, title: 'B', files: [{ name: 'b.jpg', bytes: Buffer.from('b') }] },
    ]);
    await until(() => receiver.received.length === 1 && h.server.deliveriesIdle);
    expect(JSON.parse(receiver.received[0]?.body ?? '{}').events).toEqual([
      { entityRef: IO_A, entityType: 'IO' },
      { entityRef: IO_B, entityType: 'IO' },
    ]);
  });

  it('sends INGEST_FAILED for a failed ingest, naming the package assets', async () => {
    receiver = await startReceiver(SECRET);
    await subscribe(receiver.url, 'INGEST_FAILED');
    await h.sim('POST', '/fail-next-ingest', { reason: 'Virus check failed' });
    await ingest([
      {
        ref: IO_A,
        title: 'A',
        identifiers: [{ type: 'lightdesk', value: 'r1/a' }],
        files: [{ name: 'a.jpg', bytes: Buffer.from('a') }],
      },
    ]);
    await until(() => receiver.received.length === 1);
    expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({
      trigger: 'INGEST_FAILED',
      events: [{ entityRef: IO_A, entityType: 'IO', identifiers: [{ lightdesk: 'r1/a' }] }],
    });
  });

  it('retries a refused delivery with back-off, logs every attempt, and redelivers on demand', async () => {
    receiver = await startReceiver(SECRET, { failFirst: 3 });
    await subscribe(receiver.url, 'FULL_TEXT_INDEXED');
    await ingest([{ ref: IO_A, title: 'A', files: [{ name: 'a.jpg', bytes: Buffer.from('a') }] }]);
    await until(() => h.server.deliveriesIdle && receiver.received.length === 3);
    const failed = (await h.sim('GET', '/deliveries')).body.deliveries[0];
    expect(failed).toMatchObject({
      state: 'failed',
      trigger: 'FULL_TEXT_INDEXED',
      attempts: [{ status: 500 }, { status: 500 }, { status: 500 }],
    });
    const redone = await h.sim('POST', '/redeliver', { deliveryIds: [failed.id] });
    expect(redone.body).toEqual({ redelivered: [failed.id] });
    await until(() => receiver.received.length === 4 && h.server.deliveriesIdle);
    expect((await h.sim('GET', '/deliveries')).body.deliveries[0]).toMatchObject({
      state: 'delivered',
    });
    // the redelivery is the same body with the same signature
    expect(receiver.received[3]?.body).toBe(receiver.received[0]?.body);
    expect((await h.sim('POST', '/redeliver', { deliveryIds: ['nope'] })).status).toBe(404);
  });

  it('plays an archivist: a security tag change and a move send their triggers', async () => {
    receiver = await startReceiver(SECRET);
    await subscribe(receiver.url, 'CHANGED_SECURITY_DESCRIPTOR');
    await subscribe(receiver.url, 'MOVED');
    await ingest([{ ref: IO_A, title: 'A', files: [{ name: 'a.jpg', bytes: Buffer.from('a') }] }]);
    expect(
      (await h.sim('POST', `/entities/${IO_A}/security-tag`, { securityTag: 'closed' })).body,
    ).toMatchObject({ securityTag: 'closed' });
    expect(
      (await h.sim('POST', `/entities/${IO_A}/move`, { parent: SEEDED_FOLDERS.retired })).body,
    ).toMatchObject({ parent: SEEDED_FOLDERS.retired });
    expect((await h.sim('PATCH', `/entities/${IO_A}`, { title: 'A (edited)' })).body).toMatchObject(
      { title: 'A (edited)' },
    );
    await until(() => receiver.received.length === 2);
    expect(receiver.received.map((r) => JSON.parse(r.body).trigger).sort()).toEqual([
      'CHANGED_SECURITY_DESCRIPTOR',
      'MOVED',
    ]);
    expect(
      (await h.sim('POST', '/entities/nope/move', { parent: SEEDED_FOLDERS.retired })).status,
    ).toBe(404);
    expect(
      (await h.sim('POST', `/entities/${IO_A}/security-tag`, { securityTag: 'secret' })).status,
    ).toBe(400);
  });
});
