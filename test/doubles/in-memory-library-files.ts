import { NotFoundError } from '../../core/errors.js';
import type { AssetMetadata } from '../../core/model/asset.js';
import type {
  LibraryFile,
  LibraryMetadataPatch,
  PhotoLibraryFiles,
  WorkflowFields,
} from '../../core/ports/photo-archive.js';

/** One asset's file as the library holds it: its name and bytes. */
export interface StoredFile {
  readonly fileName: string;
  readonly bytes: Buffer;
}

/**
 * PhotoShelter's files and workflow writes kept in memory (PhotoLibraryFiles), with the asset
 * metadata PhotoArchive reads back: a replace changes the file name and size it reports. The
 * published collections keep each gallery's assets once, as PhotoShelter does.
 */
export class InMemoryLibraryFiles implements PhotoLibraryFiles {
  readonly files = new Map<string, StoredFile>();
  readonly fields = new Map<string, Record<string, string>>();
  /** collectionId/galleryName → asset ids, in the order first published. */
  readonly published = new Map<string, string[]>();
  /** Every call that wrote something, in order: a test counts the writes with it. */
  readonly writes: string[] = [];

  /** Puts an asset's current original in place. */
  seed(assetId: string, fileName: string, bytes: Buffer): void {
    this.files.set(assetId, { fileName, bytes });
  }

  /** PhotoArchive's view of the asset's file (the rest of the metadata is blank). */
  getAssetMetadata(assetId: string): Promise<AssetMetadata> {
    const file = this.files.get(assetId);
    if (file === undefined) return Promise.reject(new NotFoundError('Asset', assetId));
    return Promise.resolve({
      assetId,
      fileName: file.fileName,
      fileSize: file.bytes.length,
      width: 6000,
      height: 4000,
      uploadedAt: '2026-11-23T09:00:00.000Z',
      modifiedAt: '2026-11-23T09:00:00.000Z',
      caption: '',
      headline: '',
      title: '',
      author: '',
      credit: '',
      copyright: '',
      keywords: [],
      licenseExpiresAt: null,
    });
  }

  openOriginal(assetId: string): Promise<LibraryFile> {
    const file = this.files.get(assetId);
    if (file === undefined) return Promise.reject(new NotFoundError('Asset', assetId));
    const bytes = file.bytes;
    return Promise.resolve({
      fileName: file.fileName,
      size: bytes.length,
      body: (async function* () {
        await Promise.resolve();
        yield new Uint8Array(bytes);
      })(),
    });
  }

  async replaceOriginal(assetId: string, file: LibraryFile): Promise<void> {
    if (!this.files.has(assetId)) throw new NotFoundError('Asset', assetId);
    const chunks: Uint8Array[] = [];
    for await (const chunk of file.body) chunks.push(chunk);
    this.files.set(assetId, { fileName: file.fileName, bytes: Buffer.concat(chunks) });
    this.writes.push(`replace ${assetId}`);
  }

  uploadAsset(): Promise<{ readonly assetId: string }> {
    return Promise.reject(new TypeError('uploadAsset is not kept by this double'));
  }

  writeMetadata(_assetId: string, _patch: LibraryMetadataPatch): Promise<void> {
    return Promise.reject(new TypeError('writeMetadata is not kept by this double'));
  }

  setWorkflowFields(assetId: string, fields: WorkflowFields): Promise<void> {
    this.fields.set(assetId, { ...this.fields.get(assetId), ...fields });
    this.writes.push(`fields ${assetId}`);
    return Promise.resolve();
  }

  publishToCollection(
    collectionId: string,
    galleryName: string,
    assetIds: readonly string[],
  ): Promise<{ readonly galleryId: string }> {
    const key = `${collectionId}/${galleryName}`;
    const held = this.published.get(key) ?? [];
    this.published.set(key, [...held, ...assetIds.filter((id) => !held.includes(id))]);
    this.writes.push(`publish ${key}`);
    return Promise.resolve({ galleryId: `G-${key}` });
  }
}
