// One poller in its own process, so its peak RSS is its own: `bench-poller.ts lightdesk|naive`.
// Settings come from the environment the benchmark sets; prints one JSON line.
import { performance } from 'node:perf_hooks';

import { loadConfig } from '../composition/config.js';
import { createPollingServices } from '../composition/create-services.js';
import { detectChanges } from '../core/use-cases/detect-changes.js';
import { NaivePoller } from './naive-poller.js';

const kind = process.argv[2];
const simulatorUrl = process.env.BENCH_SIMULATOR_URL ?? '';
const storage = process.env.BENCH_STORAGE ?? '';

async function sim(path: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(`${simulatorUrl}/_sim/${path}`, init);
  return response.json();
}

async function callsSinceReset(): Promise<number> {
  const calls = (await sim('calls')) as { total: number };
  return calls.total;
}

async function resetCalls(): Promise<void> {
  await fetch(`${simulatorUrl}/_sim/calls`, { method: 'DELETE' });
}

/** Ten changes of every kind: uploads, replacements, metadata edits and a share. */
async function makeTenChanges(): Promise<void> {
  const library = (await sim('library')) as {
    galleries: { id: string; thumbnails: { imageId: string }[] }[];
  };
  const galleries = library.galleries.filter((g) => g.thumbnails.length >= 2);
  const post = (path: string, body: unknown) =>
    sim(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  for (let i = 0; i < 4; i += 1) await post('upload', { galleryId: galleries[i]?.id });
  for (let i = 0; i < 3; i += 1)
    await post('replace', { imageId: galleries[i]?.thumbnails[0]?.imageId });
  for (let i = 0; i < 2; i += 1) {
    await post('metadata', {
      imageId: galleries[i]?.thumbnails[1]?.imageId,
      caption: `edited ${i}`,
    });
  }
  await post('share', { galleryId: galleries[5]?.id, type: 'contact', email: 'bench@example.com' });
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; calls: number; value: T }> {
  await resetCalls();
  const start = performance.now();
  const value = await run();
  const ms = performance.now() - start;
  return { ms, calls: await callsSinceReset(), value };
}

async function main(): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'silent', AzureWebJobsStorage: storage });
  const credentials = JSON.parse(process.env.BENCH_CREDENTIALS ?? '{}') as {
    apiKey: string;
    email: string;
    password: string;
    orgId?: string;
  };
  // A poller process loads only what polling needs, as its peak RSS is what is measured.
  const services = await createPollingServices(config, {
    storageConnectionString: storage,
    photoShelter: {
      baseUrl: simulatorUrl,
      webBaseUrl: simulatorUrl,
      orgId: undefined,
      ...credentials,
    },
  });
  let poll: () => Promise<unknown>;
  if (kind === 'lightdesk') {
    poll = () => detectChanges(services, services.detectOptions);
  } else {
    const naive = new NaivePoller(services.archive);
    poll = () => naive.poll();
  }
  const baseline = await timed(poll);
  const idle = await timed(poll);
  await makeTenChanges();
  const changed = await timed(poll);
  process.stdout.write(
    `${JSON.stringify({
      kind,
      baselineCalls: baseline.calls,
      idleCalls: idle.calls,
      changedCalls: changed.calls,
      idlePollMs: Math.round(idle.ms),
      changedPollMs: Math.round(changed.ms),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    })}\n`,
  );
}

await main();
