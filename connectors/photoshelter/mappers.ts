import { ValidationError } from '../../core/errors.js';
import type {
  AssetMetadata,
  AssetSummary,
  DisplayLink,
  MediaChange,
} from '../../core/model/asset.js';
import type { Collection, Gallery, GalleryChange, Visibility } from '../../core/model/gallery.js';
import { type LibraryReviewStatus, libraryReviewStatuses } from '../../core/ports/photo-archive.js';
import {
  type CollectionRecord,
  type CustomField,
  type CustomMetadataResponse,
  type GalleryImage,
  type GalleryRecord,
  type ImageLink,
  type ImageMetadataResponse,
  type PathEntry,
  PS_TIMESTAMP,
  type V4Gallery,
  type V4MediaItem,
} from './wire.js';
import { pickInstant, wallTimeToInstants } from './zoned-time.js';

// ---------------------------------------------------------------------------------------------------
// Timestamps

/**
 * How naive vendor times are read: the account's time zone (env, else `Session.tz`, else UTC) and
 * "now", since nothing PhotoShelter reports can have happened after it.
 */
export interface PsTimeContext {
  readonly zone: string;
  readonly now: Date;
}

/**
 * Every instant (epoch ms, ascending) a vendor timestamp can stand for. A form with `Z`, `GMT`,
 * `UTC` or an offset is absolute. A naive form (`2019-04-25 14:54:12.136828`) is wall time in the
 * account's zone [3P Drupal reads `modified_at` in `Session.tz`, INF for the other fields]: one
 * instant, or two in a fall-back overlap (docs/photoshelter-wire.md, "Time zones").
 */
export function toInstants(text: string, field: string, zone: string): number[] {
  const m = PS_TIMESTAMP.exec(text.trim());
  if (m === null)
    throw new ValidationError('PhotoShelter sent a timestamp we cannot read', [field]);
  const [, y, mo, d, h, mi, s, fraction, sign, offH, offM] = m;
  const wall = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s),
    // Microseconds truncated, so a record never looks newer than it is.
    millisecond: Number((fraction ?? '').padEnd(3, '0').slice(0, 3)),
  };
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  // Date.UTC rolls 31 February over into March; refuse it instead of inventing a date.
  if (new Date(asUtc).getUTCDate() !== wall.day) {
    throw new ValidationError('PhotoShelter sent a timestamp we cannot read', [field]);
  }
  const isAbsolute = sign !== undefined || /(?:Z|GMT|UTC)$/.test(text.trim());
  if (!isAbsolute) return wallTimeToInstants(wall, zone);
  const offsetMin =
    sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offH) * 60 + Number(offM));
  return [asUtc + wall.millisecond - offsetMin * 60_000];
}

/**
 * A vendor timestamp as ISO 8601 UTC in ms, to compare with `toISOString` strings. An ambiguous
 * wall time becomes its latest instant not after `notAfter` (default: now), see pickInstant.
 */
export function toIsoTimestamp(
  text: string,
  field: string,
  time: PsTimeContext,
  notAfter: Date = time.now,
): string {
  const instants = toInstants(text, field, time.zone);
  return new Date(pickInstant(instants, notAfter.getTime())).toISOString();
}

/** A creation time, never after the record's own modification time (both read in one zone). */
function createdNotAfter(
  text: string,
  field: string,
  time: PsTimeContext,
  modifiedAt: string,
): string {
  return toIsoTimestamp(text, field, time, new Date(modifiedAt));
}

