import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SimHarness } from './sim-harness.js';

describe('FakePhotoShelterServer faults and call counters', () => {
  let sim: SimHarness;
  let orgId: string;

  beforeEach(async () => {
    sim = await SimHarness.start({ seed: 3, assets: 60 });
    orgId = sim.server.credentials.orgId ?? '';
    await sim.login();
  });

  afterEach(async () => {
    await sim.stop();
  });

  const media = () => sim.get(`/psapi/v4.0/media?org_id=${orgId}&per_page=1&page=1`);
  const root = () => sim.get('/psapi/v3/mem/collection/root/children');

  it('answers an injected status in the v3 or v4 envelope of the path', async () => {
    await sim.sim('POST', '/faults', { path: '/psapi/v3/', status: 500 });
    await sim.sim('POST', '/faults', { path: '/psapi/v4.0/', status: 404 });

    const v3 = await root();
    expect(v3.status).toBe(500);
    expect(v3.body).toEqual({ status: 'error', error: { message: 'Internal server error' } });

    const v4 = await media();
    expect(v4.status).toBe(404);
    expect(v4.body).toEqual({
      errors: [{ id: 'ResourceNotFoundException', status: '404', title: 'Resource not found' }],
    });

    expect((await root()).status).toBe(200);
  });

  it('answers 429 with Retry-After and the TooManyRequestsException envelope', async () => {
    sim.server.addFault({ path: '/psapi/v4.0/media', status: 429, retryAfterSeconds: 7 });
    const answer = await media();
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('7');
    expect(answer.body).toEqual({
      errors: [
        {
          id: 'TooManyRequestsException',
          status: '429',
          title: 'Too many requests',
          detail: expect.any(String),
        },
      ],
    });

    sim.server.addFault({ path: '/psapi/v3/', status: 429 });
    const v3 = await root();
    expect(v3.status).toBe(429);
    expect(v3.headers.get('retry-after')).toBe('1');
    expect(v3.body.errors[0].id).toBe('TooManyRequestsException');
  });

  it('holds an answer back for latencyMs, then answers normally', async () => {
    await sim.sim('POST', '/faults', { path: '/psapi/v4.0/media', latencyMs: 400 });
    const order: string[] = [];
    const slow = media().then((answer) => {
      order.push('slow');
      return answer;
    });
    const fast = root().then((answer) => {
      order.push('fast');
      return answer;
    });
    const [slowAnswer, fastAnswer] = await Promise.all([slow, fast]);
    expect(order).toEqual(['fast', 'slow']);
    expect(slowAnswer.status).toBe(200);
    expect(slowAnswer.body.data).toHaveLength(1);
    expect(fastAnswer.status).toBe(200);
  });

  it('drops the connection without an answer', async () => {
    sim.server.addFault({ path: '/psapi/v3/mem/collection', drop: true });
    await expect(root()).rejects.toThrow();
    expect((await root()).status).toBe(200);
  });

  it('answers 200 with a body of neither documented shape when malformed', async () => {
    sim.server.addFault({ path: '/psapi/v4.0/media', malformed: true });
    const answer = await media();
    expect(answer.status).toBe(200);
    expect(answer.body).not.toHaveProperty('status', 'ok');
    expect(Array.isArray(answer.body.data)).toBe(false);
    expect((await media()).body.data).toHaveLength(1);
  });

  it('applies a fault `times` times, consumes faults in order and matches path and method', async () => {
    sim.server.addFault({ path: '/psapi/v4.0/media', method: 'GET', status: 503, times: 2 });
    sim.server.addFault({ path: '/psapi/v4.0/media', status: 502 });
    sim.server.addFault({ path: '/psapi/v3/mem/authenticate', method: 'POST', status: 500 });

    expect((await sim.get('/psapi/v4.0/galleries')).status).toBe(200);
    const { email, password } = sim.server.credentials;
    const login = new URLSearchParams({ email, password, mode: 'token' });
    expect((await sim.get(`/psapi/v3/mem/authenticate?${login.toString()}`)).status).toBe(200);
    expect((await media()).status).toBe(503);
    expect((await media()).status).toBe(503);
    expect((await media()).status).toBe(502);
    expect((await media()).status).toBe(200);
    expect(sim.server.faults()).toHaveLength(1);

    // Control endpoints are never faulted.
    sim.server.addFault({ status: 500, times: 5 });
    expect((await sim.sim('GET', '/calls')).status).toBe(200);
    sim.server.clearFaults();
  });

  it('counts every API call by route template, faulted ones included', async () => {
    sim.server.resetCalls();
    const { galleries } = sim.server.library();
    const g = galleries[0];
    const imageId = g?.thumbnails[0]?.imageId ?? '';
    sim.server.addFault({ path: '/psapi/v3/mem/gallery/', status: 500 });

    await root();
    await sim.get(`/psapi/v3/mem/collection/${g?.collectionId}/children`);
    await sim.get(`/psapi/v3/mem/gallery/${g?.id}`);
    await sim.get(`/psapi/v3/mem/gallery/${g?.id}`);
    await sim.get(`/psapi/v3/mem/gallery/${g?.id}/images?page=1&per_page=2`);
    await sim.get(`/psapi/v3/image/${imageId}/link?image_size=100x100`);
    await media();
    await sim.get(`/psapi/v4.0/media/${imageId}/galleries`);
    await sim.get('/psapi/v3/mem/gallery/G0000nonexistent');
    await sim.get('/psapi/v3/nothing/here');
    await fetch(`${sim.url}/img-get2/${imageId}/fit=50x50`);
    await sim.sim('GET', '/library');

    expect(sim.server.calls()).toEqual({
      total: 10,
      byEndpoint: {
        'GET /psapi/v3/mem/collection/:id/children': 2,
        'GET /psapi/v3/mem/gallery/:id': 3,
        'GET /psapi/v3/mem/gallery/:id/images': 1,
        'GET /psapi/v3/image/:id/link': 1,
        'GET /psapi/v4.0/media': 1,
        'GET /psapi/v4.0/media/:id/galleries': 1,
        'GET /psapi/v3/nothing/here': 1,
      },
      throttled: 0,
      firstAt: expect.any(String),
      lastAt: expect.any(String),
    });
  });

  it('refuses an unknown API path with the generation’s 404', async () => {
    const v3 = await sim.get('/psapi/v3/mem/nothing');
    expect(v3.status).toBe(404);
    expect(v3.body.status).toBe('error');
    const v4 = await sim.get('/psapi/v4.0/nothing');
    expect(v4.status).toBe(404);
    expect(v4.body.errors[0].id).toBe('ResourceNotFoundException');
  });
});
