import { z } from 'zod';

import { ConflictError } from '../errors.js';
import type { AssetFile, MediaChange } from '../model/asset.js';
import { fingerprint } from '../model/fingerprint.js';
import type { GalleryChange } from '../model/gallery.js';
import type { LibraryEvent } from '../model/library-event.js';
import type { Clock } from '../ports/clock.js';
import type { CursorStore } from '../ports/cursor-store.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PhotoArchive } from '../ports/photo-archive.js';
import type { AssetSnapshot, SnapshotStore } from '../ports/snapshot-store.js';

export const PHOTOSHELTER_CURSOR = 'photoshelter.library';

const isoDate = z.iso.datetime({ offset: true });

/** What the cursor remembers between polls. */
export const libraryCursorSchema = z.object({
  /** When Lightdesk first looked at this library: older assets are not "new" uploads. */
  baselineAt: isoDate,
  /** The newest media modification time already handled. */
  mediaUpTo: isoDate,
  /** The newest gallery modification time already handled. */
  galleriesUpTo: isoDate,
});
type CursorState = z.infer<typeof libraryCursorSchema>;

export interface DetectChangesDeps {
  readonly archive: PhotoArchive;
  readonly cursors: CursorStore;
  readonly snapshots: SnapshotStore;
  readonly queue: EventQueue;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface DetectChangesOptions {
  /**
   * Each poll looks this far behind its cursor. Timestamps from PhotoShelter and our clock can disagree
   * and filters have second precision; fingerprints drop what was already seen, so overlap is free.
   */
  readonly overlapMs: number;
  /** A bound on pages per listing per poll, so one poll cannot run forever. */
  readonly maxPages: number;
}

export const defaultDetectChangesOptions: DetectChangesOptions = {
  overlapMs: 120_000,
  maxPages: 200,
};

export type DetectChangesResult =
  | { readonly kind: 'baseline'; readonly baselineAt: string }
  | {
      readonly kind: 'polled';
      readonly mediaSeen: number;
      readonly galleriesSeen: number;
      readonly detected: number;
      readonly enqueued: number;
      /** The cursor was moved by an overlapping poll (the consumer records each event id once). */
      readonly cursorRace: boolean;
    };

interface Tally {
  detected: number;
  enqueued: number;
}

type Emit = (event: LibraryEvent) => Promise<void>;

/**
 * Turns library changes since the cursor into events with deterministic ids, enqueued before the
 * snapshot and cursor move: a crash replays the same ids, which record-library-event.ts drops.
 */
export async function detectChanges(
  deps: DetectChangesDeps,
  options: DetectChangesOptions = defaultDetectChangesOptions,
): Promise<DetectChangesResult> {
  const log = deps.logger.child('detect-changes');
  const now = deps.clock.now();
  const cursor = await deps.cursors.get(PHOTOSHELTER_CURSOR, libraryCursorSchema);

  if (cursor === undefined) {
    // First look at a library: everything already there is the baseline, not a stream of uploads.
    const baselineAt = now.toISOString();
    const state: CursorState = { baselineAt, mediaUpTo: baselineAt, galleriesUpTo: baselineAt };
    const galleries = await recordGalleryBaseline(deps, options);
    await saveCursor(deps.cursors, state, undefined);
    log.info('baseline recorded', { baselineAt, galleries });
    return { kind: 'baseline', baselineAt };
  }

  const state = cursor.state;
  const tally: Tally = { detected: 0, enqueued: 0 };
  // No ledger of its own: a second copy of an event (a crash before the snapshot, an overlapping
  // poll) costs the consumer one ledger read, where a producer ledger cost two writes per event.
  const emit: Emit = async (event) => {
    tally.detected += 1;
    await deps.queue.enqueue(event);
    tally.enqueued += 1;
  };

  const media = await collectMediaChanges(deps.archive, state, now, options);
  let mediaUpTo = state.mediaUpTo;
  for (const change of media) {
    await handleMediaChange(deps, state, change, now, emit);
    if (change.modifiedAt > mediaUpTo) mediaUpTo = change.modifiedAt;
  }

  const galleries = await collectGalleryChanges(deps.archive, state, options);
  let galleriesUpTo = state.galleriesUpTo;
  for (const gallery of galleries) {
    await handleGalleryChange(deps, state, gallery, now, emit);
    if (gallery.modifiedAt > galleriesUpTo) galleriesUpTo = gallery.modifiedAt;
  }

  const next: CursorState = { ...state, mediaUpTo, galleriesUpTo };
  const cursorRace = !(await saveCursor(deps.cursors, next, cursor.version));
  // An overlapping poll moved the cursor; it saw the same changes and the consumer keeps events single.
  if (cursorRace) log.warn('cursor moved by an overlapping poll', {});

  const result = {
    kind: 'polled' as const,
    mediaSeen: media.length,
    galleriesSeen: galleries.length,
    ...tally,
    cursorRace,
  };
  log.info('poll finished', {
    mediaSeen: result.mediaSeen,
    galleriesSeen: result.galleriesSeen,
    detected: result.detected,
    enqueued: result.enqueued,
  });
  return result;
}

/** False when another writer moved the cursor first. */
async function saveCursor(
  cursors: CursorStore,
  state: CursorState,
  version: string | undefined,
): Promise<boolean> {
  try {
    await cursors.save(PHOTOSHELTER_CURSOR, state, version);
    return true;
  } catch (e: unknown) {
    if (e instanceof ConflictError) return false;
    throw e;
  }
}

async function collectMediaChanges(
  archive: PhotoArchive,
  state: CursorState,
  now: Date,
  options: DetectChangesOptions,
): Promise<MediaChange[]> {
  const since = new Date(new Date(state.mediaUpTo).getTime() - options.overlapMs);
  const found: MediaChange[] = [];
  let page: string | undefined;
  for (let pages = 0; pages < options.maxPages; pages += 1) {
    const result = await archive.listMediaChanges({ since, until: now }, page);
    found.push(...result.items);
    page = result.next;
    if (page === undefined) break;
  }
  // Oldest first, so the cursor only ever moves over changes already handled.
  return found.sort((a, b) => a.modifiedAt.localeCompare(b.modifiedAt));
}

async function collectGalleryChanges(
  archive: PhotoArchive,
  state: CursorState,
  options: DetectChangesOptions,
): Promise<GalleryChange[]> {
  const floor = new Date(new Date(state.galleriesUpTo).getTime() - options.overlapMs).toISOString();
  const found: GalleryChange[] = [];
  let page: string | undefined;
  for (let pages = 0; pages < options.maxPages; pages += 1) {
    const result = await archive.listGalleriesByModification(page);
    let reachedFloor = false;
    for (const gallery of result.items) {
      if (gallery.modifiedAt < floor) {
        reachedFloor = true;
        break;
      }
      found.push(gallery);
    }
    page = result.next;
    if (reachedFloor || page === undefined) break;
  }
  return found.sort((a, b) => a.modifiedAt.localeCompare(b.modifiedAt));
}

/**
 * Who each gallery is shared with at the baseline, so the first later share is told apart from old
 * grants. Assets need no walk: the change listing carries their fingerprints.
 */
async function recordGalleryBaseline(
  deps: DetectChangesDeps,
  options: DetectChangesOptions,
): Promise<number> {
  let recorded = 0;
  let page: string | undefined;
  for (let pages = 0; pages < options.maxPages; pages += 1) {
    const result = await deps.archive.listGalleriesByModification(page);
    for (const gallery of result.items) {
      await deps.snapshots.putGallery({
        galleryId: gallery.galleryId,
        shareIds: [...gallery.shareIds],
        modifiedAt: gallery.modifiedAt,
      });
      recorded += 1;
    }
    page = result.next;
    if (page === undefined) break;
  }
  return recorded;
}

function fileFingerprint(file: AssetFile): string {
  return fingerprint(file.fileName, file.fileSize, file.width, file.height);
}

/** What people edit as "metadata": IPTC fields and the licence expiry, not custom review fields. */
async function metadataFingerprint(archive: PhotoArchive, assetId: string): Promise<string> {
  const m = await archive.getAssetMetadata(assetId);
  return fingerprint(
    m.caption,
    m.headline,
    m.title,
    m.author,
    m.credit,
    m.copyright,
    m.keywords.join('\u001e'),
    m.licenseExpiresAt ?? '',
  );
}

async function handleMediaChange(
  deps: DetectChangesDeps,
  state: CursorState,
  change: MediaChange,
  now: Date,
  emit: Emit,
): Promise<void> {
  const file: AssetFile = {
    fileName: change.fileName,
    fileSize: change.fileSize,
    width: change.width,
    height: change.height,
  };
  const fileFp = fileFingerprint(file);
  const previous = await deps.snapshots.getAsset(change.assetId);
  const common = {
    assetId: change.assetId,
    file,
    detectedAt: now.toISOString(),
    occurredAt: change.modifiedAt,
  };

  let galleryIds: readonly string[];
  let events: LibraryEvent[];
  let metaFp = previous?.metadataFingerprint;
  if (previous === undefined && change.modifiedAt < state.baselineAt) {
    return; // last touched before the baseline: part of the library as we first found it
  } else if (previous === undefined) {
    [galleryIds, metaFp] = await Promise.all([
      deps.archive.listAssetGalleries(change.assetId),
      metadataFingerprint(deps.archive, change.assetId),
    ]);
    // An asset we have never seen but that predates the baseline was edited, not uploaded: we cannot
    // tell a replacement from a metadata edit without its earlier fingerprint, so it is reported as the
    // milder of the two.
    const isNew = change.uploadedAt >= state.baselineAt;
    events = galleryIds.map((galleryId) =>
      isNew
        ? {
            type: 'asset.uploaded',
            id: `asset.uploaded:${galleryId}:${change.assetId}:${fileFp}`,
            galleryId,
            ...common,
          }
        : {
            type: 'metadata.changed',
            id: `metadata.changed:${galleryId}:${change.assetId}:${metaFp}`,
            galleryId,
            ...common,
          },
    );
  } else if (previous.fileFingerprint !== fileFp) {
    galleryIds = previous.galleryIds;
    events = galleryIds.map((galleryId) => ({
      type: 'asset.replaced',
      id: `asset.replaced:${galleryId}:${change.assetId}:${fileFp}`,
      galleryId,
      previousFile: previous.file,
      ...common,
    }));
  } else if (previous.modifiedAt !== change.modifiedAt) {
    galleryIds = previous.galleryIds;
    metaFp = await metadataFingerprint(deps.archive, change.assetId);
    // Same file, same descriptive metadata: something else moved the modification time, such as
    // Lightdesk's own review-status write (docs/photoshelter-wire.md, own-write echo).
    events =
      metaFp === previous.metadataFingerprint
        ? []
        : galleryIds.map((galleryId) => ({
            type: 'metadata.changed',
            id: `metadata.changed:${galleryId}:${change.assetId}:${metaFp}`,
            galleryId,
            ...common,
          }));
  } else {
    return; // seen in an earlier poll's overlap window
  }

  for (const event of events) await emit(event);
  deps.logger.debug('asset change', { assetId: change.assetId, events: events.length });
  const snapshot: AssetSnapshot = {
    assetId: change.assetId,
    galleryIds,
    file,
    fileFingerprint: fileFp,
    metadataFingerprint: metaFp,
    modifiedAt: change.modifiedAt,
  };
  await deps.snapshots.putAsset(snapshot);
}

async function handleGalleryChange(
  deps: DetectChangesDeps,
  state: CursorState,
  gallery: GalleryChange,
  now: Date,
  emit: Emit,
): Promise<void> {
  const previous = await deps.snapshots.getGallery(gallery.galleryId);
  if (previous?.modifiedAt === gallery.modifiedAt) return;

  // The baseline recorded every gallery, so one we have not seen was created since and every share on
  // it is new. A library too large for the baseline walk leaves some unknown: for those created before
  // the baseline we only learn their current shares.
  const known =
    previous?.shareIds ?? (gallery.createdAt >= state.baselineAt ? [] : gallery.shareIds);
  const newShareIds = gallery.shareIds.filter((id) => !known.includes(id)).sort();
  if (newShareIds.length > 0) {
    await emit({
      type: 'gallery.shared',
      id: `gallery.shared:${gallery.galleryId}:${fingerprint(...newShareIds)}`,
      galleryId: gallery.galleryId,
      galleryName: gallery.name,
      newShareIds,
      detectedAt: now.toISOString(),
      occurredAt: gallery.modifiedAt,
    });
  }
  await deps.snapshots.putGallery({
    galleryId: gallery.galleryId,
    shareIds: [...gallery.shareIds],
    modifiedAt: gallery.modifiedAt,
  });
}
