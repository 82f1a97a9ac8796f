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
