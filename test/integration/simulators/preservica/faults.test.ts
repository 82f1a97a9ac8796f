import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SEEDED_FOLDERS } from '../../../../simulators/preservica/store.js';
import { Harness, readXml } from './support.js';

describe('Preservica simulator: faults, throttle and the kit control API', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.start();
    await h.login();
  });

  afterEach(async () => {
    await h.stop();
  });

  const folder = `/api/entity/v7.7/structural-objects/${SEEDED_FOLDERS.approved}`;

  it('renders an injected error in each API family’s envelope, 429 with and without Retry-After', async () => {
    await h.sim('POST', '/faults', [
      { path: '/api/entity/structural-objects', status: 503 },
      { path: '/api/webhook', status: 429, retryAfterSeconds: 7 },
      { path: '/api/s3', status: 503 },
      { path: '/api/processmonitor', status: 429 },
    ]);
    // the fault names the path without the version segment; the request carries it
    const entity = await h.call('GET', folder);
    expect(entity.status).toBe(503);
    expect(readXml(entity.text).Error.Status).toBe('503');
    const webhook = await h.call('GET', '/api/webhook/subscriptions');
    expect(webhook.status).toBe(429);
    expect(webhook.headers.get('retry-after')).toBe('7');
    expect(JSON.parse(webhook.text)).toMatchObject({ success: false, message: expect.any(String) });
    const s3 = await h.call('PUT', `/api/s3/buckets/${h.server.bucket}/x.zip`, 'x');
    expect(s3.status).toBe(503);
    expect(readXml(s3.text).Error.Code).toBe('SlowDown');
    const monitor = await h.call('GET', '/api/processmonitor/monitors');
    expect(monitor.status).toBe(429);
    expect(monitor.headers.get('retry-after')).toBeNull();
    // each fault fired once
    expect((await h.call('GET', folder)).status).toBe(200);
    expect(h.server.ingests()).toHaveLength(0);
  });

  it('drops, answers malformed, and loses the answer of an applied write', async () => {
    await h.sim('POST', '/faults', { path: folder, drop: true });
    await expect(h.call('GET', folder)).rejects.toThrow();
    await h.sim('POST', '/faults', { path: folder, malformed: true });
    expect(JSON.parse((await h.call('GET', folder)).text)).toEqual({
      malformed: true,
      data: 'unexpected',
    });
    await h.sim('POST', '/faults', {
      path: '/api/entity/structural-objects',
      method: 'POST',
      lostResponse: true,
    });
    await expect(
      h.xml(
        'POST',
        '/api/entity/structural-objects',
        `<StructuralObject xmlns="http://preservica.com/XIP/v7.7"><Title>Lost</Title><Parent>${SEEDED_FOLDERS.lightdesk}</Parent></StructuralObject>`,
      ),
    ).rejects.toThrow();
    const folders = (await h.sim('GET', '/entities')).body.folders.map(
      (f: { title: string }) => f.title,
    );
    expect(folders).toContain('Lost');
  });

  it('throttles with 429 and Retry-After, and counts calls by route template', async () => {
    expect((await h.sim('POST', '/throttle', { requestsPerSecond: 2 })).body).toEqual({
      throttle: { requestsPerSecond: 2 },
    });
    expect((await h.call('GET', folder)).status).toBe(200);
    expect((await h.call('GET', folder)).status).toBe(200);
    const refused = await h.call('GET', folder);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    h.clock.advance(1000);
    expect((await h.call('GET', folder)).status).toBe(200);
    const calls = (await h.sim('GET', '/calls')).body;
    expect(calls.byEndpoint['GET /api/entity/v7.7/structural-objects/:ref']).toBe(4);
    expect(calls.throttled).toBe(1);
    expect((await h.sim('POST', '/reset', {})).status).toBe(200);
    expect((await h.sim('GET', '/throttle')).body).toEqual({ throttle: null });
  });

  it('resets to the seeded repository', async () => {
    await h.xml(
      'POST',
      '/api/entity/structural-objects',
      `<StructuralObject xmlns="http://preservica.com/XIP/v7.7"><Title>Extra</Title></StructuralObject>`,
    );
    expect((await h.sim('GET', '/entities')).body.folders).toHaveLength(4);
    const reset = await h.sim('POST', '/reset', { seed: 2 });
    expect(reset.body.folders.map((f: { title: string }) => f.title)).toEqual([
      'Lightdesk',
      'Approved',
      'Retired galleries',
    ]);
    expect((await h.sim('GET', '/entities')).body.folders).toHaveLength(3);
    expect((await h.sim('GET', '/nope')).status).toBe(404);
    expect((await h.sim('POST', '/settings', { pendingMs: -1 })).status).toBe(400);
  });
});
