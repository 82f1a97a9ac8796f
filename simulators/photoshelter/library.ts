import { SeededRandom } from '../kit/random.js';
import { idBody } from './random.js';
import { SimError } from '../kit/errors.js';
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
  /** The first collection holding the gallery (null: at the root); it decides the path. */
  parentId: string | null;
  /**
   * More collections holding the same gallery: a gallery can sit in several [WIP `collection_id`
   * "if a gallery is contained in multiple collections"]. Absent in older state files.
   */
  otherParentIds?: string[];
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
  /** Custom metadata: field id → option id, at most one option per field [DOC help]. */
  customMetadata?: Record<string, string>;
  /** IPTC instructions (free text; Lightdesk's workflow fields live here [INF]). Absent: empty. */
  instructions?: string;
}

/**
 * An organization's custom metadata field: an admin defines it with a preset list of options, and a
 * file gets at most one option per field [DOC help "Custom Metadata"]. Id formats are unknown [INF].
 */
export interface CustomFieldRecord {
  readonly id: string;
  readonly name: string;
  readonly options: readonly { readonly id: string; readonly name: string }[];
}

/** The field Lightdesk writes review outcomes into, seeded with fixed ids so tests can name them. */
export const REVIEW_STATUS_FIELD: CustomFieldRecord = {
  id: 'CF000ReviewStatu',
  name: 'Review status',
  options: [
    { id: 'CFO00ReviewOpt01', name: 'pending review' },
    { id: 'CFO00ReviewOpt02', name: 'approved' },
    { id: 'CFO00ReviewOpt03', name: 're-review' },
    { id: 'CFO00ReviewOpt04', name: 'archived' },
    { id: 'CFO00ReviewOpt05', name: 'ready for publication' },
  ],
};

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
  /** The org's custom metadata fields; absent (older state files): the seeded "Review status". */
  readonly customFields?: readonly CustomFieldRecord[];
}

export interface UploadInput {
  readonly galleryId: string;
  readonly fileName?: string | undefined;
  /** The bytes' size when a file came with the upload; else a camera-like estimate. */
  readonly fileSize?: number | undefined;
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  readonly keywords?: readonly string[] | undefined;
}

/** What the bytes of a file say about it (name from the upload, size and pixels from the bytes). */
export interface FileFacts {
  readonly fileName: string;
  readonly fileSize: number;
  readonly width: number;
  readonly height: number;
}

type IptcText = 'caption' | 'headline' | 'title' | 'author' | 'credit' | 'copyright' | 'keywords';

