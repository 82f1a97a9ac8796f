// The Ziflow rows of `npm run bench` (issue 17): Ziflow calls per gallery batch of 1, 10 and 100
// images. Lightdesk's own path runs on the local host (poll, batch, syncReview → syncProof with the
// real ZiflowProofing) against its embedded Ziflow simulator, whose traffic counters are read as
// bench-review.ts reads Graph's; beside it, a naive flow making one proof per image with the same
// stages and reviewers, through the same connector, counted the same way.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { z } from 'zod';

import { type LocalHost, startLocalHost } from '../composition/local-host.js';
import { JsonLogger } from '../connectors/system/json-logger.js';
import { AppError } from '../core/errors.js';

export interface ZiflowBench {
  readonly batch: { images: number; lightdeskCalls: number; naiveCalls: number }[];
  /** Lightdesk's Ziflow calls for the largest batch, by endpoint. */
  readonly breakdown: Record<string, number>;
}

/** The rule of config/routing-rules.json whose reviews go to Ziflow (`review: both`). */
const ZIFLOW_ROOT = 'Brand Assets';
const BATCHES = [1, 10, 100] as const;
/** How long a proof's files may take to be fetched by the simulator (100 images). */
const PROCESS_BOUND_MS = 120_000;

const callsSchema = z.object({ total: z.number(), byEndpoint: z.record(z.string(), z.number()) });
const librarySchema = z.object({
  collections: z.array(
    z.object({ id: z.string(), name: z.string(), parentId: z.string().nullable() }),
  ),
  galleries: z.array(z.object({ id: z.string(), collectionId: z.string().nullable() })),
});
const deliveriesSchema = z.object({ deliveries: z.array(z.object({ state: z.string() })) });
const proofSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  source_urls: z.array(z.string()),
  stages: z.array(
    z.object({ name: z.string(), members: z.array(z.object({ email: z.string() })) }),
  ),
});
type SimProof = z.infer<typeof proofSchema>;
const proofsSchema = z.object({ proofs: z.array(proofSchema) });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function json<T>(schema: z.ZodType<T>, url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new AppError('upstream', `${url} answered ${response.status}`);
  return schema.parse(await response.json());
}

class ZiflowRun {
  constructor(
    private readonly host: LocalHost,
    private readonly ziflowUrl: string,
  ) {}

  /** Galleries under the Ziflow-routed collection, none reviewed yet. */
  async galleries(): Promise<string[]> {
    const library = await json(librarySchema, `${this.host.simulatorUrl ?? ''}/_sim/library`);
    const byId = new Map(library.collections.map((c) => [c.id, c]));
    const top = (id: string | null): string | undefined => {
      let c = id === null ? undefined : byId.get(id);
      while (c?.parentId) c = byId.get(c.parentId);
      return c?.name;
    };
    return library.galleries.filter((g) => top(g.collectionId) === ZIFLOW_ROOT).map((g) => g.id);
  }

