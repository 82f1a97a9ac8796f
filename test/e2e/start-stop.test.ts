import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { type LocalHost, startLocalHost } from '../../composition/local-host.js';
import { RecordingLogger } from '../doubles/recording-logger.js';
import { processesMentioning } from '../support/processes.js';

const API_KEY = 'local-test-key-0123456789';

describe('local host start and stop', () => {
  let host: LocalHost | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    await host?.stop();
    host = undefined;
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const start = async (logger: RecordingLogger): Promise<LocalHost> => {
    dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-start-'));
    host = await startLocalHost(
      { PORT: '0', SIM_ASSETS: '60', SIM_SEED: '5', LIGHTDESK_DATA_DIR: dataDir, API_KEY },
      { inMemoryStorage: true, runTriggers: false, logger },
    );
    return host;
  };

  const upload = async (simulatorUrl: string | undefined, fileName: string) => {
    const library = (await (await fetch(`${simulatorUrl}/_sim/library`)).json()) as {
      galleries: { id: string }[];
    };
    const galleryId = library.galleries[0]?.id;
    const uploaded = await fetch(`${simulatorUrl}/_sim/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ galleryId, fileName }),
    });
    expect(uploaded.status).toBe(201);
    const { imageId } = (await uploaded.json()) as { imageId: string };
    return `${galleryId}/${imageId}`;
  };

  it('reports an upload made the moment health turns 200', async () => {
    const started = await start(new RecordingLogger());
    let status = 0;
    for (let tries = 0; tries < 50 && status !== 200; tries += 1) {
      status = (await fetch(`${started.url}/api/v1/health`)).status;
    }
    expect(status).toBe(200);
    const subject = await upload(started.simulatorUrl, 'FIRST_0001.jpg');

    await started.poll();
    await started.drainQueue();
    const activity = (await (
      await fetch(`${started.url}/api/v1/activity?limit=50`, { headers: { 'x-api-key': API_KEY } })
    ).json()) as { entries: { kind: string; subject: string }[] };
    const uploads = activity.entries.filter((e) => e.kind === 'asset.uploaded');
    expect(uploads.map((e) => e.subject)).toEqual([subject]);
  });

  it('stops within 3 s with a poll and a queue drain in flight, and no connection refused', async () => {
    const logger = new RecordingLogger();
    const started = await start(logger);
    for (let n = 0; n < 5; n += 1) await upload(started.simulatorUrl, `BUSY_000${n}.jpg`);
    await started.poll();
    await upload(started.simulatorUrl, 'BUSY_0009.jpg');

    const inFlight = [started.poll(), started.drainQueue()].map((p) => p.catch(() => undefined));
    const before = performance.now();
    await started.stop();
    const took = performance.now() - before;
    host = undefined;
    await Promise.all(inFlight);

    expect(took).toBeLessThan(3000);
    expect(logger.text()).not.toMatch(/ECONNREFUSED|fetch failed/i);
  });

  it.skipIf(process.platform !== 'linux')(
    'stops within 3 s when Azurite does not answer SIGINT, and leaves no Azurite running',
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-start-'));
      host = await startLocalHost(
        { PORT: '0', SIM_ASSETS: '20', LIGHTDESK_DATA_DIR: dataDir, API_KEY },
        { runTriggers: false, logger: new RecordingLogger() },
      );
      const azurite = processesMentioning(join(dataDir, 'azurite'));
      expect(azurite).toHaveLength(2);
      // Frozen, as a hung Azurite would be: SIGINT waits, only SIGKILL ends it.
      for (const pid of azurite) process.kill(pid, 'SIGSTOP');

      const before = performance.now();
      await host.stop();
      const took = performance.now() - before;
      host = undefined;

      expect(took).toBeLessThan(3000);
      expect(processesMentioning(join(dataDir, 'azurite'))).toEqual([]);
    },
  );
});
