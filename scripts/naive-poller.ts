import type { PhotoArchive } from '../core/ports/photo-archive.js';

/**
 * The obvious way to watch a library with no webhooks: walk every collection and gallery and compare
 * every asset with what was seen last time. Kept only as the benchmark's point of comparison.
 */
export class NaivePoller {
  private readonly seen = new Map<string, string>();

  constructor(private readonly archive: PhotoArchive) {}

  /** Walks the whole library; returns how many assets are new or changed since the last walk. */
  async poll(): Promise<number> {
    let changes = 0;
    const pending: (string | undefined)[] = [undefined];
    while (pending.length > 0) {
      const children = await this.archive.listChildren(pending.pop());
      pending.push(...children.collections.map((c) => c.id));
      for (const gallery of children.galleries) {
        let page: string | undefined;
        do {
          const assets = await this.archive.listGalleryAssets(gallery.id, page);
          for (const asset of assets.items) {
            const key = `${gallery.id}/${asset.assetId}`;
            const fingerprint = `${asset.fileName}|${asset.fileSize}|${asset.modifiedAt}`;
            if (this.seen.get(key) !== fingerprint) changes += 1;
            this.seen.set(key, fingerprint);
          }
          page = assets.next;
        } while (page !== undefined);
      }
    }
    return changes;
  }
}
