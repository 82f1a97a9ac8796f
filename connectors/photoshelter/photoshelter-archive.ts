import type { z } from 'zod';

import {
  AppError,
  ensureError,
  NotFoundError,
  UpstreamError,
  ValidationError,
} from '../../core/errors.js';
import type {
  AssetMetadata,
  AssetSummary,
  DisplayLink,
  MediaChange,
} from '../../core/model/asset.js';
import type { Gallery, GalleryChange, LibraryChildren } from '../../core/model/gallery.js';
import type { Page } from '../../core/model/page.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import {
  type ArchiveAction,
  type LibraryFile,
  type LibraryMetadataPatch,
  type LibraryReviewStatus,
  libraryReviewStatuses,
  type PhotoArchive,
  type PhotoLibraryFiles,
  type WorkflowFields,
} from '../../core/ports/photo-archive.js';
import { fileNameFromDisposition, spool } from './file-transfer.js';
import {
  mergeWorkflowBlock,
  parseMetadataPatch,
  parseWorkflowFields,
  toIptcFields,
} from './library-writes.js';
import {
  toAssetMetadata,
  toAssetSummary,
  toCollection,
  toDisplayLink,
  toFilterTimestamp,
  toGallery,
  toGalleryChange,
  toGalleryPath,
  toMediaChange,
  parentIdsOf,
  type PsTimeContext,
  type ReviewStatusField,
  toReviewStatus,
  toReviewStatusField,
  widenToSeconds,
} from './mappers.js';
import { defaultRetryPolicy, PhotoShelterTransport, type PsRequest } from './transport.js';
import {
  childrenResponseSchema,
  createdGalleryAnswerSchema,
  type CustomField,
  customFieldsResponseSchema,
  customMetadataResponseSchema,
  galleryImagesResponseSchema,
  galleryPathResponseSchema,
  galleryListResponseSchema,
  galleryResponseSchema,
  imageLinkResponseSchema,
  imageMetadataResponseSchema,
  loginResponseSchema,
  mediaGalleriesResponseSchema,
  mediaListResponseSchema,
  uploadAnswerSchema,
  userSessionResponseSchema,
  v3EmptyEnvelopeSchema,
  v3SessionResponseSchema,
  writeAnswerSchema,
} from './wire.js';
import {
  defaultWriteOperations,
  type FileWriteOperation,
  type PhotoShelterWriteOperations,
  toWriteRequest,
  type WriteFields,
} from './write-operations.js';
import { isTimeZone } from './zoned-time.js';

