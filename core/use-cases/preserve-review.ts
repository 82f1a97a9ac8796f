import { AppError, ConfigError, ConflictError, isTransient } from '../errors.js';
import { fingerprint } from '../model/fingerprint.js';
import { preservesOn } from '../model/preservation.js';
import type { PreservationCheck, PreservicaEvent } from '../model/queue-message.js';
import { type Review } from '../model/review.js';
import type { AssetMetadata } from '../model/asset.js';
import type { Clock } from '../ports/clock.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PhotoArchive, PhotoLibraryFiles } from '../ports/photo-archive.js';
import type { PreservationArchive, PreservationItem } from '../ports/preservation-archive.js';
import type { ReviewStore } from '../ports/review-store.js';
import { runOnce } from './run-once.js';
import type { NoteEffect, RecordReview } from './sync-card.js';
import { updateReview } from './update-review.js';

// A review's assets go to Preservica when its rule's `preserve` says (docs/preservica.md): one
// package per review, under references chosen here before the ingest, so a retried ingest (after a
// crash or INGEST_FAILED) finds the entities the first one made instead of making them twice.

export type Preservation = NonNullable<Review['preservation']>;

/** Preservica and what packaging reads from PhotoShelter; set when PRESERVICA_BASE_URL is. */
export interface PreservicaDeps {
  readonly archive: PreservationArchive;
  readonly files: PhotoLibraryFiles;
  /** How long to wait between looks at an ingest's progress (PRESERVICA_POLL_SECONDS). */
  readonly pollMs: number;
}

export interface SyncPreservationDeps {
  readonly preservica: PreservicaDeps;
  readonly archive: Pick<PhotoArchive, 'getAssetMetadata' | 'listGalleryAssets'>;
  readonly ledger: EffectLedger;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where progress checks are scheduled; without it only the webhook reports the outcome. */
  readonly queue?: EventQueue | undefined;
}

