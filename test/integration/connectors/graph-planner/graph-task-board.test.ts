import { afterEach, describe, expect, it } from 'vitest';

import {
  AuthError,
  ConflictError,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
} from '../../../../core/errors.js';
import type { NewTask, TaskDetails } from '../../../../core/ports/task-board.js';
import { type Harness, startHarness, taskIn, TOKEN } from './graph-harness.js';

const GALLERY_URL = 'https://acme.photoshelter.com/gallery/Media-Day-2026/G0000abc.def';
// Every character Planner wants escaped, and a '%' that must not be read as an escape.
const REVIEW_URL = 'http://lightdesk.example:7071/reviews/r%201?by=ops@acme.example#decide';

const CHECK_A = '6f1e8a3c-1b2d-4c5e-8f90-0a1b2c3d4e5f';
const CHECK_B = '7a2f9b4d-2c3e-4d6f-9a01-1b2c3d4e5f60';

const GUID_PATTERN = (n: number) =>
  `${n.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  h = await startHarness(options);
  return h;
}

function newTask(x: Harness, overrides: Partial<NewTask> = {}): NewTask {
  return {
    planId: x.planId,
    bucketId: x.buckets.toReview,
    title: 'Review: Media Day 2026',
    assigneeIds: [x.people.adele.id, x.people.alex.id],
    dueAt: '2026-11-30T17:00:00.000Z',
    priority: 3,
    labels: ['category1', 'category3'],
    ...overrides,
  };
}

function details(overrides: Partial<TaskDetails> = {}): TaskDetails {
  return {
    description: '3 images from "Media Day 2026" to review.',
    checklist: [
      { id: CHECK_A, title: 'Faces identifiable', isChecked: false },
      { id: CHECK_B, title: 'Credit line present', isChecked: true },
    ],
    references: [
      { url: GALLERY_URL, alias: 'PhotoShelter: Media Day 2026' },
      { url: REVIEW_URL, alias: 'Lightdesk review' },
    ],
    ...overrides,
  };
}

describe('GraphTaskBoard against FakeGraphServer', () => {
  it('creates a task, writes details with encoded reference keys, then moves and completes it', async () => {
    const x = await harness({ tenantId: 'contoso.onmicrosoft.com' });
    expect(await x.board.ensureBucket(x.planId, 'To review')).toBe(x.buckets.toReview);

    const created = await x.board.createTask(newTask(x));
    expect(created).toMatchObject({
      planId: x.planId,
      bucketId: x.buckets.toReview,
      title: 'Review: Media Day 2026',
      percentComplete: 0,
      completedAt: undefined,
      completedBy: undefined,
    });
    expect(created.version).not.toBe('');

    const outcome = await x.board.setDetails(created.taskId, details());
    expect(outcome).toEqual({ kind: 'written' });

    const onBoard = taskIn(await x.state(), created.taskId);
    expect(Object.keys(onBoard.assignments).sort()).toEqual(
      [x.people.adele.id, x.people.alex.id].sort(),
    );
    expect(onBoard.appliedCategories).toEqual({ category1: true, category3: true });
    expect(onBoard.details.description).toBe('3 images from "Media Day 2026" to review.');
    expect(onBoard.details.checklist[CHECK_A]).toMatchObject({ title: 'Faces identifiable' });
    expect(onBoard.details.checklist[CHECK_B]).toMatchObject({ isChecked: true });
    // The keys as Planner stores them: '%' first, then . : @ # — '/' as it is.
    expect(Object.keys(onBoard.details.references).sort()).toEqual(
      [
        'https%3A//acme%2Ephotoshelter%2Ecom/gallery/Media-Day-2026/G0000abc%2Edef',
        'http%3A//lightdesk%2Eexample%3A7071/reviews/r%25201?by=ops%40acme%2Eexample%23decide',
      ].sort(),
    );
    expect(
      onBoard.details.references[
        'https%3A//acme%2Ephotoshelter%2Ecom/gallery/Media-Day-2026/G0000abc%2Edef'
      ],
    ).toMatchObject({ alias: 'PhotoShelter: Media Day 2026', type: 'Other' });

    // The encoded keys round-trip: the same URLs find the task again.
    for (const url of [GALLERY_URL, REVIEW_URL]) {
      const found = await x.board.findTaskByReference(x.planId, url, 'Review: Media Day 2026');
      expect(found?.taskId).toBe(created.taskId);
    }

    const approved = await x.board.ensureBucket(x.planId, 'Approved');
    expect(approved).toBe(x.buckets.approved);
    const done = await x.board.updateTask(created.taskId, {
      bucketId: approved,
      percentComplete: 100,
    });
    expect(done.bucketId).toBe(approved);
    expect(done.percentComplete).toBe(100);
    expect(done.completedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(done.version).not.toBe(created.version);
    expect(await x.board.getTask(created.taskId)).toEqual(done);

    expect(x.board.taskUrl(created)).toBe(
      `https://planner.cloud.microsoft/webui/plan/${x.planId}/view/board/task/${created.taskId}?tid=contoso.onmicrosoft.com`,
    );
  });

  it('maps who completed a task in Planner (completedBy.user.id)', async () => {
    const x = await harness();
    const task = await x.board.createTask(newTask(x));
    await fetch(`${x.url}/_sim/tasks/${task.taskId}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ percentComplete: 100, byUserId: x.people.megan.id }),
    });
    const read = await x.board.getTask(task.taskId);
    expect(read.completedBy).toBe(x.people.megan.id);
    expect(read.completedAt).toBeDefined();
  });

  it('writes the same details twice without twins, and sends nothing for an update that changes nothing', async () => {
    const x = await harness();
    const task = await x.board.createTask(newTask(x));
    await x.board.setDetails(task.taskId, details());
    await x.board.setDetails(task.taskId, details({ description: 'second write' }));
    const onBoard = taskIn(await x.state(), task.taskId);
    expect(Object.keys(onBoard.details.checklist)).toHaveLength(2);
    expect(Object.keys(onBoard.details.references)).toHaveLength(2);
    expect(onBoard.details.description).toBe('second write');

    await x.resetCalls();
    const same = await x.board.updateTask(task.taskId, {
      bucketId: x.buckets.toReview,
      percentComplete: 0,
      title: task.title,
    });
    expect(same.version).toBe(task.version);
    expect(await x.calls()).toEqual({ 'GET /planner/tasks/:id': 1 });
  });

  it('keeps a checklist tick made in Planner when the details are written again', async () => {
    const x = await harness();
    const task = await x.board.createTask(newTask(x));
    await x.board.setDetails(task.taskId, details());
    // A project manager ticks "Faces identifiable" in Planner (the app's own PATCH, with its ETag).
    const auth = { authorization: `Bearer ${TOKEN}` };
    const url = `${x.server.graphUrl}/planner/tasks/${task.taskId}/details`;
    const read = (await (await fetch(url, { headers: auth })).json()) as { '@odata.etag': string };
    const ticked = await fetch(url, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json', 'If-Match': read['@odata.etag'] },
      body: JSON.stringify({
        checklist: {
          [CHECK_A]: { '@odata.type': '#microsoft.graph.plannerChecklistItem', isChecked: true },
        },
      }),
    });
    expect(ticked.status).toBeLessThan(300);

    // More images arrive: Lightdesk rewrites the details, its own view still saying "not checked".
    await x.board.setDetails(task.taskId, details({ description: 'two more images' }));
    const onBoard = taskIn(await x.state(), task.taskId);
    expect(onBoard.details.description).toBe('two more images');
    expect(onBoard.details.checklist[CHECK_A]?.isChecked).toBe(true);
    expect(onBoard.details.checklist[CHECK_B]?.isChecked).toBe(true);
  });

  it('changes assignees by difference: adds the new one, removes the one no longer wanted', async () => {
    const x = await harness();
    const task = await x.board.createTask(newTask(x));
    await x.board.updateTask(task.taskId, { assigneeIds: [x.people.alex.id, x.people.megan.id] });
    const onBoard = taskIn(await x.state(), task.taskId);
    expect(Object.keys(onBoard.assignments).sort()).toEqual(
      [x.people.alex.id, x.people.megan.id].sort(),
    );
  });

  it('re-reads and re-applies when the ETag is stale (412 storm), within its bound', async () => {
    const x = await harness();
    const task = await x.board.createTask(newTask(x));
    await x.resetCalls();
    await x.addFaults([
      { path: `/planner/tasks/${task.taskId}`, method: 'PATCH', status: 412, times: 2 },
    ]);
    const moved = await x.board.updateTask(task.taskId, { bucketId: x.buckets.reReview });
    expect(moved.bucketId).toBe(x.buckets.reReview);
    expect(await x.calls()).toMatchObject({
      'GET /planner/tasks/:id': 3,
      'PATCH /planner/tasks/:id': 3,
    });

    await x.addFaults([
      { path: `/planner/tasks/${task.taskId}/details`, method: 'PATCH', status: 412, times: 2 },
    ]);
    expect(await x.board.setDetails(task.taskId, details())).toEqual({ kind: 'written' });

    await x.addFaults([
      { path: `/planner/tasks/${task.taskId}`, method: 'PATCH', status: 412, times: 10 },
    ]);
    const storm = x.board.updateTask(task.taskId, { percentComplete: 50 });
    await expect(storm).rejects.toBeInstanceOf(ConflictError);
    await expect(storm).rejects.toMatchObject({ details: { status: 412 } });
  });

  it('treats 409 like 412: reads again and re-applies', async () => {
    const x = await harness();
    const task = await x.board.createTask(newTask(x));
    await x.addFaults([{ path: `/planner/tasks/${task.taskId}`, method: 'PATCH', status: 409 }]);
    const moved = await x.board.updateTask(task.taskId, { bucketId: x.buckets.archived });
    expect(moved.bucketId).toBe(x.buckets.archived);
  });

  it('sends through an injected fetch, and reads the task back when a PATCH answers 204', async () => {
    const seen: string[] = [];
    // Drops `Prefer`, as a service that ignores it would: the PATCH then answers 204 with no body.
    const withoutPrefer: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.delete('Prefer');
      seen.push(
        `${init?.method ?? 'GET'} ${headers.get('authorization') === null ? 'anonymous' : 'bearer'}`,
      );
      return fetch(input, { ...init, headers });
    };
    const x = await harness({ fetch: withoutPrefer });
    const task = await x.board.createTask(newTask(x));
    await x.resetCalls();
    const moved = await x.board.updateTask(task.taskId, { percentComplete: 50 });
    expect(moved.percentComplete).toBe(50);
    expect(moved.version).not.toBe(task.version);
    expect(await x.calls()).toEqual({ 'GET /planner/tasks/:id': 2, 'PATCH /planner/tasks/:id': 1 });
    expect(seen).toEqual(['POST bearer', 'GET bearer', 'PATCH bearer', 'GET bearer']);
  });

  it('waits out Retry-After on 429 (on the injected clock) and then succeeds', async () => {
    const x = await harness();
    const task = await x.board.createTask(newTask(x));
    await x.addFaults([
      {
        path: `/planner/tasks/${task.taskId}`,
        method: 'GET',
        status: 429,
        retryAfterSeconds: 7,
        times: 2,
      },
    ]);
    const read = await x.board.getTask(task.taskId);
    expect(read.taskId).toBe(task.taskId);
    expect(x.clock.sleeps).toEqual([7000, 7000]);
  });

  it('backs off without Retry-After (503), with the pinned jitter', async () => {
    const x = await harness({ retry: { baseDelayMs: 1000 } });
    const task = await x.board.createTask(newTask(x));
    await x.addFaults([
      { path: `/planner/tasks/${task.taskId}`, method: 'GET', status: 503, times: 2 },
    ]);
    await x.board.getTask(task.taskId);
    // Equal jitter with random() = 0.5: 1000 → 750, 2000 → 1500.
    expect(x.clock.sleeps).toEqual([750, 1500]);
  });

  it('repeats a read whose connection dropped, but not a create', async () => {
    const x = await harness();
    const task = await x.board.createTask(newTask(x));
    await x.addFaults([{ path: `/planner/tasks/${task.taskId}`, method: 'GET', drop: true }]);
    expect((await x.board.getTask(task.taskId)).taskId).toBe(task.taskId);
    expect(x.clock.sleeps).toHaveLength(1);

    await x.resetCalls();
    await x.addFaults([{ path: '/planner/tasks', method: 'POST', drop: true }]);
    await expect(x.board.createTask(newTask(x))).rejects.toBeInstanceOf(UpstreamError);
    expect(await x.calls()).toEqual({ 'POST /planner/tasks': 1 });
  });

  it('names the call that got no answer in its error, by route template', async () => {
    const x = await harness({ retry: { maxAttempts: 1 } });
    await x.addFaults([{ path: `/planner/plans/${x.planId}/tasks`, method: 'GET', drop: true }]);
    const read = x.board.listPlanTasks(x.planId);
    await expect(read).rejects.toBeInstanceOf(UpstreamError);
    await expect(read).rejects.toThrow(
      'graph: GET /planner/plans/:id/tasks failed before an answer arrived',
    );
  });

  it('gives up on a 429 storm beyond its budget with RateLimitedError carrying Retry-After', async () => {
    const x = await harness();
    const task = await x.board.createTask(newTask(x));
    await x.addFaults([
      {
        path: `/planner/tasks/${task.taskId}`,
        method: 'GET',
        status: 429,
        retryAfterSeconds: 3,
        times: 10,
      },
    ]);
    const read = x.board.getTask(task.taskId);
    await expect(read).rejects.toBeInstanceOf(RateLimitedError);
    await expect(read).rejects.toMatchObject({ retryAfterMs: 3000 });
    expect(x.clock.sleeps).toEqual([3000, 3000, 3000]); // 4 attempts in all

    // A Retry-After longer than one wait may be is not slept through at all.
    x.server.clearFaults();
    await x.addFaults([
      { path: `/planner/tasks/${task.taskId}`, method: 'GET', status: 429, retryAfterSeconds: 120 },
    ]);
    const long = x.board.getTask(task.taskId);
    await expect(long).rejects.toMatchObject({ code: 'rate_limited', retryAfterMs: 120_000 });
    expect(x.clock.sleeps).toHaveLength(3);
  });

  it('degrades on the checklist limit: writes what fits, summarises the rest in the description', async () => {
    const x = await harness({ server: { limits: { checklistItemsPerTask: 3 } } });
    const task = await x.board.createTask(newTask(x));
    const many = [1, 2, 3, 4, 5].map((n) => ({
      id: GUID_PATTERN(n),
      title: `Check ${n}`,
      isChecked: false,
    }));

    const outcome = await x.board.setDetails(task.taskId, details({ checklist: many }));

    expect(outcome).toEqual({
      kind: 'degraded',
      dropped: many.map((item) => `checklist item "${item.title}"`),
    });
    const onBoard = taskIn(await x.state(), task.taskId);
    expect(Object.keys(onBoard.details.checklist)).toHaveLength(0);
    expect(Object.keys(onBoard.details.references)).toHaveLength(2);
    expect(onBoard.details.description).toContain('3 images from "Media Day 2026" to review.');
    for (const item of many) expect(onBoard.details.description).toContain(`[ ] ${item.title}`);
    expect(
      x.logger.records.some(
        (r) => r.level === 'warn' && r.fields['limits'] === 'MaximumChecklistItemsOnTask',
      ),
    ).toBe(true);

    // Items the task already has are still updated; only the new ones overflow.
    const two = many.slice(0, 2);
    expect(await x.board.setDetails(task.taskId, details({ checklist: two }))).toEqual({
      kind: 'written',
    });
    const more = await x.board.setDetails(
      task.taskId,
      details({ checklist: [{ ...many[0]!, isChecked: true }, ...many.slice(1)] }),
    );
    expect(more).toEqual({
      kind: 'degraded',
      dropped: ['checklist item "Check 3"', 'checklist item "Check 4"', 'checklist item "Check 5"'],
    });
    const after = taskIn(await x.state(), task.taskId);
    expect(after.details.checklist[GUID_PATTERN(1)]).toMatchObject({ isChecked: true });
    expect(Object.keys(after.details.checklist)).toHaveLength(2);
  });

  it('degrades on the references limit, keeping the links in the description', async () => {
    const x = await harness({ server: { limits: { referencesPerTask: 1 } } });
    const task = await x.board.createTask(newTask(x));
    const outcome = await x.board.setDetails(task.taskId, details());
    expect(outcome.kind).toBe('degraded');
    expect(outcome.kind === 'degraded' ? outcome.dropped : []).toEqual([
      `reference ${GALLERY_URL}`,
      `reference ${REVIEW_URL}`,
    ]);
    const onBoard = taskIn(await x.state(), task.taskId);
    expect(onBoard.details.description).toContain(`Lightdesk review: ${REVIEW_URL}`);
    expect(Object.keys(onBoard.details.checklist)).toHaveLength(2);
  });

  it('surfaces a create whose answer was lost, and findTaskByReference then finds that task', async () => {
    const x = await harness();
    // Another review's task with the same title but its own reference is not taken for ours.
    const other = await x.board.createTask(newTask(x));
    await x.board.setDetails(
      other.taskId,
      details({ references: [{ url: 'https://acme.photoshelter.com/gallery/other', alias: 'x' }] }),
    );
    await x.resetCalls();
    await x.addFaults([{ path: '/planner/tasks', method: 'POST', lostResponse: true }]);

    const create = x.board.createTask(newTask(x));
    await expect(create).rejects.toBeInstanceOf(UpstreamError);
    expect((await x.calls())['POST /planner/tasks']).toBe(1); // a create is never repeated blindly

    const found = await x.board.findTaskByReference(x.planId, REVIEW_URL, 'Review: Media Day 2026');
    expect(found).toBeDefined();
    expect(found?.taskId).not.toBe(other.taskId);
    const tasks = await x.board.listPlanTasks(x.planId);
    expect(tasks.map((t) => t.taskId)).toContain(found?.taskId);
    // One listing, one batch for the candidates' details.
    expect(await x.calls()).toMatchObject({ 'POST /$batch': 1 });

    expect(
      await x.board.findTaskByReference(x.planId, REVIEW_URL, 'Review: something else'),
    ).toBeUndefined();
  });

  it('follows @odata.nextLink through every page', async () => {
    const x = await harness({ server: { pageSize: 2 } });
    for (let i = 0; i < 5; i += 1) await x.board.createTask(newTask(x, { title: `Review ${i}` }));
    await x.resetCalls();
    const tasks = await x.board.listPlanTasks(x.planId);
    expect(tasks.map((t) => t.title)).toEqual([0, 1, 2, 3, 4].map((i) => `Review ${i}`));
    expect(await x.calls()).toEqual({ 'GET /planner/plans/:id/tasks': 3 });
  });

  it('creates a missing bucket once and remembers bucket ids per plan', async () => {
    const x = await harness();
    await x.resetCalls();
    const [a, b] = await Promise.all([
      x.board.ensureBucket(x.planId, 'Legal hold'),
      x.board.ensureBucket(x.planId, 'Legal hold'),
    ]);
    expect(a).toBe(b);
    expect(await x.board.ensureBucket(x.planId, 'Legal hold')).toBe(a);
    expect(await x.board.ensureBucket(x.planId, 'Archived')).toBe(x.buckets.archived);
    expect(await x.calls()).toEqual({
      'GET /planner/plans/:id/buckets': 1,
      'POST /planner/buckets': 1,
    });
    const plan = (await x.state()).plans.find((p) => p.id === x.planId);
    expect(plan?.buckets.filter((bucket) => bucket.name === 'Legal hold')).toHaveLength(1);
  });

  it('reads the buckets again after ten minutes, so a bucket changed in Planner is seen', async () => {
    const x = await harness();
    await x.board.ensureBucket(x.planId, 'Archived');
    await x.resetCalls();
    x.clock.advance(9 * 60_000);
    await x.board.ensureBucket(x.planId, 'Archived');
    expect(await x.calls()).toEqual({});
    x.clock.advance(60_000);
    expect(await x.board.ensureBucket(x.planId, 'Archived')).toBe(x.buckets.archived);
    expect(await x.calls()).toEqual({ 'GET /planner/plans/:id/buckets': 1 });
  });

  it('turns 404s into NotFoundError naming the task or plan, with Graph request-id kept', async () => {
    const x = await harness();
    const missing = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const read = x.board.getTask(missing);
    await expect(read).rejects.toBeInstanceOf(NotFoundError);
    await expect(read).rejects.toMatchObject({ details: { what: 'Planner task', id: missing } });
    const error = await read.catch((e: unknown) => e);
    expect(error instanceof NotFoundError && error.cause instanceof UpstreamError).toBe(true);
    expect(
      error instanceof NotFoundError && error.cause instanceof UpstreamError
        ? error.cause.requestId
        : undefined,
    ).toMatch(/^[0-9a-f-]{36}$/);

    await expect(x.board.setDetails(missing, details())).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      x.board.createTask(newTask(x, { planId: 'BBBBBBBBBBBBBBBBBBBBBBBBBBBB' })),
    ).rejects.toMatchObject({ details: { what: 'Planner plan' } });
  });

  it('fetches the token once while it is fresh, and again when it is about to expire', async () => {
    const x = await harness();
    const task = await x.board.createTask(newTask(x));
    await x.board.getTask(task.taskId);
    await x.board.listPlanTasks(x.planId);
    expect(x.credential.calls).toBe(1);
    x.clock.advance(58 * 60_000); // inside the five-minute margin of the one-hour token
    await x.board.getTask(task.taskId);
    expect(x.credential.calls).toBe(2);
  });

  it('refuses with AuthError when Graph rejects the token, after one fresh try', async () => {
    const x = await harness({ server: { acceptedTokens: ['a-different-token'] } });
    const read = x.board.listPlanTasks(x.planId);
    await expect(read).rejects.toBeInstanceOf(AuthError);
    await expect(read).rejects.toMatchObject({ details: { status: 401 } });
    expect(x.credential.calls).toBe(2);
    expect(await x.calls()).toEqual({ 'GET /planner/plans/:id/tasks': 1 });
  });

  it('refuses with AuthError when the credential gives no token, without calling Graph', async () => {
    const x = await harness({ token: null });
    await expect(x.board.listPlanTasks(x.planId)).rejects.toBeInstanceOf(AuthError);
    expect(await x.calls()).toEqual({});
  });

  it('never writes the token into a log line or an error', async () => {
    const x = await harness();
    const task = await x.board.createTask(newTask(x));
    await x.addFaults([
      { path: `/planner/tasks/${task.taskId}`, method: 'GET', status: 429, retryAfterSeconds: 1 },
      { path: `/planner/tasks/${task.taskId}`, method: 'PATCH', status: 412 },
    ]);
    await x.board.updateTask(task.taskId, { percentComplete: 50 });
    const failure = await x.board.getTask('AAAAAAAAAAAAAAAAAAAAAAAAAAAA').catch((e: unknown) => e);
    expect(x.logger.records.length).toBeGreaterThan(0);
    expect(x.logger.text()).not.toContain(TOKEN);
    expect(JSON.stringify(failure)).not.toContain(TOKEN);
    expect(String(failure)).not.toContain(TOKEN);
  });
});
