import { odata, type TableClient } from '@azure/data-tables';
import { z } from 'zod';

import { ConflictError, UpstreamError, ValidationError } from '../../core/errors.js';
import { isOpen, type Review, type ReviewStatus, reviewSchema } from '../../core/model/review.js';
import type { ReviewStore, StoredReview } from '../../core/ports/review-store.js';
import { statusOf, toStorageError } from './errors.js';
import { decodeKey, encodeKey } from './keys.js';

/**
 * Review ids are `{galleryId}~{suffix}` and gallery ids never contain `~`, so the partition is
 * everything before the first `~` and `get(reviewId)` is a point read.
 */
const REVIEW_ID_SEPARATOR = '~';

/** The gallery a review id belongs to; ValidationError when the id is not `{galleryId}~{suffix}`. */
export function galleryIdOfReview(reviewId: string): string {
  const galleryId = tryGalleryIdOfReview(reviewId);
  if (galleryId === undefined) {
    throw new ValidationError(`Review id ${reviewId} is not {galleryId}~{suffix}`);
  }
  return galleryId;
}

function tryGalleryIdOfReview(reviewId: string): string | undefined {
  const at = reviewId.indexOf(REVIEW_ID_SEPARATOR);
  if (at <= 0 || at === reviewId.length - 1) return undefined;
  return reviewId.slice(0, at);
}

// encodeKey always escapes `~` (as `~7E`), so no encoded review id can be `~open`.
const OPEN_SLOT_ROW_KEY = '~open';

// A string property holds at most 64 KiB, an entity 1 MiB
// (https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#property-types):
// a review's JSON is split over `review0`, `review1`, … columns.
const PART_LENGTH = 30_000;
const MAX_PARTS = 15;

const reviewRowSchema = z.object({
  kind: z.literal('review'),
  reviewParts: z.number().int().min(1).max(MAX_PARTS),
});

const openSlotRowSchema = z.object({ kind: z.literal('openSlot'), reviewId: z.string().min(1) });

const listRowSchema = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  updatedAt: z.string(),
});

interface OpenSlot {
  readonly reviewId: string;
  readonly etag: string | undefined;
}

/** Rounds of "read the slot, read the review" before findOpen gives up on a slot that keeps moving. */
const MAX_FIND_ROUNDS = 3;

/**
 * Reviews, one partition per gallery. Beside its review rows (JSON plus `status`, `dueAt`,
 * `updatedAt` for filtering) sits the gallery's slot, RowKey `~open`, naming the review that last
 * opened; it holds the gallery only while that review is open. Opening writes review and slot in
 * one entity group transaction, so one of two openers wins
 * (https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions);
 * closing is one conditional update, leaving the slot for the next review to take over. A version
 * is the review row's ETag plus whether it was open (an open review's save needs no look at the
 * slot).
 */
export class TableReviewStore implements ReviewStore {
  /** `table`: the `reviews` table. */
  constructor(private readonly table: TableClient) {}

  async get(reviewId: string): Promise<StoredReview | undefined> {
    // Nothing can be stored under an id without its gallery: open() refuses such reviews.
    const galleryId = tryGalleryIdOfReview(reviewId);
    if (galleryId === undefined) return undefined;
    const row = await this.readRow(encodeKey(galleryId), encodeKey(reviewId), reviewId);
    return row === undefined ? undefined : toStoredReview(reviewId, row);
  }

  async findOpen(galleryId: string): Promise<StoredReview | undefined> {
    const partitionKey = encodeKey(galleryId);
    let previous: OpenSlot | undefined;
    for (let round = 0; round < MAX_FIND_ROUNDS; round += 1) {
      const slot = await this.readSlot(partitionKey, galleryId);
      if (slot === undefined) return undefined;
      // The slot as it was last round: the review it names is closed and none opened since (an
      // open or a reopen rewrites the slot, and so its ETag).
      if (previous?.reviewId === slot.reviewId && previous.etag === slot.etag) return undefined;
      const stored = await this.get(slot.reviewId);
      if (stored !== undefined && isOpen(stored.review)) return stored;
      // Closed: either the gallery has nothing open, or the slot moved on between the two reads.
      // A look at the slot again tells which.
      previous = slot;
    }
    return undefined;
  }

