import { Rng } from './random.js';
import { SimulatorError } from './simulator-error.js';
import type { Micros, MonotonicClock } from './time.js';

// The in-memory library: plain records in insertion-ordered maps, no per-image closures, so a
// 100k-image library stays a few tens of MB. Strings that repeat (credit, copyright, keywords) are
// shared between images by the seeder.

/** Visibility values [WIP Mode enum] [3P]. */
export type Mode = 'everyone' | 'permission' | 'private';

/** Permission (share) types [WIP]. */
export type PermissionType = 'contact' | 'group' | 'token' | 'password' | 'access_level';

export interface CollectionRecord {
  readonly id: string;
  name: string;
  description: string;
  /** null: at the root of the library. */
  parentId: string | null;
  mode: Mode;
  isListed: boolean;
  displayOrder: number;
  createdAt: Micros;
  modifiedAt: Micros;
}

export interface PermissionRecord {
  readonly id: string;
  readonly type: PermissionType;
  readonly contactId: string | null;
  readonly email: string | null;
  readonly token: string | null;
  readonly expires: Micros | null;
  readonly createdAt: Micros;
}

export interface GalleryRecord {
  readonly id: string;
  name: string;
  description: string;
  parentId: string | null;
  mode: Mode;
  isListed: boolean;
  displayOrder: number;
  createdAt: Micros;
  modifiedAt: Micros;
  /** In gallery display order; an image may sit in several galleries. */
  imageIds: string[];
  /** Images hidden in this gallery (`f_visible:"f"`); usually empty. */
  hiddenIds: string[];
  permissions: PermissionRecord[];
}

export interface ImageRecord {
  readonly id: string;
  fileName: string;
  fileSize: number;
  width: number;
  height: number;
  uploadedAt: Micros;
  modifiedAt: Micros;
  caption: string;
  headline: string;
  title: string;
  author: string;
  credit: string;
  copyright: string;
  /** IPTC keywords as one comma-separated string, the v3 wire form [3P]. */
  keywords: string;
  licenseExpiresAt: Micros | null;
  galleryIds: string[];
  /** Bumped by a replace, so thumbnails change with the bytes. */
  version: number;
}

/** Everything needed to rebuild a library: what the seeder makes and what a state file holds. */
export interface LibraryData {
  readonly seed: number;
  readonly assets: number;
  readonly collections: CollectionRecord[];
  readonly galleries: GalleryRecord[];
  /** In upload order. */
  readonly images: ImageRecord[];
  /** Generator state for ids and names created after seeding. */
  readonly rngState: number;
  /** Next camera frame number for uploads without a file name. */
  readonly nextFrame: number;
}

export interface UploadInput {
  readonly galleryId: string;
  readonly fileName?: string | undefined;
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  readonly keywords?: readonly string[] | undefined;
}

export interface ReplaceInput {
  readonly imageId: string;
  readonly fileName?: string | undefined;
}

export interface ShareInput {
  readonly galleryId: string;
  readonly type?: PermissionType | undefined;
  readonly email?: string | undefined;
}

export interface MetadataInput {
  readonly imageId: string;
  readonly caption?: string | undefined;
  readonly headline?: string | undefined;
  readonly title?: string | undefined;
  readonly author?: string | undefined;
  readonly credit?: string | undefined;
  readonly copyright?: string | undefined;
  readonly keywords?: readonly string[] | undefined;
  /** Undefined leaves the expiry alone; null clears it. */
  readonly licenseExpiresAt?: Micros | null | undefined;
}

const MODE_RANK: Record<Mode, number> = { everyone: 0, permission: 1, private: 2 };

export const joinKeywords = (words: readonly string[]): string =>
  words
    .map((word) => word.trim())
    .filter((word) => word.length > 0)
    .join(', ');

export class Library {
  readonly seed: number;
  readonly collections = new Map<string, CollectionRecord>();
  readonly galleries = new Map<string, GalleryRecord>();
  readonly images = new Map<string, ImageRecord>();
  private readonly rng: Rng;
  private nextFrame: number;

