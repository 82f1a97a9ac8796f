import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { GraphHarness, type Json, ManualClock } from './support.js';

const clock = new ManualClock();
let h: GraphHarness;
beforeAll(async () => {
  h = await GraphHarness.start({ now: clock.now });
});
afterAll(() => h.stop());
beforeEach(() => {
  h.server.reset();
});

const ADELE = 'fd1c0001-f855-4ced-a457-a855155daca6';
const assignment = { '@odata.type': '#microsoft.graph.plannerAssignment', orderHint: ' !' };

async function createTaskAnswer(body: Record<string, unknown>) {
  return h.graph('POST', '/planner/tasks', {
    body: { planId: h.seeded.planId, title: 'A review', ...body },
  });
}

async function patchTask(task: Json, body: Record<string, unknown>) {
  return h.graph('PATCH', `/planner/tasks/${task.id}`, {
    body,
    headers: { 'If-Match': task['@odata.etag'], Prefer: 'return=representation' },
  });
}

describe('plans and buckets', () => {
  it('seeds "Photo reviews" with its four buckets in board order, with Planner-style ids', async () => {
    const plan = await h.graph('GET', `/planner/plans/${h.seeded.planId}`);
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ title: 'Photo reviews', id: h.seeded.planId });
    expect(plan.body.id).toMatch(/^[A-Za-z0-9_-]{28}$/);
    const buckets = await h.graph('GET', `/planner/plans/${h.seeded.planId}/buckets`);
    expect(buckets.body.value.map((b: Json) => b.name)).toEqual([
      'To review',
      'Re-review',
      'Approved',
      'Archived',
    ]);
    expect(buckets.body.value.map((b: Json) => b.id)).toEqual(Object.values(h.seeded.buckets));
  });

  it('gives the same ids for the same seed and other ids for another seed', () => {
    const first = h.server.reset(7);
    const again = h.server.reset(7);
    const other = h.server.reset(8);
    expect(again.planId).toBe(first.planId);
    expect(again.buckets).toEqual(first.buckets);
    expect(other.planId).not.toBe(first.planId);
  });

  it('answers 404 for an unknown plan', async () => {
    const answer = await h.graph('GET', '/planner/plans/NoSuchPlanNoSuchPlanNoSuchPl');
    expect(answer.status).toBe(404);
    expect(answer.body.error.message).toBe('The requested item is not found.');
  });

  it('plan details list category1 to category25 and take label changes with If-Match', async () => {
    const details = await h.graph('GET', `/planner/plans/${h.seeded.planId}/details`);
    expect(Object.keys(details.body.categoryDescriptions)).toHaveLength(25);
    const noIfMatch = await h.graph('PATCH', `/planner/plans/${h.seeded.planId}/details`, {
      body: { categoryDescriptions: { category1: 'Urgent' } },
    });
    expect(noIfMatch.status).toBe(400);
    const ok = await h.graph('PATCH', `/planner/plans/${h.seeded.planId}/details`, {
      body: { categoryDescriptions: { category1: 'Urgent', category25: 'Archived' } },
      headers: { 'If-Match': details.body['@odata.etag'] },
    });
    expect(ok.status).toBe(204);
    const bad = await h.graph('PATCH', `/planner/plans/${h.seeded.planId}/details`, {
      body: { categoryDescriptions: { category26: 'Too far' } },
      headers: { 'If-Match': '*' },
    });
    expect(bad.status).toBe(400);
    const after = await h.graph('GET', `/planner/plans/${h.seeded.planId}/details`);
    expect(after.body.categoryDescriptions).toMatchObject({
      category1: 'Urgent',
      category2: null,
      category25: 'Archived',
    });
  });

  it('creates a bucket (201) and places " !" first', async () => {
    const created = await h.graph('POST', '/planner/buckets', {
      body: { name: 'Inbox', planId: h.seeded.planId, orderHint: ' !' },
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^[A-Za-z0-9_-]{28}$/);
    expect(created.headers.get('etag')).toBe(created.body['@odata.etag']);
    const buckets = await h.graph('GET', `/planner/plans/${h.seeded.planId}/buckets`);
    expect(buckets.body.value[0].name).toBe('Inbox');
  });

  it('refuses a bucket for an unknown plan, and one over the bucket limit with 403', async () => {
    const unknown = await h.graph('POST', '/planner/buckets', {
      body: { name: 'x', planId: 'NoSuchPlanNoSuchPlanNoSuchPl' },
    });
    expect(unknown.status).toBe(404);
    await h.sim('POST', '/settings', { limits: { bucketsPerPlan: 4 } });
    const over = await h.graph('POST', '/planner/buckets', {
      body: { name: 'Fifth', planId: h.seeded.planId },
    });
    expect(over.status).toBe(403);
    expect(over.body.error.code).toBe('MaximumBucketsInProject');
  });
});