/** The `/media` filter form, `YYYY-MM-DD HH:MM:SS GMT` [WIP]: whole seconds, UTC. */
export function toFilterTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} GMT`;
}

/** Filters have second precision: round the window outwards so nothing inside it is missed. */
export function widenToSeconds(window: { since: Date; until: Date }): { since: Date; until: Date } {
  return {
    since: new Date(Math.floor(window.since.getTime() / 1000) * 1000),
    until: new Date(Math.ceil(window.until.getTime() / 1000) * 1000),
  };
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

/** `"a, b,,c "` → `['a', 'b', 'c']` (the IPTC keyword string is comma-separated [3P Drupal]). */
export function splitKeywords(keyword: string): string[] {
  return keyword
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word.length > 0);
}

const visibilities: readonly Visibility[] = ['everyone', 'permission', 'private'];
const isVisibility = (mode: string | null | undefined): mode is Visibility =>
  mode !== null && mode !== undefined && (visibilities as readonly string[]).includes(mode);

/**
 * `effective_mode` (after inheritance) wins over the record's own `mode` [3P]. [INF] A value outside the
 * documented `everyone|permission|private` reads as `private`, the most careful assumption.
 */
export function toVisibility(
  mode: string | null | undefined,
  effective?: string | null,
): Visibility {
  if (isVisibility(effective)) return effective;
  if (isVisibility(mode)) return mode;
  return 'private';
}

/** Web-UI gallery link per docs/photoshelter-wire.md [3P]: `{web}/gallery/{Name-Slug}/{G0000…}`. */
export function galleryWebUrl(webBaseUrl: string, galleryId: string, name: string): string {
  const slug = name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'gallery';
  return `${webBaseUrl.replace(/\/+$/, '')}/gallery/${slug}/${galleryId}`;
}

/** Every collection a gallery sits in, per its `Parents` extension (one object, or [INF] an array). */
export function parentIdsOf(record: GalleryRecord): string[] {
  const parents = record.Parents;
  if (parents === null || parents === undefined) return [];
  return Array.isArray(parents) ? parents.map((p) => p.collection_id) : [parents.collection_id];
}

function parentOf(record: GalleryRecord): string | null {
  const parents = record.Parents;
  if (parents === null || parents === undefined) return null;
  if (Array.isArray(parents)) return parents[0]?.collection_id ?? null;
  return parents.collection_id;
}

// ---------------------------------------------------------------------------------------------------
// Records → core model

export function toCollection(record: CollectionRecord, time: PsTimeContext): Collection {
  return {
    id: record.collection_id,
    name: record.name,
    description: record.description,
    visibility: toVisibility(record.mode, record.effective_mode),
    modifiedAt: toIsoTimestamp(record.modified_at, 'Collection.modified_at', time),
  };
}

/**
 * `parentCollectionId`: `undefined` means "read it from the record's Parents"; the children listing
 * (#4) passes the collection it listed instead, since it does not extend Parents.
 */
export function toGallery(
  record: GalleryRecord,
  webBaseUrl: string,
  time: PsTimeContext,
  parentCollectionId?: string | null,
): Gallery {
  const modifiedAt = toIsoTimestamp(record.modified_at, 'Gallery.modified_at', time);
  return {
    id: record.gallery_id,
    name: record.name,
    description: record.description,
    parentCollectionId: parentCollectionId === undefined ? parentOf(record) : parentCollectionId,
    visibility: toVisibility(record.mode, record.effective_mode),
    // [INF] created_at is not always requested or returned; the modification time is the best bound.
    createdAt:
      record.created_at === undefined
        ? modifiedAt
        : createdNotAfter(record.created_at, 'Gallery.created_at', time, modifiedAt),
    modifiedAt,
    webUrl: galleryWebUrl(webBaseUrl, record.gallery_id, record.name),
  };
}

export function toAssetSummary(
  entry: GalleryImage,
  galleryId: string,
  time: PsTimeContext,
): AssetSummary {
  const image = entry.Image;
  const modifiedAt = toIsoTimestamp(image.updated_at, 'Image.updated_at', time);
  const summary: AssetSummary = {
    assetId: entry.image_id,
    galleryId,
    fileName: image.file_name,
    fileSize: image.file_size,
    width: image.width,
    height: image.height,
    uploadedAt: createdNotAfter(image.uploaded_at, 'Image.uploaded_at', time, modifiedAt),
    modifiedAt,
    // [INF] f_visible absent: the image is shown (it is only sent to hide one in a gallery).
    isVisible: entry.f_visible ?? true,
  };
  const link = entry.ImageLink?.link;
  return link === undefined ? summary : { ...summary, thumbnailUrl: link };
}

export function toAssetMetadata(
  image: ImageMetadataResponse['data']['Image'],
  time: PsTimeContext,
): AssetMetadata {
  const iptc = image.Iptc;
  const expiry = image.License?.license_etime ?? null;
  const modifiedAt = toIsoTimestamp(image.updated_at, 'Image.updated_at', time);
  return {
    assetId: image.image_id,
    fileName: image.file_name,
    fileSize: image.file_size,
    width: image.width,
    height: image.height,
    uploadedAt: createdNotAfter(image.uploaded_at, 'Image.uploaded_at', time, modifiedAt),
    modifiedAt,
    caption: iptc?.caption ?? '',
    headline: iptc?.headline ?? '',
    title: iptc?.title ?? '',
    author: iptc?.author ?? '',
    credit: iptc?.credit ?? '',
    copyright: iptc?.copyright ?? '',
    keywords: splitKeywords(iptc?.keyword ?? ''),
    // A future time: in an overlap the earlier instant, so a licence never looks valid for longer.
    licenseExpiresAt:
      expiry === null
        ? null
        : toIsoTimestamp(expiry, 'License.license_etime', time, new Date(-8.64e15)),
  };
}

export function toDisplayLink(
  assetId: string,
  link: ImageLink,
  size: { width: number; height: number },
): DisplayLink {
  // The link serves the image fitted into the requested box; the box is what we can promise.
  return { assetId, url: link.link, width: size.width, height: size.height };
}

/** Undefined for media Lightdesk does not track (video, audio, documents). */
export function toMediaChange(item: V4MediaItem, time: PsTimeContext): MediaChange | undefined {
  const image = item.image;
  if (image === undefined) return undefined;
  const modifiedAt = toIsoTimestamp(image.modified_at, 'attributes.modified_at', time);
  return {
    assetId: image.id,
    fileName: image.file_name,
    fileSize: image.file_size,
    width: image.width,
    height: image.height,
    // `created_at` is the upload time; `modified_at` moves on upload, replace and edits (wire doc #9).
    uploadedAt: createdNotAfter(image.created_at, 'attributes.created_at', time, modifiedAt),
    modifiedAt,
  };
}

export function toGalleryChange(gallery: V4Gallery, time: PsTimeContext): GalleryChange {
  const permissions = gallery.includes?.permissions?.data ?? [];
  const modifiedAt = toIsoTimestamp(gallery.attributes.modified_at, 'attributes.modified_at', time);
  return {
    galleryId: gallery.id,
    name: gallery.attributes.name,
    createdAt: createdNotAfter(
      gallery.attributes.created_at,
      'attributes.created_at',
      time,
      modifiedAt,
    ),
    modifiedAt,
    visibility: toVisibility(gallery.attributes.mode),
    shareIds: permissions.map((permission) => permission.id),
  };
}

// ---------------------------------------------------------------------------------------------------
// Write-back

/**
 * #13: collection names root first, plus the gallery's own when given. [3P/INF] The natlaqua script
 * reverses the list (leaf first); the gallery's own entry marks the leaf, so either order reads
 * right.
 */
export function toGalleryPath(
  entries: readonly PathEntry[],
  galleryId: string,
): { collections: string[]; galleryName: string | undefined } {
  const isRootFirst = entries.length > 1 && entries[entries.length - 1]?.id === galleryId;
  const rootFirst = isRootFirst ? [...entries] : [...entries].reverse();
  const own = rootFirst.find((entry) => entry.id === galleryId);
  return {
    collections: rootFirst.filter((entry) => entry.id !== galleryId).map((e) => e.attributes.name),
    galleryName: own?.attributes.name,
  };
}

/** Where Lightdesk's review statuses live: the field and, per status, the option to set. */
export interface ReviewStatusField {
  readonly fieldId: string;
  readonly fieldName: string;
  readonly optionIds: Readonly<Record<LibraryReviewStatus, string>>;
  /** The option labels, per status, as configured. */
  readonly optionNames: Readonly<Record<LibraryReviewStatus, string>>;
}

const sameLabel = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The org's review-status custom field (names compared trimmed, case-blind: typed by hand [INF]). A
 * missing field or option is set-up, not retryable: a ValidationError saying what to create.
 */
export function toReviewStatusField(
  fields: readonly CustomField[],
  fieldName: string,
  optionNames: Readonly<Record<LibraryReviewStatus, string>>,
): ReviewStatusField {
  const wanted = libraryReviewStatuses.map((status) => optionNames[status]);
  const field = fields.find((candidate) => sameLabel(candidate.attributes.name, fieldName));
  if (field === undefined) {
    throw new ValidationError(
      `PhotoShelter has no custom metadata field "${fieldName}". An organization admin must create ` +
        `it (Admin > Metadata Settings) as a pick list with the options ${wanted.join(', ')}`,
      [`custom metadata field "${fieldName}": missing`],
    );
  }
  const options = field.attributes.options ?? [];
  const missing: string[] = [];
  const optionIds: Partial<Record<LibraryReviewStatus, string>> = {};
  for (const status of libraryReviewStatuses) {
    const option = options.find((candidate) => sameLabel(candidate.name, optionNames[status]));
    if (option === undefined) missing.push(optionNames[status]);
    else optionIds[status] = option.id;
  }
  if (missing.length > 0 || !isComplete(optionIds)) {
    throw new ValidationError(
      `PhotoShelter's custom metadata field "${field.attributes.name}" lacks options Lightdesk ` +
        `writes. An organization admin must add them (Admin > Metadata Settings): ${missing.join(', ')}`,
      missing.map((name) => `option "${name}": missing`),
    );
  }
  return { fieldId: field.id, fieldName: field.attributes.name, optionIds, optionNames };
}