export interface PhotoShelterArchiveOptions {
  /** API host, e.g. https://www.photoshelter.com, or a simulator. */
  readonly baseUrl: string;
  /** Where people open galleries, e.g. https://acme.photoshelter.com (docs/photoshelter-wire.md). */
  readonly webBaseUrl: string;
  readonly apiKey: string;
  readonly email: string;
  readonly password: string;
  /** Act for this organization. Unset: the first one the log-in reports, else the user. */
  readonly orgId?: string | undefined;
  readonly fetch?: typeof fetch;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Page size for every listing (defaults: the wire doc's 100 images, 500 media, 100 galleries). */
  readonly pageSize?: number;
  /** Per-request timeout, each attempt. Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * The org's custom metadata field that holds review statuses, which an admin must create (Admin >
   * Metadata Settings). Default: "Review status" with options named exactly like the statuses.
   */
  readonly reviewStatusField?: {
    readonly name?: string;
    readonly optionNames?: Partial<Record<LibraryReviewStatus, string>>;
  };
  /** Replaces guessed write calls with ones a real tenant proved (write-operations.ts). */
  readonly writeOperations?: Partial<PhotoShelterWriteOperations>;
  /**
   * IANA zone the account's naive timestamps are in (`PHOTOSHELTER_TIME_ZONE`). Unset: the
   * session's `tz`, read at each log-in, else UTC with a warning (docs/photoshelter-wire.md).
   */
  readonly timeZone?: string | undefined;
}

/** The zone naive vendor times are read in, and where it came from (health shows both). */
export interface PhotoShelterTimeZone {
  readonly name: string;
  readonly source: 'env' | 'session' | 'default';
}

/**
 * What the connector relies on that no PhotoShelter document or working client confirms [INF]; each
 * is asserted only against the simulator until a live tenant proves it (README, health).
 */
export const UNVERIFIED_BEHAVIOURS: readonly string[] = [
  'record timestamps without an offset are wall time in Session.tz',
  'Session.tz is an IANA time zone name',
  'in a fall-back hour PhotoShelter writes the ambiguous wall time (no offset)',
  'modify_start/modify_end filter /media by modification time, in GMT',
  'an upload, replace or metadata edit moves the image modified_at',
  'a share moves the gallery modified_at',
  'the v3 write calls (hide, move, review status) as guessed in write-operations.ts',
  'the file calls (replace, IPTC and workflow fields, gallery create and add) in write-operations.ts',
];

/** Whose library the calls act on: `/media` must be told (`org_id` or `user_id`, wire doc #9). */
type Owner = { readonly kind: 'org'; readonly orgId: string } | { readonly kind: 'user' };

const V3 = '/psapi/v3';
const V4 = '/psapi/v4.0';

// The `extend` specs of calls #5–#7, as the wire doc spells them [3P Drupal, OFF Polymer].
const GALLERY_EXTEND = JSON.stringify({ Parents: { fields: 'collection_id', params: {} } });
const IMAGES_EXTEND = JSON.stringify({
  Image: {
    fields: 'image_id,file_name,file_size,width,height,uploaded_at,updated_at',
    params: {},
  },
  ImageLink: {
    fields: 'link,base,token,auth_link',
    params: { image_size: '300x300', image_mode: 'fit', f_https_link: 't' },
  },
});
const METADATA_EXTEND = JSON.stringify({
  Iptc: { fields: '*', params: {} },
  License: { fields: 'license_etime', params: {} },
});

const DEFAULT_PAGE = { images: 100, media: 500, galleries: 100 } as const;

const DEFAULT_REVIEW_FIELD = 'Review status';

/** Review-status writes in flight at once: a batch is small, and PhotoShelter's limits are unknown. */
const WRITE_CONCURRENCY = 4;

/** Media per "add to gallery" call (#25) [INF: PhotoShelter's limit is unknown]. */
const ADD_MEDIA_BATCH = 100;

/** Bound on a gallery's pages read when publishing: a runaway `next` must not loop forever. */
const MAX_GALLERY_PAGES = 1_000;

/** Bound on `/metadata/fields` pages (100 fields each): a runaway `next` must not loop forever. */
const MAX_FIELD_PAGES = 20;

/** The opaque page token of the port: the next 1-based page number, never the vendor's URL. */
function decodePage(page: string | undefined): number {
  if (page === undefined) return 1;
  if (!/^[1-9]\d{0,5}$/.test(page)) {
    throw new ValidationError('Not a PhotoShelter page token', [
      'page: must come from a previous page',
    ]);
  }
  return Number(page);
}

const encodePage = (page: number): string => String(page);

const id = (value: string): string => encodeURIComponent(value);

/** PhotoArchive over PhotoShelter's v3 and v4 APIs (docs/photoshelter-wire.md, calls #1–#25). */
export class PhotoShelterArchive implements PhotoArchive, PhotoLibraryFiles {
  private readonly transport: PhotoShelterTransport;
  private readonly log: Logger;
  private readonly writes: PhotoShelterWriteOperations;
  private owner: Owner | undefined;
  private userId: Promise<string> | undefined;
  private reviewField: Promise<ReviewStatusField> | undefined;
  private zone: PhotoShelterTimeZone;

  constructor(private readonly options: PhotoShelterArchiveOptions) {
    // The caller names the logger (composition passes `logger.child('photoshelter')`).
    this.log = options.logger;
    this.writes = { ...defaultWriteOperations, ...options.writeOperations };
    if (options.timeZone !== undefined && !isTimeZone(options.timeZone)) {
      throw new ValidationError('Not a time zone', ['timeZone: must be an IANA zone name']);
    }
    // Until a log-in reads the session, UTC stands in.
    this.zone =
      options.timeZone === undefined
        ? { name: 'UTC', source: 'default' }
        : { name: options.timeZone, source: 'env' };
    this.transport = new PhotoShelterTransport({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      fetch: options.fetch ?? globalThis.fetch,
      clock: options.clock,
      logger: this.log,
      retry: { ...defaultRetryPolicy, ...options.retry },
      timeoutMs: options.timeoutMs,
      authenticate: () => this.login(),
      secrets: [options.password],
    });
  }

  // #4
  async listChildren(collectionId?: string): Promise<LibraryChildren> {
    const parent = collectionId ?? 'root';
    const answer = await this.transport.call(
      {
        method: 'GET',
        path: `${V3}/mem/collection/${id(parent)}/children`,
        endpoint: 'GET /psapi/v3/mem/collection/:id/children',
        auth: 'session',
        resource: { what: 'Collection', id: parent },
      },
      childrenResponseSchema,
    );
    const children = answer.data.Children;
    const time = this.time();
    return {
      collections: (children.Collection ?? []).map((record) => toCollection(record, time)),
      galleries: (children.Gallery ?? []).map((gallery) =>
        toGallery(gallery, this.options.webBaseUrl, time, collectionId ?? null),
      ),
    };
  }

  // #5
  async getGallery(galleryId: string): Promise<Gallery> {
    const record = await this.galleryRecord(galleryId);
    return toGallery(record, this.options.webBaseUrl, this.time());
  }