  /** One partition query: the gallery's review rows (its slot row is left out by `kind`). */
  async listOfGallery(galleryId: string): Promise<readonly StoredReview[]> {
    const found: StoredReview[] = [];
    try {
      const rows = this.table.listEntities<Record<string, unknown>>({
        queryOptions: {
          filter: odata`PartitionKey eq ${encodeKey(galleryId)} and kind eq ${'review'}`,
        },
      });
      for await (const row of rows) {
        const reviewId = decodeKey(String(row.rowKey));
        found.push(toStoredReview(reviewId, row));
      }
    } catch (e: unknown) {
      if (e instanceof ValidationError) throw e;
      throw toStorageError('azure-table', e, { what: 'reviews', id: galleryId });
    }
    return found.sort(
      (a, b) =>
        Date.parse(a.review.openedAt) - Date.parse(b.review.openedAt) ||
        compareText(a.review.id, b.review.id),
    );
  }

  async open(review: Review): Promise<StoredReview> {
    const partitionKey = checkedPartition(review);
    if (!isOpen(review)) {
      throw new ValidationError(`Review ${review.id} cannot be opened`, [
        `status: ${review.status} is not an open status`,
      ]);
    }
    const reviewRow = toReviewRow(partitionKey, review);
    const slotRow = toSlotRow(partitionKey, review.id);
    try {
      const response = await this.table.submitTransaction([
        ['create', reviewRow],
        ['create', slotRow],
      ]);
      return { review, version: versionOf(review, response.subResponses[0]?.etag) };
    } catch (e: unknown) {
      if (statusOf(e) !== 409)
        throw toStorageError('azure-table', e, { what: 'review', id: review.id });
    }
    // The gallery has a slot: free if the review it names has closed, and then taken over under the
    // slot's ETag, so a second opener (or that review reopening) in between makes this one fail.
    const slot = await this.readSlot(partitionKey, review.galleryId);
    if (slot !== undefined && (await this.isHeld(slot))) {
      throw openConflict(review, slot.reviewId);
    }
    try {
      const response = await this.table.submitTransaction([
        ['create', reviewRow],
        slot === undefined
          ? ['create', slotRow]
          : ['update', slotRow, 'Replace', { etag: requireEtag(slot.etag, review.id) }],
      ]);
      return { review, version: versionOf(review, response.subResponses[0]?.etag) };
    } catch (e: unknown) {
      const status = statusOf(e);
      if (status === 409 || status === 412 || status === 404) {
        throw openConflict(review, slot?.reviewId, e);
      }
      throw toStorageError('azure-table', e, { what: 'review', id: review.id });
    }
  }

  async save(review: Review, version: string): Promise<StoredReview> {
    const partitionKey = checkedPartition(review);
    const { etag, wasOpen } = parseVersion(version);
    // An open review holds its gallery's slot (open() and save() keep them in step). Staying open or
    // closing, only its row changes: a closed review's slot stays behind, naming it, and holds
    // nothing. A closed review that stays closed has no slot to mind either.
    if (wasOpen || !isOpen(review)) {
      try {
        const response = await this.table.updateEntity(
          toReviewRow(partitionKey, review),
          'Replace',
          { etag },
        );
        return { review, version: versionOf(review, response.etag) };
      } catch (e: unknown) {
        throw saveError(review, e);
      }
    }
    // Open again after it closed (or read from a bare ETag): it needs the slot. Its own left-over
    // slot, or one a closed review left, is taken under the slot's ETag, so a review opening at the
    // same moment makes one of the two fail; a slot naming another open review refuses it.
    const slot = await this.readSlot(partitionKey, review.galleryId);
    if (slot !== undefined && slot.reviewId !== review.id && (await this.isHeld(slot))) {
      throw new ConflictError(
        `gallery ${review.galleryId} already has another open review, ${slot.reviewId}`,
        { details: { galleryId: review.galleryId, reviewId: review.id, open: slot.reviewId } },
      );
    }
    const slotRow = toSlotRow(partitionKey, review.id);
    try {
      const response = await this.table.submitTransaction([
        ['update', toReviewRow(partitionKey, review), 'Replace', { etag }],
        slot === undefined
          ? ['create', slotRow]
          : ['update', slotRow, 'Replace', { etag: requireEtag(slot.etag, review.id) }],
      ]);
      return { review, version: versionOf(review, response.subResponses[0]?.etag) };
    } catch (e: unknown) {
      throw saveError(review, e);
    }
  }

