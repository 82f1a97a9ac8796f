import { createHash, createHmac } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import { ADELE, ALEX, ManualClock, ZiflowHarness } from './support.js';

// Webhook subscriptions (admin only) and deliveries as a receiver sees them: `{"events":[…]}`, one
// event per POST, `x-ziflow-signature` checked here from the help's formula in each of the three
// modes, retries with a delivery log, and redelivery of the same event id.

let h: ZiflowHarness;
afterEach(async () => {
  await h.stop();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: string, text: string) =>
  createHmac('sha256', key).update(text, 'utf8').digest('hex');

describe('subscribing', () => {
  it('is for admins only, inactive unless asked, and shows the generated key once', async () => {
    h = await ZiflowHarness.start();
    const target = `${h.hooks}/hooks/ziflow`;
    const body = { target, subscription_types: { proof: { created: true } } };
    const refused = await h.api('POST', '/webhooks', { key: ADELE.key, body });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/admin/);

    const made = await h.api('POST', '/webhooks', {
      body: { ...body, name: 'bridge', generate_signature_key: true },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      name: 'bridge',
      target,
      active: false,
      subscription_types: { proof: { created: true } },
    });
    expect(made.body.id).toMatch(UUID);
    expect(made.body.signature_key).toMatch(/^[A-Za-z0-9]{16,255}$/);

    // Inactive: nothing is sent.
    await h.proof();
    expect(h.received).toEqual([]);
    expect((await h.sim('GET', '/deliveries')).body.deliveries).toEqual([]);

    const listed = await h.api('GET', '/webhooks');
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).not.toHaveProperty('signature_key');
    const one = await h.api('GET', `/webhooks/${made.body.id}`);
    expect(one.body).toMatchObject({ id: made.body.id, active: false });
    expect((await h.api('GET', '/webhooks/nope')).status).toBe(404);
    const view = await h.sim('GET', '/webhooks');
    expect(view.body.webhooks[0].signature_key).toBe(made.body.signature_key);
    expect((await h.api('GET', '/webhooks', { key: ALEX.key })).status).toBe(403);
    const activated = await h.api('PUT', `/webhooks/${made.body.id}`, { body: { active: true } });
    expect(activated.body.active).toBe(true);
    await h.proof();
    expect(h.events().map((e: { type: string }) => e.type)).toEqual(['proof.created']);

    expect((await h.api('DELETE', `/webhooks/${made.body.id}`)).status).toBe(204);
    expect((await h.api('GET', '/webhooks')).body).toEqual([]);
    expect((await h.api('DELETE', `/webhooks/${made.body.id}`)).status).toBe(404);
  });

  it('refuses a subscription without events, with a bad target or a bad key', async () => {
    h = await ZiflowHarness.start();
    const target = `${h.hooks}/hooks`;
    const none = await h.api('POST', '/webhooks', {
      body: { target, subscription_types: { proof: {} } },
    });
    expect(none.status).toBe(400);
    const unknown = await h.api('POST', '/webhooks', {
      body: { target, subscription_types: { proof: { exploded: true } } },
    });
    expect(unknown.status).toBe(400);
    const badTarget = await h.api('POST', '/webhooks', {
      body: { target: 'not a url', subscription_types: { all: true } },
    });
    expect(badTarget.status).toBe(400);
    const badKey = await h.api('POST', '/webhooks', {
      body: { target, signature_key: 'no spaces!', subscription_types: { all: true } },
    });
    expect(badKey.status).toBe(400);
    expect((await h.api('GET', '/webhooks')).body).toEqual([]);
  });
});

