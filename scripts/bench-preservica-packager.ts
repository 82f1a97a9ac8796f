// One Preservica package in its own process, so its peak RSS is the packager's alone:
// `bench-preservica-packager.ts` with BENCH_PRESERVICA set by scripts/bench-preservica.ts. The real
// PreservicaArchive.ingest packages `images` generated originals of `mb` MB each (64 KB chunks from
// a seeded generator: never an image whole in memory) against the simulator, then follows the
// ingest to COMPLETED. Prints one JSON line.
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';

import { z } from 'zod';

import { PreservicaArchive } from '../connectors/preservica/preservica-archive.js';
import { JsonLogger } from '../connectors/system/json-logger.js';
import { SystemClock } from '../connectors/system/system-clock.js';
import { AppError } from '../core/errors.js';
import type { PreservationItem } from '../core/ports/preservation-archive.js';

const CHUNK_BYTES = 64 * 1024;
/** RSS is sampled this often while packaging (the ceiling is a peak, not an average). */
const SAMPLE_MS = 50;
const STATUS_POLL_MS = 500;
/** How long the simulator may take to read the package once it is uploaded. */
const COMPLETE_BOUND_MS = 30 * 60_000;

const settingsSchema = z.object({
  url: z.url(),
  username: z.string(),
  password: z.string(),
  tenant: z.string(),
  folderRef: z.string(),
  images: z.number().int().min(1),
  mb: z.number().positive(),
});

/** `bytes` of xorshift32 noise from `seed`, in 64 KB chunks: deterministic, never held whole. */
function* noise(seed: number, bytes: number): Generator<Uint8Array> {
  let state = seed >>> 0 || 1;
  let left = bytes;
  while (left > 0) {
    const size = Math.min(CHUNK_BYTES, left);
    const words = new Uint32Array(Math.ceil(size / 4));
    for (let i = 0; i < words.length; i += 1) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      words[i] = state >>> 0;
    }
    left -= size;
    yield new Uint8Array(words.buffer, 0, size);
  }
}

function* items(count: number, bytes: number): Generator<PreservationItem> {
  for (let i = 0; i < count; i += 1) {
    const n = String(i + 1).padStart(4, '0');
    yield {
      assetId: `bench-${n}`,
      reference: `bench-io-${n}`,
      metadata: {
        title: `Bench image ${n}`,
        caption: 'Generated for npm run bench',
        keywords: ['bench'],
        credit: 'Lightdesk',
        rights: 'Internal',
      },
      provenance: { gallery: 'Bench gallery', review: 'bench-review' },
      original: {
        fileName: `bench-${n}.jpg`,
        open: () => Promise.resolve(Readable.from(noise(i + 1, bytes), { objectMode: false })),
      },
      documents: [],
    };
  }
}

/** The kernel's high-water mark of this process's resident set (Linux), in bytes. */
async function vmHwmBytes(): Promise<number | undefined> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => undefined);
  const kb = status === undefined ? undefined : /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

async function main(): Promise<void> {
  const settings = settingsSchema.parse(JSON.parse(process.env.BENCH_PRESERVICA ?? '{}'));
  const clock = new SystemClock();
  const archive = new PreservicaArchive({
    baseUrl: settings.url,
    username: settings.username,
    password: settings.password,
    tenant: settings.tenant,
    clock,
    logger: new JsonLogger('bench', 'silent'),
  });
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, SAMPLE_MS);
  const start = performance.now();
  const { progressToken } = await archive.ingest({
    packageKey: 'bench-review',
    folderRef: settings.folderRef,
    securityTag: 'open',
    items: items(settings.images, Math.round(settings.mb * 1024 * 1024)),
  });
  const uploaded = performance.now();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const hwm = await vmHwmBytes();

  let state = await archive.ingestStatus(progressToken);
  while (state.state === 'pending' || state.state === 'active') {
    if (performance.now() - uploaded > COMPLETE_BOUND_MS) {
      throw new AppError('internal', 'the ingest did not complete in time');
    }
    await clock.sleep(STATUS_POLL_MS);
    state = await archive.ingestStatus(progressToken);
  }
  const completed = performance.now();
  const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));
  process.stdout.write(
    `${JSON.stringify({
      state: state.state,
      ...(state.state === 'failed' ? { reason: state.reason } : {}),
      progressToken,
      // The kernel's high-water mark catches a peak between two samples.
      peakRssMb: mb(Math.max(peakRss, hwm ?? 0)),
      sampledPeakRssMb: mb(peakRss),
      // Before packaging: Node, tsx and the modules loaded.
      idleRssMb: mb(startRss),
      packagingSeconds: Math.round((uploaded - start) / 1000),
      seconds: Math.round((completed - start) / 1000),
    })}\n`,
  );
}

await main();