  /**
   * Reviews with these statuses, newest `updatedAt` first: a keys-only cross-partition scan (fine
   * for one studio), then only the `limit` newest rows are read whole.
   */
  async list(filter: {
    readonly statuses?: readonly ReviewStatus[];
    readonly limit: number;
  }): Promise<readonly StoredReview[]> {
    if (filter.limit <= 0) return [];
    const statuses = filter.statuses;
    if (statuses?.length === 0) return [];
    const byStatus =
      statuses === undefined
        ? ''
        : ` and (${statuses.map((s) => odata`status eq ${s}`).join(' or ')})`;
    const keys: z.infer<typeof listRowSchema>[] = [];
    try {
      const rows = this.table.listEntities<Record<string, unknown>>({
        queryOptions: {
          filter: `${odata`kind eq ${'review'}`}${byStatus}`,
          select: ['PartitionKey', 'RowKey', 'updatedAt'],
        },
      });
      for await (const row of rows) {
        const parsed = listRowSchema.safeParse(row);
        if (!parsed.success) {
          throw ValidationError.fromZod(`Stored review row ${String(row.rowKey)}`, parsed.error);
        }
        keys.push(parsed.data);
      }
    } catch (e: unknown) {
      throw toStorageError('azure-table', e, { what: 'reviews', id: 'list' });
    }
    // Both columns are UTC ISO strings, so comparing the strings compares the times.
    keys.sort((a, b) => compareText(b.updatedAt, a.updatedAt) || compareText(a.rowKey, b.rowKey));
    const newest = await Promise.all(
      keys.slice(0, filter.limit).map(async (key) => {
        const reviewId = decodeKey(key.rowKey);
        const row = await this.readRow(key.partitionKey, key.rowKey, reviewId);
        return row === undefined ? undefined : toStoredReview(reviewId, row);
      }),
    );
    // A review may have changed between the query and its read: filter and order what we read.
    return newest
      .filter((s): s is StoredReview => s !== undefined)
      .filter((s) => statuses === undefined || statuses.includes(s.review.status))
      .sort(
        (a, b) =>
          Date.parse(b.review.updatedAt) - Date.parse(a.review.updatedAt) ||
          compareText(a.review.id, b.review.id),
      );
  }

  private async readSlot(partitionKey: string, galleryId: string): Promise<OpenSlot | undefined> {
    const row = await this.readRow(partitionKey, OPEN_SLOT_ROW_KEY, `open slot of ${galleryId}`);
    if (row === undefined) return undefined;
    const parsed = openSlotRowSchema.safeParse(row);
    if (!parsed.success) {
      throw ValidationError.fromZod(`Stored open slot of gallery ${galleryId}`, parsed.error);
    }
    return {
      reviewId: parsed.data.reviewId,
      etag: typeof row['etag'] === 'string' ? row['etag'] : undefined,
    };
  }

  /** Whether the review a slot names is open, and so holds it. */
  private async isHeld(slot: OpenSlot): Promise<boolean> {
    const named = await this.get(slot.reviewId);
    return named !== undefined && isOpen(named.review);
  }

  private async readRow(
    partitionKey: string,
    rowKey: string,
    what: string,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
    } catch (e: unknown) {
      if (statusOf(e) === 404) return undefined;
      throw toStorageError('azure-table', e, { what: 'review', id: what });
    }
  }
}

function openConflict(review: Review, openId: string | undefined, cause?: unknown): ConflictError {
  return new ConflictError(
    `gallery ${review.galleryId} already has an open review (or review ${review.id} exists)`,
    {
      ...(cause === undefined ? {} : { cause }),
      details: {
        galleryId: review.galleryId,
        reviewId: review.id,
        ...(openId === undefined ? {} : { open: openId }),
      },
    },
  );
}

/** Checks the review before it is written, so no row is stored that a later read would refuse. */
function checkedPartition(review: Review): string {
  const parsed = reviewSchema.safeParse(review);
  if (!parsed.success) throw ValidationError.fromZod(`Review ${review.id}`, parsed.error);
  if (tryGalleryIdOfReview(review.id) !== review.galleryId) {
    throw new ValidationError(
      `Review ${review.id} does not belong to gallery ${review.galleryId}`,
      ['id: must be {galleryId}~{suffix}'],
    );
  }
  return encodeKey(review.galleryId);
}

