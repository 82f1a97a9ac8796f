import { Readable } from 'node:stream';

import {
  mergeWorkflowBlock,
  parseMetadataPatch,
  parseWorkflowFields,
  readWorkflowBlock,
} from '../../connectors/photoshelter/library-writes.js';
import { NotFoundError, UpstreamError, ValidationError } from '../../core/errors.js';
import type {
  AssetFile,
  AssetMetadata,
  AssetSummary,
  DisplayLink,
  MediaChange,
} from '../../core/model/asset.js';
import type {
  Collection,
  Gallery,
  GalleryChange,
  LibraryChildren,
  Visibility,
} from '../../core/model/gallery.js';
import type { Page } from '../../core/model/page.js';
import type { Clock } from '../../core/ports/clock.js';
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
import { imageSize } from '../../simulators/photoshelter/files.js';

/** The editable IPTC-ish fields of an asset, in domain words. */
export interface MetadataPatch {
  readonly caption?: string;
  readonly headline?: string;
  readonly title?: string;
  readonly author?: string;
  readonly credit?: string;
  readonly copyright?: string;
  readonly keywords?: readonly string[];
  /** ISO 8601, or null to clear the licence expiry. */
  readonly licenseExpiresAt?: string | null;
}

export interface InMemoryPhotoArchiveOptions {
  /** Base of gallery web links, like PhotoShelter's `https://{account}.photoshelter.com`. */
  readonly webBaseUrl?: string;
  /** Items per page in every listing. */
  readonly pageSize?: number;
}

interface StoredCollection {
  readonly id: string;
  name: string;
  parentId: string | null;
  modifiedAt: string;
}

interface StoredGallery {
  readonly id: string;
  name: string;
  collectionId: string | null;
  visibility: Visibility;
  readonly createdAt: string;
  modifiedAt: string;
  readonly shareIds: string[];
}

interface StoredAsset {
  readonly id: string;
  readonly galleryIds: string[];
  file: AssetFile;
  readonly uploadedAt: string;
  modifiedAt: string;
  metadata: Required<Omit<MetadataPatch, 'keywords'>> & { keywords: string[] };
  /** The "Review status" custom metadata value, as PhotoShelter keeps it per asset. */
  reviewStatus: LibraryReviewStatus | null;
  /** The original's bytes; undefined: a stand-in PNG, as the simulator serves for seeded images. */
  bytes?: Uint8Array;
  /** IPTC instructions, where the connector keeps Lightdesk's workflow fields. */
  instructions: string;
}

// A 1×1 transparent PNG: display links are data: URLs, so a test can fetch them without a server.
const PIXEL_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const PIXEL_BYTES = Buffer.from(PIXEL_PNG.slice(PIXEL_PNG.indexOf(',') + 1), 'base64');

/** Chunk size of a served original, so readers meet more than one chunk as over HTTP. */
const CHUNK_BYTES = 16 * 1024;

/**
 * PhotoArchive kept in memory, for unit tests of core use cases. Time comes from the
 * injected clock; every change gets a modification time strictly after the previous one, as
 * PhotoShelter's own do. The contract suite (test/contract) keeps it honest against the real connector.
 */
export class InMemoryPhotoArchive implements PhotoArchive, PhotoLibraryFiles {
  /** Port calls made so far: lets a test assert how chatty a use case is. */
  callCount = 0;

  private readonly collections = new Map<string, StoredCollection>();
  private readonly galleries = new Map<string, StoredGallery>();
  private readonly assets = new Map<string, StoredAsset>();
  private lastStamp = Number.NEGATIVE_INFINITY;
  private sequence = 0;
  private readonly webBaseUrl: string;
  private readonly pageSize: number;

  constructor(
    private readonly clock: Clock,
    options: InMemoryPhotoArchiveOptions = {},
  ) {
    this.webBaseUrl = (options.webBaseUrl ?? 'https://lightdesk-test.photoshelter.com').replace(
      /\/+$/,
      '',
    );
    this.pageSize = options.pageSize ?? 100;
  }

  // -------------------------------------------------------------------------------------------------
  // Control surface: what people do in the library

