import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { FakeGraphServer } from '../../../../simulators/graph/fake-graph-server.js';

// The local demo keeps its Planner board across a restart, as it keeps its reviews in Azurite.

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function started(stateFile: string): Promise<FakeGraphServer> {
  const server = new FakeGraphServer({ requireToken: false, stateFile });
  await server.start(0);
  return server;
}

async function graph(server: FakeGraphServer, method: string, path: string, body?: unknown) {
  const answer = await fetch(`${server.graphUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}

describe('the Graph simulator with a state file', () => {
  it('keeps the tasks made through Graph across a restart, and makes no id twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'graph-sim-'));
    dirs.push(dir);
    const file = join(dir, 'graph-planner.json');

    const first = await started(file);
    const { planId } = first.seeded;
    const made = await graph(first, 'POST', '/planner/tasks', { planId, title: 'Review: Autumn' });
    expect(made.status).toBe(201);
    await first.stop();

    const second = await started(file);
    try {
      const kept = await graph(second, 'GET', `/planner/tasks/${String(made.body.id)}`);
      expect(kept.status).toBe(200);
      expect(kept.body).toMatchObject({ id: made.body.id, title: 'Review: Autumn', planId });
      const next = await graph(second, 'POST', '/planner/tasks', {
        planId,
        title: 'Review: Winter',
      });
      expect(next.status).toBe(201);
      expect(next.body.id).not.toBe(made.body.id);
      const tasks = await graph(second, 'GET', `/planner/plans/${planId}/tasks`);
      expect((tasks.body.value as { title: string }[]).map((t) => t.title).sort()).toEqual([
        'Review: Autumn',
        'Review: Winter',
      ]);
    } finally {
      await second.stop();
    }
  });

  it('starts from its seed without a file, as before', async () => {
    const server = new FakeGraphServer({ requireToken: false });
    await server.start(0);
    try {
      const tasks = await graph(server, 'GET', `/planner/plans/${server.seeded.planId}/tasks`);
      expect(tasks.body.value).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
