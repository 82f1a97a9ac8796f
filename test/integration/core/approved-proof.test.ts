import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { Review } from '../../../core/model/review.js';
import { syncApprovedProof } from '../../../core/use-cases/approved-proof.js';
import { handleProofEvent } from '../../../core/use-cases/proof-event.js';
import { syncProof } from '../../../core/use-cases/sync-proof.js';
import { updateReview } from '../../../core/use-cases/update-review.js';
import { renderPng } from '../../../simulators/photoshelter/png.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../doubles/in-memory-audit-log.js';
import { InMemoryEffectLedger } from '../../doubles/in-memory-effect-ledger.js';
import { InMemoryEventQueue } from '../../doubles/in-memory-event-queue.js';
import { InMemoryPhotoArchive } from '../../doubles/in-memory-photo-archive.js';
import { InMemoryReviewStore } from '../../doubles/in-memory-review-store.js';
import { RecordingLogger } from '../../doubles/recording-logger.js';
import { aReview, aReviewer } from '../../support/review-builders.js';
import { proofingOn, useZiflowSimulator } from '../../support/ziflow-reviews.js';
import { ADELE, ALEX, MEGAN } from '../simulators/ziflow/support.js';

// An approved proof goes back to the library: the approval in each asset's workflow fields and the
// batch published once. A version Lightdesk made (of PhotoShelter's display renditions) leaves the
// originals alone; a version a person uploaded in Ziflow, adopted by the event that tells of it, has
// its bytes written as each asset's current file. Run again, nothing is written twice.

/** The picture Ziflow proofs for an asset (what its source link serves). */
const proofedPng = (assetId: string): Buffer => renderPng(`proofed ${assetId}`, 64, 48);