describe('creating tasks', () => {
  it('answers 201 with the task, its ETag header, and the assignment filled in', async () => {
    const answer = await createTaskAnswer({
      bucketId: h.seeded.buckets.toReview,
      assignments: { [ADELE]: assignment },
      appliedCategories: { category1: true, category25: true, category3: false },
      priority: 1,
      dueDateTime: '2026-12-01T17:00:00Z',
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('etag')).toBe(answer.body['@odata.etag']);
    expect(answer.body).toMatchObject({
      planId: h.seeded.planId,
      bucketId: h.seeded.buckets.toReview,
      title: 'A review',
      priority: 1,
      percentComplete: 0,
      dueDateTime: '2026-12-01T17:00:00.000Z',
      createdDateTime: clock.now().toISOString(),
      appliedCategories: { category1: true, category25: true },
      assignments: {
        [ADELE]: {
          '@odata.type': '#microsoft.graph.plannerAssignment',
          assignedDateTime: clock.now().toISOString(),
        },
      },
    });
    expect(answer.body.id).toMatch(/^[A-Za-z0-9_-]{28}$/);
    // The service computes order hints; a request like " !" is never stored as is.
    expect(answer.body.assignments[ADELE].orderHint).not.toBe(' !');
  });

  it('needs a plan that exists', async () => {
    const missing = await h.graph('POST', '/planner/tasks', { body: { title: 'x' } });
    expect(missing.status).toBe(400);
    const unknown = await h.graph('POST', '/planner/tasks', {
      body: { planId: 'NoSuchPlanNoSuchPlanNoSuchPl', title: 'x' },
    });
    expect(unknown.status).toBe(404);
  });

  it('needs the bucket to be in the task’s plan', async () => {
    const other = await h.sim('POST', '/plans', { title: 'Other', buckets: ['Elsewhere'] });
    const answer = await createTaskAnswer({ bucketId: other.body.buckets[0].id });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('is not a bucket of plan');
  });

  it.each([
    ['no @odata.type', { orderHint: ' !' }],
    ['no orderHint', { '@odata.type': '#microsoft.graph.plannerAssignment' }],
    ['a service-computed orderHint sent back', { ...assignment, orderHint: 'RWk1' }],
    ['another @odata.type', { ...assignment, '@odata.type': '#microsoft.graph.user' }],
  ])('refuses an assignment with %s (400)', async (_name, value) => {
    const answer = await createTaskAnswer({ assignments: { [ADELE]: value } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('');
  });

  it('refuses an assignment keyed by something other than a user id', async () => {
    const answer = await createTaskAnswer({
      assignments: { 'AdeleV@contoso.onmicrosoft.com': assignment },
    });
    expect(answer.status).toBe(400);
  });

  it.each([
    ['category26', { appliedCategories: { category26: true } }],
    ['a category that is not boolean', { appliedCategories: { category2: 'yes' } }],
    ['priority 11', { priority: 11 }],
    ['priority 2.5', { priority: 2.5 }],
    ['percentComplete 101', { percentComplete: 101 }],
    ['a date without a zone', { dueDateTime: '2026-12-01T17:00:00' }],
    [
      'a start after the due date',
      {
        startDateTime: '2026-12-02T00:00:00Z',
        dueDateTime: '2026-12-01T00:00:00Z',
      },
    ],
    ['an unknown property', { colour: 'red' }],
    ['a read-only property', { completedDateTime: '2026-12-01T00:00:00Z' }],
    ['an unknown previewType', { previewType: 'gallery' }],
  ])('refuses %s (400)', async (_name, body) => {
    const answer = await createTaskAnswer(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).not.toBe('');
  });

  it('refuses more assignees than the limit with 403 MaximumAssigneesInTasks', async () => {
    await h.sim('POST', '/settings', { limits: { assigneesPerTask: 2 } });
    const users = Object.values(h.seeded.users).map((u) => u.id);
    const answer = await createTaskAnswer({
      assignments: Object.fromEntries(users.map((id) => [id, assignment])),
    });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('MaximumAssigneesInTasks');
  });

  it('refuses a task over the plan’s task limits with 403', async () => {
    await h.sim('POST', '/settings', { limits: { tasksPerPlan: 2 } });
    await h.createTask();
    await h.createTask();
    const answer = await createTaskAnswer({});
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('MaximumTasksInProject');
    h.server.reset();
    await h.sim('POST', '/settings', { limits: { activeTasksPerPlan: 1 } });
    await h.createTask();
    const active = await createTaskAnswer({});
    expect(active.body.error.code).toBe('MaximumActiveTasksInProject');
    expect((await createTaskAnswer({ percentComplete: 100 })).status).toBe(201);
  });
});

describe('updating, reading and deleting tasks', () => {
  it('sets completedDateTime when percentComplete reaches 100 and clears it below', async () => {
    const task = await h.createTask();
    clock.advance(60_000);
    const done = await patchTask(task, { percentComplete: 100 });
    expect(done.status).toBe(200);
    expect(done.body.completedDateTime).toBe(clock.now().toISOString());
    expect(done.body.completedBy.application.id).toBe(h.seeded.appId);
    const reopened = await patchTask(done.body, { percentComplete: 50 });
    expect(reopened.body.completedDateTime).toBeNull();
    expect(reopened.body.completedBy).toBeNull();
  });

  it('moves a task between buckets of its plan, and not into another plan', async () => {
    const task = await h.createTask();
    const moved = await patchTask(task, { bucketId: h.seeded.buckets.approved });
    expect(moved.body.bucketId).toBe(h.seeded.buckets.approved);
    const otherPlan = await patchTask(moved.body, { planId: 'NoSuchPlanNoSuchPlanNoSuchPl' });
    expect(otherPlan.status).toBe(400);
  });

  it('checks start and due dates against the values already stored', async () => {
    const task = await h.createTask({ dueDateTime: '2026-12-01T00:00:00Z' });
    const answer = await patchTask(task, { startDateTime: '2026-12-05T00:00:00Z' });
    expect(answer.status).toBe(400);
  });

  it('removes an assignment with null and a category with false', async () => {
    const task = await h.createTask({
      assignments: { [ADELE]: assignment },
      appliedCategories: { category2: true },
    });
    const answer = await patchTask(task, {
      assignments: { [ADELE]: null },
      appliedCategories: { category2: false },
    });
    expect(answer.body.assignments).toEqual({});
    expect(answer.body.appliedCategories).toEqual({});
  });

  it('orders tasks by the requested order hint', async () => {
    const first = await h.createTask({ title: 'first' });
    const second = await h.createTask({ title: 'second' });
    const before = await patchTask(second, { orderHint: ` ${first.orderHint}!` });
    expect(before.body.orderHint < first.orderHint).toBe(true);
    const between = await h.createTask({
      title: 'between',
      orderHint: `${before.body.orderHint} ${first.orderHint}!`,
    });
    expect(between.orderHint > before.body.orderHint).toBe(true);
    expect(between.orderHint < first.orderHint).toBe(true);
  });

  it('reads a task with $expand=details and $select', async () => {
    const task = await h.createTask();
    const expanded = await h.graph('GET', `/planner/tasks/${task.id}?$expand=details`);
    expect(expanded.body.details).toMatchObject({ id: task.id, description: '', references: {} });
    const selected = await h.graph('GET', `/planner/tasks/${task.id}?$select=title,bucketId`);
    expect(Object.keys(selected.body).sort()).toEqual(
      ['@odata.context', '@odata.etag', 'bucketId', 'id', 'title'].sort(),
    );
  });

  it('deletes with If-Match (204), then answers 404', async () => {
    const task = await h.createTask();
    const noIfMatch = await h.graph('DELETE', `/planner/tasks/${task.id}`);
    expect(noIfMatch.status).toBe(400);
    const deleted = await h.graph('DELETE', `/planner/tasks/${task.id}`, {
      headers: { 'If-Match': task['@odata.etag'] },
    });
    expect(deleted.status).toBe(204);
    expect((await h.graph('GET', `/planner/tasks/${task.id}`)).status).toBe(404);
    expect((await h.graph('GET', `/planner/tasks/${task.id}/details`)).status).toBe(404);
  });
});

describe('listing plan tasks', () => {
  it('pages with an absolute @odata.nextLink when there are more tasks than a page', async () => {
    await h.sim('POST', '/settings', { pageSize: 2 });
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1) created.push((await h.createTask({ title: `t${i}` })).id);
    const seen: string[] = [];
    let path: string | undefined = `/planner/plans/${h.seeded.planId}/tasks?$expand=details`;
    let pages = 0;
    while (path !== undefined) {
      const page = await h.graph('GET', path);
      expect(page.status).toBe(200);
      expect(page.body.value.length).toBeLessThanOrEqual(2);
      for (const task of page.body.value) {
        seen.push(task.id);
        expect(task.details.id).toBe(task.id);
      }
      const next: string | undefined = page.body['@odata.nextLink'];
      if (next !== undefined) expect(next.startsWith(`${h.url}/v1.0/`)).toBe(true);
      path = next?.slice(`${h.url}/v1.0`.length);
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(created);
  });

  it('has no nextLink when everything fits, and 404 for an unknown plan', async () => {
    await h.createTask();
    const page = await h.graph('GET', `/planner/plans/${h.seeded.planId}/tasks`);
    expect(page.body['@odata.nextLink']).toBeUndefined();
    expect(page.body.value).toHaveLength(1);
    const unknown = await h.graph('GET', '/planner/plans/NoSuchPlanNoSuchPlanNoSuchPl/tasks');
    expect(unknown.status).toBe(404);
  });

  it('refuses a made-up $skiptoken', async () => {
    const answer = await h.graph('GET', `/planner/plans/${h.seeded.planId}/tasks?$skiptoken=!!`);
    expect(answer.status).toBe(400);
  });
});