function isComplete(
  ids: Partial<Record<LibraryReviewStatus, string>>,
): ids is Record<LibraryReviewStatus, string> {
  return libraryReviewStatuses.every((status) => ids[status] !== undefined);
}

/** #16: the status an asset carries in the field (matched by id, else by name), or null. */
export function toReviewStatus(
  answer: CustomMetadataResponse,
  field: ReviewStatusField,
): LibraryReviewStatus | null {
  const entries = answer.data.attributes.custom_metadata ?? [];
  const entry =
    entries.find((e) => e.id === field.fieldId) ??
    entries.find((e) => e.id === undefined && sameLabel(e.name ?? '', field.fieldName));
  if (entry === undefined) return null;
  for (const status of libraryReviewStatuses) {
    const optionId = field.optionIds[status];
    if (entry.option_id === optionId) return status;
  }
  const value = entry.value ?? '';
  if (value === '') return null;
  // The option's label, when no option id came back [3P natlaqua reads `value`].
  for (const status of libraryReviewStatuses) {
    if (sameLabel(value, field.optionNames[status])) return status;
  }
  throw new ValidationError('PhotoShelter sent a review status we do not know', [
    `custom metadata "${field.fieldName}": not one of ${libraryReviewStatuses.join(', ')}`,
  ]);
}
