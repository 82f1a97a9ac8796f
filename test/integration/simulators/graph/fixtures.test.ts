import { readdirSync } from 'node:fs';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { fixture, GraphHarness, type Json, keysOf, shapeDifferences } from './support.js';

// The documented examples in test/fixtures/graph/ and the simulator must not drift
// apart. Each request fixture is sent (with the seeded ids swapped in) and each answer is compared
// with its response fixture: the same top-level keys, and the same JSON types below them.

let h: GraphHarness;
beforeAll(async () => {
  h = await GraphHarness.start();
});
afterAll(() => h.stop());
beforeEach(() => {
  h.server.reset();
});

const FIXTURE_PLAN = 'Q3ptRq7xZtK8mWv2LhB9sG4dAkYe';
const FIXTURE_BUCKET = 'hT5wLq2ZnR8vKx3pMb7cYd1sGfJe';

/** The fixture with the seeded plan and bucket ids in place of the documented ones. */
function seededFixture(name: string): Json {
  const text = JSON.stringify(fixture(name))
    .replaceAll(FIXTURE_PLAN, h.seeded.planId)
    .replaceAll(FIXTURE_BUCKET, h.seeded.buckets.toReview);
  return JSON.parse(text);
}

function expectSameShape(actual: Json, documented: Json): void {
  expect(keysOf(actual)).toEqual(keysOf(documented));
  expect(shapeDifferences(actual, documented)).toEqual([]);
}