  addCollection(input: { name: string; parentId?: string }): string {
    if (input.parentId !== undefined) this.collection(input.parentId);
    const id = this.nextId('C0000');
    this.collections.set(id, {
      id,
      name: input.name,
      parentId: input.parentId ?? null,
      modifiedAt: this.stamp(),
    });
    return id;
  }

  addGallery(input: { name: string; collectionId?: string; visibility?: Visibility }): string {
    if (input.collectionId !== undefined) this.collection(input.collectionId);
    const id = this.nextId('G0000');
    const at = this.stamp();
    this.galleries.set(id, {
      id,
      name: input.name,
      collectionId: input.collectionId ?? null,
      visibility: input.visibility ?? 'permission',
      createdAt: at,
      modifiedAt: at,
      shareIds: [],
    });
    return id;
  }

  /** A new image in a gallery; returns its id. */
  upload(galleryId: string, file: Partial<AssetFile> = {}): string {
    this.gallery(galleryId);
    const id = this.nextId('I0000');
    const at = this.stamp();
    this.assets.set(id, {
      id,
      galleryIds: [galleryId],
      file: {
        fileName: file.fileName ?? `IMG_${String(this.sequence).padStart(4, '0')}.jpg`,
        fileSize: file.fileSize ?? 1_800_000 + this.sequence,
        width: file.width ?? 6000,
        height: file.height ?? 4000,
      },
      uploadedAt: at,
      modifiedAt: at,
      metadata: {
        caption: '',
        headline: '',
        title: '',
        author: '',
        credit: '',
        copyright: '',
        keywords: [],
        licenseExpiresAt: null,
      },
      reviewStatus: null,
      instructions: '',
    });
    return id;
  }

  /** New bytes for an existing image: size and dimensions change, upload time does not. */
  replace(assetId: string, file: Partial<AssetFile> = {}): AssetFile {
    const asset = this.asset(assetId);
    asset.file = {
      fileName: file.fileName ?? asset.file.fileName,
      fileSize: file.fileSize ?? asset.file.fileSize + 1_024,
      width: file.width ?? asset.file.width + 16,
      height: file.height ?? asset.file.height + 8,
    };
    asset.modifiedAt = this.stamp();
    return asset.file;
  }

  editMetadata(assetId: string, patch: MetadataPatch): void {
    const asset = this.asset(assetId);
    const { keywords, ...rest } = patch;
    asset.metadata = {
      ...asset.metadata,
      ...rest,
      keywords: keywords === undefined ? asset.metadata.keywords : [...keywords],
    };
    asset.modifiedAt = this.stamp();
  }

  /** Grants someone access to the gallery (a PhotoShelter permission); returns the share id. */
  share(galleryId: string): string {
    const gallery = this.gallery(galleryId);
    const shareId = this.nextId('AR000');
    gallery.shareIds.push(shareId);
    gallery.modifiedAt = this.stamp();
    return shareId;
  }

  /** Puts an existing image into one more gallery (an image can sit in several). */
  addToGallery(assetId: string, galleryId: string): void {
    const asset = this.asset(assetId);
    const gallery = this.gallery(galleryId);
    if (!asset.galleryIds.includes(gallery.id)) asset.galleryIds.push(gallery.id);
  }

  /** The bytes the asset's original holds now. */
  originalBytes(assetId: string): Uint8Array {
    return new Uint8Array(this.asset(assetId).bytes ?? PIXEL_BYTES);
  }

  /** Lightdesk's workflow fields as the asset shows them (its IPTC instructions). */
  workflowFieldsOf(assetId: string): Record<string, string> {
    return readWorkflowBlock(this.asset(assetId).instructions);
  }

  /** The review status last written onto the asset (null: never set). */
  reviewStatusOf(assetId: string): LibraryReviewStatus | null {
    return this.asset(assetId).reviewStatus;
  }

  /** Where the gallery sits and who may see it: ground truth for archive tests. */
  galleryState(galleryId: string): { visibility: Visibility; collectionIds: readonly string[] } {
    const gallery = this.gallery(galleryId);
    return {
      visibility: gallery.visibility,
      collectionIds: gallery.collectionId === null ? [] : [gallery.collectionId],
    };
  }

  /** Ids of a gallery's images, in gallery order (ground truth for paging tests). */
  assetIdsIn(galleryId: string): string[] {
    this.gallery(galleryId);
    return this.assetsIn(galleryId).map((asset) => asset.id);
  }