  // #6 — v3 paging: another page exists exactly when `Paging.next` is present [3P Drupal].
  async listGalleryAssets(galleryId: string, page?: string): Promise<Page<AssetSummary>> {
    const current = decodePage(page);
    const answer = await this.transport.call(
      {
        method: 'GET',
        path: `${V3}/mem/gallery/${id(galleryId)}/images`,
        endpoint: 'GET /psapi/v3/mem/gallery/:id/images',
        query: {
          page: String(current),
          per_page: String(this.options.pageSize ?? DEFAULT_PAGE.images),
          extend: IMAGES_EXTEND,
        },
        auth: 'session',
        resource: { what: 'Gallery', id: galleryId },
      },
      galleryImagesResponseSchema,
    );
    const next = answer.data.Paging?.next;
    const time = this.time();
    return {
      items: (answer.data.GalleryImage ?? []).map((entry) =>
        toAssetSummary(entry, galleryId, time),
      ),
      next:
        next === undefined || next === null || next === '' ? undefined : encodePage(current + 1),
    };
  }

  // #7
  async getAssetMetadata(assetId: string): Promise<AssetMetadata> {
    const answer = await this.transport.call(
      {
        method: 'GET',
        path: `${V3}/mem/image/${id(assetId)}`,
        endpoint: 'GET /psapi/v3/mem/image/:id',
        query: { extend: METADATA_EXTEND },
        auth: 'session',
        resource: { what: 'Asset', id: assetId },
      },
      imageMetadataResponseSchema,
    );
    return toAssetMetadata(answer.data.Image, this.time());
  }

  // #8 — a public v3 endpoint [DOC]; the token is sent anyway so private images get a link [3P WP].
  async getDisplayLink(
    assetId: string,
    size: { width: number; height: number },
  ): Promise<DisplayLink> {
    const isSize = (n: number) => Number.isInteger(n) && n > 0 && n <= 10_000;
    if (!isSize(size.width) || !isSize(size.height)) {
      throw new ValidationError('Display size must be positive whole pixels', ['size']);
    }
    const answer = await this.transport.call(
      {
        method: 'GET',
        path: `${V3}/image/${id(assetId)}/link`,
        endpoint: 'GET /psapi/v3/image/:id/link',
        query: {
          image_size: `${size.width}x${size.height}`,
          image_mode: 'fit',
          f_https_link: 't',
        },
        auth: 'session',
        resource: { what: 'Asset', id: assetId },
      },
      imageLinkResponseSchema,
    );
    return toDisplayLink(assetId, answer.data.ImageLink, size);
  }

  // #9 — [INF] that the WIP `modify_start`/`modify_end` filters work on the real service.
  async listMediaChanges(
    window: { since: Date; until: Date },
    page?: string,
  ): Promise<Page<MediaChange>> {
    const current = decodePage(page);
    // Filters have whole seconds: ask for the window rounded outwards, then keep exactly [since, until].
    const asked = widenToSeconds(window);
    const answer = await this.transport.call(
      {
        method: 'GET',
        path: `${V4}/media`,
        endpoint: 'GET /psapi/v4.0/media',
        query: {
          ...(await this.ownerFilter()),
          modify_start: toFilterTimestamp(asked.since),
          modify_end: toFilterTimestamp(asked.until),
          sort_by: 'upload_time',
          sort_dir: 'asc',
          per_page: String(this.options.pageSize ?? DEFAULT_PAGE.media),
          page: String(current),
        },
        auth: 'session',
      },
      mediaListResponseSchema,
    );
    const since = window.since.getTime();
    const until = window.until.getTime();
    // A naive time in a fall-back hour stands for two instants; toMediaChange takes the latest not
    // after `until`. The true one is in [since, until] (the vendor filtered on it), so the pick is
    // too: never dropped. A later poll may pick the other instant for the same text; event ids hold
    // no time, so that costs a metadata read, not an event (docs/decisions.md, "PhotoShelter time
    // zones").
    const time = this.time(window.until);
    const items = answer.data
      .map((item) => toMediaChange(item, time))
      .filter((change): change is MediaChange => change !== undefined)
      .filter((change) => {
        const at = Date.parse(change.modifiedAt);
        return at >= since && at <= until;
      });
    return { items, next: this.nextV4(answer.meta?.paging?.next, current) };
  }