/** A Preservica reference (a UUID) for an asset of a package: the same on every attempt. */
export function preservationReference(packageKey: string, assetId: string): string {
  const hex = `${fingerprint(packageKey, assetId)}${fingerprint(assetId, packageKey)}`
    .replace(/[^0-9a-z]/g, '')
    .split('')
    .map((c) => (parseInt(c, 36) % 16).toString(16))
    .join('')
    .padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Whether the review's rule preserves it in the status it is in now. */
export function preservesNow(review: Review): boolean {
  const rule = review.route.preserve;
  return rule !== undefined && preservesOn(rule.when, review.status);
}

/** The preservation a review's package starts with, before anything is sent. */
function startOf(review: Review, assetIds: readonly string[], now: Date): Preservation {
  const rule = review.route.preserve;
  if (rule === undefined) throw new ConflictError(`review ${review.id} is not preserved`);
  const packageKey = `preservica:${review.id}`;
  return {
    when: rule.when,
    folderRef: rule.folder,
    securityTag: rule.securityTag,
    scope: rule.when === 'on-retire' ? 'gallery' : 'review',
    status: 'ingesting',
    packageKey,
    attempt: 1,
    references: Object.fromEntries(
      assetIds.map((id) => [id, preservationReference(packageKey, id)]),
    ),
    startedAt: now.toISOString(),
  };
}

/** Every asset of a gallery (a retirement packages the whole gallery, not only the batch). */
async function galleryAssetIds(
  deps: SyncPreservationDeps,
  galleryId: string,
): Promise<readonly string[]> {
  const ids: string[] = [];
  let page: string | undefined;
  do {
    const listed = await deps.archive.listGalleryAssets(galleryId, page);
    ids.push(...listed.items.map((a) => a.assetId));
    page = listed.next;
  } while (page !== undefined);
  return [...new Set(ids)];
}

/** A plain-text rights statement preserved beside each original (PhotoShelter keeps no document). */
function rightsStatement(meta: AssetMetadata, review: Review): string {
  return [
    `Rights statement for ${meta.fileName} (PhotoShelter ${meta.assetId})`,
    `Copyright: ${meta.copyright || 'not stated'}`,
    `Credit: ${meta.credit || 'not stated'}`,
    `Author: ${meta.author || 'not stated'}`,
    `Licence expires: ${meta.licenseExpiresAt ?? 'no expiry recorded'}`,
    `Reviewed in Lightdesk review ${review.id} (${review.status}).`,
    '',
  ].join('\n');
}

/**
 * The package's items, made one at a time as the connector streams the package: each asset's
 * metadata is read, and its original opened, only when the package reaches it.
 */
async function* itemsOf(
  deps: SyncPreservationDeps,
  review: Review,
  preservation: Preservation,
): AsyncGenerator<PreservationItem> {
  const decision = review.decisions.at(-1);
  for (const [assetId, reference] of Object.entries(preservation.references)) {
    const meta = await deps.archive.getAssetMetadata(assetId);
    const statement = rightsStatement(meta, review);
    yield {
      assetId,
      reference,
      metadata: {
        title: meta.title || meta.headline || meta.fileName,
        caption: meta.caption,
        keywords: meta.keywords,
        credit: meta.credit,
        rights: meta.copyright,
      },
      provenance: {
        photoshelterAsset: assetId,
        gallery: review.galleryName,
        galleryId: review.galleryId,
        galleryUrl: review.galleryUrl,
        lightdeskReview: review.id,
        decision: review.status,
        ...(decision === undefined
          ? {}
          : { decidedBy: decision.reviewerName, decidedAt: decision.at }),
      },
      original: {
        fileName: meta.fileName,
        open: async () => (await deps.preservica.files.openOriginal(assetId)).body,
      },
      documents: [
        {
          fileName: 'rights.txt',
          open: () => Promise.resolve(once(new TextEncoder().encode(statement))),
        },
      ],
    };
  }
}

/**
 * A package that could not be sent shows on the card: while Preservica may recover (an outage,
 * throttling) the ingest stays on with the trouble named, and the message comes back; refused for
 * good (a bad login, a folder or tag Preservica does not know), the attempt has failed and a person
 * retries it once the cause is fixed.
 */
async function recordSendFailure(
  record: RecordReview,
  attempt: number,
  error: unknown,
): Promise<Review | undefined> {
  const lasting = !isTransient(error);
  const what = error instanceof AppError ? error.message : 'an unexpected error';
  const reason = (
    lasting
      ? `Preservica refused the package: ${what}`
      : `Preservica is not answering (${what}); Lightdesk keeps trying`
  ).slice(0, 2000);
  return record((r) => {
    const p = r.preservation;
    if (p?.status !== 'ingesting' || p.attempt !== attempt || p.reason === reason) return undefined;
    return {
      ...r,
      preservation: { ...p, ...(lasting ? { status: 'failed' as const } : {}), reason },
      cardVersion: r.cardVersion + 1,
    };
  }).catch(() => undefined);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield await Promise.resolve(bytes);
}

/** Schedules the next look at an ingest's progress, once per (review, attempt, look). */
async function scheduleCheck(
  deps: Pick<SyncPreservationDeps, 'queue' | 'ledger' | 'clock'> & {
    readonly preservica: Pick<PreservicaDeps, 'pollMs'>;
  },
  reviewId: string,
  attempt: number,
  look: number,
): Promise<void> {
  const { queue } = deps;
  if (queue === undefined) return;
  const id = `preservica.check:${reviewId}:${attempt}:${look}`;
  await runOnce(deps, id, async () => {
    await queue.enqueue(
      { type: 'preservica.check', id, reviewId, attempt, look },
      { delayMs: deps.preservica.pollMs },
    );
    return 'queued';
  }).catch(() => undefined);
}

/**
 * The Preservica step of a review's sync: once its rule preserves it in its status, the package is
 * started once per attempt; its PhotoShelter fields follow the preservation's status.
 */
export async function syncPreservation(
  deps: SyncPreservationDeps,
  current: Review,
  record: RecordReview,
  note: NoteEffect,
): Promise<Review> {
  let review = current;
  if (!preservesNow(review)) return review;

  if (review.preservation === undefined) {
    const assetIds =
      review.route.preserve?.when === 'on-retire'
        ? await galleryAssetIds(deps, review.galleryId)
        : review.assets.map((a) => a.assetId);
    const start = startOf(review, assetIds, deps.clock.now());
    review = await record((r) =>
      r.preservation !== undefined || !preservesNow(r)
        ? undefined
        : { ...r, preservation: start, cardVersion: r.cardVersion + 1 },
    );
  }
  const preservation = review.preservation;
  if (preservation === undefined) return review;

  if (preservation.status === 'ingesting' && preservation.progressToken === undefined) {
    // One upload per attempt. A crash mid-upload starts the attempt's upload again; Preservica skips
    // the entities the lost one made (same references and identifiers).
    const key = `preservica.ingest:${review.id}:${preservation.attempt}`;
    const snapshot = review;
    // Before the upload, so the webhook of an ingest that finishes fast finds its review.
    await indexEntities(deps, review);
    let ingested: { readonly result: string; readonly isFresh: boolean };
    try {
      ingested = await runOnce(deps, key, async () => {
        const accepted = await deps.preservica.archive.ingest({
          packageKey: preservation.packageKey,
          folderRef: preservation.folderRef,
          securityTag: preservation.securityTag,
          items: itemsOf(deps, snapshot, preservation),
        });
        return accepted.progressToken;
      });
    } catch (e: unknown) {
      const recorded = await recordSendFailure(record, preservation.attempt, e);
      // Refused for good, the failure is the review's to show (and a person's to retry), not the
      // queue's: the sync goes on. Anything else comes back with the message.
      if (recorded?.preservation?.status === 'failed' && !isTransient(e)) return recorded;
      throw e;
    }
    review = await record((r) => {
      if (
        r.preservation === undefined ||
        r.preservation.attempt !== preservation.attempt ||
        r.preservation.progressToken !== undefined
      ) {
        return undefined;
      }
      const { reason: _trouble, ...rest } = r.preservation;
      return {
        ...r,
        preservation: { ...rest, progressToken: ingested.result },
        cardVersion: r.cardVersion + 1,
      };
    });
    if (ingested.isFresh) {
      const count = Object.keys(preservation.references).length;
      await note(
        'preservica.ingest.started',
        review,
        `${count} asset${count === 1 ? '' : 's'} sent to Preservica (attempt ${preservation.attempt})`,
      );
    }
    // The webhook may never come (not subscribed, or not available): look at the progress too.
    await scheduleCheck(deps, review.id, preservation.attempt, 1);
  }

  // PhotoShelter shows where each asset's preservation stands, once per status and attempt.
  const now = review.preservation;
  if (now !== undefined && (now.progressToken !== undefined || now.status !== 'ingesting')) {
    const fieldsKey = `photoshelter.preservation:${review.id}:${now.attempt}:${now.status}`;
    const written = await runOnce(deps, fieldsKey, async () => {
      for (const [assetId, reference] of Object.entries(now.references)) {
        await deps.preservica.files.setWorkflowFields(assetId, {
          'Preservation status': now.status,
          'Preservation reference': reference,
        });
      }
      return now.status;
    });
    if (written.isFresh) {
      await note(
        'photoshelter.preservation.written',
        review,
        `PhotoShelter preservation status "${written.result}"`,
      );
    }
  }
  return review;
}

export interface PreservationCheckDeps {
  readonly preservica?: PreservicaDeps | undefined;
  readonly reviews: ReviewStore;
  readonly ledger: EffectLedger;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type PreservationOutcome = 'preserved' | 'failed' | 'ingesting' | 'nothing';

export function preservicaOf(deps: {
  readonly preservica?: PreservicaDeps | undefined;
}): PreservicaDeps {
  if (deps.preservica === undefined) {
    throw new ConfigError(
      ['PRESERVICA_BASE_URL'],
      ['A Preservica event came in but Preservica is not configured'],
    );
  }
  return deps.preservica;
}

/**
 * Looks at a review's ingest and records what Preservica says: preserved, or failed with its
 * reason. Returns what the review's preservation is now; the caller syncs the review after it.
 */
export async function checkPreservation(
  deps: PreservationCheckDeps,
  reviewId: string,
  /** Only this attempt (a scheduled look belongs to one): another one answers 'nothing'. */
  attempt?: number,
): Promise<PreservationOutcome> {
  const preservica = preservicaOf(deps);
  const stored = await deps.reviews.get(reviewId);
  const preservation = stored?.review.preservation;
  if (attempt !== undefined && preservation?.attempt !== attempt) return 'nothing';
  if (preservation?.status !== 'ingesting' || preservation.progressToken === undefined) {
    return preservation === undefined ? 'nothing' : preservation.status;
  }
  const state = await preservica.archive.ingestStatus(preservation.progressToken);
  if (state.state === 'pending' || state.state === 'active') return 'ingesting';
  const now = deps.clock.now().toISOString();
  const reason = state.state === 'failed' ? state.reason.slice(0, 2000) : '';
  const saved = await updateReview(
    deps.reviews,
    reviewId,
    (r) => {
      const p = r.preservation;
      if (p?.status !== 'ingesting' || p.attempt !== preservation.attempt) return undefined;
      const next: Preservation =
        state.state === 'completed'
          ? { ...p, status: 'preserved', preservedAt: now }
          : { ...p, status: 'failed', reason };
      return { ...r, preservation: next, cardVersion: r.cardVersion + 1, updatedAt: now };
    },
    deps,
  );
  return saved.review.preservation?.status ?? 'nothing';
}

/**
 * Starts the next attempt of a failed ingest: the same package key and references, so what the
 * failed attempt made is found, not made again. The caller syncs the review after it.
 */
export async function retryPreservation(
  deps: Pick<PreservationCheckDeps, 'reviews' | 'clock'> & {
    readonly preservica?: PreservicaDeps | undefined;
  },
  reviewId: string,
): Promise<'retrying' | 'notFailed'> {
  preservicaOf(deps);
  const now = deps.clock.now().toISOString();
  const saved = await updateReview(deps.reviews, reviewId, (r) => {
    const p = r.preservation;
    if (p?.status !== 'failed') return undefined;
    const { progressToken: _token, ...rest } = p;
    return {
      ...r,
      preservation: { ...rest, status: 'ingesting', attempt: p.attempt + 1 },
      cardVersion: r.cardVersion + 1,
      updatedAt: now,
    };
  });
  return saved.review.preservation?.status === 'ingesting' ? 'retrying' : 'notFailed';
}

export interface PreservationMessageDeps extends PreservationCheckDeps {
  readonly queue: EventQueue;
}

/**
 * A scheduled look at an ingest (`preservica.check`): still going, the next look is scheduled;
 * done, the caller syncs the review.
 */
export async function handlePreservationCheck(
  deps: PreservationMessageDeps & { readonly preservica?: PreservicaDeps | undefined },
  message: PreservationCheck,
): Promise<PreservationOutcome> {
  const outcome = await checkPreservation(deps, message.reviewId, message.attempt);
  if (outcome === 'ingesting') {
    const preservica = preservicaOf(deps);
    await scheduleCheck(
      { ...deps, preservica },
      message.reviewId,
      message.attempt,
      message.look + 1,
    );
  }
  return outcome;
}

/** The review whose package holds an entity, as recorded when the package was sent. */
export const entityIndexKey = (reference: string): string => `preservica.entity:${reference}`;

/**
 * Records which review each of the package's entities belongs to, so a webhook naming an entity
 * finds its review (the ledger is the index: the key holds the review id).
 */
export async function indexEntities(
  deps: Pick<SyncPreservationDeps, 'ledger' | 'clock'>,
  review: Review,
): Promise<void> {
  for (const reference of Object.values(review.preservation?.references ?? {})) {
    await runOnce(deps, entityIndexKey(reference), () => Promise.resolve(review.id));
  }
}

/**
 * A Preservica webhook delivery (`preservica.event`): each entity it names leads to its review,
 * whose ingest is then looked at; returns the reviews to sync.
 */
export async function handlePreservicaEvent(
  deps: PreservationCheckDeps,
  message: PreservicaEvent,
): Promise<readonly string[]> {
  const log = deps.logger.child('preservica');
  const reviewIds = new Set<string>();
  for (const reference of message.entityRefs) {
    const indexed = await deps.ledger.get(entityIndexKey(reference));
    if (indexed?.state === 'done' && indexed.result !== undefined) reviewIds.add(indexed.result);
  }
  const changed: string[] = [];
  for (const reviewId of reviewIds) {
    const outcome = await checkPreservation(deps, reviewId);
    if (outcome === 'preserved' || outcome === 'failed') changed.push(reviewId);
  }
  log.info('preservica event handled', {
    trigger: message.trigger,
    entities: message.entityRefs.length,
    reviews: reviewIds.size,
    settled: changed.length,
  });
  return changed;
}