describe('Graph fixtures', () => {
  it('every fixture is JSON with an object at the top', () => {
    const names = readdirSync(new URL('../../../fixtures/graph/', import.meta.url)).filter((n) =>
      n.endsWith('.json'),
    );
    expect(names.length).toBeGreaterThanOrEqual(16);
    for (const name of names) expect(typeof fixture(name)).toBe('object');
  });

  it('create task: the request is accepted and the 201 has the documented keys', async () => {
    const answer = await h.graph('POST', '/planner/tasks', {
      body: seededFixture('create-task-request.json'),
    });
    expect(answer.status).toBe(201);
    expectSameShape(answer.body, fixture('create-task-response.json'));
  });

  it('task details: PATCH with references and checklist, then GET has the documented keys', async () => {
    const task = await h.createTask();
    const before = await h.graph('GET', `/planner/tasks/${task.id}/details`);
    // A new task's details have no references or checklist items yet: compare the top level only.
    expect(keysOf(before.body)).toEqual(keysOf(fixture('task-details-response.json')));
    const patched = await h.graph('PATCH', `/planner/tasks/${task.id}/details`, {
      body: fixture('task-details-patch-request.json'),
      headers: { 'If-Match': before.body['@odata.etag'], Prefer: 'return=representation' },
    });
    expect(patched.status).toBe(200);
    expectSameShape(patched.body, fixture('task-details-response.json'));
    const after = await h.graph('GET', `/planner/tasks/${task.id}/details`);
    expectSameShape(after.body, fixture('task-details-response.json'));
  });

  it('plan tasks list has the documented keys, as does each task', async () => {
    await h.graph('POST', '/planner/tasks', { body: seededFixture('create-task-request.json') });
    const answer = await h.graph('GET', `/planner/plans/${h.seeded.planId}/tasks`);
    expect(answer.status).toBe(200);
    expectSameShape(answer.body, fixture('plan-tasks-response.json'));
    expect(keysOf(answer.body.value[0])).toEqual(
      keysOf(fixture('plan-tasks-response.json').value[0]),
    );
  });

  it('buckets: list and create have the documented keys', async () => {
    const list = await h.graph('GET', `/planner/plans/${h.seeded.planId}/buckets`);
    expectSameShape(list.body, fixture('plan-buckets-response.json'));
    expect(keysOf(list.body.value[0])).toEqual(
      keysOf(fixture('plan-buckets-response.json').value[0]),
    );
    const created = await h.graph('POST', '/planner/buckets', {
      body: seededFixture('create-bucket-request.json'),
    });
    expect(created.status).toBe(201);
    expectSameShape(created.body, fixture('create-bucket-response.json'));
  });

  it('plan and plan details have the documented keys; the details PATCH body is accepted', async () => {
    const plan = await h.graph('GET', `/planner/plans/${h.seeded.planId}`);
    expectSameShape(plan.body, fixture('plan-response.json'));
    const details = await h.graph('GET', `/planner/plans/${h.seeded.planId}/details`);
    expectSameShape(details.body, fixture('plan-details-response.json'));
    const patched = await h.graph('PATCH', `/planner/plans/${h.seeded.planId}/details`, {
      body: fixture('plan-details-patch-request.json'),
      headers: { 'If-Match': details.body['@odata.etag'], Prefer: 'return=representation' },
    });
    expect(patched.status).toBe(200);
    expectSameShape(patched.body, fixture('plan-details-response.json'));
    expect(patched.body.categoryDescriptions).toMatchObject({
      category1: 'Pending review',
      category4: null,
      category25: 'Archived',
    });
  });

  it('user has the documented keys', async () => {
    const answer = await h.graph('GET', `/users/${h.seeded.users.adele.id}`);
    expectSameShape(answer.body, fixture('user-response.json'));
  });

  it('errors use the documented envelope, and a 429 the throttling one', async () => {
    const unauthorised = await h.graph('GET', `/planner/plans/${h.seeded.planId}`, {
      token: null,
    });
    expectSameShape(unauthorised.body, fixture('error-response.json'));
    expect(keysOf(unauthorised.body.error.innerError)).toEqual(
      keysOf(fixture('error-response.json').error.innerError),
    );
    h.server.setThrottle({ requestsPerSecond: 1 });
    await h.graph('GET', `/planner/plans/${h.seeded.planId}`);
    const throttled = await h.graph('GET', `/planner/plans/${h.seeded.planId}`);
    expect(throttled.status).toBe(429);
    expectSameShape(throttled.body, fixture('throttled-response.json'));
    expect(keysOf(throttled.body.error.innerError)).toEqual(
      keysOf(fixture('throttled-response.json').error.innerError),
    );
  });

  it('$batch: the request is accepted and the answer has the documented shape per id', async () => {
    const answer = await h.graph('POST', '/$batch', { body: seededFixture('batch-request.json') });
    expect(answer.status).toBe(200);
    expect(keysOf(answer.body)).toEqual(keysOf(fixture('batch-response.json')));
    const documented = fixture('batch-response.json').responses as Json[];
    for (const expected of documented) {
      const actual = answer.body.responses.find((r: Json) => r.id === expected.id);
      expect(actual?.status).toBe(expected.status);
      expect(keysOf(actual)).toEqual(keysOf(expected));
      expect(shapeDifferences(actual.headers, expected.headers)).toEqual([]);
      expect(shapeDifferences(actual.body, expected.body)).toEqual([]);
    }
  });

  it('$batch with a failed dependency has the documented shape', async () => {
    const answer = await h.graph('POST', '/$batch', {
      body: {
        requests: [
          { id: '1', method: 'GET', url: '/planner/tasks/NoSuchTaskNoSuchTaskNoSuchTa' },
          {
            id: '2',
            method: 'GET',
            url: '/planner/tasks/NoSuchTaskNoSuchTaskNoSuchTa/details',
            dependsOn: ['1'],
          },
        ],
      },
    });
    expect(answer.status).toBe(200);
    const documented = fixture('batch-failed-dependency-response.json');
    expect(shapeDifferences(answer.body, documented)).toEqual([]);
    expect(answer.body.responses.map((r: Json) => r.status)).toEqual([404, 424]);
    expect(keysOf(answer.body.responses[1].body.error)).toEqual(
      keysOf(documented.responses[1].body.error),
    );
  });
});