function toReviewRow(partitionKey: string, review: Review) {
  const json = JSON.stringify(review);
  const parts = splitJson(json);
  if (parts.length > MAX_PARTS) {
    throw new ValidationError(`Review ${review.id} is too large to store`, [
      `JSON length ${json.length} > ${PART_LENGTH * MAX_PARTS}`,
    ]);
  }
  return {
    partitionKey,
    rowKey: encodeKey(review.id),
    kind: 'review',
    status: review.status,
    // Normalised to UTC so string comparisons in filters order them correctly.
    dueAt: new Date(review.dueAt).toISOString(),
    updatedAt: new Date(review.updatedAt).toISOString(),
    reviewParts: parts.length,
    ...Object.fromEntries(parts.map((part, index) => [`review${index}`, part])),
  };
}

function toSlotRow(partitionKey: string, reviewId: string) {
  return { partitionKey, rowKey: OPEN_SLOT_ROW_KEY, kind: 'openSlot', reviewId };
}

/** Cuts at most `partLength` UTF-16 units per part, never between the halves of a surrogate pair. */
function splitJson(json: string): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < json.length) {
    let end = Math.min(start + PART_LENGTH, json.length);
    const last = json.charCodeAt(end - 1);
    if (end < json.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    parts.push(json.slice(start, end));
    start = end;
  }
  return parts;
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function toStoredReview(
  reviewId: string,
  row: Record<string, unknown> & { readonly etag?: string },
): StoredReview {
  const header = reviewRowSchema.safeParse(row);
  if (!header.success) throw ValidationError.fromZod(`Stored review ${reviewId}`, header.error);
  let json = '';
  for (let index = 0; index < header.data.reviewParts; index += 1) {
    const part = row[`review${index}`];
    if (typeof part !== 'string') {
      throw new ValidationError(`Stored review ${reviewId}`, [`review${index}: missing`]);
    }
    json += part;
  }
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e: unknown) {
    throw new ValidationError(`Stored review ${reviewId}`, ['(root): is not JSON'], { cause: e });
  }
  const parsed = reviewSchema.safeParse(data);
  if (!parsed.success) throw ValidationError.fromZod(`Stored review ${reviewId}`, parsed.error);
  if (parsed.data.id !== reviewId) {
    throw new ValidationError(`Stored review ${reviewId}`, ['id: does not match the row']);
  }
  return { review: parsed.data, version: versionOf(parsed.data, row.etag) };
}

/**
 * A stored review's version: whether it was open (and so held its gallery's slot), then its row's
 * ETag. Opaque to everyone else; `save` reads it back to skip the slot read when it can.
 */
function versionOf(review: Review, etag: string | undefined): string {
  return `${isOpen(review) ? 'o' : 'c'}${requireEtag(etag, review.id)}`;
}

/** The ETag in a version, and whether the review was open; a bare ETag says nothing of the latter. */
function parseVersion(version: string): { readonly etag: string; readonly wasOpen: boolean } {
  const flag = version.charAt(0);
  const rest = version.slice(1);
  if ((flag === 'o' || flag === 'c') && (rest.startsWith('W/') || rest.startsWith('"'))) {
    return { etag: rest, wasOpen: flag === 'o' };
  }
  return { etag: version, wasOpen: false };
}

/**
 * 412: the review moved on; 404: the review (or the slot we held) is gone; 409: someone else claimed
 * the slot. All mean our picture is stale, and the write changed nothing.
 */
function saveError(review: Review, e: unknown): Error {
  const status = statusOf(e);
  if (status === 412 || status === 404 || status === 409) {
    return new ConflictError(`review ${review.id} was changed by someone else`, {
      cause: e,
      details: { reviewId: review.id, status },
    });
  }
  return toStorageError('azure-table', e, { what: 'review', id: review.id });
}

function requireEtag(etag: string | undefined, reviewId: string): string {
  // The SDK picks transaction ETags out of the multipart body with a regex; drop any line ending.
  const trimmed = etag?.trim();
  if (trimmed === undefined || trimmed === '') {
    throw new UpstreamError('azure-table', `no ETag returned for review ${reviewId}`);
  }
  return trimmed;
}
