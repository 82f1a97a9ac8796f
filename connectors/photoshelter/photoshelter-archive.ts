import { ensureError, UpstreamError, ValidationError } from '../../core/errors.js';
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
import type {
  ArchiveAction,
  LibraryReviewStatus,
  PhotoArchive,
} from '../../core/ports/photo-archive.js';
import {
  toAssetMetadata,
  toAssetSummary,
  toCollection,
  toDisplayLink,
  toFilterTimestamp,
  toGallery,
  toGalleryChange,
  toMediaChange,
  widenToSeconds,
} from './mappers.js';
import { defaultRetryPolicy, PhotoShelterTransport, type PsRequest } from './transport.js';
import {
  childrenResponseSchema,
  galleryImagesResponseSchema,
  galleryListResponseSchema,
  galleryResponseSchema,
  imageLinkResponseSchema,
  imageMetadataResponseSchema,
  loginResponseSchema,
  mediaGalleriesResponseSchema,
  mediaListResponseSchema,
  userSessionResponseSchema,
  v3EmptyEnvelopeSchema,
} from './wire.js';

export interface PhotoShelterArchiveOptions {
  /** API host, e.g. https://www.photoshelter.com, or a simulator. */
  readonly baseUrl: string;
  /** Where people open galleries, e.g. https://acme.photoshelter.com (reference §5). */
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
}

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

/** PhotoArchive over PhotoShelter's v3 and v4 APIs (docs/photoshelter-wire.md, calls #1–#12). */
export class PhotoShelterArchive implements PhotoArchive {
  private readonly transport: PhotoShelterTransport;
  private readonly log: Logger;
  private owner: Owner | undefined;
  private userId: Promise<string> | undefined;

  constructor(private readonly options: PhotoShelterArchiveOptions) {
    // The caller names the logger (composition passes `logger.child('photoshelter')`).
    this.log = options.logger;
    this.transport = new PhotoShelterTransport({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      fetch: options.fetch ?? globalThis.fetch,
      clock: options.clock,
      logger: this.log,
      retry: { ...defaultRetryPolicy, ...options.retry },
      timeoutMs: options.timeoutMs ?? 30_000,
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
    return {
      collections: (children.Collection ?? []).map(toCollection),
      galleries: (children.Gallery ?? []).map((gallery) =>
        toGallery(gallery, this.options.webBaseUrl, collectionId ?? null),
      ),
    };
  }

  // #5
  async getGallery(galleryId: string): Promise<Gallery> {
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
    return toGallery(answer.data.Gallery, this.options.webBaseUrl);
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
    return {
      items: (answer.data.GalleryImage ?? []).map((entry) => toAssetSummary(entry, galleryId)),
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
    return toAssetMetadata(answer.data.Image);
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
    const items = answer.data
      .map(toMediaChange)
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
    return {
      items: answer.data.map(toGalleryChange),
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

  // Placeholders so the port compiles while the write calls land (next commits).
  getGalleryPath(_galleryId: string): Promise<readonly string[]> {
    return Promise.reject(
      new UpstreamError('photoshelter', 'getGalleryPath is not implemented yet'),
    );
  }

  setReviewStatus(_assetIds: readonly string[], _status: LibraryReviewStatus): Promise<void> {
    return Promise.reject(
      new UpstreamError('photoshelter', 'setReviewStatus is not implemented yet'),
    );
  }

  archiveGallery(_galleryId: string, _action: ArchiveAction): Promise<void> {
    return Promise.reject(
      new UpstreamError('photoshelter', 'archiveGallery is not implemented yet'),
    );
  }

  /** #12: ends the session PhotoShelter counts against the user's concurrent sessions [V2]. */
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

  /** Cheap liveness: logs in if needed and reads the session (#3). Never throws. */
  async checkHealth(): Promise<{ ok: boolean; detail: string }> {
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
      };
    } catch (e: unknown) {
      const error = ensureError(e);
      // Messages of our errors carry no secrets (transport and errors.ts strip them).
      return { ok: false, detail: `${error.name}: ${error.message}` };
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
    this.log.info('photoshelter logged in', {
      context: this.owner.kind,
      orgId: this.owner.kind === 'org' ? this.owner.orgId : undefined,
    });
    return token;
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

  /** v4 paging: another page exists exactly when `meta.paging.next` is present [WIP]. */
  private nextV4(next: string | null | undefined, current: number): string | undefined {
    return next === undefined || next === null || next === '' ? undefined : encodePage(current + 1);
  }
}