describe('syncApprovedProof against the Ziflow simulator', () => {
  const simulator = useZiflowSimulator();
  let pictures: Server;
  let picturesUrl: string;
  let reviews: InMemoryReviewStore;
  let library: InMemoryPhotoArchive;
  let ledger: InMemoryEffectLedger;
  let clock: FixedClock;
  let reviewId: string;
  let proofId: string;
  let assetIds: string[];
  let approvedCollection: string;
  const notes: string[] = [];

  const adele = aReviewer(1, { upn: ADELE.email, name: 'Adele Vance' });
  const alex = aReviewer(2, { upn: ALEX.email, name: 'Alex Wilber' });

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

  /**
   * A review of two uploads, routed to Ziflow and publishing to "Approved", whose proof the review
   * loop made from `sourceName` links (the file name Ziflow gives each source) and Ziflow processed.
   */
  async function openProofedReview(sourceName: (assetId: string) => string): Promise<void> {
    const base = aReview({
      reviewers: [adele, alex],
      assets: assetIds.map((assetId, i) => ({
        assetId,
        fileName: `IMG_000${i + 1}.jpg`,
        addedAt: clock.now().toISOString(),
      })),
    });
    reviewId = base.id;
    await reviews.open({
      ...base,
      route: {
        ...base.route,
        review: 'ziflow',
        proof: {
          stages: [{ name: 'Review' }],
          publishTo: { collectionId: approvedCollection, galleryName: 'Approved' },
        },
      },
    });
    const sources = {
      getDisplayLink: (assetId: string, size: { width: number; height: number }) =>
        Promise.resolve({
          assetId,
          url: `${picturesUrl}/${assetId}?name=${encodeURIComponent(sourceName(assetId))}`,
          ...size,
        }),
    };
    await syncProof(
      { proofing: proofingOn(simulator(), clock), archive: sources, ledger, clock },
      await stored(),
      record,
      note,
    );
    proofId = (await stored()).proof?.proofId ?? expect.fail('no proof was made');
    await fetch(`${simulator().url}/_sim/process`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proofId }),
    });
    notes.length = 0;
  }

  /** Alex approves in Ziflow, and the webhook's event settles the review. */
  async function approveInZiflow(): Promise<void> {
    await fetch(`${simulator().url}/_sim/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proofId, email: ALEX.email, decision: 'approved' }),
    });
    await ziflowEvent('decision');
  }

  /**
   * Megan, a retoucher, uploads the next version in Ziflow (one file per image, in order), and
   * the webhook's event of it reaches the review loop; `proofId` becomes that version.
   */
  async function uploadVersionInZiflow(files: { name: string; bytes: Buffer }[]): Promise<void> {
    const made = await fetch(`${simulator().url}/_sim/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        proofId,
        email: MEGAN.email,
        files: files.map((f) => ({ name: f.name, contentBase64: f.bytes.toString('base64') })),
      }),
    });
    expect(made.status).toBe(201);
    proofId = ((await made.json()) as { id: string }).id;
    await fetch(`${simulator().url}/_sim/process`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proofId }),
    });
    await ziflowEvent('created');
  }

  async function ziflowEvent(event: string): Promise<void> {
    await handleProofEvent(
      {
        proofing: proofingOn(simulator(), clock),
        reviews,
        queue: new InMemoryEventQueue(),
        audit: new InMemoryAuditLog(),
        ledger: new InMemoryEffectLedger(),
        clock,
        logger: new RecordingLogger(),
      },
      {
        type: 'ziflow.event',
        id: `ziflow:${event}-${proofId}`,
        proofId,
        event,
        receivedAt: clock.now().toISOString(),
      },
    );
  }

  beforeAll(async () => {
    // Where the proofed pictures are fetched from, named as `?name=` says.
    pictures = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://pictures');
      res.writeHead(200, {
        'content-type': 'image/png',
        'content-disposition': `attachment; filename="${url.searchParams.get('name') ?? 'x.png'}"`,
      });
      res.end(proofedPng(url.pathname.slice(1)));
    });
    await new Promise<void>((resolve) => pictures.listen(0, '127.0.0.1', resolve));
    picturesUrl = `http://127.0.0.1:${(pictures.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    pictures.closeAllConnections();
    await new Promise<void>((resolve) => pictures.close(() => resolve()));
  });

  beforeEach(() => {
    reviews = new InMemoryReviewStore();
    ledger = new InMemoryEffectLedger();
    clock = new FixedClock('2026-12-03T09:00:00.000Z');
    notes.length = 0;
    library = new InMemoryPhotoArchive(clock);
    const athletics = library.addCollection({ name: 'Athletics' });
    const gallery = library.addGallery({ name: 'Media Day', collectionId: athletics });
    approvedCollection = library.addCollection({ name: 'Brand Assets' });
    // PhotoShelter's originals: other files than the ones proofed.
    assetIds = [1, 2].map((n) =>
      library.upload(gallery, { fileName: `IMG_000${n}.jpg`, fileSize: 5_000_000 + n }),
    );
  });

  it("leaves PhotoShelter's originals alone for Lightdesk's own version: fields and publish, once", async () => {
    await openProofedReview((assetId) => `${assetId}-display.png`);
    await approveInZiflow();
    const approved = await stored();
    expect(approved.status).toBe('approved');
    const originals = assetIds.map((id) => Buffer.from(library.originalBytes(id)));
    // Lightdesk's version needs nothing of Ziflow (here: it is down).
    await fetch(`${simulator().url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/v1/proofs', status: 503, times: 10 }),
    });

    await syncApprovedProof(deps(), approved, record, note);
    const calls = library.callCount;
    await syncApprovedProof(deps(), await stored(), record, note);
    // The second run found every effect done and called PhotoShelter for nothing.
    expect(library.callCount).toBe(calls);

    expect(assetIds.map((id) => Buffer.from(library.originalBytes(id)))).toEqual(originals);
    const metadata = await Promise.all(assetIds.map((id) => library.getAssetMetadata(id)));
    expect(metadata.map((m) => [m.fileName, m.fileSize])).toEqual([
      ['IMG_0001.jpg', 5_000_001],
      ['IMG_0002.jpg', 5_000_002],
    ]);
    for (const id of assetIds) {
      expect(library.workflowFieldsOf(id)).toEqual({
        decision: 'approved',
        decidedBy: 'Alex Wilber',
        decidedAt: approved.closedAt,
        usageStatus: 'approved for use',
      });
    }
    const { galleries } = await library.listChildren(approvedCollection);
    expect(galleries.map((g) => g.name)).toEqual(['Approved']);
    expect(library.assetIdsIn(galleries[0]?.id ?? '')).toEqual(assetIds);
    expect(notes).toEqual([
      'photoshelter.final.written',
      'photoshelter.final.written',
      'photoshelter.published',
    ]);
    expect((await stored()).proof?.finals).toBeUndefined();
  });

  it("writes a person's approved version back, file i to image i, with the fields, once", async () => {
    await openProofedReview((assetId) => `${assetId}-display.png`);
    const firstVersion = proofId;
    const retouched = assetIds.map((id, i) => ({
      name: `IMG_000${i + 1}-retouched.tif`,
      bytes: renderPng(`retouched ${id}`, 80, 60),
    }));
    await uploadVersionInZiflow(retouched);
    // The event adopted the person's version: the review shows version 2 and its decisions count.
    expect((await stored()).proof).toMatchObject({
      proofId,
      versionIds: [firstVersion, proofId],
      ownVersionIds: [firstVersion],
    });
    await approveInZiflow();
    const approved = await stored();
    expect(approved.status).toBe('approved');

    await syncApprovedProof(deps(), approved, record, note);
    const calls = library.callCount;
    await syncApprovedProof(deps(), await stored(), record, note);
    expect(library.callCount).toBe(calls);

    expect(assetIds.map((id) => Buffer.from(library.originalBytes(id)))).toEqual(
      retouched.map((f) => f.bytes),
    );
    const metadata = await Promise.all(assetIds.map((id) => library.getAssetMetadata(id)));
    expect(metadata.map((m) => [m.fileName, m.fileSize])).toEqual(
      retouched.map((f) => [f.name, f.bytes.length]),
    );
    for (const id of assetIds) {
      expect(library.workflowFieldsOf(id)).toMatchObject({ usageStatus: 'approved for use' });
    }
    expect(notes).toEqual([
      'photoshelter.final.written',
      'photoshelter.final.written',
      'photoshelter.published',
    ]);
    // What was written is recorded, so PhotoShelter's report of the replace is known as ours.
    expect((await stored()).proof?.finals).toEqual(
      assetIds.map((assetId, i) => ({
        assetId,
        version: 2,
        fileSize: retouched[i]?.bytes.length,
      })),
    );
  });

  it('leaves a file PhotoShelter already has as it is, and still records the approval', async () => {
    // The person's file of the first image is PhotoShelter's own: same name, same size.
    const [first] = assetIds;
    const own = first ?? expect.fail('no asset');
    const same = renderPng('same', 40, 30);
    library.replace(own, { fileName: 'IMG_0001.png', fileSize: same.length });
    const before = Buffer.from(library.originalBytes(own));
    await openProofedReview((assetId) => `${assetId}-display.png`);
    await uploadVersionInZiflow([
      { name: 'IMG_0001.png', bytes: same },
      { name: 'IMG_0002-retouched.png', bytes: renderPng('other', 40, 30) },
    ]);
    await approveInZiflow();
    await syncApprovedProof(deps(), await stored(), record, note);

    expect(Buffer.from(library.originalBytes(own))).toEqual(before);
    expect(library.workflowFieldsOf(own)).toMatchObject({
      decision: 'approved',
      usageStatus: 'approved for use',
    });
    // The other image's file was the person's own, and was written.
    expect((await stored()).proof?.finals?.map((f) => f.assetId)).toEqual([assetIds[1]]);
  });

  it('writes nothing back while the review is open', async () => {
    await openProofedReview((assetId) => `${assetId}-retouched.png`);
    const calls = library.callCount;
    await syncApprovedProof(deps(), await stored(), record, note);
    expect(library.callCount).toBe(calls);
    expect(notes).toEqual([]);
  });
});