  // -------------------------------------------------------------------------------------------------
  // PhotoArchive

  listChildren(collectionId?: string): Promise<LibraryChildren> {
    return this.answer(() => {
      const parent = collectionId ?? null;
      if (parent !== null) this.collection(parent);
      return {
        collections: [...this.collections.values()]
          .filter((c) => c.parentId === parent)
          .map((c) => this.toCollection(c)),
        galleries: [...this.galleries.values()]
          .filter((g) => g.collectionId === parent)
          .map((g) => this.toGallery(g)),
      };
    });
  }

  getGallery(galleryId: string): Promise<Gallery> {
    return this.answer(() => this.toGallery(this.gallery(galleryId)));
  }

  listGalleryAssets(galleryId: string, page?: string): Promise<Page<AssetSummary>> {
    return this.answer(() => {
      this.gallery(galleryId);
      const items = this.assetsIn(galleryId).map((asset): AssetSummary => ({
        assetId: asset.id,
        galleryId,
        ...asset.file,
        uploadedAt: asset.uploadedAt,
        modifiedAt: asset.modifiedAt,
        isVisible: true,
        thumbnailUrl: PIXEL_PNG,
      }));
      return this.paged(items, page);
    });
  }

  getAssetMetadata(assetId: string): Promise<AssetMetadata> {
    return this.answer(() => {
      const asset = this.asset(assetId);
      return {
        assetId,
        ...asset.file,
        uploadedAt: asset.uploadedAt,
        modifiedAt: asset.modifiedAt,
        ...asset.metadata,
        keywords: [...asset.metadata.keywords],
        licenseExpiresAt:
          asset.metadata.licenseExpiresAt === null
            ? null
            : new Date(asset.metadata.licenseExpiresAt).toISOString(),
      };
    });
  }

  getDisplayLink(assetId: string, size: { width: number; height: number }): Promise<DisplayLink> {
    return this.answer(() => {
      this.asset(assetId);
      return { assetId, url: PIXEL_PNG, width: size.width, height: size.height };
    });
  }

  listMediaChanges(
    window: { since: Date; until: Date },
    page?: string,
  ): Promise<Page<MediaChange>> {
    return this.answer(() => {
      const since = window.since.toISOString();
      const until = window.until.toISOString();
      const items = [...this.assets.values()]
        .filter((asset) => asset.modifiedAt >= since && asset.modifiedAt <= until)
        // Upload order, as the connector asks PhotoShelter for (sort_by=upload_time, asc).
        .sort((a, b) => a.uploadedAt.localeCompare(b.uploadedAt))
        .map((asset): MediaChange => ({
          assetId: asset.id,
          ...asset.file,
          uploadedAt: asset.uploadedAt,
          modifiedAt: asset.modifiedAt,
        }));
      return this.paged(items, page);
    });
  }