  constructor(
    data: LibraryData,
    private readonly clock: MonotonicClock,
  ) {
    this.seed = data.seed;
    let latest = 0;
    for (const c of data.collections) {
      this.collections.set(c.id, c);
      latest = Math.max(latest, c.modifiedAt);
    }
    for (const g of data.galleries) {
      this.galleries.set(g.id, g);
      latest = Math.max(latest, g.modifiedAt, ...g.permissions.map((p) => p.createdAt));
    }
    for (const i of data.images) {
      this.images.set(i.id, i);
      if (i.modifiedAt > latest) latest = i.modifiedAt;
    }
    this.rng = new Rng(data.rngState);
    this.nextFrame = data.nextFrame;
    clock.raiseFloor(latest);
  }

  get assetCount(): number {
    return this.images.size;
  }

  collection(id: string): CollectionRecord | undefined {
    return this.collections.get(id);
  }

  gallery(id: string): GalleryRecord | undefined {
    return this.galleries.get(id);
  }

  image(id: string): ImageRecord | undefined {
    return this.images.get(id);
  }

  /** Direct children of a collection, or of the root when `collectionId` is null. */
  childrenOf(collectionId: string | null): {
    collections: CollectionRecord[];
    galleries: GalleryRecord[];
  } {
    const byOrder = (a: { displayOrder: number }, b: { displayOrder: number }) =>
      a.displayOrder - b.displayOrder;
    return {
      collections: [...this.collections.values()]
        .filter((c) => c.parentId === collectionId)
        .sort(byOrder),
      galleries: [...this.galleries.values()]
        .filter((g) => g.parentId === collectionId)
        .sort(byOrder),
    };
  }

  /** The most restrictive mode on the way to the root: a private parent hides its children [INF]. */
  effectiveMode(record: { mode: Mode; parentId: string | null }): Mode {
    let mode = record.mode;
    const seen = new Set<string>();
    for (let id = record.parentId; id !== null && !seen.has(id);) {
      seen.add(id);
      const parent = this.collections.get(id);
      if (parent === undefined) break;
      if (MODE_RANK[parent.mode] > MODE_RANK[mode]) mode = parent.mode;
      id = parent.parentId;
    }
    return mode;
  }

  // -------------------------------------------------------------------------------------------------
  // Changes the control endpoints make. Each moves modification times forward (wire doc rules).

  upload(input: UploadInput): ImageRecord {
    const gallery = this.requireGallery(input.galleryId);
    const width = input.width ?? 6000;
    const height = input.height ?? 4000;
    if (!isPixels(width) || !isPixels(height)) {
      throw new SimulatorError(400, 'width and height must be whole pixels, 1 to 100000');
    }
    const template = this.firstImageOf(gallery);
    const at = this.clock.tick();
    const image: ImageRecord = {
      id: this.newId('I0000', this.images),
      fileName: input.fileName ?? `IMG_${String(this.nextFrame++ % 10_000).padStart(4, '0')}.JPG`,
      fileSize: estimateFileSize(width, height, this.rng),
      width,
      height,
      uploadedAt: at,
      modifiedAt: at,
      caption: '',
      headline: '',
      title: '',
      author: template?.author ?? '',
      credit: template?.credit ?? '',
      copyright: template?.copyright ?? '',
      keywords: joinKeywords(input.keywords ?? []),
      licenseExpiresAt: null,
      galleryIds: [gallery.id],
      version: 0,
    };
    this.images.set(image.id, image);
    gallery.imageIds.push(image.id);
    // One moment for the whole change: the gallery was modified when the image arrived.
    gallery.modifiedAt = at;
    return image;
  }