  // #10 — [INF] that adding a permission (a share) moves the gallery's modified_at.
  async listGalleriesByModification(page?: string): Promise<Page<GalleryChange>> {
    const current = decodePage(page);
    const answer = await this.transport.call(
      {
        method: 'GET',
        path: `${V4}/galleries`,
        endpoint: 'GET /psapi/v4.0/galleries',
        query: {
          sort_by: 'modification_time',
          sort_direction: 'descending',
          per_page: String(this.options.pageSize ?? DEFAULT_PAGE.galleries),
          page: String(current),
          include: 'permissions',
        },
        auth: 'session',
      },
      galleryListResponseSchema,
    );
    // The latest instant not after now: never earlier than the truth, so the change detector's
    // walk down to its floor cannot stop early on an ambiguous fall-back time.
    const time = this.time();
    return {
      items: answer.data.map((gallery) => toGalleryChange(gallery, time)),
      next: this.nextV4(answer.meta?.paging?.next, current),
    };
  }

  // #11
  async listAssetGalleries(assetId: string): Promise<readonly string[]> {
    const answer = await this.transport.call(
      {
        method: 'GET',
        path: `${V4}/media/${id(assetId)}/galleries`,
        endpoint: 'GET /psapi/v4.0/media/:id/galleries',
        query: { include: 'gallery' },
        auth: 'session',
        resource: { what: 'Asset', id: assetId },
      },
      mediaGalleriesResponseSchema,
    );
    const ids = answer.data.map((entry) => entry.includes?.gallery?.data?.id ?? entry.id);
    return [...new Set(ids)];
  }

  // #13 [3P natlaqua breadcrumb]; the answer's order is [INF], see toGalleryPath.
  async getGalleryPath(galleryId: string): Promise<readonly string[]> {
    const answer = await this.transport.call(
      {
        method: 'GET',
        path: `${V4}/galleries/${id(galleryId)}/path`,
        endpoint: 'GET /psapi/v4.0/galleries/:id/path',
        auth: 'session',
        resource: { what: 'Gallery', id: galleryId },
      },
      galleryPathResponseSchema,
    );
    const { collections, galleryName } = toGalleryPath(answer.data, galleryId);
    // [INF] Whether the path lists the gallery itself is unknown; when it does not, #5 names it.
    return [...collections, galleryName ?? (await this.getGallery(galleryId)).name];
  }

  /**
   * #14 once (cached), then #15 per asset. Our own write moves the asset's `modified_at` [INF, as the
   * simulator does], so the next `listMediaChanges` reports it: callers must recognise their echo.
   */
  async setReviewStatus(assetIds: readonly string[], status: LibraryReviewStatus): Promise<void> {
    if (!(libraryReviewStatuses as readonly string[]).includes(status)) {
      throw new ValidationError('Not a review status', [
        `status: must be one of ${libraryReviewStatuses.join(', ')}`,
      ]);
    }
    const ids = [...new Set(assetIds)];
    if (ids.length === 0) return;
    // Resolved first, so a tenant without the field gets one clear error and no write is tried.
    await this.reviewStatusField();
    await forEachLimited(ids, WRITE_CONCURRENCY, (assetId) =>
      this.writeReviewStatus(assetId, status),
    );
  }

  /** #16, beyond the port: the status an asset carries now (null: none), for checks and support. */
  async getReviewStatus(assetId: string): Promise<LibraryReviewStatus | null> {
    const field = await this.reviewStatusField();
    const answer = await this.transport.call(
      {
        method: 'GET',
        path: `${V4}/media/${id(assetId)}/custom-metadata`,
        endpoint: 'GET /psapi/v4.0/media/:id/custom-metadata',
        auth: 'session',
        resource: { what: 'Asset', id: assetId },
      },
      customMetadataResponseSchema,
    );
    return toReviewStatus(answer, field);
  }

