import type { AssetFile } from '../model/asset.js';

/** What we last saw of an asset: the basis of change detection. */
export interface AssetSnapshot {
  readonly assetId: string;
  readonly galleryIds: readonly string[];
  readonly file: AssetFile;
  readonly fileFingerprint: string;
  /**
   * Digest of the descriptive metadata (IPTC, licence). Absent on snapshots that predate it. Lets a
   * modification that changed none of it (such as Lightdesk's own review-status write) pass silently.
   */
  readonly metadataFingerprint?: string | undefined;
  readonly modifiedAt: string;
}

export interface GallerySnapshot {
  readonly galleryId: string;
  readonly shareIds: readonly string[];
  readonly modifiedAt: string;
}

export interface SnapshotStore {
  getAsset(assetId: string): Promise<AssetSnapshot | undefined>;
  putAsset(snapshot: AssetSnapshot): Promise<void>;
  getGallery(galleryId: string): Promise<GallerySnapshot | undefined>;
  putGallery(snapshot: GallerySnapshot): Promise<void>;
}
