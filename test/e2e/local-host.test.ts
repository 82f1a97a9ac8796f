import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type LocalHost, startLocalHost } from '../../composition/local-host.js';
import { RecordingLogger } from '../doubles/recording-logger.js';
import { settle } from '../support/demo-driver.js';

const API_KEY = 'local-test-key-0123456789';

describe('local host (npm start)', () => {
  let host: LocalHost;
  let dataDir: string;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-host-'));
    host = await startLocalHost(
      { PORT: '0', SIM_ASSETS: '60', SIM_SEED: '3', LIGHTDESK_DATA_DIR: dataDir, API_KEY: API_KEY },
      { inMemoryStorage: true, runTriggers: false, logger },
    );
  });

  afterAll(async () => {
    await host?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${host.url}/api/${path}`, {
      ...init,
      headers: { 'x-api-key': API_KEY, ...(init.headers as Record<string, string> | undefined) },
    });

  it('answers health with storage and PhotoShelter up', async () => {
    const response = await fetch(`${host.url}/api/v1/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, { ok: boolean }>;
    expect(body.storage?.ok).toBe(true);
    expect(body.photoShelter?.ok).toBe(true);
  });

  it('serves the console page and its settings', async () => {
    const page = await fetch(`${host.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Lightdesk console');
    const settings = (await (await fetch(`${host.url}/console/settings.json`)).json()) as {
      simulatorUrl: string;
    };
    expect(settings.simulatorUrl).toBe(host.simulatorUrl);
  });

  it('turns one upload into exactly one asset.uploaded event within a few polls', async () => {
    await host.poll(); // baseline
    const library = (await (await fetch(`${host.simulatorUrl}/_sim/library`)).json()) as {
      galleries: { id: string }[];
    };
    const galleryId = library.galleries[0]?.id;
    const uploaded = await fetch(`${host.simulatorUrl}/_sim/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ galleryId, fileName: 'SMOKE_0001.jpg' }),
    });
    expect(uploaded.status).toBe(201);
    const { imageId } = (await uploaded.json()) as { imageId: string };

    let depth = { active: 0, poison: 0 };
    for (let polls = 0; polls < 5 && depth.active === 0; polls += 1) {
      await host.poll();
      depth = await host.services.queue.depth();
    }
    expect(depth.active).toBe(1);

    expect(await host.drainQueue()).toBeGreaterThanOrEqual(1);
    // The review sync the event queued behind it, held until the batch window has passed; then a
    // poll finds nothing new.
    await settle(host);
    expect((await host.services.queue.depth()).active).toBe(0);
    await host.poll();
    expect(await host.drainQueue()).toBe(0);

    const activity = (await (await api('v1/activity?limit=20')).json()) as {
      entries: { kind: string; subject: string }[];
    };
    const uploads = activity.entries.filter((e) => e.kind === 'asset.uploaded');
    expect(uploads).toHaveLength(1);
    expect(uploads[0]?.subject).toBe(`${galleryId}/${imageId}`);
  });

  it('runs a poll on demand through the API', async () => {
    const response = await api('v1/poll', { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ kind: 'polled', enqueued: 0 });
  });

  it('reports queue depth and poison messages', async () => {
    const body = (await (await api('v1/queues')).json()) as { depth: object; poison: unknown[] };
    expect(body.depth).toEqual({ active: 0, poison: 0 });
    expect(body.poison).toEqual([]);
  });

  it('refuses the API without the key, and says why', async () => {
    const response = await fetch(`${host.url}/api/v1/activity`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'auth' } });
  });

  it('answers bad input with a 4xx that names the problem', async () => {
    const badLimit = await api('v1/activity?limit=lots');
    expect(badLimit.status).toBe(400);
    expect(((await badLimit.json()) as { error: { message: string } }).error.message).toMatch(
      /limit/,
    );
    const wrongMethod = await api('v1/activity', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    const nowhere = await api('v1/nothing-here');
    expect(nowhere.status).toBe(404);
  });

  it('never writes the PhotoShelter password or token to the log', () => {
    const text = logger.text();
    expect(text).not.toMatch(/password"\s*:\s*"[^[]/i);
    expect(text).not.toContain(API_KEY);
  });
});
