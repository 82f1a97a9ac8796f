import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FakeBotConnectorServer } from '../../../../simulators/bot-connector/fake-bot-connector-server.js';
import { FakeGraphServer } from '../../../../simulators/graph/fake-graph-server.js';
import { FakePhotoShelterServer } from '../../../../simulators/photoshelter/fake-photoshelter-server.js';

// Every simulator mounts the kit's control API: the same requests get the same JSON from each.

interface Sim {
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
}

const sims: Record<string, Sim> = {
  graph: new FakeGraphServer(),
  photoshelter: new FakePhotoShelterServer({ assets: 20 }),
  'bot-connector': new FakeBotConnectorServer(),
};
const urls: Record<string, string> = {};

beforeAll(async () => {
  for (const [name, sim] of Object.entries(sims)) urls[name] = (await sim.start()).url;
});

afterAll(async () => {
  await Promise.all(Object.values(sims).map((sim) => sim.stop()));
});

async function control(
  name: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${urls[name]}/_sim${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

describe.each(Object.keys(sims))('the %s simulator', (name) => {
  it('adds, lists and clears faults', async () => {
    const added = await control(name, 'POST', '/faults', [
      { path: '/nowhere', status: 503, times: 2 },
      { drop: true },
    ]);
    expect(added).toEqual({
      status: 201,
      body: {
        faults: [
          { id: expect.any(Number), path: '/nowhere', status: 503, times: 2, remaining: 2 },
          { id: expect.any(Number), drop: true, remaining: 1 },
        ],
      },
    });
    expect((await control(name, 'GET', '/faults')).body).toEqual(added.body);
    expect((await control(name, 'DELETE', '/faults')).status).toBe(204);
    expect(await control(name, 'GET', '/faults')).toEqual({ status: 200, body: { faults: [] } });
    expect((await control(name, 'POST', '/faults', { status: 200 })).status).toBe(400);
    expect((await control(name, 'POST', '/faults', { explode: true })).status).toBe(400);
  });

  it('sets the throttle and counts nothing for control calls', async () => {
    expect(await control(name, 'POST', '/throttle', { requestsPerSecond: 3 })).toEqual({
      status: 200,
      body: { throttle: { requestsPerSecond: 3 } },
    });
    expect((await control(name, 'GET', '/throttle')).body).toEqual({
      throttle: { requestsPerSecond: 3 },
    });
    expect(await control(name, 'GET', '/calls')).toEqual({
      status: 200,
      body: { total: 0, byEndpoint: {}, throttled: 0, firstAt: null, lastAt: null },
    });
    expect((await control(name, 'DELETE', '/calls')).status).toBe(204);
  });

  it('reset clears faults and the throttle', async () => {
    await control(name, 'POST', '/faults', { status: 500, times: 5 });
    await control(name, 'POST', '/throttle', { requestsPerSecond: 1 });
    expect((await control(name, 'POST', '/reset', {})).status).toBe(200);
    expect((await control(name, 'GET', '/faults')).body).toEqual({ faults: [] });
    expect((await control(name, 'GET', '/throttle')).body).toEqual({ throttle: null });
  });
});