  // #17 (hide) or #5 then #18/#19 (move). Both move the gallery's modified_at [INF], which the
  // gallery listing (#10) then shows like any other edit.
  async archiveGallery(galleryId: string, action: ArchiveAction): Promise<void> {
    switch (action.kind) {
      case 'hide': {
        const operation = this.writes.hideGallery;
        await this.write(operation, { id: galleryId }, operation.params, {
          what: 'Gallery',
          id: galleryId,
        });
        this.log.info('photoshelter gallery hidden', { galleryId });
        return;
      }
      case 'move':
        await this.moveGallery(galleryId, action.collectionId);
        return;
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Files and Lightdesk's writes (issue 17, wire doc #20–#25)

  /** #20: the original as it streams in; the name from Content-Disposition [3P], else from #7. */
  async openOriginal(assetId: string): Promise<LibraryFile> {
    const answer = await this.transport.download({
      method: 'GET',
      path: `${V3}/mem/image/${id(assetId)}/download`,
      endpoint: 'GET /psapi/v3/mem/image/:id/download',
      auth: 'session',
      resource: { what: 'Asset', id: assetId },
    });
    let fileName = fileNameFromDisposition(answer.headers.get('content-disposition'));
    if (fileName === undefined) {
      try {
        fileName = (await this.getAssetMetadata(assetId)).fileName;
      } catch (e: unknown) {
        // Nobody will read the body now: let the connection go.
        await answer.cancel();
        throw e;
      }
    }
    // A compressed answer's length is not the file's (fetch hands over the decoded bytes).
    const length = answer.headers.get('content-length');
    const encoding = answer.headers.get('content-encoding') ?? 'identity';
    const isPlain = encoding.trim().toLowerCase() === 'identity';
    return {
      fileName,
      size: isPlain && length !== null && /^\d+$/.test(length) ? Number(length) : undefined,
      body: answer.body,
    };
  }

  /** #22: the file becomes the asset's current one; idempotent, so every retry rule applies. */
  async replaceOriginal(assetId: string, file: LibraryFile): Promise<void> {
    await this.sendFile(
      this.writes.replaceFile,
      { id: assetId, resource: { what: 'Asset', id: assetId } },
      {},
      file,
      writeAnswerSchema,
      false,
    );
    this.log.info('photoshelter original replaced', { assetId });
  }

  /**
   * #21, then #23 for the metadata. An upload creates an asset, so only a 429 is repeated: after a
   * lost answer the caller decides (a blind repeat could upload the file twice).
   */
  async uploadAsset(
    galleryId: string,
    file: LibraryFile,
    metadata: LibraryMetadataPatch,
  ): Promise<{ readonly assetId: string }> {
    const patch = parseMetadataPatch(metadata);
    const operation = this.writes.uploadImage;
    const answer = await this.sendFile(
      operation,
      { id: galleryId, resource: { what: 'Gallery', id: galleryId } },
      { [operation.galleryField]: galleryId },
      file,
      uploadAnswerSchema,
      true,
    );
    const assetId = answer.data.Image?.image_id ?? answer.data.image_id ?? '';
    this.log.info('photoshelter asset uploaded', { galleryId, assetId });
    try {
      await this.writeIptc(assetId, patch);
    } catch (e: unknown) {
      // The asset exists without its metadata: name it, so nobody uploads it once more blindly.
      const error = ensureError(e);
      this.log.error('photoshelter uploaded an asset but could not write its metadata', {
        galleryId,
        assetId,
        error: error.name,
      });
      throw error;
    }
    return { assetId };
  }

  /** #23: only the fields given are written; an empty patch writes nothing. */
  async writeMetadata(assetId: string, patch: LibraryMetadataPatch): Promise<void> {
    await this.writeIptc(assetId, parseMetadataPatch(patch));
  }

  /**
   * #7 then #23: Lightdesk's block in the IPTC instructions gets `fields` (an empty value removes
   * one); the rest of the text stays. Unchanged text is not written, so a retry makes no new edit.
   * Two writers at once may lose one's fields (read, then write): callers write an asset serially.
   */
  async setWorkflowFields(assetId: string, fields: WorkflowFields): Promise<void> {
    const wanted = parseWorkflowFields(fields);
    const current = await this.currentInstructions(assetId);
    const next = mergeWorkflowBlock(current, wanted);
    if (next === current) return;
    const operation = this.writes.setWorkflowFields;
    await this.write(
      operation,
      { id: assetId },
      { [operation.attribute]: next },
      {
        what: 'Asset',
        id: assetId,
      },
    );
  }

  /**
   * #4 to find the collection's gallery named `galleryName`, #24 to make it when missing, #6 for
   * what it holds, #25 for the rest. A retry finds the gallery made before and adds only what is
   * missing. Creating is repeated only after a 429, so a lost answer cannot make a second gallery.
   */
  async publishToCollection(
    collectionId: string,
    galleryName: string,
    assetIds: readonly string[],
  ): Promise<{ readonly galleryId: string }> {
    const name = galleryName.trim();
    if (name === '' || name.length > 200) {
      throw new ValidationError('Not a gallery name', ['galleryName: 1 to 200 characters']);
    }
    const galleryId = await this.galleryNamed(collectionId, name);
    const present = new Set<string>();
    let page: string | undefined;
    for (let pages = 0; pages < MAX_GALLERY_PAGES; pages += 1) {
      const listed = await this.listGalleryAssets(galleryId, page);
      for (const item of listed.items) present.add(item.assetId);
      page = listed.next;
      if (page === undefined) break;
    }
    const missing = [...new Set(assetIds)].filter((assetId) => !present.has(assetId));
    for (let at = 0; at < missing.length; at += ADD_MEDIA_BATCH) {
      await this.write(
        this.writes.addGalleryMedia,
        { id: galleryId },
        { media_ids: missing.slice(at, at + ADD_MEDIA_BATCH) },
        { what: 'Gallery', id: galleryId },
      );
    }
    this.log.info('photoshelter assets published', {
      collectionId,
      galleryId,
      added: missing.length,
      alreadyThere: assetIds.length - missing.length,
    });
    return { galleryId };
  }

  /** #12: ends the session; PhotoShelter counts them against the user's concurrent sessions [V2]. */
  async logout(): Promise<void> {
    const token = this.transport.dropSession();
    if (token === undefined) return;
    try {
      await this.transport.call(
        {
          method: 'GET',
          path: `${V3}/mem/authenticate/logout`,
          endpoint: 'GET /psapi/v3/mem/authenticate/logout',
          auth: { token },
        },
        v3EmptyEnvelopeSchema,
      );
    } catch (e: unknown) {
      // The token is forgotten either way; a failed logout only leaves a session to idle out.
      const error = ensureError(e);
      this.log.warn('photoshelter logout failed', { error: error.name, message: error.message });
    }
  }

  /**
   * Cheap liveness: logs in if needed and reads the session (#3). Never throws. Also says which
   * zone timestamps are read in, and what is still unverified against the live API.
   */
  async checkHealth(): Promise<{
    ok: boolean;
    detail: string;
    timeZone: PhotoShelterTimeZone;
    unverified: readonly string[];
  }> {
    const extra = () => ({ timeZone: this.zone, unverified: UNVERIFIED_BEHAVIOURS });
    try {
      await this.transport.call(
        {
          method: 'GET',
          path: `${V4}/user/session`,
          endpoint: 'GET /psapi/v4.0/user/session',
          auth: 'session',
        },
        userSessionResponseSchema,
      );
      const owner = this.owner;
      return {
        ok: true,
        detail: owner?.kind === 'org' ? `logged in for organization ${owner.orgId}` : 'logged in',
        ...extra(),
      };
    } catch (e: unknown) {
      const error = ensureError(e);
      // Health is public: it says what is wrong in our words; the upstream's own text goes to the log.
      this.options.logger.warn('PhotoShelter health check failed', {
        error: error.name,
        ...(error instanceof AppError ? { code: error.code } : {}),
      });
      return { ok: false, detail: healthDetail(error), ...extra() };
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Session

  /** #1 and #2: a fresh token, switched to the organization when there is one. */
  private async login(): Promise<string> {
    const answer = await this.transport.call(
      {
        method: 'POST',
        path: `${V3}/mem/authenticate`,
        endpoint: 'POST /psapi/v3/mem/authenticate',
        form: { email: this.options.email, password: this.options.password, mode: 'token' },
        auth: 'none',
        isLogin: true,
      },
      loginResponseSchema,
    );
    const token = answer.data.token;
    // A choice, not a documented rule: with no orgId configured we act for the first organization the
    // log-in reports (as the Drupal and JS clients read `data.org[0].id` [3P]), else as the user.
    const orgId = this.options.orgId ?? answer.data.org?.[0]?.id;
    if (orgId !== undefined) {
      await this.transport.call(
        {
          method: 'POST',
          path: `${V3}/mem/organization/${id(orgId)}/authenticate`,
          endpoint: 'POST /psapi/v3/mem/organization/:id/authenticate',
          auth: { token },
        },
        v3EmptyEnvelopeSchema,
      );
      this.owner = { kind: 'org', orgId };
    } else {
      this.owner = { kind: 'user' };
    }
    if (this.zone.source !== 'env') this.zone = await this.sessionZone(token);
    this.log.info('photoshelter logged in', {
      context: this.owner.kind,
      orgId: this.owner.kind === 'org' ? this.owner.orgId : undefined,
      timeZone: this.zone.name,
      timeZoneSource: this.zone.source,
    });
    return token;
  }

  /**
   * #3b: `data.Session.tz`, the zone PhotoShelter writes the account's times in [3P Drupal], read
   * once per log-in. Absent or not a zone Intl knows: UTC, with a warning, since times may then be
   * read hours off (`PHOTOSHELTER_TIME_ZONE` fixes it).
   */
  private async sessionZone(token: string): Promise<PhotoShelterTimeZone> {
    const answer = await this.transport.call(
      {
        method: 'GET',
        path: `${V3}/mem/user/session`,
        endpoint: 'GET /psapi/v3/mem/user/session',
        auth: { token },
      },
      v3SessionResponseSchema,
    );
    const tz = answer.data.Session?.tz?.trim();
    if (tz !== undefined && tz !== '' && isTimeZone(tz)) {
      return { name: tz, source: 'session' };
    }
    this.log.warn('photoshelter session names no time zone we know; reading times as UTC', {
      sessionTz: tz ?? null,
      fix: 'set PHOTOSHELTER_TIME_ZONE to the account time zone',
    });
    return { name: 'UTC', source: 'default' };
  }

  /** How to read naive vendor times now: the zone in use, and nothing after `now`. */
  private time(now: Date = this.options.clock.now()): PsTimeContext {
    return { zone: this.zone.name, now };
  }

  /** `org_id=` or `user_id=` for `/media` (#9 answers 400 without one); the user id comes from #3. */
  private async ownerFilter(): Promise<Record<string, string>> {
    await this.transport.sessionToken();
    const owner = this.owner;
    if (owner?.kind === 'org') return { org_id: owner.orgId };
    this.userId ??= this.fetchUserId().catch((e: unknown) => {
      this.userId = undefined; // do not cache a failure
      throw e;
    });
    return { user_id: await this.userId };
  }

  private async fetchUserId(): Promise<string> {
    const request: PsRequest = {
      method: 'GET',
      path: `${V4}/user/session`,
      endpoint: 'GET /psapi/v4.0/user/session',
      auth: 'session',
    };
    const answer = await this.transport.call(request, userSessionResponseSchema);
    return answer.data.id;
  }

  // -------------------------------------------------------------------------------------------------
  // Write-back

  /** One write, as the operation table says (write-operations.ts); the answer is only checked. */
  private async write(
    operation: Parameters<typeof toWriteRequest>[0],
    ids: { id: string; collectionId?: string },
    fields: WriteFields,
    resource: { what: string; id: string },
  ): Promise<void> {
    await this.transport.call(toWriteRequest(operation, ids, fields, resource), writeAnswerSchema);
  }

  private async writeReviewStatus(
    assetId: string,
    status: LibraryReviewStatus,
    isSecondTry = false,
  ): Promise<void> {
    const cached = this.reviewField;
    const field = await this.reviewStatusField();
    try {
      await this.write(
        this.writes.setCustomMetadata,
        { id: assetId },
        { [field.fieldId]: field.optionIds[status] },
        { what: 'Asset', id: assetId },
      );
    } catch (e: unknown) {
      // [INF] A 400 may mean an admin re-created the field or its options since we cached their ids:
      // look them up once more and try again (a field now missing becomes the set-up error).
      const isStaleIds = e instanceof UpstreamError && e.status === 400;
      if (!isStaleIds || isSecondTry) throw e;
      if (this.reviewField === cached) this.reviewField = undefined;
      this.log.warn('photoshelter refused a review status write; reading the field again', {
        assetId,
      });
      await this.writeReviewStatus(assetId, status, true);
    }
  }

  /** #14, once per connector (ids change only when an admin re-creates the field). */
  private reviewStatusField(): Promise<ReviewStatusField> {
    this.reviewField ??= this.findReviewStatusField().catch((e: unknown) => {
      this.reviewField = undefined; // do not cache a failure: the admin may fix it any minute
      throw e;
    });
    return this.reviewField;
  }

  private async findReviewStatusField(): Promise<ReviewStatusField> {
    const fields: CustomField[] = [];
    for (let page = 1; page <= MAX_FIELD_PAGES; page += 1) {
      const answer = await this.transport.call(
        {
          method: 'GET',
          path: `${V4}/metadata/fields`,
          endpoint: 'GET /psapi/v4.0/metadata/fields',
          query: { per_page: '100', page: String(page) },
          auth: 'session',
        },
        customFieldsResponseSchema,
      );
      fields.push(...answer.data);
      if (this.nextV4(answer.meta?.paging?.next, page) === undefined) break;
    }
    const configured = this.options.reviewStatusField;
    const optionNames = Object.fromEntries(
      libraryReviewStatuses.map((status) => [status, configured?.optionNames?.[status] ?? status]),
    ) as Record<LibraryReviewStatus, string>;
    try {
      const field = toReviewStatusField(
        fields,
        configured?.name ?? DEFAULT_REVIEW_FIELD,
        optionNames,
      );
      this.log.info('photoshelter review status field found', { fieldId: field.fieldId });
      return field;
    } catch (e: unknown) {
      const error = ensureError(e);
      this.log.error('photoshelter review status field is not set up', { message: error.message });
      throw error;
    }
  }

  /** One file write: the file spooled (a retry or re-login sends it again), then sent as multipart. */
  private async sendFile<S extends z.ZodType>(
    operation: FileWriteOperation,
    target: { id: string; resource: { what: string; id: string } },
    fields: Readonly<Record<string, string>>,
    file: LibraryFile,
    schema: S,
    isCreate: boolean,
  ): Promise<z.output<S>> {
    const fileName = file.fileName.trim();
    if (fileName === '' || fileName.length > 255) {
      throw new ValidationError('Not a file name', ['fileName: 1 to 255 characters']);
    }
    const spooled = await spool({ fileName, body: file.body });
    try {
      const request: PsRequest = {
        method: operation.method,
        path: operation.path.replaceAll('{id}', id(target.id)),
        endpoint: `${operation.method} ${operation.path.replace(/\{[^}]+\}/g, ':id')}`,
        auth: 'session',
        resource: target.resource,
        isCreate,
      };
      const part = { fields, field: operation.fileField, spooled };
      return await this.transport.callWithFile(request, part, schema);
    } finally {
      await spooled.dispose();
    }
  }

  private async writeIptc(assetId: string, patch: LibraryMetadataPatch): Promise<void> {
    const fields = toIptcFields(patch);
    if (Object.keys(fields).length === 0) return;
    await this.write(this.writes.writeIptc, { id: assetId }, fields, {
      what: 'Asset',
      id: assetId,
    });
  }

  /** #7's IPTC instructions ('' when none). */
  private async currentInstructions(assetId: string): Promise<string> {
    const answer = await this.transport.call(
      {
        method: 'GET',
        path: `${V3}/mem/image/${id(assetId)}`,
        endpoint: 'GET /psapi/v3/mem/image/:id',
        query: { extend: METADATA_EXTEND },
        auth: 'session',
        resource: { what: 'Asset', id: assetId },
      },
      imageMetadataResponseSchema,
    );
    return answer.data.Image.Iptc?.instructions ?? '';
  }

  /** The collection's gallery called `name` (#4), made with #24 when there is none. */
  private async galleryNamed(collectionId: string, name: string): Promise<string> {
    const { galleries } = await this.listChildren(collectionId);
    const found = galleries.find((gallery) => gallery.name.trim() === name);
    if (found !== undefined) return found.id;
    const request = toWriteRequest(
      this.writes.createGallery,
      { id: collectionId },
      { name, parent_id: collectionId },
      { what: 'Collection', id: collectionId },
    );
    const answer = await this.transport.call(
      { ...request, isCreate: true },
      createdGalleryAnswerSchema,
    );
    const galleryId = answer.data.id ?? answer.data.gallery_id ?? '';
    this.log.info('photoshelter gallery created', { collectionId, galleryId });
    return galleryId;
  }

  /** Add the new parent first, then drop the others, so a half-done move never orphans the gallery. */
  private async moveGallery(galleryId: string, collectionId: string): Promise<void> {
    const parents = await this.galleryParents(galleryId);
    if (!parents.includes(collectionId)) {
      try {
        await this.write(
          this.writes.addGalleryParent,
          { id: galleryId },
          { collection_id: collectionId },
          // The gallery was just read, so a 404 here means the collection.
          { what: 'Collection', id: collectionId },
        );
      } catch (e: unknown) {
        // [INF] A retried add may meet the parent our first try already added.
        if (!(e instanceof UpstreamError && e.status === 409)) throw e;
      }
    }
    for (const old of parents.filter((parent) => parent !== collectionId)) {
      try {
        await this.write(
          this.writes.removeGalleryParent,
          { id: galleryId, collectionId: old },
          {},
          { what: 'Gallery parent', id: `${galleryId} in ${old}` },
        );
      } catch (e: unknown) {
        // [INF] Already gone: a retry after a lost answer, or someone moved it meanwhile.
        if (!(e instanceof NotFoundError)) throw e;
        this.log.info('photoshelter gallery was already out of the collection', {
          galleryId,
          collectionId: old,
        });
      }
    }
    this.log.info('photoshelter gallery moved', { galleryId, collectionId });
  }

  /** #5 with `Parents`: every collection holding the gallery. */
  private async galleryParents(galleryId: string): Promise<string[]> {
    return parentIdsOf(await this.galleryRecord(galleryId));
  }

  /** #5: the gallery record with its `Parents` extension. */
  private async galleryRecord(galleryId: string) {
    const answer = await this.transport.call(
      {
        method: 'GET',
        path: `${V3}/mem/gallery/${id(galleryId)}`,
        endpoint: 'GET /psapi/v3/mem/gallery/:id',
        query: { extend: GALLERY_EXTEND },
        auth: 'session',
        resource: { what: 'Gallery', id: galleryId },
      },
      galleryResponseSchema,
    );
    return answer.data.Gallery;
  }

  /** v4 paging: another page exists exactly when `meta.paging.next` is present [WIP]. */
  private nextV4(next: string | null | undefined, current: number): string | undefined {
    return next === undefined || next === null || next === '' ? undefined : encodePage(current + 1);
  }
}

/**
 * Runs `work` over `items`, at most `limit` at a time. After the first failure no new item starts;
 * the ones in flight finish, then that failure rejects (the caller retries: the writes are idempotent).
 */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length && failures.length === 0) {
      const item = items[next] as T;
      next += 1;
      try {
        await work(item);
      } catch (e: unknown) {
        failures.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw ensureError(failures[0]);
}

/** What a health check says of a PhotoShelter that does not answer, by kind, never by its text. */
function healthDetail(error: Error): string {
  const code = error instanceof AppError ? error.code : 'internal';
  if (code === 'auth') return 'PhotoShelter refused our credentials';
  if (code === 'rate_limited') return 'PhotoShelter asked us to slow down';
  return 'PhotoShelter did not answer as expected';
}