describe('deliveries', () => {
  it('sends only the subscribed events, each alone in {"events":[…]}, stamped on the injected clock', async () => {
    const clock = new ManualClock();
    h = await ZiflowHarness.start({ now: clock.now });
    const hook = await h.subscribe({ decision: true, comment: true });
    const proof = await h.proof([{ members: [ADELE.email, ALEX.email] }]);
    clock.advance(60_000);
    await h.api('POST', `/proofs/${proof.id}/decision`, {
      key: ADELE.key,
      body: { decision: 'approved' },
    });
    await h.sim('POST', '/comment', { proofId: proof.id, email: ALEX.email, text: 'Nice' });
    await h.server.settled();

    expect(h.received.every((r) => r.body.events.length === 1)).toBe(true);
    expect(h.events()).toHaveLength(2);
    const decision = h.events().find((e: { type: string }) => e.type === 'proof.decision');
    const comment = h.events().find((e: { type: string }) => e.type === 'proof.comment');
    expect(decision).toEqual({
      event_id: expect.stringMatching(UUID),
      webhook_id: hook.id,
      type: 'proof.decision',
      proof_id: proof.id,
      stage_id: proof.stages[0].id,
      reviewer: { email: ADELE.email },
      decision: 'approved',
      created_at: '2026-12-03T09:01:00.000Z',
    });
    const comments = await h.api('GET', `/proofs/${proof.id}/comments`);
    expect(comment).toMatchObject({
      type: 'proof.comment',
      proof_id: proof.id,
      comment_id: comments.body[0].id,
      reviewer: { email: ALEX.email },
    });
    expect(h.received[0]?.headers['content-type']).toMatch(/application\/json/);
  });

  it('reports a passed stage deadline once, on the injected clock', async () => {
    const clock = new ManualClock();
    h = await ZiflowHarness.start({ now: clock.now });
    await h.subscribe({ stage_deadline_passed: true });
    const made = await h.api('POST', '/proofs', {
      body: {
        name: 'Due soon',
        input: [{ source: h.file('d.jpg') }],
        stages: [{ deadline: '2026-12-03T10:00:00Z', members: [{ email: ADELE.email }] }],
      },
    });
    await h.server.settled();
    await h.api('GET', '/proofs');
    await h.server.settled();
    expect(h.events()).toEqual([]);
    clock.advance(2 * 60 * 60 * 1000);
    await h.api('GET', '/proofs');
    await h.api('GET', '/proofs');
    await h.server.settled();
    expect(h.events()).toMatchObject([
      {
        type: 'proof.stage_deadline_passed',
        proof_id: made.body.id,
        stage_id: made.body.stages[0].id,
        created_at: '2026-12-03T11:00:00.000Z',
      },
    ]);
  });

  it('reports creation, processing, status changes and a failed fetch under "all"', async () => {
    h = await ZiflowHarness.start();
    await h.subscribe({ all: true });
    const proof = await h.proof([{ members: [ADELE.email] }]);
    await h.sim('POST', '/decide', { proofId: proof.id, email: ADELE.email, decision: 'approved' });
    await h.api('POST', '/proofs', {
      body: { name: 'Broken', input: [{ source: `${h.files}/missing/a.jpg` }] },
    });
    await h.server.settled();
    // Deliveries run side by side, so their order is read from the sent-event log.
    const sent = (await h.sim('GET', '/events')).body.events;
    const ids = (events: { event_id: string }[]) => events.map((e) => e.event_id).sort();
    expect(ids(h.events())).toEqual(ids(sent));
    const seen = sent.map((e: { type: string; status?: string }) =>
      e.status ? `${e.type}:${e.status}` : e.type,
    );
    expect(seen).toEqual([
      'proof.created',
      'proof.status_change:in_progress',
      'proof.processed',
      'proof.decision',
      'proof.status_change:completed',
      'proof.created',
      'proof.status_change:failed',
    ]);
  });

  it('signs with hex SHA-256 of key + "POST" + target + body by default, switchable to the two HMACs', async () => {
    h = await ZiflowHarness.start();
    const hook = await h.subscribe({ created: true }, '/hooks/ziflow?name=caf%C3%A9&x=a/b');
    const key: string = hook.signature_key;
    const target = `${h.hooks}/hooks/ziflow?name=caf%C3%A9&x=a%2Fb`;
    const sent = async () => {
      await h.proof();
      const last = h.received.at(-1);
      if (last === undefined) throw new TypeError('nothing received');
      return { raw: last.raw, signature: last.headers['x-ziflow-signature'] };
    };

    const a = await sent();
    expect(a.signature).toBe(sha256(`${key}POST${target}${a.raw}`));

    expect((await h.sim('POST', '/signature-mode', { mode: 'hmac-signing-string' })).body).toEqual({
      mode: 'hmac-signing-string',
    });
    const b = await sent();
    expect(b.signature).toBe(hmac(key, `${key}POST${target}${b.raw}`));

    await h.sim('POST', '/signature-mode', { mode: 'hmac-body' });
    const c = await sent();
    expect(c.signature).toBe(hmac(key, c.raw));
    expect(c.signature).not.toBe(sha256(`${key}POST${target}${c.raw}`));
    expect((await h.sim('POST', '/signature-mode', { mode: 'md5' })).status).toBe(400);
  });

  it('sends no signature header without a key', async () => {
    h = await ZiflowHarness.start();
    await h.api('POST', '/webhooks', {
      body: { target: `${h.hooks}/plain`, active: true, subscription_types: { all: true } },
    });
    await h.proof();
    expect(h.received.length).toBeGreaterThan(0);
    expect(h.received[0]?.headers['x-ziflow-signature']).toBeUndefined();
  });

  it('retries a failed delivery with backoff and logs every attempt', async () => {
    h = await ZiflowHarness.start({ retryDelaysMs: [10, 20] });
    await h.subscribe({ created: true });
    h.receiverStatuses.push(500, 503);
    await h.proof();
    const log = (await h.sim('GET', '/deliveries')).body.deliveries;
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ type: 'proof.created', state: 'delivered', redelivery: false });
    expect(log[0].attempts.map((a: { status: number }) => a.status)).toEqual([500, 503, 200]);
    expect(h.events()).toHaveLength(1);

    h.receiverStatuses.push(500, 500, 500);
    await h.proof();
    const failed = (await h.sim('GET', '/deliveries')).body.deliveries[1];
    expect(failed.state).toBe('failed');
    expect(failed.attempts).toHaveLength(3);
    expect((await h.sim('DELETE', '/deliveries')).status).toBe(204);
    expect((await h.sim('GET', '/deliveries')).body.deliveries).toEqual([]);
  });

  it('redelivers the same event with the same event_id on /_sim/redeliver', async () => {
    h = await ZiflowHarness.start();
    await h.subscribe({ created: true });
    await h.proof();
    const [event] = h.events();
    const again = await h.sim('POST', '/redeliver', { eventId: event.event_id });
    expect(again.status).toBe(202);
    await h.server.settled();
    expect(h.events()).toHaveLength(2);
    expect(h.events()[1]).toEqual(event);
    expect(h.received[1]?.raw).toBe(h.received[0]?.raw);
    expect(h.received[1]?.headers['x-ziflow-signature']).toBe(
      h.received[0]?.headers['x-ziflow-signature'],
    );
    const log = (await h.sim('GET', '/deliveries')).body.deliveries;
    expect(log.map((d: { redelivery: boolean }) => d.redelivery)).toEqual([false, true]);
    expect((await h.sim('POST', '/redeliver', { eventId: 'nope' })).status).toBe(404);
  });
});
