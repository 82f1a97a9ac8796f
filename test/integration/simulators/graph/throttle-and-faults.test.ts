import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { GraphHarness, type Json, ManualClock, TOKEN } from './support.js';

const clock = new ManualClock();
let h: GraphHarness;
let realTime: GraphHarness;
beforeAll(async () => {
  h = await GraphHarness.start({ now: clock.now });
  realTime = await GraphHarness.start();
});
afterAll(async () => {
  await Promise.all([h.stop(), realTime.stop()]);
});
beforeEach(() => {
  h.server.reset();
  realTime.server.reset();
});

const planPath = (x: GraphHarness): string => `/planner/plans/${x.seeded.planId}`;

/** A request whose answer never comes: fetch rejects when the socket is destroyed. */
async function expectNoAnswer(x: GraphHarness, method: string, path: string, init: RequestInit) {
  await expect(
    fetch(`${x.url}/v1.0${path}`, {
      method,
      ...init,
      headers: {
        Authorization: `Bearer ${TOKEN}`,
        'Content-Type': 'application/json',
        ...init.headers,
      },
    }),
  ).rejects.toThrow();
}

describe('throttling', () => {
  it('answers 429 TooManyRequests with Retry-After above the rate, and lets through after it', async () => {
    const set = await h.sim('POST', '/throttle', { requestsPerSecond: 2 });
    expect(set.body.throttle).toEqual({ requestsPerSecond: 2 });
    expect((await h.graph('GET', planPath(h))).status).toBe(200);
    clock.advance(300);
    expect((await h.graph('GET', planPath(h))).status).toBe(200);
    const throttled = await h.graph('GET', planPath(h));
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('TooManyRequests');
    expect((await h.sim('GET', '/calls')).body).toMatchObject({ total: 3, throttled: 1 });
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    clock.advance(retryAfter * 1000);
    expect((await h.graph('GET', planPath(h))).status).toBe(200);
  });

  it('uses a sliding window: the oldest request leaving the window frees a slot', async () => {
    h.server.setThrottle({ requestsPerSecond: 2 });
    await h.graph('GET', planPath(h));
    clock.advance(600);
    await h.graph('GET', planPath(h));
    clock.advance(500);
    // 1.1 s after the first and 0.5 s after the second: one slot is free again.
    expect((await h.graph('GET', planPath(h))).status).toBe(200);
    expect((await h.graph('GET', planPath(h))).status).toBe(429);
  });

  it('recovers on the real clock with a short window', async () => {
    realTime.server.setThrottle({ requestsPerSecond: 1, windowMs: 40 });
    expect((await realTime.graph('GET', planPath(realTime))).status).toBe(200);
    expect((await realTime.graph('GET', planPath(realTime))).status).toBe(429);
    let status = 429;
    for (let attempt = 0; attempt < 50 && status === 429; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = (await realTime.graph('GET', planPath(realTime))).status;
    }
    expect(status).toBe(200);
  });

  it('is switched off with null and does not apply to the controls', async () => {
    h.server.setThrottle({ requestsPerSecond: 1 });
    await h.graph('GET', planPath(h));
    for (let i = 0; i < 3; i += 1) expect((await h.sim('GET', '/calls')).status).toBe(200);
    await h.sim('POST', '/throttle', { requestsPerSecond: null });
    expect((await h.graph('GET', planPath(h))).status).toBe(200);
  });
});

