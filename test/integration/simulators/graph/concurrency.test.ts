import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { GraphHarness, type Json } from './support.js';

// planner-overview.md "Planner resource versioning": every resource has an ETag, PATCH and DELETE
// need If-Match, and a version that no longer matches is a 412.

let h: GraphHarness;
let bumping: GraphHarness;
beforeAll(async () => {
  h = await GraphHarness.start();
  bumping = await GraphHarness.start({ detailsWriteBumpsTaskEtag: true });
});
afterAll(async () => {
  await Promise.all([h.stop(), bumping.stop()]);
});
beforeEach(() => {
  h.server.reset();
});

const decode = (etag: string): string => {
  const match = /^W\/"([A-Za-z0-9+/=]+)"$/.exec(etag);
  return match?.[1] === undefined ? '' : Buffer.from(match[1], 'base64').toString('latin1');
};

async function getTask(id: string): Promise<Json> {
  return (await h.graph('GET', `/planner/tasks/${id}`)).body;
}

async function getDetails(id: string): Promise<Json> {
  return (await h.graph('GET', `/planner/tasks/${id}/details`)).body;
}

describe('ETags', () => {
  it('look like Planner’s: a weak tag over base64 of a kind and a version', async () => {
    const task = await h.createTask();
    expect(task['@odata.etag']).toMatch(/^W\/"[A-Za-z0-9+/]+=*"$/);
    expect(decode(task['@odata.etag'])).toMatch(/^'1-Task {2}[@A-Z]{16}X'$/);
    const bucket = (await h.graph('GET', `/planner/plans/${h.seeded.planId}/buckets`)).body
      .value[0];
    expect(decode(bucket['@odata.etag'])).toMatch(/^'1-Bucket[@A-Z]{16}D'$/);
  });

  it('change on every write of the task, and the ETag header matches the body', async () => {
    const task = await h.createTask();
    const seen = [task['@odata.etag']];
    let etag: string = task['@odata.etag'];
    for (const title of ['one', 'two', 'three']) {
      const answer = await h.graph('PATCH', `/planner/tasks/${task.id}`, {
        body: { title },
        headers: { 'If-Match': etag, Prefer: 'return=representation' },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('etag')).toBe(answer.body['@odata.etag']);
      etag = answer.body['@odata.etag'];
      seen.push(etag);
    }
    expect(new Set(seen).size).toBe(4);
    expect((await getTask(task.id))['@odata.etag']).toBe(etag);
  });

  it('are separate for a task and its details: a write to one leaves the other alone', async () => {
    const task = await h.createTask();
    const details = await getDetails(task.id);
    expect(details['@odata.etag']).not.toBe(task['@odata.etag']);
    const afterDetails = await h.graph('PATCH', `/planner/tasks/${task.id}/details`, {
      body: { description: 'Twelve new images' },
      headers: { 'If-Match': details['@odata.etag'], Prefer: 'return=representation' },
    });
    expect(afterDetails.body['@odata.etag']).not.toBe(details['@odata.etag']);
    const taskNow = await getTask(task.id);
    expect(taskNow['@odata.etag']).toBe(task['@odata.etag']);
    expect(taskNow.hasDescription).toBe(true);
    const afterTask = await h.graph('PATCH', `/planner/tasks/${task.id}`, {
      body: { priority: 1 },
      headers: { 'If-Match': task['@odata.etag'] },
    });
    expect(afterTask.status).toBe(204);
    expect((await getDetails(task.id))['@odata.etag']).toBe(afterDetails.body['@odata.etag']);
  });

  it('can be set to change the task’s ETag on a details write too', async () => {
    const task = await bumping.createTask();
    const details = (await bumping.graph('GET', `/planner/tasks/${task.id}/details`)).body;
    await bumping.graph('PATCH', `/planner/tasks/${task.id}/details`, {
      body: { description: 'x' },
      headers: { 'If-Match': details['@odata.etag'] },
    });
    const after = (await bumping.graph('GET', `/planner/tasks/${task.id}`)).body;
    expect(after['@odata.etag']).not.toBe(task['@odata.etag']);
  });
});

describe('If-Match', () => {
  it('a stale ETag on PATCH gives 412 PreconditionFailed and changes nothing', async () => {
    const task = await h.createTask({ title: 'original' });
    const first = await h.graph('PATCH', `/planner/tasks/${task.id}`, {
      body: { title: 'first writer' },
      headers: { 'If-Match': task['@odata.etag'] },
    });
    expect(first.status).toBe(204);
    const current = await getTask(task.id);
    const stale = await h.graph('PATCH', `/planner/tasks/${task.id}`, {
      body: { title: 'second writer', percentComplete: 100 },
      headers: { 'If-Match': task['@odata.etag'] },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('PreconditionFailed');
    expect(await getTask(task.id)).toEqual(current);
  });

  it('a stale ETag on a details PATCH gives 412 and changes nothing', async () => {
    const task = await h.createTask();
    const details = await getDetails(task.id);
    await h.graph('PATCH', `/planner/tasks/${task.id}/details`, {
      body: { description: 'first' },
      headers: { 'If-Match': details['@odata.etag'] },
    });
    const current = await getDetails(task.id);
    const stale = await h.graph('PATCH', `/planner/tasks/${task.id}/details`, {
      body: { description: 'second' },
      headers: { 'If-Match': details['@odata.etag'] },
    });
    expect(stale.status).toBe(412);
    expect(await getDetails(task.id)).toEqual(current);
  });

  it('a task ETag is not accepted for its details', async () => {
    const task = await h.createTask();
    const answer = await h.graph('PATCH', `/planner/tasks/${task.id}/details`, {
      body: { description: 'x' },
      headers: { 'If-Match': task['@odata.etag'] },
    });
    expect(answer.status).toBe(412);
  });

  it('a stale ETag on DELETE gives 412 and the task stays', async () => {
    const task = await h.createTask();
    await h.graph('PATCH', `/planner/tasks/${task.id}`, {
      body: { title: 'moved on' },
      headers: { 'If-Match': task['@odata.etag'] },
    });
    const stale = await h.graph('DELETE', `/planner/tasks/${task.id}`, {
      headers: { 'If-Match': task['@odata.etag'] },
    });
    expect(stale.status).toBe(412);
    expect((await h.graph('GET', `/planner/tasks/${task.id}`)).status).toBe(200);
  });

  it('a missing If-Match gives 400 on PATCH and changes nothing', async () => {
    const task = await h.createTask({ title: 'original' });
    const answer = await h.graph('PATCH', `/planner/tasks/${task.id}`, { body: { title: 'x' } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('If-Match');
    expect((await getTask(task.id)).title).toBe('original');
  });

  it('accepts the strong form of the same tag', async () => {
    const task = await h.createTask();
    const strong = (task['@odata.etag'] as string).slice(2);
    const answer = await h.graph('PATCH', `/planner/tasks/${task.id}`, {
      body: { title: 'x' },
      headers: { 'If-Match': strong },
    });
    expect(answer.status).toBe(204);
  });

  it('a change made in Planner by a person makes the connector’s ETag stale', async () => {
    const task = await h.createTask();
    const moved = await h.sim('PATCH', `/tasks/${task.id}`, {
      bucketId: h.seeded.buckets.approved,
      percentComplete: 100,
    });
    expect(moved.status).toBe(200);
    expect(moved.body.completedBy.user.id).toBe(h.seeded.users.megan.id);
    const stale = await h.graph('PATCH', `/planner/tasks/${task.id}`, {
      body: { title: 'x' },
      headers: { 'If-Match': task['@odata.etag'] },
    });
    expect(stale.status).toBe(412);
  });
});

describe('Prefer: return=representation', () => {
  it('PATCH answers 204 with no body by default and 200 with the whole object when asked', async () => {
    const task = await h.createTask();
    const plain = await h.graph('PATCH', `/planner/tasks/${task.id}`, {
      body: { title: 'plain' },
      headers: { 'If-Match': task['@odata.etag'] },
    });
    expect(plain.status).toBe(204);
    expect(plain.body).toBeUndefined();
    const current = await getTask(task.id);
    const full = await h.graph('PATCH', `/planner/tasks/${task.id}`, {
      body: { title: 'full' },
      headers: { 'If-Match': current['@odata.etag'], Prefer: 'return=representation' },
    });
    expect(full.status).toBe(200);
    expect(full.headers.get('preference-applied')).toBe('return=representation');
    expect(full.body).toEqual(await getTask(task.id));
    const details = await getDetails(task.id);
    const fullDetails = await h.graph('PATCH', `/planner/tasks/${task.id}/details`, {
      body: { previewType: 'checklist' },
      headers: { 'If-Match': details['@odata.etag'], Prefer: 'return=representation' },
    });
    expect(fullDetails.status).toBe(200);
    expect(fullDetails.body).toEqual(await getDetails(task.id));
  });
});
