import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import { afterAll, beforeAll, beforeEach } from 'vitest';

import { PreservicaArchive } from '../../../../connectors/preservica/preservica-archive.js';
import type {
  IngestState,
  PackageFile,
  PreservationItem,
} from '../../../../core/ports/preservation-archive.js';
import { FakePreservicaServer } from '../../../../simulators/preservica/fake-preservica-server.js';
import { SEEDED_FOLDERS } from '../../../../simulators/preservica/store.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { RecordingLogger } from '../../../doubles/recording-logger.js';

// What the Preservica connector tests share: one simulator per file on 127.0.0.1, on the test's
// clock, reset before each test; files generated a chunk at a time; and the simulator's drivers.

export const FOLDER = SEEDED_FOLDERS.approved;

export interface PvHarness {
  readonly server: FakePreservicaServer;
  readonly url: string;
  readonly clock: FixedClock;
  readonly logger: RecordingLogger;
  archive(options?: Partial<ConstructorParameters<typeof PreservicaArchive>[0]>): PreservicaArchive;
  sim<T = unknown>(method: string, path: string, json?: unknown): Promise<T>;
  calls(endpoint: string): Promise<number>;
}

/** Starts the simulator for the file, on a clock each test starts afresh. */
export function usePreservica(): () => PvHarness {
  let server: FakePreservicaServer | undefined;
  let url = '';
  let clock = new FixedClock('2026-12-03T09:00:00.000Z');
  let logger = new RecordingLogger();
  beforeAll(async () => {
    server = new FakePreservicaServer({ now: () => clock.now(), tickMs: 20 });
    url = (await server.start(0)).url;
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    clock = new FixedClock('2026-12-03T09:00:00.000Z');
    logger = new RecordingLogger();
    // The kit's reset: the seeded repository, and no faults, throttle or counted calls.
    await fetch(`${url}/_sim/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
  });
  return () => {
    const started = server;
    if (started === undefined) throw new TypeError('the Preservica simulator is not started');
    const sim = async <T>(method: string, path: string, json?: unknown): Promise<T> => {
      const response = await fetch(`${url}/_sim${path}`, {
        method,
        ...(json === undefined
          ? {}
          : { body: JSON.stringify(json), headers: { 'content-type': 'application/json' } }),
      });
      const text = await response.text();
      return (text === '' ? undefined : JSON.parse(text)) as T;
    };
    return {
      server: started,
      url,
      clock,
      logger,
      archive: (options = {}) =>
        new PreservicaArchive({
          baseUrl: url,
          ...started.credentials,
          clock,
          logger,
          ...options,
        }),
      sim,
      calls: async (endpoint) =>
        (await sim<{ byEndpoint: Record<string, number> }>('GET', '/calls')).byEndpoint[endpoint] ??
        0,
    };
  };
}

/** `size` bytes of a pattern seeded by `seed`, made a chunk at a time (never whole in memory). */
export function pattern(
  seed: number,
  size: number,
  chunkBytes = 256 * 1024,
): AsyncIterable<Uint8Array> {
  function* chunks(): Generator<Buffer> {
    const chunk = Buffer.alloc(Math.min(chunkBytes, size));
    for (let i = 0; i < chunk.length; i += 1) chunk[i] = (i * 31 + seed * 17 + (i >> 8)) & 0xff;
    for (let left = size; left > 0; left -= chunk.length) {
      yield left >= chunk.length ? chunk : chunk.subarray(0, left);
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

export async function sha256Of(body: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of body) hash.update(chunk);
  return hash.digest('hex');
}

export async function bytesOf(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A file generated from `seed`; counts how often it was opened. */
export function generatedFile(
  fileName: string,
  seed: number,
  size: number,
): PackageFile & { opened: number } {
  const file = {
    fileName,
    opened: 0,
    open: () => {
      file.opened += 1;
      return Promise.resolve(pattern(seed, size));
    },
  };
  return file;
}

export const REFS = [
  '9a1f0c1e-0000-4000-8000-000000000001',
  '9a1f0c1e-0000-4000-8000-000000000002',
  '9a1f0c1e-0000-4000-8000-000000000003',
] as const;

/** Three photos (the first with a licence), each 150 KB. */
export function threeItems(): PreservationItem[] {
  return REFS.map((reference, i) => ({
    assetId: `I0000aBcDeFgHiJ${i + 1}`,
    reference,
    metadata: {
      title: `Basketball ${i + 1}`,
      caption: `Riverside at home, frame ${i + 1} & more`,
      keywords: ['basketball', `frame-${i + 1}`],
      credit: 'Jo Photographer',
      rights: '© Lightdesk University',
    },
    provenance: { gallery: 'G0000aBcDeFgHiJk', review: `G0000aBcDeFgHiJk~r${i + 1}` },
    original: generatedFile(`IMG_${i + 1}.JPG`, i + 1, 150_000),
    documents: i === 0 ? [generatedFile('licence.pdf', 99, 20_000)] : [],
  }));
}

/** Asks for the ingest's state, moving the clock on, until it is finished. */
export async function settle(
  harness: PvHarness,
  archive: PreservicaArchive,
  progressToken: string,
): Promise<IngestState> {
  for (let i = 0; i < 200; i += 1) {
    const state = await archive.ingestStatus(progressToken);
    if (state.state === 'completed' || state.state === 'failed') return state;
    harness.clock.advance(1000);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new RangeError('the ingest never finished');
}

export interface SimAsset {
  readonly ref: string;
  readonly title: string;
  readonly description: string;
  readonly securityTag: string;
  readonly parent: string | null;
  readonly identifiers: { type: string; value: string }[];
  readonly metadata: { ref: string; schemaUri: string; content: string }[];
  readonly bitstreams: {
    representation: string;
    filename: string;
    size: number;
    sha256: string;
    contentKept: boolean;
  }[];
}

export async function simAssets(harness: PvHarness): Promise<SimAsset[]> {
  return (await harness.sim<{ assets: SimAsset[] }>('GET', '/entities')).assets;
}