  /** New bytes for the same image: size and dimensions change, the upload time does not. */
  replace(input: ReplaceInput): ImageRecord {
    const image = this.requireImage(input.imageId);
    const crop = (n: number) => Math.max(16, n - 2 * this.rng.int(8, Math.max(8, n >> 4)));
    image.width = crop(image.width);
    image.height = crop(image.height);
    let size = estimateFileSize(image.width, image.height, this.rng);
    if (size === image.fileSize) size += 1;
    image.fileSize = size;
    if (input.fileName !== undefined) image.fileName = input.fileName;
    image.version += 1;
    image.modifiedAt = this.clock.tick();
    for (const galleryId of image.galleryIds) {
      const gallery = this.galleries.get(galleryId);
      if (gallery !== undefined) gallery.modifiedAt = image.modifiedAt;
    }
    return image;
  }

  /** Adds a permission; [INF] that it moves the gallery's modified_at (wire doc #10). */
  share(input: ShareInput): PermissionRecord {
    const gallery = this.requireGallery(input.galleryId);
    const type = input.type ?? 'contact';
    const taken = new Map(
      [...this.galleries.values()].flatMap((g) => g.permissions.map((p) => [p.id, p] as const)),
    );
    const at = this.clock.tick();
    const permission: PermissionRecord = {
      id: this.newId('AR000', taken),
      type,
      contactId: type === 'contact' ? `CT000${this.rng.idBody()}` : null,
      email: type === 'contact' ? (input.email ?? 'reviewer@example.com') : null,
      token: type === 'token' ? this.rng.idBody() : null,
      expires: null,
      createdAt: at,
    };
    gallery.permissions.push(permission);
    // Sharing a private gallery makes it "those with permission", as the web UI does [V2 labels].
    if (gallery.mode === 'private') gallery.mode = 'permission';
    gallery.modifiedAt = at;
    return permission;
  }

  editMetadata(input: MetadataInput): ImageRecord {
    const image = this.requireImage(input.imageId);
    if (input.caption !== undefined) image.caption = input.caption;
    if (input.headline !== undefined) image.headline = input.headline;
    if (input.title !== undefined) image.title = input.title;
    if (input.author !== undefined) image.author = input.author;
    if (input.credit !== undefined) image.credit = input.credit;
    if (input.copyright !== undefined) image.copyright = input.copyright;
    if (input.keywords !== undefined) image.keywords = joinKeywords(input.keywords);
    if (input.licenseExpiresAt !== undefined) image.licenseExpiresAt = input.licenseExpiresAt;
    image.modifiedAt = this.clock.tick();
    return image;
  }

  toData(): LibraryData {
    return {
      seed: this.seed,
      assets: this.images.size,
      collections: [...this.collections.values()],
      galleries: [...this.galleries.values()],
      images: [...this.images.values()],
      rngState: this.rng.state,
      nextFrame: this.nextFrame,
    };
  }

  requireGallery(id: string): GalleryRecord {
    const gallery = this.galleries.get(id);
    if (gallery === undefined) throw new SimulatorError(404, `Gallery not found: ${id}`);
    return gallery;
  }

  requireImage(id: string): ImageRecord {
    const image = this.images.get(id);
    if (image === undefined) throw new SimulatorError(404, `Image not found: ${id}`);
    return image;
  }

  private firstImageOf(gallery: GalleryRecord): ImageRecord | undefined {
    const first = gallery.imageIds[0];
    return first === undefined ? undefined : this.images.get(first);
  }

  private newId(prefix: string, taken: ReadonlyMap<string, unknown>): string {
    for (;;) {
      const id = `${prefix}${this.rng.idBody()}`;
      if (!taken.has(id)) return id;
    }
  }
}

const isPixels = (n: number) => Number.isInteger(n) && n >= 1 && n <= 100_000;

/** Roughly what a camera JPEG of that size weighs (about 0.4 bytes per pixel), never twice the same. */
export function estimateFileSize(width: number, height: number, rng: Rng): number {
  return Math.round(width * height * (0.3 + rng.next() * 0.2)) + rng.int(1, 4096);
}
