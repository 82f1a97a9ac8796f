import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LocalHost } from '../../composition/local-host.js';
import { rawRequest } from '../support/raw-http.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

// The poison queue as people meet it: a message that can never succeed lands there at once with its
// reason, health counts it, and once the cause is fixed it is put back with one call.

const API_KEY = 'poison-test-key-0123456789';
const key = { 'x-api-key': API_KEY };

interface Queues {
  depth: { active: number; poison: number };
  poison: { body: string }[];
}

describe('poison queue: reasons, health and replay', () => {
  let running: TestHost;
  let host: LocalHost;

  beforeAll(async () => {
    running = await startTestHost({ API_KEY: API_KEY, SIM_SEED: '17' });
    host = running.host;
  });

  afterAll(() => running?.stop());

  const queues = async (): Promise<Queues> =>
    JSON.parse(
      (await rawRequest(host.url, { path: '/api/v1/queues', headers: key })).body,
    ) as Queues;
  const health = async () =>
    JSON.parse((await rawRequest(host.url, { path: '/api/v1/health' })).body) as {
      poison: { events: number | null; webhooks: number | null };
      lagging: unknown;
    };

  it('poisons a message that can never succeed at once, with its reason, and counts it in health', async () => {
    expect((await health()).poison).toEqual({ events: 0, webhooks: 0 });
    await host.services.queue.enqueue(
      // A message from a newer version, say: no worker of this one can ever understand it.
      JSON.parse('{"type":"review.archived","id":"x-1"}') as never,
    );
    await host.drainQueue();

    const { depth, poison } = await queues();
    expect(depth).toEqual({ active: 0, poison: 1 });
    expect(JSON.parse(poison[0]?.body ?? '{}')).toMatchObject({
      type: 'review.archived',
      poisonReason: expect.stringMatching(/^validation: Queue message is not understood/),
    });
    expect((await health()).poison).toEqual({ events: 1, webhooks: 0 });
  });

  it('puts poisoned messages back on their queue with one call, from the API or the console', async () => {
    const replayed = await rawRequest(host.url, {
      method: 'POST',
      path: '/api/v1/queues/poison/replay',
      headers: key,
    });
    expect(replayed.status).toBe(200);
    expect(JSON.parse(replayed.body)).toEqual({ replayed: { events: 1, webhooks: 0 } });
    expect((await queues()).depth).toEqual({ active: 1, poison: 0 });
    // Replayed as first queued: no reason left on it.
    const [message] = await host.services.queue.receive(1, 1_000);
    expect(JSON.parse(message?.body ?? '{}')).toEqual({ type: 'review.archived', id: 'x-1' });

    // Still not understood: poisoned again, and the console's button puts it back as well.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await host.drainQueue();
    expect((await queues()).depth).toEqual({ active: 0, poison: 1 });
    const fromConsole = await rawRequest(host.url, {
      method: 'POST',
      path: '/console/api/v1/queues/poison/replay?max=10',
    });
    expect(JSON.parse(fromConsole.body)).toEqual({ replayed: { events: 1, webhooks: 0 } });
  });

  it('refuses a replay without the key, and a nonsense limit', async () => {
    const anonymous = await rawRequest(host.url, {
      method: 'POST',
      path: '/api/v1/queues/poison/replay',
    });
    expect(anonymous.status).toBe(401);
    const nonsense = await rawRequest(host.url, {
      method: 'POST',
      path: '/api/v1/queues/poison/replay?max=-3',
      headers: key,
    });
    expect(nonsense.status).toBe(400);
  });
});
