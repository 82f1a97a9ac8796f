import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { GraphHarness, type Json, ManualClock } from './support.js';

// concepts/json-batching.md: up to 20 requests, ids unique, Content-Type with a body, dependsOn
// with 424 for dependants of a failure, each request throttled on its own, outer 200.

const clock = new ManualClock();
let h: GraphHarness;
beforeAll(async () => {
  h = await GraphHarness.start({ now: clock.now });
});
afterAll(() => h.stop());
beforeEach(() => {
  h.server.reset();
});

const json = { 'Content-Type': 'application/json' };
const byId = (answer: Json, id: string): Json =>
  answer.body.responses.find((r: Json) => r.id === id);

function batch(requests: unknown[], options: { token?: string | null } = {}) {
  return h.graph('POST', '/$batch', { body: { requests }, ...options });
}

describe('$batch', () => {
  it('runs independent requests and answers 200 with one response per id, in any order', async () => {
    const answer = await batch([
      { id: 'plan', method: 'GET', url: `/planner/plans/${h.seeded.planId}` },
      { id: 'buckets', method: 'GET', url: `planner/plans/${h.seeded.planId}/buckets` },
      { id: 'missing', method: 'GET', url: '/planner/tasks/NoSuchTaskNoSuchTaskNoSuchTa' },
      {
        id: 'create',
        method: 'POST',
        url: '/planner/tasks',
        headers: json,
        body: { planId: h.seeded.planId, title: 'From a batch' },
      },
    ]);
    expect(answer.status).toBe(200);
    const ids = answer.body.responses.map((r: Json) => r.id);
    expect([...ids].sort()).toEqual(['buckets', 'create', 'missing', 'plan']);
    expect(ids).not.toEqual(['plan', 'buckets', 'missing', 'create']);
    expect(byId(answer, 'plan').status).toBe(200);
    expect(byId(answer, 'buckets').body.value).toHaveLength(4);
    expect(byId(answer, 'missing').status).toBe(404);
    const created = byId(answer, 'create');
    expect(created.status).toBe(201);
    expect(created.headers.ETag).toBe(created.body['@odata.etag']);
    const tasks = await h.graph('GET', `/planner/plans/${h.seeded.planId}/tasks`);
    expect(tasks.body.value.map((t: Json) => t.title)).toEqual(['From a batch']);
  });

  it('runs dependsOn chains in order, and a failure gives 424 to its dependants', async () => {
    const task = await h.createTask({ title: 'before' });
    const answer = await batch([
      {
        id: '3',
        method: 'GET',
        url: `/planner/tasks/${task.id}`,
        dependsOn: ['2'],
      },
      {
        id: '1',
        method: 'PATCH',
        url: `/planner/tasks/${task.id}`,
        headers: { ...json, 'If-Match': task['@odata.etag'] },
        body: { title: 'after' },
      },
      {
        id: '2',
        method: 'PATCH',
        url: `/planner/tasks/${task.id}`,
        // Stale by the time it runs: request 1 has changed the task.
        headers: { ...json, 'If-Match': task['@odata.etag'] },
        body: { title: 'never' },
        dependsOn: ['1'],
      },
      { id: '4', method: 'GET', url: `/planner/tasks/${task.id}`, dependsOn: ['3'] },
      { id: '5', method: 'GET', url: `/planner/plans/${h.seeded.planId}`, dependsOn: ['1'] },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.responses.map((r: Json) => [r.id, r.status])).toEqual([
      ['1', 204],
      ['2', 412],
      ['3', 424],
      ['4', 424],
      ['5', 200],
    ]);
    expect(byId(answer, '3').body.error.code).toBe('FailedDependency');
    // Requests that did not run are not counted.
    const calls = (await h.sim('GET', '/calls')).body.byEndpoint;
    expect(calls['GET /planner/tasks/:id']).toBeUndefined();
    expect(calls['PATCH /planner/tasks/:id']).toBe(2);
    expect((await h.graph('GET', `/planner/tasks/${task.id}`)).body.title).toBe('after');
  });

  it('refuses more than 20 requests with 400 and runs none of them', async () => {
    const create = (i: number) => ({
      id: String(i),
      method: 'POST',
      url: '/planner/tasks',
      headers: json,
      body: { planId: h.seeded.planId, title: `t${i}` },
    });
    const tooMany = await batch(Array.from({ length: 21 }, (_, i) => create(i)));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('BadRequest');
    expect(tooMany.body.error.message).toContain('20');
    expect((await h.graph('GET', `/planner/plans/${h.seeded.planId}/tasks`)).body.value).toEqual(
      [],
    );
    const twenty = await batch(Array.from({ length: 20 }, (_, i) => create(i)));
    expect(twenty.status).toBe(200);
    expect(twenty.body.responses.every((r: Json) => r.status === 201)).toBe(true);
  });

  it.each([
    [
      'a body without Content-Type',
      [{ id: '1', method: 'POST', url: '/planner/tasks', body: { title: 'x' } }],
    ],
    [
      'a write without a body',
      [{ id: '1', method: 'PATCH', url: '/planner/tasks/x', headers: json }],
    ],
    [
      'ids that differ only in case',
      [
        { id: 'a', method: 'GET', url: '/users/x' },
        { id: 'A', method: 'GET', url: '/users/y' },
      ],
    ],
    [
      'a dependency that is not in the batch',
      [{ id: '1', method: 'GET', url: '/users/x', dependsOn: ['9'] }],
    ],
    [
      'a dependency cycle',
      [
        { id: '1', method: 'GET', url: '/users/x', dependsOn: ['2'] },
        { id: '2', method: 'GET', url: '/users/y', dependsOn: ['1'] },
      ],
    ],
    ['no requests', []],
  ])('refuses %s with an outer 400', async (_name, requests) => {
    const answer = await batch(requests);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('BadRequest');
  });

  it('answers a nested $batch or an absolute url with an inner 400', async () => {
    const answer = await batch([
      { id: '1', method: 'POST', url: '/$batch', headers: json, body: { requests: [] } },
      {
        id: '2',
        method: 'GET',
        url: `https://graph.microsoft.com/v1.0/planner/plans/${h.seeded.planId}`,
      },
    ]);
    expect(answer.status).toBe(200);
    expect(byId(answer, '1').status).toBe(400);
    expect(byId(answer, '2').status).toBe(400);
  });

  it('needs a token for the batch, and authenticates each inner request', async () => {
    const outer = await batch([{ id: '1', method: 'GET', url: `/users/x` }], { token: null });
    expect(outer.status).toBe(401);
    const inner = await batch([
      { id: 'ok', method: 'GET', url: `/planner/plans/${h.seeded.planId}` },
      {
        id: 'blank',
        method: 'GET',
        url: `/planner/plans/${h.seeded.planId}`,
        headers: { Authorization: 'Bearer ' },
      },
    ]);
    expect(byId(inner, 'ok').status).toBe(200);
    expect(byId(inner, 'blank').status).toBe(401);
    expect(byId(inner, 'blank').body.error.code).toBe('InvalidAuthenticationToken');
  });

  it('throttles each inner request on its own, with Retry-After in its headers', async () => {
    h.server.setThrottle({ requestsPerSecond: 2 });
    const answer = await batch(
      ['a', 'b', 'c', 'd'].map((id) => ({
        id,
        method: 'GET',
        url: `/planner/plans/${h.seeded.planId}`,
      })),
    );
    expect(answer.status).toBe(200);
    const statuses = answer.body.responses.map((r: Json) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429]);
    const throttled = answer.body.responses.find((r: Json) => r.status === 429);
    expect(Number(throttled.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(throttled.body.error.code).toBe('TooManyRequests');
  });

  it('counts the batch and each inner request under its own route', async () => {
    const task = await h.createTask();
    await h.sim('DELETE', '/calls');
    await batch([
      { id: '1', method: 'GET', url: `/planner/tasks/${task.id}` },
      { id: '2', method: 'GET', url: `/planner/tasks/${task.id}/details` },
      { id: '3', method: 'GET', url: `/users/${h.seeded.users.alex.userPrincipalName}` },
    ]);
    const calls = (await h.sim('GET', '/calls')).body;
    expect(calls).toMatchObject({
      total: 4,
      throttled: 0,
      byEndpoint: {
        'POST /$batch': 1,
        'GET /planner/tasks/:id': 1,
        'GET /planner/tasks/:id/details': 1,
        'GET /users/:id': 1,
      },
    });
  });

  it('takes a base64url JSON body', async () => {
    const body = Buffer.from(JSON.stringify({ planId: h.seeded.planId, title: 'b64' })).toString(
      'base64url',
    );
    const answer = await batch([
      { id: '1', method: 'POST', url: '/planner/tasks', headers: json, body },
    ]);
    expect(byId(answer, '1').status).toBe(201);
    expect(byId(answer, '1').body.title).toBe('b64');
  });
});
