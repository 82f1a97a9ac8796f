import type {
  AssetSnapshot,
  GallerySnapshot,
  SnapshotStore,
} from '../../core/ports/snapshot-store.js';

export class InMemorySnapshotStore implements SnapshotStore {
  readonly assets = new Map<string, AssetSnapshot>();
  readonly galleries = new Map<string, GallerySnapshot>();
  /** Makes the next putAsset throw, to simulate an outage (or a crash) at that point. */
  failNextPutAsset: Error | undefined;

  getAsset(assetId: string): Promise<AssetSnapshot | undefined> {
    return Promise.resolve(this.assets.get(assetId));
  }

  putAsset(snapshot: AssetSnapshot): Promise<void> {
    if (this.failNextPutAsset !== undefined) {
      const failure = this.failNextPutAsset;
      this.failNextPutAsset = undefined;
      return Promise.reject(failure);
    }
    this.assets.set(snapshot.assetId, snapshot);
    return Promise.resolve();
  }

  getGallery(galleryId: string): Promise<GallerySnapshot | undefined> {
    return Promise.resolve(this.galleries.get(galleryId));
  }

  putGallery(snapshot: GallerySnapshot): Promise<void> {
    this.galleries.set(snapshot.galleryId, snapshot);
    return Promise.resolve();
  }
}
