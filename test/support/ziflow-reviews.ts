import { afterAll, beforeAll, beforeEach } from 'vitest';

import { ZiflowProofing } from '../../connectors/ziflow/ziflow-proofing.js';
import type { Review } from '../../core/model/review.js';
import type { Clock } from '../../core/ports/clock.js';
import type { ReviewStore } from '../../core/ports/review-store.js';
import { syncProof } from '../../core/use-cases/sync-proof.js';
import { updateReview } from '../../core/use-cases/update-review.js';
import { InMemoryEffectLedger } from '../doubles/in-memory-effect-ledger.js';
import { RecordingLogger } from '../doubles/recording-logger.js';
import { ADMIN, ZiflowHarness } from '../integration/simulators/ziflow/support.js';

// What the Ziflow tests of the review loop share: one simulator per file, emptied before each test;
// PhotoShelter's display links standing in as files the simulator can fetch; and a review whose proof
// the review loop has made.

/** Starts the simulator for the file and resets it before each test; call inside `describe`. */
export function useZiflowSimulator(): () => ZiflowHarness {
  let sim: ZiflowHarness | undefined;
  beforeAll(async () => {
    sim = await ZiflowHarness.start();
  });
  afterAll(async () => {
    await sim?.stop();
  });
  beforeEach(() => {
    sim?.server.reset();
  });
  return () => {
    if (sim === undefined) throw new TypeError('the Ziflow simulator is not started');
    return sim;
  };
}

/** The connector, as the integration user. */
export const proofingOn = (sim: ZiflowHarness, clock: Clock, apiKey = ADMIN): ZiflowProofing =>
  new ZiflowProofing({ baseUrl: `${sim.url}/v1`, apiKey, clock, logger: new RecordingLogger() });

/** PhotoShelter's display links, as files on the simulator's file host. */
export const archiveOn = (sim: ZiflowHarness) => ({
  getDisplayLink: (assetId: string, size: { width: number; height: number }) =>
    Promise.resolve({ assetId, url: sim.file(`${assetId}.jpg`), ...size }),
});

/**
 * Opens `review` routed to Ziflow in `reviews`, lets the review loop make its proof, and has the
 * simulator process it so reviewers can decide; returns the proof's id.
 */
export async function openProofedReview(
  sim: ZiflowHarness,
  reviews: ReviewStore,
  review: Review,
  clock: Clock,
): Promise<string> {
  await reviews.open({ ...review, route: { ...review.route, review: 'ziflow' } });
  const record = async (change: (r: Review) => Review | undefined) =>
    (await updateReview(reviews, review.id, change)).review;
  const stored = (await reviews.get(review.id))?.review;
  if (stored === undefined) throw new TypeError('the review was not opened');
  await syncProof(
    {
      proofing: proofingOn(sim, clock),
      archive: archiveOn(sim),
      ledger: new InMemoryEffectLedger(),
      clock,
    },
    stored,
    record,
    () => Promise.resolve(),
  );
  const proofId = (await reviews.get(review.id))?.review.proof?.proofId;
  if (proofId === undefined) throw new TypeError('no proof was made');
  await fetch(`${sim.url}/_sim/process`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ proofId }),
  });
  return proofId;
}
