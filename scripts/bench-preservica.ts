// The Preservica rows of `npm run bench` (issue 17): one package and one ingest per review whatever
// its size, and the packager's peak RSS while it packages 1,000 generated images of 20 MB. The
// simulator (simulators/preservica/main.ts) and the packager (bench-preservica-packager.ts) run in
// processes of their own, so the RSS measured is the packager's alone; the simulator's data dir is a
// temp dir, removed afterwards. Disk: the simulator keeps the upload's parts and then the package
// they make on disk until it has read it, so the free space is checked first and watched throughout.
import { mkdtemp, readdir, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { z } from 'zod';

import { AppError } from '../core/errors.js';
import { firstJsonLine } from './bench-child.js';

export interface PreservicaBench {
  readonly images: number;
  readonly mb: number;
  /** Ingest outcome as the packager saw it (completed, or failed with the simulator's reason). */
  readonly state: string;
  /** S3 objects the simulator was sent (one per package). */
  readonly packages: number;
  /** Ingests (progress tokens) the simulator started. */
  readonly ingests: number;
  /** Multipart parts uploaded. */
  readonly parts: number;
  readonly peakRssMb: number;
  /** The packager's RSS before it packaged anything (Node, tsx, the modules). */
  readonly idleRssMb: number;
  readonly packagingSeconds: number;
  readonly seconds: number;
  /** Most disk the run took at once (free space on the temp dir's file system, before − lowest). */
  readonly peakDiskMb: number;
  /** Upload temp files the simulator still held once the ingest completed (0: deleted). */
  readonly uploadFilesLeft: number;
}

const MIB = 1024 * 1024;
/** Room left over besides the parts and the package, so a short run never fills the disk. */
const DISK_MARGIN_BYTES = 2 * 1024 * MIB;
const DISK_SAMPLE_MS = 1_000;

const simulatorSchema = z.object({
  url: z.string(),
  username: z.string(),
  password: z.string(),
  tenant: z.string(),
  folders: z.object({ approved: z.string() }),
});
const packagerSchema = z.object({
  state: z.string(),
  reason: z.string().optional(),
  progressToken: z.string(),
  peakRssMb: z.number(),
  idleRssMb: z.number(),
  packagingSeconds: z.number(),
  seconds: z.number(),
});
const ingestsSchema = z.object({
  ingests: z.array(z.object({ token: z.string(), key: z.string(), status: z.string() })),
});
const callsSchema = z.object({ byEndpoint: z.record(z.string(), z.number()) });

async function freeBytes(path: string): Promise<number> {
  const fs = await statfs(path);
  return fs.bavail * fs.bsize;
}

async function json<T>(schema: z.ZodType<T>, url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new AppError('upstream', `${url} answered ${response.status}`);
  return schema.parse(await response.json());
}

export async function benchPreservica(options: {
  images: number;
  mb: number;
}): Promise<PreservicaBench> {
  const { images, mb } = options;
  const dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-bench-preservica-'));
  try {
    // The parts, then the package assembled from them (the parts go once it is whole).
    const needed = 2 * images * mb * MIB + DISK_MARGIN_BYTES;
    const freeAtStart = await freeBytes(dataDir);
    if (freeAtStart < needed) {
      throw new AppError(
        'internal',
        `${Math.round(needed / MIB)} MB of disk needed under ${tmpdir()}, ${Math.round(freeAtStart / MIB)} MB free: lower --preservica-images or --preservica-mb`,
      );
    }
    let lowestFree = freeAtStart;
    const watch = setInterval(() => {
      freeBytes(dataDir).then(
        (free) => (lowestFree = Math.min(lowestFree, free)),
        () => undefined,
      );
    }, DISK_SAMPLE_MS);
    const simulator = await firstJsonLine(
      ['--import', 'tsx', 'simulators/preservica/main.ts', '--port', '0', '--data-dir', dataDir],
      process.env,
    );
    try {
      const sim = simulatorSchema.parse(simulator.value);
      const packager = await firstJsonLine(
        ['--import', 'tsx', 'scripts/bench-preservica-packager.ts'],
        {
          ...process.env,
          BENCH_PRESERVICA: JSON.stringify({
            url: sim.url,
            username: sim.username,
            password: sim.password,
            tenant: sim.tenant,
            folderRef: sim.folders.approved,
            images,
            mb,
          }),
        },
      );
      await packager.done;
      const result = packagerSchema.parse(packager.value);
      const { ingests } = await json(ingestsSchema, `${sim.url}/_sim/ingests`);
      const calls = await json(callsSchema, `${sim.url}/_sim/calls`);
      const uploadFilesLeft = (await readdir(join(dataDir, 'preservica-files', 'uploads'))).length;
      return {
        images,
        mb,
        state: result.reason === undefined ? result.state : `${result.state}: ${result.reason}`,
        packages: new Set(ingests.map((i) => i.key)).size,
        ingests: new Set(ingests.map((i) => i.token)).size,
        parts: calls.byEndpoint['PUT /api/s3/buckets/:bucket/*'] ?? 0,
        peakRssMb: result.peakRssMb,
        idleRssMb: result.idleRssMb,
        packagingSeconds: result.packagingSeconds,
        seconds: result.seconds,
        peakDiskMb: Math.round((freeAtStart - lowestFree) / MIB),
        uploadFilesLeft,
      };
    } finally {
      clearInterval(watch);
      simulator.stop();
      await simulator.done;
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
