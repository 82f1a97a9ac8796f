import { beforeEach, describe, expect, it } from 'vitest';

import type { Review } from '../../../core/model/review.js';
import { syncApprovedProof } from '../../../core/use-cases/approved-proof.js';
import { handleProofEvent } from '../../../core/use-cases/proof-event.js';
import { updateReview } from '../../../core/use-cases/update-review.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../doubles/in-memory-audit-log.js';
import { InMemoryEffectLedger } from '../../doubles/in-memory-effect-ledger.js';
import { InMemoryEventQueue } from '../../doubles/in-memory-event-queue.js';
import { InMemoryLibraryFiles } from '../../doubles/in-memory-library-files.js';
import { InMemoryReviewStore } from '../../doubles/in-memory-review-store.js';
import { RecordingLogger } from '../../doubles/recording-logger.js';
import { aReview, aReviewer, anAsset } from '../../support/review-builders.js';
import { openProofedReview, proofingOn, useZiflowSimulator } from '../../support/ziflow-reviews.js';
import { ADELE, ALEX } from '../simulators/ziflow/support.js';

// An approved proof's files go back to the library: the approved version's bytes, downloaded from
// the Ziflow simulator, become each asset's current file, with the approval in its workflow fields,
// and the batch is published once; run again, nothing is written twice.

describe('syncApprovedProof against the Ziflow simulator', () => {
  const simulator = useZiflowSimulator();
  let reviews: InMemoryReviewStore;
  let library: InMemoryLibraryFiles;
  let ledger: InMemoryEffectLedger;
  let clock: FixedClock;
  let reviewId: string;
  let proofId: string;
  const notes: string[] = [];

  const adele = aReviewer(1, { upn: ADELE.email, name: 'Adele Vance' });
  const alex = aReviewer(2, { upn: ALEX.email, name: 'Alex Wilber' });
  const assets = [anAsset(1), anAsset(2)];

  const deps = () => ({
    proofing: proofingOn(simulator(), clock),
    archive: library,
    libraryFiles: library,
    ledger,
    clock,
  });
  const record = async (change: (r: Review) => Review | undefined) =>
    (await updateReview(reviews, reviewId, change)).review;
  const note = (kind: string) => {
    notes.push(kind);
    return Promise.resolve();
  };
  const stored = async (): Promise<Review> =>
    (await reviews.get(reviewId))?.review ?? expect.fail('the review is gone');
  /** Alex approves in Ziflow, and the webhook's event settles the review. */
  const approveInZiflow = async () => {
    await fetch(`${simulator().url}/_sim/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proofId, email: ALEX.email, decision: 'approved' }),
    });
    await handleProofEvent(
      {
        proofing: proofingOn(simulator(), clock),
        reviews,
        queue: new InMemoryEventQueue(),
        audit: new InMemoryAuditLog(),
        clock,
        logger: new RecordingLogger(),
      },
      {
        type: 'ziflow.event',
        id: 'ziflow:event-1',
        proofId,
        event: 'decision',
        receivedAt: clock.now().toISOString(),
      },
    );
  };
  /** The approved version's bytes, as Ziflow's download links give them. */
  const ziflowBytes = async (): Promise<Buffer[]> => {
    const proof = await proofingOn(simulator(), clock).getProof(proofId);
    return Promise.all(
      proof.files.map(async (f) =>
        Buffer.from(await (await fetch(f.downloadUrl ?? expect.fail('no link'))).arrayBuffer()),
      ),
    );
  };

  beforeEach(async () => {
    reviews = new InMemoryReviewStore();
    library = new InMemoryLibraryFiles();
    ledger = new InMemoryEffectLedger();
    clock = new FixedClock('2026-12-03T09:00:00.000Z');
    notes.length = 0;
    const base = aReview({ reviewers: [adele, alex], assets });
    reviewId = base.id;
    proofId = await openProofedReview(
      simulator(),
      reviews,
      {
        ...base,
        route: {
          ...base.route,
          proof: {
            stages: [{ name: 'Review' }],
            publishTo: { collectionId: 'C0000approved01', galleryName: 'Approved' },
          },
        },
      },
      clock,
    );
    // PhotoShelter's originals: other files than the ones proofed.
    for (const a of assets) library.seed(a.assetId, a.fileName, Buffer.alloc(5000, 1));
  });

  it("writes the approved version's files back, sets the approval fields and publishes, once", async () => {
    await approveInZiflow();
    const approved = await stored();
    expect(approved.status).toBe('approved');

    await syncApprovedProof(deps(), approved, record, note);
    await syncApprovedProof(deps(), await stored(), record, note);

    const expected = await ziflowBytes();
    expect(assets.map((a) => library.files.get(a.assetId)?.bytes)).toEqual(expected);
    expect(Object.fromEntries(library.fields)).toEqual(
      Object.fromEntries(
        assets.map((a) => [
          a.assetId,
          {
            decision: 'approved',
            decidedBy: 'Alex Wilber',
            decidedAt: approved.closedAt,
            usageStatus: 'approved for use',
          },
        ]),
      ),
    );
    expect(Object.fromEntries(library.published)).toEqual({
      'C0000approved01/Approved': assets.map((a) => a.assetId),
    });
    // Each write once, though the sync ran twice.
    expect(library.writes.toSorted()).toEqual(
      [
        ...assets.flatMap((a) => [`replace ${a.assetId}`, `fields ${a.assetId}`]),
        'publish C0000approved01/Approved',
      ].toSorted(),
    );
    expect(notes).toEqual([
      'photoshelter.final.written',
      'photoshelter.final.written',
      'photoshelter.published',
    ]);
    // Once all is done, a later sync of the approved review asks Ziflow nothing (here: it is down).
    await fetch(`${simulator().url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/v1/proofs', status: 503, times: 10 }),
    });
    await expect(syncApprovedProof(deps(), await stored(), record, note)).resolves.toMatchObject({
      status: 'approved',
    });
    // What was written is recorded, so PhotoShelter's report of the replace is known as ours.
    expect((await stored()).proof?.finals).toEqual(
      assets.map((a, i) => ({ assetId: a.assetId, version: 1, fileSize: expected[i]?.length })),
    );
  });

  it('leaves a file PhotoShelter already has as it is, and still records the approval', async () => {
    // The proofed file is PhotoShelter's own: same name, same size.
    const proof = await proofingOn(simulator(), clock).getProof(proofId);
    proof.files.forEach((f, i) => {
      const assetId = assets[i]?.assetId ?? '';
      library.seed(assetId, f.name, Buffer.alloc(f.size, 7));
    });
    await approveInZiflow();
    await syncApprovedProof(deps(), await stored(), record, note);
    expect(library.writes.filter((w) => w.startsWith('replace'))).toEqual([]);
    expect(library.fields.get(assets[0]?.assetId ?? '')).toMatchObject({
      decision: 'approved',
      usageStatus: 'approved for use',
    });
    expect((await stored()).proof?.finals).toBeUndefined();
  });

  it('writes nothing back while the review is open', async () => {
    await syncApprovedProof(deps(), await stored(), record, note);
    expect(library.writes).toEqual([]);
  });
});
