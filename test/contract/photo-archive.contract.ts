import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { NotFoundError } from '../../core/errors.js';
import type { Gallery, Visibility } from '../../core/model/gallery.js';
import type { Page } from '../../core/model/page.js';
import type { LibraryReviewStatus, PhotoArchive } from '../../core/ports/photo-archive.js';

/** Edits a person makes to an image's metadata, in domain words. */
export interface MetadataEdit {
  readonly caption?: string;
  readonly headline?: string;
  readonly title?: string;
  readonly credit?: string;
  readonly copyright?: string;
  readonly keywords?: readonly string[];
  readonly licenseExpiresAt?: string | null;
}

/** What people do in the photo library, so the suite can cause the changes the port must report. */
export interface LibraryControl {
  /** A gallery holding at least `count` images (the control uploads more when needed). */
  galleryWithAssets(count: number): Promise<string>;
  /** The library's own list of a gallery's image ids: the ground truth for paging. */
  assetIdsIn(galleryId: string): Promise<readonly string[]>;
  upload(galleryId: string, fileName?: string): Promise<string>;
  /** New bytes for the image; returns the new file size. */
  replace(assetId: string): Promise<{ fileSize: number }>;
  editMetadata(assetId: string, edit: MetadataEdit): Promise<void>;
  /** Shares the gallery with someone; returns the share (permission) id. */
  share(galleryId: string): Promise<string>;
  /** The review status the library shows on the asset (null: none set). */
  reviewStatusOf(assetId: string): Promise<LibraryReviewStatus | null>;
  /** The gallery's own visibility setting and every collection holding it, as the library has them. */
  galleryState(
    galleryId: string,
  ): Promise<{ visibility: Visibility; collectionIds: readonly string[] }>;
}

export interface PhotoArchiveSubject {
  /** Built with a small page size (3) so every listing spans several pages. */
  readonly archive: PhotoArchive;
  readonly library: LibraryControl;
  close(): Promise<void>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Follows `next` until the last page; fails if a listing never ends. */
async function everyPage<T>(
  list: (page: string | undefined) => Promise<Page<T>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let page: string | undefined;
  for (let pages = 1; pages <= 500; pages += 1) {
    const result = await list(page);
    items.push(...result.items);
    page = result.next;
    if (page === undefined) return { items, pages };
  }
  expect.fail('the listing never reached its last page');
}

/** Every gallery in the library with the collection names above it, root first (a breadth walk). */
async function walkLibrary(
  archive: PhotoArchive,
): Promise<{ gallery: Gallery; collections: string[] }[]> {
  const found: { gallery: Gallery; collections: string[] }[] = [];
  const queue: { id: string | undefined; names: string[] }[] = [{ id: undefined, names: [] }];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const children = await archive.listChildren(next.id);
    for (const gallery of children.galleries) found.push({ gallery, collections: next.names });
    for (const c of children.collections) queue.push({ id: c.id, names: [...next.names, c.name] });
  }
  return found;
}

/**
 * The behaviour every PhotoArchive must show, run against the in-memory double and
 * against the PhotoShelter connector with its simulator, so neither can drift from the other.
 */
