import { beforeEach, describe, expect, it } from 'vitest';

import { AppError, ValidationError } from '../../../../core/errors.js';
import {
  type DetectChangesDeps,
  detectChanges,
  libraryCursorSchema,
  PHOTOSHELTER_CURSOR,
} from '../../../../core/use-cases/detect-changes.js';
import { recordLibraryEvent } from '../../../../core/use-cases/record-library-event.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../../doubles/in-memory-audit-log.js';
import { InMemoryCursorStore } from '../../../doubles/in-memory-cursor-store.js';
import { InMemoryEffectLedger } from '../../../doubles/in-memory-effect-ledger.js';
import { InMemoryEventQueue } from '../../../doubles/in-memory-event-queue.js';
import { InMemoryPhotoArchive } from '../../../doubles/in-memory-photo-archive.js';
import { InMemorySnapshotStore } from '../../../doubles/in-memory-snapshot-store.js';
import { RecordingLogger } from '../../../doubles/recording-logger.js';

const options = { overlapMs: 120_000, maxPages: 50 };

class Outage extends AppError {
  constructor(what: string) {
    super('upstream', `${what} is down`);
  }
}

function aLibrary() {
  const clock = new FixedClock('2026-11-23T09:00:00.000Z');
  const archive = new InMemoryPhotoArchive(clock);
  const collection = archive.addCollection({ name: 'Athletics' });
  const gallery = archive.addGallery({ name: 'Media Day', collectionId: collection });
  const other = archive.addGallery({ name: 'Campus Life' });
  const existing = archive.upload(gallery, { fileName: 'IMG_0001.jpg' });
  clock.advance(1_000);
  const queue = new InMemoryEventQueue(() => clock.now().getTime());
  const snapshots = new InMemorySnapshotStore();
  const deps: DetectChangesDeps = {
    archive,
    cursors: new InMemoryCursorStore(),
    snapshots,
    queue,
    clock,
    logger: new RecordingLogger(),
  };
  return { clock, archive, gallery, other, existing, queue, snapshots, deps };
}

type World = ReturnType<typeof aLibrary>;

/** Baseline, then time passes so later changes are clearly after it. */
async function afterBaseline(world: World): Promise<void> {
  const first = await detectChanges(world.deps, options);
  expect(first.kind).toBe('baseline');
  world.clock.advance(60_000);
}

async function poll(world: World) {
  const result = await detectChanges(world.deps, options);
  if (result.kind !== 'polled') throw new ValidationError(`expected a poll, got ${result.kind}`);
  return result;
}