describe('faults', () => {
  it('answer a status with Retry-After the given number of times, then clear', async () => {
    const armed = await h.sim('POST', '/faults', {
      path: '/planner/plans',
      method: 'GET',
      status: 503,
      retryAfterSeconds: 3,
      times: 2,
    });
    expect(armed.status).toBe(201);
    expect(armed.body.faults).toHaveLength(1);
    for (let i = 0; i < 2; i += 1) {
      const failed = await h.graph('GET', planPath(h));
      expect(failed.status).toBe(503);
      expect(failed.headers.get('retry-after')).toBe('3');
      expect(failed.body.error.code).toBe('serviceNotAvailable');
    }
    expect((await h.graph('GET', planPath(h))).status).toBe(200);
    expect((await h.sim('GET', '/faults')).body.faults).toEqual([]);
  });

  it('match by path prefix (with or without /v1.0) and method, in the order added', async () => {
    await h.sim('POST', '/faults', [
      { path: '/v1.0/planner/tasks', method: 'POST', status: 500 },
      { path: '/planner/tasks', status: 412 },
      { status: 429, retryAfterSeconds: 1 },
    ]);
    expect((await h.graph('GET', planPath(h))).status).toBe(429);
    expect(
      (
        await h.graph('POST', '/planner/tasks', {
          body: { planId: h.seeded.planId, title: 'x' },
        })
      ).status,
    ).toBe(500);
    const precondition = await h.graph('GET', '/planner/tasks/abc');
    expect(precondition.status).toBe(412);
    expect(precondition.body.error.code).toBe('PreconditionFailed');
    expect((await h.sim('GET', '/faults')).body.faults).toEqual([]);
  });

  it('an injected failure applies nothing', async () => {
    await h.sim('POST', '/faults', { path: '/planner/tasks', method: 'POST', status: 500 });
    await h.graph('POST', '/planner/tasks', { body: { planId: h.seeded.planId, title: 'x' } });
    expect((await h.graph('GET', `${planPath(h)}/tasks`)).body.value).toEqual([]);
  });

  it('latency delays an answer that still comes', async () => {
    await realTime.sim('POST', '/faults', { latencyMs: 30 });
    expect((await realTime.graph('GET', planPath(realTime))).status).toBe(200);
  });

  it('drop destroys the socket without an answer and applies nothing', async () => {
    await h.sim('POST', '/faults', { path: '/planner/tasks', method: 'POST', drop: true });
    await expectNoAnswer(h, 'POST', '/planner/tasks', {
      body: JSON.stringify({ planId: h.seeded.planId, title: 'dropped' }),
    });
    expect((await h.graph('GET', `${planPath(h)}/tasks`)).body.value).toEqual([]);
  });

  it('lostResponse applies a create, then drops the answer', async () => {
    await h.sim('POST', '/faults', { path: '/planner/tasks', method: 'POST', lostResponse: true });
    await expectNoAnswer(h, 'POST', '/planner/tasks', {
      body: JSON.stringify({ planId: h.seeded.planId, title: 'committed' }),
    });
    const tasks = (await h.graph('GET', `${planPath(h)}/tasks`)).body.value;
    expect(tasks.map((t: Json) => t.title)).toEqual(['committed']);
  });

  it('lostResponse applies a PATCH, so the client’s ETag is stale on retry', async () => {
    const task = await h.createTask({ title: 'before' });
    await h.sim('POST', '/faults', {
      path: `/planner/tasks/${task.id}`,
      method: 'PATCH',
      lostResponse: true,
    });
    await expectNoAnswer(h, 'PATCH', `/planner/tasks/${task.id}`, {
      body: JSON.stringify({ title: 'after' }),
      headers: { 'If-Match': task['@odata.etag'] },
    });
    const now = (await h.graph('GET', `/planner/tasks/${task.id}`)).body;
    expect(now.title).toBe('after');
    expect(now['@odata.etag']).not.toBe(task['@odata.etag']);
    const retry = await h.graph('PATCH', `/planner/tasks/${task.id}`, {
      body: { title: 'after' },
      headers: { 'If-Match': task['@odata.etag'] },
    });
    expect(retry.status).toBe(412);
  });

  it('a fault on an inner request of a batch drops the whole batch', async () => {
    await h.sim('POST', '/faults', { path: '/planner/tasks', method: 'POST', lostResponse: true });
    await expectNoAnswer(h, 'POST', '/$batch', {
      body: JSON.stringify({
        requests: [
          {
            id: '1',
            method: 'POST',
            url: '/planner/tasks',
            headers: { 'Content-Type': 'application/json' },
            body: { planId: h.seeded.planId, title: 'in a batch' },
          },
        ],
      }),
    });
    expect((await h.graph('GET', `${planPath(h)}/tasks`)).body.value).toHaveLength(1);
  });

  it('are cleared with DELETE', async () => {
    await h.sim('POST', '/faults', { status: 500, times: 5 });
    expect((await h.sim('DELETE', '/faults')).status).toBe(204);
    expect((await h.graph('GET', planPath(h))).status).toBe(200);
  });

  it('refuses a malformed fault', async () => {
    expect((await h.sim('POST', '/faults', { status: 200 })).status).toBe(400);
    expect((await h.sim('POST', '/faults', { explode: true })).status).toBe(400);
  });
});