  listGalleriesByModification(page?: string): Promise<Page<GalleryChange>> {
    return this.answer(() => {
      const items = [...this.galleries.values()]
        .sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt))
        .map((g): GalleryChange => ({
          galleryId: g.id,
          name: g.name,
          createdAt: g.createdAt,
          modifiedAt: g.modifiedAt,
          visibility: g.visibility,
          shareIds: [...g.shareIds],
        }));
      return this.paged(items, page);
    });
  }

  listAssetGalleries(assetId: string): Promise<readonly string[]> {
    return this.answer(() => [...this.asset(assetId).galleryIds]);
  }

  getGalleryPath(galleryId: string): Promise<readonly string[]> {
    return this.answer(() => {
      const gallery = this.gallery(galleryId);
      const names: string[] = [];
      const seen = new Set<string>();
      for (let id = gallery.collectionId; id !== null && !seen.has(id);) {
        seen.add(id);
        const collection = this.collection(id);
        names.unshift(collection.name);
        id = collection.parentId;
      }
      return [...names, gallery.name];
    });
  }

  setReviewStatus(assetIds: readonly string[], status: LibraryReviewStatus): Promise<void> {
    return this.answer(() => {
      if (!(libraryReviewStatuses as readonly string[]).includes(status)) {
        throw new ValidationError('Not a review status', ['status']);
      }
      // Every id is checked first, so an unknown one changes nothing (the connector may have written
      // some assets before it meets the unknown one; callers retry, and writes are idempotent).
      const assets = [...new Set(assetIds)].map((id) => this.asset(id));
      for (const asset of assets) {
        // Like the simulator [INF]: writing the value an asset already has is not an edit.
        if (asset.reviewStatus === status) continue;
        asset.reviewStatus = status;
        // A custom-metadata edit moves the asset's modification time, as PhotoShelter's edits do.
        asset.modifiedAt = this.stamp();
      }
    });
  }

  archiveGallery(galleryId: string, action: ArchiveAction): Promise<void> {
    return this.answer(() => {
      const gallery = this.gallery(galleryId);
      switch (action.kind) {
        case 'hide':
          if (gallery.visibility === 'private') return;
          gallery.visibility = 'private';
          break;
        case 'move':
          this.collection(action.collectionId);
          if (gallery.collectionId === action.collectionId) return;
          gallery.collectionId = action.collectionId;
          break;
      }
      gallery.modifiedAt = this.stamp();
    });
  }

  // -------------------------------------------------------------------------------------------------
  // PhotoLibraryFiles: as the connector over the simulator behaves (test/contract checks both)

  async openOriginal(assetId: string): Promise<LibraryFile> {
    const asset = await this.answer(() => this.asset(assetId));
    const bytes = asset.bytes ?? PIXEL_BYTES;
    return {
      fileName: asset.file.fileName,
      size: bytes.byteLength,
      body: Readable.from(
        Array.from({ length: Math.ceil(bytes.byteLength / CHUNK_BYTES) }, (_, i) =>
          bytes.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES),
        ),
      ),
    };
  }

  async replaceOriginal(assetId: string, file: LibraryFile): Promise<void> {
    this.callCount += 1;
    const { fileName, bytes } = await readFile(file);
    const asset = this.asset(assetId);
    const size = pixelSize(bytes);
    asset.file = { fileName, fileSize: bytes.byteLength, ...size };
    asset.bytes = bytes;
    asset.modifiedAt = this.stamp();
  }

  async uploadAsset(
    galleryId: string,
    file: LibraryFile,
    metadata: LibraryMetadataPatch,
  ): Promise<{ readonly assetId: string }> {
    this.callCount += 1;
    const patch = parseMetadataPatch(metadata);
    const { fileName, bytes } = await readFile(file);
    this.gallery(galleryId);
    const size = pixelSize(bytes);
    const assetId = this.upload(galleryId, { fileName, fileSize: bytes.byteLength, ...size });
    this.asset(assetId).bytes = bytes;
    this.applyMetadata(assetId, patch);
    return { assetId };
  }

  writeMetadata(assetId: string, patch: LibraryMetadataPatch): Promise<void> {
    return this.answer(() => this.applyMetadata(assetId, parseMetadataPatch(patch)));
  }

  setWorkflowFields(assetId: string, fields: WorkflowFields): Promise<void> {
    return this.answer(() => {
      const wanted = parseWorkflowFields(fields);
      const asset = this.asset(assetId);
      const next = mergeWorkflowBlock(asset.instructions, wanted);
      if (next === asset.instructions) return;
      asset.instructions = next;
      asset.modifiedAt = this.stamp();
    });
  }

  publishToCollection(
    collectionId: string,
    galleryName: string,
    assetIds: readonly string[],
  ): Promise<{ readonly galleryId: string }> {
    return this.answer(() => {
      const name = galleryName.trim();
      if (name === '' || name.length > 200) {
        throw new ValidationError('Not a gallery name', ['galleryName: 1 to 200 characters']);
      }
      this.collection(collectionId);
      const found = [...this.galleries.values()].find(
        (g) => g.collectionId === collectionId && g.name.trim() === name,
      );
      // As the simulator makes it: open, so the collection's own visibility decides.
      const galleryId =
        found?.id ?? this.addGallery({ name, collectionId, visibility: 'everyone' });
      // Every id first: an unknown one adds nothing, as the simulator's single call refuses all.
      const missing = [...new Set(assetIds)]
        .map((id) => this.asset(id))
        .filter((asset) => !asset.galleryIds.includes(galleryId));
      for (const asset of missing) asset.galleryIds.push(galleryId);
      if (missing.length > 0) this.gallery(galleryId).modifiedAt = this.stamp();
      return { galleryId };
    });
  }

  /** Only the fields given; as the simulator, only a real change is an edit. */
  private applyMetadata(assetId: string, patch: LibraryMetadataPatch): void {
    const fields = Object.entries(patch).filter(([, value]) => value !== undefined);
    if (fields.length === 0) return;
    const asset = this.asset(assetId);
    const before = JSON.stringify(asset.metadata);
    const { keywords, ...text } = patch;
    asset.metadata = {
      ...asset.metadata,
      ...Object.fromEntries(Object.entries(text).filter(([, value]) => value !== undefined)),
      keywords:
        keywords === undefined ? asset.metadata.keywords : keywords.map((word) => word.trim()),
    };
    if (JSON.stringify(asset.metadata) !== before) asset.modifiedAt = this.stamp();
  }

  // -------------------------------------------------------------------------------------------------

  /** Counts the call and turns a thrown error into a rejection, as an async connector would. */
  private answer<T>(work: () => T): Promise<T> {
    this.callCount += 1;
    try {
      return Promise.resolve(work());
    } catch (e: unknown) {
      return Promise.reject(e instanceof Error ? e : new ValidationError(String(e)));
    }
  }

  private paged<T>(items: readonly T[], page: string | undefined): Page<T> {
    const number = page === undefined ? 1 : Number(page);
    if (!Number.isInteger(number) || number < 1) {
      throw new ValidationError('Not a page token', ['page: must come from a previous page']);
    }
    const start = (number - 1) * this.pageSize;
    return {
      items: items.slice(start, start + this.pageSize),
      next: start + this.pageSize < items.length ? String(number + 1) : undefined,
    };
  }

  /** Now, or 1 ms after the previous change when the clock has not moved: strictly increasing. */
  private stamp(): string {
    const at = Math.max(this.clock.now().getTime(), this.lastStamp + 1);
    this.lastStamp = at;
    return new Date(at).toISOString();
  }

  private nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}${String(this.sequence).padStart(11, '0')}`;
  }

  private assetsIn(galleryId: string): StoredAsset[] {
    return [...this.assets.values()].filter((asset) => asset.galleryIds.includes(galleryId));
  }

  private collection(id: string): StoredCollection {
    const found = this.collections.get(id);
    if (found === undefined) throw new NotFoundError('Collection', id);
    return found;
  }

  private gallery(id: string): StoredGallery {
    const found = this.galleries.get(id);
    if (found === undefined) throw new NotFoundError('Gallery', id);
    return found;
  }

  private asset(id: string): StoredAsset {
    const found = this.assets.get(id);
    if (found === undefined) throw new NotFoundError('Asset', id);
    return found;
  }

  private toCollection(c: StoredCollection): Collection {
    return {
      id: c.id,
      name: c.name,
      description: '',
      visibility: 'permission',
      modifiedAt: c.modifiedAt,
    };
  }

  private toGallery(g: StoredGallery): Gallery {
    const slug = g.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'gallery';
    return {
      id: g.id,
      name: g.name,
      description: '',
      parentCollectionId: g.collectionId,
      visibility: g.visibility,
      createdAt: g.createdAt,
      modifiedAt: g.modifiedAt,
      webUrl: `${this.webBaseUrl}/gallery/${slug}/${g.id}`,
    };
  }
}

/** The whole file (a test double may hold it), its name checked as the connector does. */
async function readFile(file: LibraryFile): Promise<{ fileName: string; bytes: Uint8Array }> {
  const fileName = file.fileName.trim();
  if (fileName === '' || fileName.length > 255) {
    throw new ValidationError('Not a file name', ['fileName: 1 to 255 characters']);
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of file.body) chunks.push(chunk);
  return { fileName, bytes: new Uint8Array(Buffer.concat(chunks)) };
}

/** Pixels as the simulator reads them: a file that is no PNG or JPEG is refused, as its 400 is. */
function pixelSize(bytes: Uint8Array): { width: number; height: number } {
  const size = imageSize(Buffer.from(bytes));
  if (size === undefined) {
    throw new UpstreamError('photoshelter', 'Unsupported file type', { status: 400 });
  }
  return size;
}
