import type { AssetMetadata, AssetSummary, DisplayLink, MediaChange } from '../model/asset.js';
import type { Gallery, GalleryChange, LibraryChildren } from '../model/gallery.js';
import type { Page } from '../model/page.js';

/** What reviewers decided, as PhotoShelter shows it on each asset (a custom metadata field). */
export const libraryReviewStatuses = [
  'pending review',
  'approved',
  're-review',
  'archived',
  'ready for publication',
] as const;
export type LibraryReviewStatus = (typeof libraryReviewStatuses)[number];

/** A file going into or coming out of the library, as a stream (never a whole file in memory). */
export interface LibraryFile {
  readonly fileName: string;
  /** Bytes, when known before the stream ends. */
  readonly size: number | undefined;
  readonly body: AsyncIterable<Uint8Array>;
}

/** The core (IPTC) fields Lightdesk writes: restored assets, drift synced from the archive. */
export interface LibraryMetadataPatch {
  readonly title?: string;
  readonly caption?: string;
  readonly keywords?: readonly string[];
  readonly credit?: string;
  readonly copyright?: string;
}

/**
 * Free-text workflow fields Lightdesk owns on each asset (issue 17): the decision and who made it,
 * the usage status, the preservation reference and status. Keys are Lightdesk's field names.
 */
export type WorkflowFields = Readonly<Record<string, string>>;

export type ArchiveAction =
  { readonly kind: 'hide' } | { readonly kind: 'move'; readonly collectionId: string };

/**
 * The photo library (PhotoShelter in production); listings page with an opaque `next` token.
 * Errors: NotFoundError, RateLimitedError/UpstreamError (after the connector's retries), AuthError,
 * ValidationError (an answer shape we do not understand).
 */
export interface PhotoArchive {
  /** Collections and galleries directly under a collection, or under the root when omitted. */
  listChildren(collectionId?: string): Promise<LibraryChildren>;
  getGallery(galleryId: string): Promise<Gallery>;
  listGalleryAssets(galleryId: string, page?: string): Promise<Page<AssetSummary>>;
  getAssetMetadata(assetId: string): Promise<AssetMetadata>;
  getDisplayLink(assetId: string, size: { width: number; height: number }): Promise<DisplayLink>;
  /** Media uploaded, replaced or edited in [since, until]: the cheap "what changed" probe. */
  listMediaChanges(window: { since: Date; until: Date }, page?: string): Promise<Page<MediaChange>>;
  /** Galleries, most recently modified first; callers stop paging once they pass their cursor. */
  listGalleriesByModification(page?: string): Promise<Page<GalleryChange>>;
  /** The galleries an asset belongs to (an image can sit in several). */
  listAssetGalleries(assetId: string): Promise<readonly string[]>;
  /** Collection names from the root down, then the gallery's own name: what routing globs match. */
  getGalleryPath(galleryId: string): Promise<readonly string[]>;
  /** Writes the review status onto each asset; idempotent, so a retry writes the same value. */
  setReviewStatus(assetIds: readonly string[], status: LibraryReviewStatus): Promise<void>;
  /** Takes an archived gallery out of circulation: make it private, or move it under a collection. */
  archiveGallery(galleryId: string, action: ArchiveAction): Promise<void>;
}

/**
 * The library's files and Lightdesk's writes beyond the review status (issue 17): originals in and
 * out, core and workflow metadata, publishing. Same errors as PhotoArchive.
 */
export interface PhotoLibraryFiles {
  /** The asset's current original file. */
  openOriginal(assetId: string): Promise<LibraryFile>;
  /** Makes `file` the asset's current file (its id and metadata stay); a retry writes it again. */
  replaceOriginal(assetId: string, file: LibraryFile): Promise<void>;
  /** Uploads `file` into a gallery as a new asset with `metadata`; resolves to its id. */
  uploadAsset(
    galleryId: string,
    file: LibraryFile,
    metadata: LibraryMetadataPatch,
  ): Promise<{ readonly assetId: string }>;
  writeMetadata(assetId: string, patch: LibraryMetadataPatch): Promise<void>;
  setWorkflowFields(assetId: string, fields: WorkflowFields): Promise<void>;
  /**
   * Publishes assets into a shared collection: into its gallery named `galleryName` (made the first
   * time), so the collection holds only what was approved. Assets already there are left as they are.
   */
  publishToCollection(
    collectionId: string,
    galleryName: string,
    assetIds: readonly string[],
  ): Promise<{ readonly galleryId: string }>;
}