describe('call counters', () => {
  it('count by method and route template, including failures, and reset', async () => {
    await h.sim('DELETE', '/calls');
    const started = clock.now().toISOString();
    const task = await h.createTask();
    await h.graph('GET', `/planner/tasks/${task.id}`);
    clock.advance(1_500);
    await h.graph('GET', `/planner/tasks/${task.id}`, { token: null });
    await h.graph('GET', `/users/${h.seeded.users.adele.userPrincipalName}`);
    await h.graph('GET', '/planner/widgets');
    const calls = (await h.sim('GET', '/calls')).body;
    expect(calls).toEqual({
      total: 5,
      throttled: 0,
      firstAt: started,
      lastAt: clock.now().toISOString(),
      byEndpoint: {
        'POST /planner/tasks': 1,
        'GET /planner/tasks/:id': 2,
        'GET /users/:id': 1,
        'GET /planner/widgets': 1,
      },
    });
    expect((await h.sim('DELETE', '/calls')).status).toBe(204);
    expect((await h.sim('GET', '/calls')).body).toEqual({
      total: 0,
      byEndpoint: {},
      throttled: 0,
      firstAt: null,
      lastAt: null,
    });
  });
});

describe('controls', () => {
  it('answer a CORS preflight and carry CORS headers', async () => {
    const preflight = await fetch(`${h.url}/_sim/state`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const state = await h.sim('GET', '/state');
    expect(state.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('create a plan with buckets that Graph then serves', async () => {
    const created = await h.sim('POST', '/plans', {
      title: 'Brand reviews',
      buckets: ['Inbox', 'Done'],
    });
    expect(created.status).toBe(201);
    const plan = await h.graph('GET', `/planner/plans/${created.body.id}`);
    expect(plan.body.title).toBe('Brand reviews');
    const buckets = await h.graph('GET', `/planner/plans/${created.body.id}/buckets`);
    expect(buckets.body.value.map((b: Json) => b.name)).toEqual(['Inbox', 'Done']);
  });

  it('create a user that Graph then finds by UPN', async () => {
    const created = await h.sim('POST', '/users', {
      displayName: 'Lee Gu',
      userPrincipalName: 'LeeG@contoso.onmicrosoft.com',
    });
    expect(created.status).toBe(201);
    const found = await h.graph('GET', '/users/LeeG@contoso.onmicrosoft.com');
    expect(found.body).toMatchObject({ id: created.body.id, displayName: 'Lee Gu' });
    const again = await h.sim('POST', '/users', {
      displayName: 'Lee Gu',
      userPrincipalName: 'leeg@contoso.onmicrosoft.com',
    });
    expect(again.status).toBe(400);
  });

  it('show the whole state for a Planner board: plans, buckets, tasks with details, users', async () => {
    const task = await h.createTask({ bucketId: h.seeded.buckets.reReview });
    const state = (await h.sim('GET', '/state')).body;
    expect(state.users.map((u: Json) => u.displayName)).toEqual([
      'Adele Vance',
      'Alex Wilber',
      'Megan Bowen',
    ]);
    const [plan] = state.plans;
    expect(plan.title).toBe('Photo reviews');
    expect(plan.buckets.map((b: Json) => b.name)).toEqual([
      'To review',
      'Re-review',
      'Approved',
      'Archived',
    ]);
    expect(plan.tasks[0]).toMatchObject({
      id: task.id,
      bucketId: h.seeded.buckets.reReview,
      details: { id: task.id, references: {}, checklist: {} },
    });
    expect(Object.keys(plan.details.categoryDescriptions)).toHaveLength(25);
  });

  it('expose the seeded ids and reset to them', async () => {
    const seeded = (await h.sim('GET', '/seeded')).body;
    expect(seeded).toEqual(h.seeded);
    await h.createTask();
    await h.sim('POST', '/faults', { status: 500 });
    const reset = await h.sim('POST', '/reset', {});
    expect(reset.body).toEqual(seeded);
    expect((await h.graph('GET', `${planPath(h)}/tasks`)).body.value).toEqual([]);
    const other = await h.sim('POST', '/reset', { seed: 99 });
    expect(other.body.planId).not.toBe(seeded.planId);
    expect(other.body.users).toEqual(seeded.users);
  });

  it('answer an unknown control with 404 and a bad body with 400', async () => {
    expect((await h.sim('GET', '/nothing')).status).toBe(404);
    expect((await h.sim('POST', '/plans', { owner: 'x' })).status).toBe(400);
  });
});
