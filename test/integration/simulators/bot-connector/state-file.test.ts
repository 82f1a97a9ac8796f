import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { FakeBotConnectorServer } from '../../../../simulators/bot-connector/fake-bot-connector-server.js';

// The local demo keeps its Teams conversations and cards across a restart, as it keeps its reviews.

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function started(stateFile: string): Promise<FakeBotConnectorServer> {
  const server = new FakeBotConnectorServer({ stateFile });
  await server.start(0);
  return server;
}

async function call(server: FakeBotConnectorServer, method: string, path: string, body?: unknown) {
  const answer = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}

describe('the Teams simulator with a state file', () => {
  it('keeps a posted card and its update across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'teams-sim-'));
    dirs.push(dir);
    const file = join(dir, 'teams-conversations.json');

    const first = await started(file);
    const channel = encodeURIComponent(first.seed.photoReviewsChannel.id);
    const path = `/v3/conversations/${channel}/activities`;
    const sent = await call(first, 'POST', path, { type: 'message', text: 'card v1' });
    expect(sent.status).toBe(201);
    const id = String(sent.body.id);
    const updated = await call(first, 'PUT', `${path}/${encodeURIComponent(id)}`, {
      type: 'message',
      text: 'card v2',
      id,
    });
    expect(updated.status).toBe(200);
    await first.stop();

    const second = await started(file);
    try {
      const transcript = await call(second, 'GET', `/_sim/conversations/${channel}`);
      expect(transcript.status).toBe(200);
      const activities = transcript.body.activities as { id: string; latest: { text: string } }[];
      expect(activities.map((a) => [a.id, a.latest.text])).toEqual([[id, 'card v2']]);
      // A new post after the restart gets a new id.
      const next = await call(second, 'POST', path, { type: 'message', text: 'another' });
      expect(next.body.id).not.toBe(id);
    } finally {
      await second.stop();
    }
  });
});
