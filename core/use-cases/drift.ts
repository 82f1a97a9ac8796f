import { z } from 'zod';

import { NotFoundError } from '../errors.js';
import type { AssetMetadata } from '../model/asset.js';
import type { Clock } from '../ports/clock.js';
import type { CursorStore } from '../ports/cursor-store.js';
import type { Logger } from '../ports/logger.js';
import type { LibraryMetadataPatch, PhotoArchive } from '../ports/photo-archive.js';
import {
  type PreservedMetadata,
  type PreservedMetadataField,
  preservedMetadataFields,
} from '../ports/preservation-archive.js';
import type { ReviewStore } from '../ports/review-store.js';
import { preservicaOf, type PreservicaDeps } from './preserve-review.js';
import { saveLatest } from './latest-state.js';

// Metadata drift between PhotoShelter and Preservica (docs/preservica.md): each preserved asset's
// core fields are compared on a timer; a difference is reported, and synced one way where the
// configuration names a direction for that field.

/** Per field: only report a difference, or copy it one way. */
export const driftDirectionSchema = z.enum(['report', 'to-preservica', 'to-photoshelter']);
export type DriftDirection = z.infer<typeof driftDirectionSchema>;
export type DriftPolicy = Readonly<Record<PreservedMetadataField, DriftDirection>>;

export const REPORT_ONLY: DriftPolicy = {
  title: 'report',
  caption: 'report',
  keywords: 'report',
  credit: 'report',
  rights: 'report',
};

/** Most differences a report lists (the count says how many there were). */
const MAX_LISTED = 500;

const differenceSchema = z.object({
  assetId: z.string(),
  reference: z.string(),
  reviewId: z.string(),
  field: z.enum(preservedMetadataFields),
  photoshelter: z.string(),
  preservica: z.string(),
  action: z.enum(['reported', 'synced-to-preservica', 'synced-to-photoshelter', 'sync-failed']),
});
export type DriftDifference = z.infer<typeof differenceSchema>;

export const driftReportSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  policy: z.record(z.string(), driftDirectionSchema),
  assetsChecked: z.number().int().nonnegative(),
  differences: z.number().int().nonnegative(),
  synced: z.number().int().nonnegative(),
  /** Preserved assets one side no longer has (deleted in PhotoShelter, or not found in Preservica). */
  missing: z.array(z.object({ assetId: z.string(), reference: z.string(), side: z.string() })),
  listed: z.array(differenceSchema),
});
export type DriftReport = z.infer<typeof driftReportSchema>;

export const DRIFT_CURSOR = 'drift';

export interface DriftDeps {
  readonly preservica?: PreservicaDeps | undefined;
  readonly archive: Pick<PhotoArchive, 'getAssetMetadata'>;
  readonly reviews: ReviewStore;
  readonly cursors: CursorStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

function libraryValues(meta: AssetMetadata): PreservedMetadata {
  return {
    title: meta.title,
    caption: meta.caption,
    keywords: meta.keywords,
    credit: meta.credit,
    rights: meta.copyright,
  };
}

/** A field as compared and shown: keywords as a sorted list, so their order is no difference. */
function shown(values: PreservedMetadata, field: PreservedMetadataField): string {
  const value = values[field];
  return typeof value === 'string'
    ? value.trim()
    : [...value]
        .map((k) => k.trim())
        .sort()
        .join(', ');
}

function libraryPatch(
  field: PreservedMetadataField,
  from: PreservedMetadata,
): LibraryMetadataPatch {
  switch (field) {
    case 'title':
      return { title: from.title };
    case 'caption':
      return { caption: from.caption };
    case 'keywords':
      return { keywords: from.keywords };
    case 'credit':
      return { credit: from.credit };
    case 'rights':
      return { copyright: from.rights };
  }
}

/**
 * One comparison of every preserved asset of the most recent reviews (up to `limit`); syncs the
 * fields `policy` gives a direction, and keeps the report for GET /api/v1/drift.
 */
export async function checkDrift(
  deps: DriftDeps,
  policy: DriftPolicy,
  options: { readonly limit: number } = { limit: 500 },
): Promise<DriftReport> {
  const preservica = preservicaOf(deps);
  const log = deps.logger.child('drift');
  const stored = await deps.reviews.list({
    statuses: ['approved', 'archived'],
    limit: options.limit,
  });
  const listed: DriftDifference[] = [];
  const missing: DriftReport['missing'] = [];
  let assetsChecked = 0;
  let differences = 0;
  let synced = 0;
  const seen = new Set<string>();
  for (const { review } of stored) {
    const p = review.preservation;
    if (p?.status !== 'preserved') continue;
    for (const [assetId, reference] of Object.entries(p.references)) {
      if (seen.has(reference)) continue;
      seen.add(reference);
      let library: PreservedMetadata;
      let archived: PreservedMetadata;
      try {
        library = libraryValues(await deps.archive.getAssetMetadata(assetId));
      } catch (e: unknown) {
        if (!(e instanceof NotFoundError)) throw e;
        missing.push({ assetId, reference, side: 'photoshelter' });
        continue;
      }
      try {
        archived = await preservica.archive.readMetadata(reference);
      } catch (e: unknown) {
        if (!(e instanceof NotFoundError)) throw e;
        missing.push({ assetId, reference, side: 'preservica' });
        continue;
      }
      assetsChecked += 1;
      for (const field of preservedMetadataFields) {
        const ours = shown(library, field);
        const theirs = shown(archived, field);
        if (ours === theirs) continue;
        differences += 1;
        let action: DriftDifference['action'] = 'reported';
        try {
          if (policy[field] === 'to-preservica') {
            await preservica.archive.writeMetadata(reference, { [field]: library[field] });
            action = 'synced-to-preservica';
          } else if (policy[field] === 'to-photoshelter') {
            await preservica.files.writeMetadata(assetId, libraryPatch(field, archived));
            action = 'synced-to-photoshelter';
          }
        } catch (e: unknown) {
          log.warn('drift sync failed', {
            assetId,
            reference,
            field,
            error: e instanceof Error ? e.message : 'unknown',
          });
          action = 'sync-failed';
        }
        if (action.startsWith('synced')) synced += 1;
        if (listed.length < MAX_LISTED) {
          listed.push({
            assetId,
            reference,
            reviewId: review.id,
            field,
            photoshelter: ours,
            preservica: theirs,
            action,
          });
        }
      }
    }
  }
  const report: DriftReport = {
    at: deps.clock.now().toISOString(),
    policy: { ...policy },
    assetsChecked,
    differences,
    synced,
    missing: missing.slice(0, MAX_LISTED),
    listed,
  };
  await saveLatest(deps.cursors, DRIFT_CURSOR, report);
  log.info('drift checked', { assetsChecked, differences, synced, missing: missing.length });
  return report;
}

/** The last comparison's report, or undefined before the first. */
export async function lastDrift(
  deps: Pick<DriftDeps, 'cursors'>,
): Promise<DriftReport | undefined> {
  return (await deps.cursors.get(DRIFT_CURSOR, driftReportSchema))?.state;
}