  async upload(galleryId: string): Promise<void> {
    const response = await fetch(`${this.host.simulatorUrl ?? ''}/_sim/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ galleryId }),
    });
    if (response.status !== 201) {
      throw new AppError('upstream', `upload answered ${response.status}`);
    }
  }

  calls() {
    return json(callsSchema, `${this.ziflowUrl}/_sim/calls`);
  }

  async resetCalls(): Promise<void> {
    await fetch(`${this.ziflowUrl}/_sim/calls`, { method: 'DELETE' });
  }

  proofs() {
    return json(proofsSchema, `${this.ziflowUrl}/_sim/proofs`).then((p) => p.proofs);
  }

  /** Polls and runs the queue dry, as the timer and the queue trigger would. */
  async settle(boundMs = 120_000): Promise<void> {
    const start = performance.now();
    await this.host.poll();
    while (performance.now() - start < boundMs) {
      if ((await this.host.drainQueue()) > 0) continue;
      if ((await this.host.services.queue.depth()).active === 0) return;
      await sleep(200);
    }
  }

  /**
   * Waits for Ziflow to have fetched every proof's files, then runs the queue dry again: the
   * webhooks those events send (and what Lightdesk does with them) belong to the batch measured.
   */
  async quiet(): Promise<void> {
    const start = performance.now();
    let calm = 0;
    while (performance.now() - start < PROCESS_BOUND_MS) {
      const processed = (await this.proofs()).every((p) => p.status !== 'uploading');
      const { deliveries } = await json(deliveriesSchema, `${this.ziflowUrl}/_sim/deliveries`);
      const delivered = deliveries.every((d) => d.state !== 'pending');
      const handled = await this.host.drainQueue();
      // Quiet: everything fetched and delivered, and the queue gave nothing three times running.
      calm = processed && delivered && handled === 0 ? calm + 1 : 0;
      if (calm === 3) return;
      await sleep(200);
    }
    throw new AppError('internal', 'Ziflow and the queue did not settle');
  }
}

export async function benchZiflow(): Promise<ZiflowBench> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-bench-ziflow-'));
  const host = await startLocalHost(
    { PORT: '0', SIM_SEED: '9', LIGHTDESK_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    { inMemoryStorage: true, runTriggers: false, logger: new JsonLogger('bench', 'silent') },
  );
  try {
    const proofing = host.services.proofing;
    if (host.ziflowUrl === undefined || proofing === undefined) {
      throw new AppError('internal', 'the local host started without the Ziflow simulator');
    }
    const run = new ZiflowRun(host, host.ziflowUrl);
    const galleries = await run.galleries();
    if (galleries.length < BATCHES.length) {
      throw new AppError('internal', `fewer than ${BATCHES.length} galleries under ${ZIFLOW_ROOT}`);
    }
    await run.settle(); // the baseline poll
    const lightdesk: { images: number; calls: number; proof: SimProof }[] = [];
    let breakdown: Record<string, number> = {};
    for (const [index, images] of BATCHES.entries()) {
      // Lightdesk: N uploads to one gallery between two polls form one batch, one review, one proof.
      const gallery = galleries[index] ?? '';
      const before = new Set((await run.proofs()).map((p) => p.id));
      await run.resetCalls();
      for (let i = 0; i < images; i += 1) await run.upload(gallery);
      await run.settle();
      await run.quiet();
      const calls = await run.calls();
      const made = (await run.proofs()).filter((p) => !before.has(p.id));
      const proof = made[0];
      if (made.length !== 1 || proof === undefined || proof.source_urls.length !== images) {
        throw new AppError(
          'internal',
          `a batch of ${images} made ${made.length} proof(s) of ${proof?.source_urls.length ?? 0} file(s)`,
        );
      }
      breakdown = calls.byEndpoint;
      lightdesk.push({ images, calls: calls.total, proof });
    }

    // Naive: one proof per image, with the same stages and reviewers, through the same connector.
    // After every Lightdesk batch, so what the host does with these proofs' webhooks (they are not
    // its own) is never counted on Lightdesk's side.
    const batch: ZiflowBench['batch'] = [];
    for (const { images, calls, proof } of lightdesk) {
      const deadline = new Date(Date.now() + 72 * 3_600_000);
      const stages = proof.stages.map((s) => ({
        name: s.name,
        deadline,
        reviewerEmails: s.members.map((m) => m.email),
      }));
      await run.resetCalls();
      for (const [i, url] of proof.source_urls.entries()) {
        await proofing.createProof({
          // Not Lightdesk's name (it ends with the review id): the host must not take it for its own.
          name: `Naive proof of image ${i + 1} of ${images}`,
          sources: [{ assetId: `image-${i + 1}`, fileName: `image-${i + 1}.jpg`, url }],
          stages,
        });
      }
      batch.push({ images, lightdeskCalls: calls, naiveCalls: (await run.calls()).total });
    }
    return { batch, breakdown };
  } finally {
    await host.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
