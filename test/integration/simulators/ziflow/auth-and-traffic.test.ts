import { afterEach, describe, expect, it } from 'vitest';

import { ADELE, ManualClock, ZiflowHarness } from './support.js';

// API keys (header or query), and the kit's faults, throttle, call counter and reset, answered in
// Ziflow's `{"message": …}` envelope.

let h: ZiflowHarness;
afterEach(async () => {
  await h.stop();
});

describe('API keys', () => {
  it('acts as the key holder from the apikey header or ?apikey=, and refuses missing or unknown keys', async () => {
    h = await ZiflowHarness.start();
    const me = await h.api('GET', '/users/me', { key: ADELE.key });
    expect(me.body).toMatchObject({ email: ADELE.email, first_name: 'Adele', last_name: 'Vance' });
    const viaQuery = await fetch(`${h.url}/v1/users/me?apikey=${ADELE.key}`);
    expect(((await viaQuery.json()) as { email: string }).email).toBe(ADELE.email);

    const none = await h.api('GET', '/proofs', { key: null });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ message: 'An API key is required.' });
    const wrong = await h.api('GET', '/proofs', { key: 'not-a-key' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ message: 'Invalid API key.' });
    const users = await h.api('GET', '/users?count=1');
    expect(users.status).toBe(200);
    expect(users.body).toHaveLength(1);
  });

  it('acts as a user added through /_sim/users, who may then review', async () => {
    h = await ZiflowHarness.start();
    const added = await h.sim('POST', '/users', {
      email: 'LynneR@contoso.onmicrosoft.com',
      first_name: 'Lynne',
      last_name: 'Robbins',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ first_name: 'Lynne', admin: false });
    const me = await h.api('GET', '/users/me', { key: added.body.apikey });
    expect(me.body).toMatchObject({
      email: 'LynneR@contoso.onmicrosoft.com',
      last_name: 'Robbins',
    });
    const proof = await h.proof([{ members: ['LynneR@contoso.onmicrosoft.com'] }]);
    const decided = await h.api('POST', `/proofs/${proof.id}/decision`, {
      key: added.body.apikey,
      body: { decision: 'approved' },
    });
    expect(decided.body.decision_status).toBe('approved');
    expect((await h.api('POST', '/webhooks', { key: added.body.apikey, body: {} })).status).toBe(
      403,
    );
    const twice = await h.sim('POST', '/users', {
      email: 'lynner@contoso.onmicrosoft.com',
      first_name: 'L',
    });
    expect(twice.status).toBe(409);
  });

  it('refuses ?apikey= once an admin turns it off, and writes nothing for a refused call', async () => {
    h = await ZiflowHarness.start({ allowApiKeyQuery: false });
    const viaQuery = await fetch(`${h.url}/v1/proofs?apikey=${ADELE.key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', input: [{ source: h.file('x.jpg') }] }),
    });
    expect(viaQuery.status).toBe(401);
    expect(await viaQuery.json()).toEqual({
      message: 'Passing the API key as a parameter is disabled.',
    });
    expect((await h.sim('GET', '/proofs')).body.proofs).toEqual([]);
    await h.sim('POST', '/settings', { allowApiKeyQuery: true });
    expect((await fetch(`${h.url}/v1/proofs?apikey=${ADELE.key}`)).status).toBe(200);
  });
});

describe('faults and throttle', () => {
  it('answers an injected error in the envelope, with and without Retry-After, on /v1 or bare paths', async () => {
    h = await ZiflowHarness.start();
    await h.sim('POST', '/faults', [
      { path: '/v1/proofs', method: 'GET', status: 429, retryAfterSeconds: 7 },
      { path: '/proofs', method: 'GET', status: 429 },
      { path: '/proofs', method: 'POST', status: 503, message: 'Down for maintenance' },
    ]);
    const first = await h.api('GET', '/proofs');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(first.body).toEqual({ message: 'Injected fault: 429.' });
    const second = await h.api('GET', '/proofs');
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBeNull();
    const down = await h.api('POST', '/proofs', {
      body: { name: 'x', input: [{ source: h.file('x.jpg') }] },
    });
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ message: 'Down for maintenance' });
    // Nothing was applied by a faulted call.
    expect((await h.api('GET', '/proofs')).body).toEqual([]);
    expect((await h.sim('GET', '/faults')).body.faults).toEqual([]);
  });

  it('drops, answers malformed, or applies and loses the answer', async () => {
    h = await ZiflowHarness.start();
    await h.sim('POST', '/faults', { path: '/proofs', drop: true });
    await expect(h.api('GET', '/proofs')).rejects.toThrow();
    await h.sim('POST', '/faults', { path: '/proofs', malformed: true });
    expect((await h.api('GET', '/proofs')).body).toEqual({ malformed: true, data: 'unexpected' });
    await h.sim('POST', '/faults', { path: '/v1/proofs', method: 'POST', lostResponse: true });
    await expect(
      h.api('POST', '/proofs', { body: { name: 'Lost', input: [{ source: h.file('l.jpg') }] } }),
    ).rejects.toThrow();
    const list = await h.api('GET', '/proofs');
    expect(list.body.map((p: { name: string }) => p.name)).toEqual(['Lost']);
  });

  it('throttles past the rate with 429 and Retry-After, counts calls by route, and resets', async () => {
    const clock = new ManualClock();
    h = await ZiflowHarness.start({ now: clock.now });
    await h.sim('POST', '/throttle', { requestsPerSecond: 2 });
    expect((await h.api('GET', '/proofs')).status).toBe(200);
    expect((await h.api('GET', '/proofs/abc')).status).toBe(404);
    const limited = await h.api('GET', '/proofs');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body.message).toMatch(/Too many requests/);
    clock.advance(1_001);
    expect((await h.api('GET', '/proofs')).status).toBe(200);
    const calls = (await h.sim('GET', '/calls')).body;
    expect(calls).toMatchObject({
      total: 4,
      throttled: 1,
      byEndpoint: { 'GET /v1/proofs': 3, 'GET /v1/proofs/:id': 1 },
    });

    await h.subscribe({ all: true });
    await h.sim('POST', '/throttle', { requestsPerSecond: null });
    await h.proof();
    const reset = await h.sim('POST', '/reset', {});
    expect(reset.status).toBe(200);
    expect((await h.sim('GET', '/proofs')).body.proofs).toEqual([]);
    expect((await h.api('GET', '/webhooks')).body).toEqual([]);
    expect((await h.sim('GET', '/calls')).body.total).toBe(1);
    expect((await h.sim('GET', '/throttle')).body.throttle).toBeNull();
  });

  it('lets the console read the state views and controls across origins', async () => {
    h = await ZiflowHarness.start();
    const preflight = await fetch(`${h.url}/v1/proofs`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/apikey/);
    const users = await h.sim('GET', '/users');
    expect(users.headers.get('access-control-allow-origin')).toBe('*');
    expect(users.body.users.map((u: { email: string }) => u.email)).toContain(ADELE.email);
    expect((await h.sim('GET', '/nothing')).status).toBe(404);
    expect((await h.sim('POST', '/decide', { proofId: 'x' })).status).toBe(400);
  });
});
