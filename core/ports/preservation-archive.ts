// Long-term preservation (Preservica): one package per review, ingested under references Lightdesk
// chose, so a retried ingest finds the entities the first one made (docs/preservica.md).

/** The core metadata compared between the photo library and the archive (drift, issue 17 item 11). */
export interface PreservedMetadata {
  readonly title: string;
  readonly caption: string;
  readonly keywords: readonly string[];
  readonly credit: string;
  readonly rights: string;
}
export const preservedMetadataFields = [
  'title',
  'caption',
  'keywords',
  'credit',
  'rights',
] as const;
export type PreservedMetadataField = (typeof preservedMetadataFields)[number];

/** A file that goes into a package: read once, as a stream, while the package is written. */
export interface PackageFile {
  readonly fileName: string;
  /** The bytes, fetched when the package reaches this file (never the whole package in memory). */
  readonly open: () => Promise<AsyncIterable<Uint8Array>>;
}

/** One asset of a package: its entity's reference, its metadata, its original and its documents. */
export interface PreservationItem {
  /** The photo library's id, stored on the entity as an identifier (type `photoshelter-asset`). */
  readonly assetId: string;
  /** The Preservica reference Lightdesk chose for this asset's entity. */
  readonly reference: string;
  readonly metadata: PreservedMetadata;
  /** Where the asset came from (gallery, review), kept with the descriptive metadata. */
  readonly provenance: Readonly<Record<string, string>>;
  readonly original: PackageFile;
  /** Licence and release documents, preserved beside the original. */
  readonly documents: readonly PackageFile[];
}

export type IngestState =
  | { readonly state: 'pending' | 'active' }
  | { readonly state: 'completed' }
  | { readonly state: 'failed'; readonly reason: string };

/** An asset as the archive holds it. */
export interface PreservedAsset {
  readonly reference: string;
  readonly assetId: string | undefined;
  readonly title: string;
  readonly securityTag: string;
  readonly folderRef: string | undefined;
}

export interface PreservedFile {
  readonly fileName: string;
  readonly size: number;
  readonly body: AsyncIterable<Uint8Array>;
}

/**
 * The preservation archive. Errors: NotFoundError (unknown reference), UpstreamError (after the
 * connector's retries), AuthError, ValidationError (an answer we do not understand).
 */
export interface PreservationArchive {
  /**
   * Packages `items` (streamed: each original is read once, as the package is uploaded) into one
   * ingest under `folderRef`; resolves once the archive accepted the upload. An item whose reference
   * or identifier the archive already holds is skipped by the archive, not made twice.
   */
  ingest(input: {
    readonly packageKey: string;
    readonly folderRef: string;
    readonly securityTag: string;
    readonly items: AsyncIterable<PreservationItem> | Iterable<PreservationItem>;
  }): Promise<{ readonly progressToken: string }>;
  /** Where an ingest stands; a failure carries the archive's reason. */
  ingestStatus(progressToken: string): Promise<IngestState>;
  /** The asset with this reference, or undefined when the archive has none. */
  findAsset(reference: string): Promise<PreservedAsset | undefined>;
  /** The asset the archive holds for a photo-library asset id (the identifier), if any. */
  findByAssetId(assetId: string): Promise<PreservedAsset | undefined>;
  readMetadata(reference: string): Promise<PreservedMetadata>;
  /** Overwrites the named fields of the asset's descriptive metadata. */
  writeMetadata(reference: string, fields: Partial<PreservedMetadata>): Promise<void>;
  /** The preserved original's bytes (to bring it back into the photo library). */
  openOriginal(reference: string): Promise<PreservedFile>;
}
