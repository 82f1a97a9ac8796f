import { Readable } from 'node:stream';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { Gallery, Visibility } from '../../core/model/gallery.js';
import type { Page } from '../../core/model/page.js';
import type {
  LibraryFile,
  LibraryReviewStatus,
  PhotoArchive,
  PhotoLibraryFiles,
} from '../../core/ports/photo-archive.js';
import { renderPng } from '../../simulators/photoshelter/png.js';

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
  /** The bytes the library holds as the asset's original now. */
  originalBytes(assetId: string): Promise<Uint8Array>;
  /** Lightdesk's workflow fields as the asset shows them to a person. */
  workflowFieldsOf(assetId: string): Promise<Record<string, string>>;
  /** The gallery's own visibility setting and every collection holding it, as the library has them. */
  galleryState(
    galleryId: string,
  ): Promise<{ visibility: Visibility; collectionIds: readonly string[] }>;
}

export interface PhotoArchiveSubject {
  /** Built with a small page size (3) so every listing spans several pages. */
  readonly archive: PhotoArchive & PhotoLibraryFiles;
  readonly library: LibraryControl;
  close(): Promise<void>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A file as a caller hands it over: a stream in several chunks, its size not told. */
function fileOf(fileName: string, bytes: Uint8Array): LibraryFile {
  return {
    fileName,
    size: undefined,
    body: Readable.from(
      Array.from({ length: Math.ceil(bytes.byteLength / 1000) }, (_, i) =>
        bytes.slice(i * 1000, (i + 1) * 1000),
      ),
    ),
  };
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

/** A real PNG of that size (the library reads the pixels from the file). */
const pngOf = (seed: string, width: number, height: number): Uint8Array =>
  new Uint8Array(renderPng(seed, width, height));

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
    let archive: PhotoArchive & PhotoLibraryFiles;
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

    it("serves an original: the bytes the library holds, under the asset's file name", async () => {
      const galleryId = await library.galleryWithAssets(1);
      const [assetId] = await library.assetIdsIn(galleryId);
      if (assetId === undefined) expect.fail('the gallery has no asset');

      const file = await archive.openOriginal(assetId);
      const bytes = await readAll(file.body);

      expect(bytes.byteLength).toBeGreaterThan(0);
      expect(bytes).toEqual(await library.originalBytes(assetId));
      expect(file.fileName).toBe((await archive.getAssetMetadata(assetId)).fileName);
      if (file.size !== undefined) expect(file.size).toBe(bytes.byteLength);
    });

    it('replaces an original: same asset, new bytes, and the change listing shows the new file', async () => {
      const galleryId = await library.galleryWithAssets(1);
      const assetId = await library.upload(galleryId, 'contract-replace.jpg');
      await library.editMetadata(assetId, { caption: 'Stays with the asset' });
      const before = await archive.getAssetMetadata(assetId);
      await pause(30);
      const since = new Date();
      await pause(30);
      const png = pngOf('contract-replacement', 48, 32);

      await archive.replaceOriginal(assetId, fileOf('contract-replacement.png', png));

      await pause(30);
      const until = new Date();
      expect(await readAll((await archive.openOriginal(assetId)).body)).toEqual(png);
      expect(await library.originalBytes(assetId)).toEqual(png);
      const after = await archive.getAssetMetadata(assetId);
      expect(after).toMatchObject({
        assetId,
        fileName: 'contract-replacement.png',
        fileSize: png.byteLength,
        width: 48,
        height: 32,
        uploadedAt: before.uploadedAt,
        caption: 'Stays with the asset',
      });
      expect(after.modifiedAt > before.modifiedAt).toBe(true);
      const { items } = await everyPage((page) => archive.listMediaChanges({ since, until }, page));
      expect(items.find((item) => item.assetId === assetId)).toMatchObject({
        fileName: 'contract-replacement.png',
        fileSize: png.byteLength,
        width: 48,
        height: 32,
      });
      expect(await library.assetIdsIn(galleryId)).toContain(assetId);
    });

    it('uploads a file into a gallery as a new asset carrying the metadata given', async () => {
      const galleryId = await library.galleryWithAssets(1);
      const png = pngOf('contract-upload', 64, 40);

      const { assetId } = await archive.uploadAsset(galleryId, fileOf('contract-upload.png', png), {
        title: 'Restored from the archive',
        caption: 'Commencement, main lawn',
        keywords: ['restored', 'commencement'],
        credit: 'Lightdesk Contract',
        copyright: '© 2026 Lightdesk',
      });

      expect(await library.assetIdsIn(galleryId)).toContain(assetId);
      const { items } = await everyPage((page) => archive.listGalleryAssets(galleryId, page));
      expect(items.find((item) => item.assetId === assetId)).toMatchObject({
        galleryId,
        fileName: 'contract-upload.png',
        fileSize: png.byteLength,
        width: 64,
        height: 40,
      });
      expect(await archive.getAssetMetadata(assetId)).toMatchObject({
        title: 'Restored from the archive',
        caption: 'Commencement, main lawn',
        keywords: ['restored', 'commencement'],
        credit: 'Lightdesk Contract',
        copyright: '© 2026 Lightdesk',
      });
      expect(await readAll((await archive.openOriginal(assetId)).body)).toEqual(png);
    });

    it('writes core metadata, leaving the fields it was not given', async () => {
      const galleryId = await library.galleryWithAssets(1);
      const assetId = await library.upload(galleryId, 'contract-write.jpg');
      await library.editMetadata(assetId, { headline: 'Kept as it was', credit: 'Old credit' });

      await archive.writeMetadata(assetId, {
        title: 'New title',
        caption: 'New caption',
        keywords: ['one', 'two words'],
        credit: 'New credit',
      });

      expect(await archive.getAssetMetadata(assetId)).toMatchObject({
        title: 'New title',
        caption: 'New caption',
        keywords: ['one', 'two words'],
        credit: 'New credit',
        headline: 'Kept as it was',
      });
      await archive.writeMetadata(assetId, { keywords: [] });
      expect((await archive.getAssetMetadata(assetId)).keywords).toEqual([]);
      await expect(archive.writeMetadata(assetId, { keywords: ['a, b'] })).rejects.toBeInstanceOf(
        ValidationError,
      );
    });

    it('keeps workflow fields on the asset where people see them: set, merged, cleared', async () => {
      const galleryId = await library.galleryWithAssets(1);
      const assetId = await library.upload(galleryId);

      await archive.setWorkflowFields(assetId, { decision: 'approved', 'decided by': 'Alex Kim' });
      expect(await library.workflowFieldsOf(assetId)).toEqual({
        decision: 'approved',
        'decided by': 'Alex Kim',
      });

      const before = await archive.getAssetMetadata(assetId);
      await pause(5);
      await archive.setWorkflowFields(assetId, { usage: 'web only', decision: 'approved' });
      expect(await library.workflowFieldsOf(assetId)).toEqual({
        decision: 'approved',
        'decided by': 'Alex Kim',
        usage: 'web only',
      });
      const edited = await archive.getAssetMetadata(assetId);
      expect(edited.modifiedAt > before.modifiedAt).toBe(true);

      // The same values again are no edit: a retry leaves nothing new for the change listing.
      await archive.setWorkflowFields(assetId, { usage: 'web only' });
      expect((await archive.getAssetMetadata(assetId)).modifiedAt).toBe(edited.modifiedAt);

      await archive.setWorkflowFields(assetId, { usage: '' });
      expect(await library.workflowFieldsOf(assetId)).toEqual({
        decision: 'approved',
        'decided by': 'Alex Kim',
      });
      await expect(
        archive.setWorkflowFields(assetId, { decision: 'two\nlines' }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(archive.setWorkflowFields(assetId, { 'a: b': 'x' })).rejects.toBeInstanceOf(
        ValidationError,
      );
    });

    it("publishes into a collection's gallery: made once, each asset in it once", async () => {
      const galleryId = await library.galleryWithAssets(2);
      const [first, second] = await library.assetIdsIn(galleryId);
      if (first === undefined || second === undefined) expect.fail('the gallery has no 2 assets');
      const [collection] = (await archive.listChildren()).collections;
      if (collection === undefined) expect.fail('no collection at the root');
      const name = 'Approved for publication';

      const once = await archive.publishToCollection(collection.id, name, [first]);
      const twice = await archive.publishToCollection(collection.id, name, [first, second, first]);

      expect(twice.galleryId).toBe(once.galleryId);
      const named = (await archive.listChildren(collection.id)).galleries.filter(
        (gallery) => gallery.name === name,
      );
      expect(named.map((gallery) => gallery.id)).toEqual([once.galleryId]);
      const { items } = await everyPage((page) => archive.listGalleryAssets(once.galleryId, page));
      expect(items.map((item) => item.assetId).sort()).toEqual([first, second].sort());
      expect(await archive.listAssetGalleries(second)).toContain(once.galleryId);
      expect(await archive.getGalleryPath(once.galleryId)).toEqual([collection.name, name]);
      // The source gallery still holds both: publishing adds, it does not move.
      expect(await library.assetIdsIn(galleryId)).toEqual(expect.arrayContaining([first, second]));
    });

    it('answers NotFoundError for unknown ids in the file and publishing calls', async () => {
      const asset = 'I0000nonexistent';
      const png = pngOf('contract-missing', 8, 8);
      await expect(archive.openOriginal(asset)).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        archive.replaceOriginal(asset, fileOf('missing.png', png)),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        archive.uploadAsset('G0000nonexistent', fileOf('missing.png', png), {}),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(archive.writeMetadata(asset, { title: 'x' })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(archive.setWorkflowFields(asset, { decision: 'x' })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(
        archive.publishToCollection('C0000nonexistent', 'Approved', []),
      ).rejects.toBeInstanceOf(NotFoundError);
      const [collection] = (await archive.listChildren()).collections;
      if (collection === undefined) expect.fail('no collection at the root');
      await expect(
        archive.publishToCollection(collection.id, 'Approved', [asset]),
      ).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}