describe('detectChanges', () => {
  let world: World;
  beforeEach(() => {
    world = aLibrary();
  });

  it('records a baseline on the first poll and reports nothing already in the library', async () => {
    await afterBaseline(world);
    const result = await poll(world);
    expect(result.enqueued).toBe(0);
    expect(world.queue.sent).toEqual([]);
  });

  it('turns an upload into exactly one asset.uploaded event with a deterministic id', async () => {
    await afterBaseline(world);
    const assetId = world.archive.upload(world.gallery, { fileName: 'IMG_0002.jpg' });
    world.clock.advance(5_000);

    const result = await poll(world);

    expect(result.enqueued).toBe(1);
    expect(world.queue.sent).toHaveLength(1);
    const event = world.queue.sent[0];
    expect(event).toMatchObject({
      type: 'asset.uploaded',
      galleryId: world.gallery,
      assetId,
      file: { fileName: 'IMG_0002.jpg' },
    });
    expect(event?.id).toMatch(
      new RegExp(`^asset\\.uploaded:${world.gallery}:${assetId}:[0-9a-z]+$`),
    );
  });

  it('reports nothing on the next polls, although the overlap window sees the upload again', async () => {
    await afterBaseline(world);
    world.archive.upload(world.gallery);
    world.clock.advance(5_000);
    await poll(world);
    world.clock.advance(5_000);
    const again = await poll(world);
    world.clock.advance(5_000);
    const thrice = await poll(world);
    expect([again.enqueued, thrice.enqueued]).toEqual([0, 0]);
    expect(again.mediaSeen).toBeGreaterThanOrEqual(1); // inside the overlap, dropped by fingerprint
    expect(world.queue.sent).toHaveLength(1);
  });

  it('reports a replaced file as asset.replaced with the previous file', async () => {
    await afterBaseline(world);
    const assetId = world.archive.upload(world.gallery, { fileName: 'IMG_0003.jpg' });
    world.clock.advance(5_000);
    await poll(world);
    world.clock.advance(5_000);
    world.archive.replace(assetId, { fileName: 'IMG_0003_v2.jpg' });
    world.clock.advance(5_000);

    await poll(world);

    expect(world.queue.sent.map((e) => e.type)).toEqual(['asset.uploaded', 'asset.replaced']);
    expect(world.queue.sent[1]).toMatchObject({
      assetId,
      file: { fileName: 'IMG_0003_v2.jpg' },
      previousFile: { fileName: 'IMG_0003.jpg' },
    });
  });

  it('reports an edit of captions or keywords as metadata.changed', async () => {
    await afterBaseline(world);
    const assetId = world.archive.upload(world.gallery);
    world.clock.advance(5_000);
    await poll(world);
    world.clock.advance(5_000);
    world.archive.editMetadata(assetId, { keywords: ['football', 'media day'] });
    world.clock.advance(5_000);

    await poll(world);

    expect(world.queue.sent.map((e) => e.type)).toEqual(['asset.uploaded', 'metadata.changed']);
  });

  it("stays quiet about Lightdesk's own review-status write, which moves the modification time", async () => {
    await afterBaseline(world);
    const assetId = world.archive.upload(world.gallery);
    world.clock.advance(5_000);
    await poll(world);
    world.clock.advance(5_000);
    await world.archive.setReviewStatus([assetId], 'approved');
    world.clock.advance(5_000);

    const result = await poll(world);

    expect(result.mediaSeen).toBeGreaterThanOrEqual(1);
    expect(world.queue.sent.map((e) => e.type)).toEqual(['asset.uploaded']);
  });

  it('reports an edit of an asset older than the baseline as metadata.changed, not as an upload', async () => {
    await afterBaseline(world);
    world.archive.editMetadata(world.existing, { caption: 'Kick-off' });
    world.clock.advance(5_000);

    await poll(world);

    expect(world.queue.sent).toHaveLength(1);
    expect(world.queue.sent[0]).toMatchObject({
      type: 'metadata.changed',
      assetId: world.existing,
    });
  });

  it('reports a new share of a gallery as gallery.shared, once', async () => {
    await afterBaseline(world);
    world.archive.share(world.other);
    world.clock.advance(5_000);

    await poll(world);
    world.clock.advance(5_000);
    await poll(world);

    expect(world.queue.sent).toHaveLength(1);
    expect(world.queue.sent[0]).toMatchObject({
      type: 'gallery.shared',
      galleryId: world.other,
      galleryName: 'Campus Life',
    });
  });

  it('does not report grants a gallery already had at the baseline', async () => {
    world.archive.share(world.other);
    world.clock.advance(1_000);
    await afterBaseline(world);
    world.archive.upload(world.other); // touches the gallery again
    world.clock.advance(5_000);

    await poll(world);

    expect(world.queue.sent.map((e) => e.type)).toEqual(['asset.uploaded']);
  });

  it('costs at most two calls to the library when nothing changed', async () => {
    await afterBaseline(world);
    const before = world.archive.callCount;
    await poll(world);
    expect(world.archive.callCount - before).toBeLessThanOrEqual(2);
  });

  it('does not enqueue again after a crash between enqueue and the cursor save', async () => {
    await afterBaseline(world);
    world.archive.upload(world.gallery);
    world.clock.advance(5_000);
    const cursors = world.deps.cursors as InMemoryCursorStore;
    cursors.failNextSave = new Outage('table storage');

    await expect(detectChanges(world.deps, options)).rejects.toThrow('table storage is down');
    expect(world.queue.sent).toHaveLength(1);

    world.clock.advance(5_000);
    const rerun = await poll(world);
    expect(rerun.enqueued).toBe(0);
    expect(world.queue.sent).toHaveLength(1);
  });

  it('loses nothing when the queue is down: the next poll enqueues the event', async () => {
    await afterBaseline(world);
    world.archive.upload(world.gallery);
    world.clock.advance(5_000);
    world.queue.failNextEnqueue = new Outage('queue storage');

    await expect(detectChanges(world.deps, options)).rejects.toThrow('queue storage is down');
    expect(world.queue.sent).toHaveLength(0);

    // Neither the snapshot nor the cursor moved: the change is seen again, and no lease to wait out.
    world.clock.advance(5_000);
    const retried = await poll(world);
    expect(retried.enqueued).toBe(1);
    expect(world.queue.sent.map((e) => e.type)).toEqual(['asset.uploaded']);
  });

  it('after a crash between enqueue and the snapshot, the consumer still records the event once', async () => {
    await afterBaseline(world);
    world.archive.upload(world.gallery);
    world.clock.advance(5_000);
    world.snapshots.failNextPutAsset = new Outage('table storage');

    await expect(detectChanges(world.deps, options)).rejects.toThrow('table storage is down');
    world.clock.advance(5_000);
    await poll(world);

    // The producer could not know the first enqueue happened, so the queue holds two copies…
    expect(world.queue.sent).toHaveLength(2);
    // …and the consumer drops the second by event id.
    const audit = new InMemoryAuditLog();
    const ledger = new InMemoryEffectLedger();
    const consumer = { ledger, audit, clock: world.clock, logger: new RecordingLogger() };
    const results = [];
    for (const event of world.queue.sent) results.push(await recordLibraryEvent(consumer, event));
    expect(results.map((r) => r.kind)).toEqual(['recorded', 'duplicate']);
    expect(audit.entries).toHaveLength(1);
  });

  it('records each event once when two polls overlap (the consumer drops the second copies)', async () => {
    await afterBaseline(world);
    world.archive.upload(world.gallery);
    world.archive.upload(world.other);
    world.archive.share(world.other);
    world.clock.advance(5_000);

    const [a, b] = await Promise.all([
      detectChanges(world.deps, options),
      detectChanges(world.deps, options),
    ]);

    expect(new Set(world.queue.sent.map((e) => e.id)).size).toBe(3);
    const polled = [a, b].filter((r) => r.kind === 'polled');
    expect(polled.some((r) => r.cursorRace)).toBe(true);
    const audit = new InMemoryAuditLog();
    const consumer = {
      ledger: new InMemoryEffectLedger(),
      audit,
      clock: world.clock,
      logger: new RecordingLogger(),
    };
    const results = [];
    for (const event of world.queue.sent) results.push(await recordLibraryEvent(consumer, event));
    expect(results.filter((r) => r.kind === 'recorded')).toHaveLength(3);
    expect(audit.entries).toHaveLength(3);
  });

  it('emits one event per gallery for an image that sits in two galleries', async () => {
    await afterBaseline(world);
    const assetId = world.archive.upload(world.gallery);
    world.archive.addToGallery(assetId, world.other);
    world.clock.advance(5_000);

    await poll(world);

    expect(world.queue.sent.map((e) => e.galleryId).sort()).toEqual(
      [world.gallery, world.other].sort(),
    );
  });

  it('refuses a corrupted cursor with a clear error and enqueues nothing', async () => {
    await afterBaseline(world);
    const cursors = world.deps.cursors;
    const current = await cursors.get(PHOTOSHELTER_CURSOR, libraryCursorSchema);
    await cursors.save(PHOTOSHELTER_CURSOR, { baselineAt: 'yesterday' }, current?.version);
    world.archive.upload(world.gallery);

    await expect(detectChanges(world.deps, options)).rejects.toThrow(
      /cursor photoshelter\.library is malformed.*baselineAt/,
    );
    expect(world.queue.sent).toHaveLength(0);
  });
});