export function describePhotoArchiveContract(
  name: string,
  makeSubject: () => Promise<PhotoArchiveSubject>,
): void {
  describe(`PhotoArchive contract: ${name}`, () => {
    let subject: PhotoArchiveSubject;
    let archive: PhotoArchive;
    let library: LibraryControl;

    beforeEach(async () => {
      subject = await makeSubject();
      archive = subject.archive;
      library = subject.library;
    });

    afterEach(async () => {
      await subject.close();
    });

    it('lists the library tree from the root, and a gallery reads the same on its own', async () => {
      const wanted = await library.galleryWithAssets(1);
      const found: Gallery[] = [];
      const queue: (string | undefined)[] = [undefined];
      const seenCollections = new Set<string>();
      while (queue.length > 0) {
        const children = await archive.listChildren(queue.shift());
        found.push(...children.galleries);
        for (const collection of children.collections) {
          expect(seenCollections.has(collection.id)).toBe(false);
          seenCollections.add(collection.id);
          queue.push(collection.id);
        }
      }

      const listed = found.find((gallery) => gallery.id === wanted);
      expect(listed).toBeDefined();
      const alone = await archive.getGallery(wanted);
      expect(alone).toEqual(listed);
      expect(alone.webUrl).toMatch(new RegExp(`^https?://[^/]+/gallery/[A-Za-z0-9-]+/${wanted}$`));
      if (alone.parentCollectionId !== null) {
        expect(seenCollections.has(alone.parentCollectionId)).toBe(true);
      }
    });

    it('pages through a gallery, covering every asset exactly once', async () => {
      const galleryId = await library.galleryWithAssets(7);
      const truth = await library.assetIdsIn(galleryId);

      const { items, pages } = await everyPage((page) =>
        archive.listGalleryAssets(galleryId, page),
      );

      const ids = items.map((item) => item.assetId);
      expect(pages).toBeGreaterThan(1);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual([...truth].sort());
      for (const item of items) {
        expect(item.galleryId).toBe(galleryId);
        expect(item.fileSize).toBeGreaterThan(0);
        expect(item.modifiedAt >= item.uploadedAt).toBe(true);
      }
    });

    it('reads metadata: IPTC text, keywords as a list and the licence expiry', async () => {
      const galleryId = await library.galleryWithAssets(1);
      const assetId = await library.upload(galleryId, 'contract-metadata.jpg');
      await library.editMetadata(assetId, {
        caption: 'Kick-off at the stadium',
        headline: 'Season opener',
        credit: 'Lightdesk Contract',
        keywords: ['football', 'media day', 'night'],
        licenseExpiresAt: '2031-05-06T07:08:09.000Z',
      });

      const metadata = await archive.getAssetMetadata(assetId);

      expect(metadata).toMatchObject({
        assetId,
        fileName: 'contract-metadata.jpg',
        caption: 'Kick-off at the stadium',
        headline: 'Season opener',
        credit: 'Lightdesk Contract',
        keywords: ['football', 'media day', 'night'],
      });
      expect(metadata.licenseExpiresAt).not.toBeNull();
      expect(new Date(metadata.licenseExpiresAt ?? 0).toISOString()).toBe(
        '2031-05-06T07:08:09.000Z',
      );

      await library.editMetadata(assetId, { licenseExpiresAt: null, keywords: [] });
      const cleared = await archive.getAssetMetadata(assetId);
      expect(cleared.licenseExpiresAt).toBeNull();
      expect(cleared.keywords).toEqual([]);
    });

    it('gives a display link that serves a PNG', async () => {
      const galleryId = await library.galleryWithAssets(1);
      const [assetId] = await library.assetIdsIn(galleryId);
      if (assetId === undefined) expect.fail('the gallery has no asset');

      const link = await archive.getDisplayLink(assetId, { width: 300, height: 200 });

      expect(link).toMatchObject({ assetId, width: 300, height: 200 });
      const response = await fetch(link.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^image\/png/);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    });

    it('lists uploads, replacements and metadata edits inside the window, and nothing outside', async () => {
      const galleryId = await library.galleryWithAssets(1);
      const replaced = await library.upload(galleryId);
      const edited = await library.upload(galleryId);
      const untouched = await library.upload(galleryId);
      await pause(30);
      const since = new Date();
      await pause(30);
      const uploaded = await library.upload(galleryId, 'contract-new.jpg');
      const { fileSize } = await library.replace(replaced);
      await library.editMetadata(edited, { caption: 'edited inside the window' });
      await pause(30);
      const until = new Date();
      await pause(30);
      const later = await library.upload(galleryId);

      const { items } = await everyPage((page) => archive.listMediaChanges({ since, until }, page));

      const byId = new Map(items.map((item) => [item.assetId, item]));
      expect(byId.size).toBe(items.length);
      expect([...byId.keys()].sort()).toEqual([uploaded, replaced, edited].sort());
      expect(byId.has(untouched)).toBe(false);
      expect(byId.has(later)).toBe(false);
      for (const item of items) {
        expect(Date.parse(item.modifiedAt)).toBeGreaterThanOrEqual(since.getTime());
        expect(Date.parse(item.modifiedAt)).toBeLessThanOrEqual(until.getTime());
      }
      expect(byId.get(uploaded)?.fileName).toBe('contract-new.jpg');
      expect(Date.parse(byId.get(uploaded)?.uploadedAt ?? '')).toBeGreaterThanOrEqual(
        since.getTime(),
      );
      // A replacement keeps its upload time but brings new bytes.
      expect(Date.parse(byId.get(replaced)?.uploadedAt ?? '')).toBeLessThan(since.getTime());
      expect(byId.get(replaced)?.fileSize).toBe(fileSize);
    });

    it('shows a new share id on the gallery, which becomes the most recently modified', async () => {
      const galleryId = await library.galleryWithAssets(1);
      const { items: before } = await everyPage((page) =>
        archive.listGalleriesByModification(page),
      );
      const earlier = before.find((gallery) => gallery.galleryId === galleryId);
      expect(earlier).toBeDefined();
      const times = before.map((gallery) => gallery.modifiedAt);
      expect(times).toEqual([...times].sort().reverse());

      await pause(5);
      const shareId = await library.share(galleryId);
      const first = await archive.listGalleriesByModification();

      const top = first.items[0];
      if (top === undefined || earlier === undefined) expect.fail('no galleries listed');
      expect(top.galleryId).toBe(galleryId);
      expect(top.shareIds).toContain(shareId);
      expect(top.shareIds).toHaveLength(earlier.shareIds.length + 1);
      expect(top.modifiedAt > earlier.modifiedAt).toBe(true);
    });

    it('names the galleries an asset sits in', async () => {
      const galleryId = await library.galleryWithAssets(1);
      const assetId = await library.upload(galleryId);

      expect(await archive.listAssetGalleries(assetId)).toEqual([galleryId]);
    });

    it('names the path of a gallery: collections from the root down, then the gallery', async () => {
      const galleries = await walkLibrary(archive);
      const nested = galleries.find((entry) => entry.collections.length >= 2);
      if (nested === undefined) expect.fail('no gallery sits in a sub-collection');

      expect(await archive.getGalleryPath(nested.gallery.id)).toEqual([
        ...nested.collections,
        nested.gallery.name,
      ]);
      const atRoot = galleries.find((entry) => entry.collections.length === 0);
      if (atRoot !== undefined) {
        expect(await archive.getGalleryPath(atRoot.gallery.id)).toEqual([atRoot.gallery.name]);
      }
    });

    it('writes a review status onto each asset, which the library then shows', async () => {
      const galleryId = await library.galleryWithAssets(2);
      const [first, second] = await library.assetIdsIn(galleryId);
      if (first === undefined || second === undefined) expect.fail('the gallery has no 2 assets');
      const before = await archive.getAssetMetadata(first);
      await pause(5);

      await archive.setReviewStatus([first, second], 'approved');

      expect(await library.reviewStatusOf(first)).toBe('approved');
      expect(await library.reviewStatusOf(second)).toBe('approved');
      // The write is an edit like any other: the poller will see it and must know it as our own.
      const after = await archive.getAssetMetadata(first);
      expect(after.modifiedAt > before.modifiedAt).toBe(true);

      await archive.setReviewStatus([first, first], 'approved');
      expect(await library.reviewStatusOf(first)).toBe('approved');

      await archive.setReviewStatus([first], 'ready for publication');
      expect(await library.reviewStatusOf(first)).toBe('ready for publication');
      expect(await library.reviewStatusOf(second)).toBe('approved');
      await expect(archive.setReviewStatus([], 'archived')).resolves.toBeUndefined();
    });

    it('hides a gallery: it becomes private, and hiding again changes nothing', async () => {
      const galleryId = await library.galleryWithAssets(1);
      const wasPrivate = (await library.galleryState(galleryId)).visibility === 'private';
      const before = await archive.getGallery(galleryId);
      await pause(5);

      await archive.archiveGallery(galleryId, { kind: 'hide' });

      expect((await library.galleryState(galleryId)).visibility).toBe('private');
      const after = await archive.getGallery(galleryId);
      expect(after.visibility).toBe('private');
      if (!wasPrivate) expect(after.modifiedAt > before.modifiedAt).toBe(true);

      await archive.archiveGallery(galleryId, { kind: 'hide' });
      expect((await library.galleryState(galleryId)).visibility).toBe('private');
    });

    it('moves a gallery under another collection and out of the old one', async () => {
      const galleryId = await library.galleryWithAssets(1);
      const { collectionIds: formerly } = await library.galleryState(galleryId);
      const target = (await archive.listChildren()).collections.find(
        (collection) => !formerly.includes(collection.id),
      );
      if (target === undefined) expect.fail('no other collection at the root');
      const name = (await archive.getGallery(galleryId)).name;

      await archive.archiveGallery(galleryId, { kind: 'move', collectionId: target.id });

      expect((await library.galleryState(galleryId)).collectionIds).toEqual([target.id]);
      expect((await archive.getGallery(galleryId)).parentCollectionId).toBe(target.id);
      const under = await archive.listChildren(target.id);
      expect(under.galleries.map((gallery) => gallery.id)).toContain(galleryId);
      for (const old of formerly) {
        const left = await archive.listChildren(old);
        expect(left.galleries.map((gallery) => gallery.id)).not.toContain(galleryId);
      }
      expect(await archive.getGalleryPath(galleryId)).toEqual([target.name, name]);

      await archive.archiveGallery(galleryId, { kind: 'move', collectionId: target.id });
      expect((await library.galleryState(galleryId)).collectionIds).toEqual([target.id]);
    });

    it('answers NotFoundError for unknown ids', async () => {
      const gallery = 'G0000nonexistent';
      const asset = 'I0000nonexistent';
      await expect(archive.getGallery(gallery)).rejects.toBeInstanceOf(NotFoundError);
      await expect(archive.listGalleryAssets(gallery)).rejects.toBeInstanceOf(NotFoundError);
      await expect(archive.listChildren('C0000nonexistent')).rejects.toBeInstanceOf(NotFoundError);
      await expect(archive.getAssetMetadata(asset)).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        archive.getDisplayLink(asset, { width: 100, height: 100 }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(archive.listAssetGalleries(asset)).rejects.toBeInstanceOf(NotFoundError);
      await expect(archive.getGalleryPath(gallery)).rejects.toBeInstanceOf(NotFoundError);
      await expect(archive.setReviewStatus([asset], 'approved')).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(archive.archiveGallery(gallery, { kind: 'hide' })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      const [collection] = (await archive.listChildren()).collections;
      if (collection === undefined) expect.fail('no collection at the root');
      await expect(
        archive.archiveGallery(gallery, { kind: 'move', collectionId: collection.id }),
      ).rejects.toBeInstanceOf(NotFoundError);
      const known = await library.galleryWithAssets(1);
      await expect(
        archive.archiveGallery(known, { kind: 'move', collectionId: 'C0000nonexistent' }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}