/** IPTC attributes as the v4 call names them (`keyword` one comma-separated string, as #7 reads). */
export interface IptcPatch {
  readonly caption?: string | undefined;
  readonly headline?: string | undefined;
  readonly title?: string | undefined;
  readonly author?: string | undefined;
  readonly credit?: string | undefined;
  readonly copyright?: string | undefined;
  readonly keyword?: string | undefined;
  readonly instructions?: string | undefined;
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
  customFields: CustomFieldRecord[];
  private readonly rng: SeededRandom;
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
    this.rng = new SeededRandom(data.rngState);
    this.nextFrame = data.nextFrame;
    this.customFields = [...(data.customFields ?? [REVIEW_STATUS_FIELD])];
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
        .filter((g) =>
          collectionId === null
            ? g.parentId === null
            : g.parentId === collectionId || (g.otherParentIds ?? []).includes(collectionId),
        )
        .sort(byOrder),
    };
  }

  /** Every collection holding the gallery, the first one first. */
  parentsOf(gallery: GalleryRecord): string[] {
    return gallery.parentId === null ? [] : [gallery.parentId, ...(gallery.otherParentIds ?? [])];
  }

  /** The gallery, then its collections up to the root, along the first parent [INF]. */
  pathOf(gallery: GalleryRecord): (GalleryRecord | CollectionRecord)[] {
    const path: (GalleryRecord | CollectionRecord)[] = [gallery];
    const seen = new Set<string>();
    for (let id = gallery.parentId; id !== null && !seen.has(id);) {
      seen.add(id);
      const collection = this.collections.get(id);
      if (collection === undefined) break;
      path.push(collection);
      id = collection.parentId;
    }
    return path;
  }

  customField(id: string): CustomFieldRecord | undefined {
    return this.customFields.find((field) => field.id === id);
  }

  /** The option name an image carries in the field called `fieldName`, or null. */
  customValueByName(image: ImageRecord, fieldName: string): string | null {
    const field = this.customFields.find((f) => f.name === fieldName);
    const optionId = field === undefined ? undefined : image.customMetadata?.[field.id];
    return field?.options.find((option) => option.id === optionId)?.name ?? null;
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
      throw new SimError(400, '', 'width and height must be whole pixels, 1 to 100000');
    }
    const template = this.firstImageOf(gallery);
    const at = this.clock.tick();
    const image: ImageRecord = {
      id: this.newId('I0000', this.images),
      fileName: input.fileName ?? `IMG_${String(this.nextFrame++ % 10_000).padStart(4, '0')}.JPG`,
      fileSize: input.fileSize ?? estimateFileSize(width, height, this.rng),
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
      contactId: type === 'contact' ? `CT000${idBody(this.rng)}` : null,
      email: type === 'contact' ? (input.email ?? 'reviewer@example.com') : null,
      token: type === 'token' ? idBody(this.rng) : null,
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

  /** A new file for the image (wire doc #22): name, size and pixels from the bytes, same id. */
  replaceFile(imageId: string, file: FileFacts): ImageRecord {
    const image = this.requireImage(imageId);
    image.fileName = file.fileName;
    image.fileSize = file.fileSize;
    image.width = file.width;
    image.height = file.height;
    image.version += 1;
    image.modifiedAt = this.clock.tick();
    for (const galleryId of image.galleryIds) {
      const gallery = this.galleries.get(galleryId);
      if (gallery !== undefined) gallery.modifiedAt = image.modifiedAt;
    }
    return image;
  }

  /** IPTC attributes by their wire names (wire doc #23); only a real change is an edit [INF]. */
  patchIptc(imageId: string, patch: IptcPatch): ImageRecord {
    const image = this.requireImage(imageId);
    let isChanged = false;
    const set = (key: IptcText, value: string | undefined) => {
      if (value === undefined || image[key] === value) return;
      image[key] = value;
      isChanged = true;
    };
    if (patch.instructions !== undefined && patch.instructions !== (image.instructions ?? '')) {
      image.instructions = patch.instructions;
      isChanged = true;
    }
    set('caption', patch.caption);
    set('headline', patch.headline);
    set('title', patch.title);
    set('author', patch.author);
    set('credit', patch.credit);
    set('copyright', patch.copyright);
    if (patch.keyword !== undefined) set('keywords', joinKeywords(patch.keyword.split(',')));
    if (isChanged) image.modifiedAt = this.clock.tick();
    return image;
  }

  /** A new gallery under a collection (wire doc #24) [INF: visible as its parent allows]. */
  createGallery(collectionId: string, name: string): GalleryRecord {
    const parent = this.collections.get(collectionId);
    if (parent === undefined) throw new SimError(404, '', `Collection not found: ${collectionId}`);
    const siblings = this.childrenOf(collectionId).galleries;
    const at = this.clock.tick();
    const gallery: GalleryRecord = {
      id: this.newId('G0000', this.galleries),
      name,
      description: '',
      parentId: collectionId,
      mode: 'everyone',
      isListed: true,
      displayOrder: Math.max(0, ...siblings.map((g) => g.displayOrder)) + 1,
      createdAt: at,
      modifiedAt: at,
      imageIds: [],
      hiddenIds: [],
      permissions: [],
    };
    this.galleries.set(gallery.id, gallery);
    return gallery;
  }

  /**
   * Adds images to a gallery (wire doc #25), every id checked first; images already there stay
   * where they are [INF]. Returns how many were added; only an addition moves modified_at.
   */
  addGalleryMedia(galleryId: string, imageIds: readonly string[]): number {
    const gallery = this.requireGallery(galleryId);
    const images = imageIds.map((id) => this.requireImage(id));
    let added = 0;
    for (const image of images) {
      if (gallery.imageIds.includes(image.id)) continue;
      gallery.imageIds.push(image.id);
      if (!image.galleryIds.includes(gallery.id)) image.galleryIds.push(gallery.id);
      added += 1;
    }
    if (added > 0) gallery.modifiedAt = this.clock.tick();
    return added;
  }

  /**
   * Sets custom metadata (field id → option id, null/'' clears), checking every pair first. Only a
   * real change moves modified_at (wire doc #15) [INF that writing the same value is not an edit].
   */
  setCustomMetadata(imageId: string, values: ReadonlyMap<string, string | null>): ImageRecord {
    const image = this.requireImage(imageId);
    for (const [fieldId, optionId] of values) {
      const field = this.customField(fieldId);
      if (field === undefined) {
        throw new SimError(400, '', `Unknown custom metadata field: ${fieldId}`);
      }
      if (optionId !== null && optionId !== '' && !field.options.some((o) => o.id === optionId)) {
        throw new SimError(400, '', `Unknown option ${optionId} for field ${fieldId}`);
      }
    }
    let isChanged = false;
    const current = { ...image.customMetadata };
    for (const [fieldId, optionId] of values) {
      if (optionId === null || optionId === '') {
        if (current[fieldId] !== undefined) {
          delete current[fieldId];
          isChanged = true;
        }
      } else if (current[fieldId] !== optionId) {
        current[fieldId] = optionId;
        isChanged = true;
      }
    }
    if (isChanged) {
      image.customMetadata = current;
      image.modifiedAt = this.clock.tick();
    }
    return image;
  }

  /** Adds or replaces the field called `name` (fresh ids), as an admin would in Metadata Settings. */
  defineCustomField(name: string, options: readonly string[]): CustomFieldRecord {
    this.removeCustomFields(name);
    const taken = new Map(this.customFields.map((f) => [f.id, f] as const));
    const field: CustomFieldRecord = {
      id: this.newId('CF000', taken),
      name,
      options: options.map((option) => ({ id: `CFO00${idBody(this.rng)}`, name: option })),
    };
    this.customFields.push(field);
    return field;
  }

  /** Removes the field called `name` (all fields when undefined), and every value set in it. */
  removeCustomFields(name?: string): number {
    const removed = this.customFields.filter((f) => name === undefined || f.name === name);
    if (removed.length === 0) return 0;
    this.customFields = this.customFields.filter((f) => !removed.includes(f));
    for (const image of this.images.values()) {
      if (image.customMetadata === undefined) continue;
      for (const field of removed) delete image.customMetadata[field.id];
    }
    return removed.length;
  }

  /** Back to the seeded "Review status" field only (values in other fields are dropped). */
  resetCustomFields(): void {
    this.removeCustomFields();
    this.customFields = [REVIEW_STATUS_FIELD];
  }

  /** Visibility `everyone|permission|private` [WIP Mode enum]; only a change moves modified_at. */
  setGalleryMode(galleryId: string, mode: Mode): GalleryRecord {
    const gallery = this.requireGallery(galleryId);
    if (gallery.mode !== mode) {
      gallery.mode = mode;
      gallery.modifiedAt = this.clock.tick();
    }
    return gallery;
  }

  /** PATCH /galleries/{id} fields [WIP]: name, description, f_list. */
  updateGallery(
    galleryId: string,
    patch: { name?: string; description?: string; isListed?: boolean },
  ): GalleryRecord {
    const gallery = this.requireGallery(galleryId);
    let isChanged = false;
    if (patch.name !== undefined && patch.name !== gallery.name) {
      gallery.name = patch.name;
      isChanged = true;
    }
    if (patch.description !== undefined && patch.description !== gallery.description) {
      gallery.description = patch.description;
      isChanged = true;
    }
    if (patch.isListed !== undefined && patch.isListed !== gallery.isListed) {
      gallery.isListed = patch.isListed;
      isChanged = true;
    }
    if (isChanged) gallery.modifiedAt = this.clock.tick();
    return gallery;
  }

  /** Puts the gallery into one more collection [UNV path]; already there: nothing changes [INF]. */
  addGalleryParent(galleryId: string, collectionId: string): GalleryRecord {
    const gallery = this.requireGallery(galleryId);
    if (this.collections.get(collectionId) === undefined) {
      throw new SimError(404, '', `Collection not found: ${collectionId}`);
    }
    if (this.parentsOf(gallery).includes(collectionId)) return gallery;
    if (gallery.parentId === null) gallery.parentId = collectionId;
    else gallery.otherParentIds = [...(gallery.otherParentIds ?? []), collectionId];
    gallery.modifiedAt = this.clock.tick();
    return gallery;
  }

  /** Takes the gallery out of a collection; 404 when it is not in it [INF]. The last one → root. */
  removeGalleryParent(galleryId: string, collectionId: string): GalleryRecord {
    const gallery = this.requireGallery(galleryId);
    const parents = this.parentsOf(gallery);
    if (!parents.includes(collectionId)) {
      throw new SimError(404, '', `Gallery ${galleryId} is not in collection ${collectionId}`);
    }
    const rest = parents.filter((id) => id !== collectionId);
    gallery.parentId = rest[0] ?? null;
    if (rest.length > 1) gallery.otherParentIds = rest.slice(1);
    else delete gallery.otherParentIds;
    gallery.modifiedAt = this.clock.tick();
    return gallery;
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
      customFields: [...this.customFields],
    };
  }

  requireGallery(id: string): GalleryRecord {
    const gallery = this.galleries.get(id);
    if (gallery === undefined) throw new SimError(404, '', `Gallery not found: ${id}`);
    return gallery;
  }

  requireImage(id: string): ImageRecord {
    const image = this.images.get(id);
    if (image === undefined) throw new SimError(404, '', `Image not found: ${id}`);
    return image;
  }

  private firstImageOf(gallery: GalleryRecord): ImageRecord | undefined {
    const first = gallery.imageIds[0];
    return first === undefined ? undefined : this.images.get(first);
  }

  private newId(prefix: string, taken: ReadonlyMap<string, unknown>): string {
    for (;;) {
      const id = `${prefix}${idBody(this.rng)}`;
      if (!taken.has(id)) return id;
    }
  }
}

const isPixels = (n: number) => Number.isInteger(n) && n >= 1 && n <= 100_000;

/** Roughly what a camera JPEG of that size weighs (about 0.4 bytes per pixel), never twice the same. */
export function estimateFileSize(width: number, height: number, rng: SeededRandom): number {
  return Math.round(width * height * (0.3 + rng.next() * 0.2)) + rng.int(1, 4096);
}
