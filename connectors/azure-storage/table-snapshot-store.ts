import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';

import { ValidationError } from '../../core/errors.js';
import { assetFileSchema } from '../../core/model/asset.js';
import type {
  AssetSnapshot,
  GallerySnapshot,
  SnapshotStore,
} from '../../core/ports/snapshot-store.js';
import { statusOf, toStorageError } from './errors.js';
import { encodeKey } from './keys.js';

// Arrays and the file record are stored as JSON strings: Table Storage has no array or object type
// (https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#property-types).
const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

const assetRowSchema = z.object({
  galleryIds: json(z.array(z.string())),
  file: json(assetFileSchema),
  fileFingerprint: z.string(),
  metadataFingerprint: z.string().optional(),
  modifiedAt: z.string(),
});

const galleryRowSchema = z.object({
  shareIds: json(z.array(z.string())),
  modifiedAt: z.string(),
});

/**
 * Snapshots, each its own partition (`asset:{assetId}` / `gallery:{galleryId}`, RowKey ''): change
 * detection looks them up by asset id alone (docs/decisions.md "Snapshots keyed by asset").
 */
export class TableSnapshotStore implements SnapshotStore {
  /** `table`: the `snapshots` table. */
  constructor(private readonly table: TableClient) {}

  async getAsset(assetId: string): Promise<AssetSnapshot | undefined> {
    const row = await this.read(`asset:${assetId}`);
    if (row === undefined) return undefined;
    const parsed = assetRowSchema.safeParse(row);
    if (!parsed.success)
      throw ValidationError.fromZod(`Stored snapshot of ${assetId}`, parsed.error);
    return { assetId, ...parsed.data };
  }

  async putAsset(snapshot: AssetSnapshot): Promise<void> {
    await this.write(`asset:${snapshot.assetId}`, {
      galleryIds: JSON.stringify(snapshot.galleryIds),
      file: JSON.stringify(snapshot.file),
      fileFingerprint: snapshot.fileFingerprint,
      ...(snapshot.metadataFingerprint === undefined
        ? {}
        : { metadataFingerprint: snapshot.metadataFingerprint }),
      modifiedAt: snapshot.modifiedAt,
    });
  }

  async getGallery(galleryId: string): Promise<GallerySnapshot | undefined> {
    const row = await this.read(`gallery:${galleryId}`);
    if (row === undefined) return undefined;
    const parsed = galleryRowSchema.safeParse(row);
    if (!parsed.success) {
      throw ValidationError.fromZod(`Stored snapshot of ${galleryId}`, parsed.error);
    }
    return { galleryId, ...parsed.data };
  }

  async putGallery(snapshot: GallerySnapshot): Promise<void> {
    await this.write(`gallery:${snapshot.galleryId}`, {
      shareIds: JSON.stringify(snapshot.shareIds),
      modifiedAt: snapshot.modifiedAt,
    });
  }

  private async read(key: string): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.table.getEntity<Record<string, unknown>>(encodeKey(key), '');
    } catch (e: unknown) {
      if (statusOf(e) === 404) return undefined;
      throw toStorageError('azure-table', e, { what: 'snapshot', id: key });
    }
  }

  private async write(key: string, properties: Record<string, string>): Promise<void> {
    try {
      // Last writer wins: the detector that saw the newer state writes after enqueuing its events.
      await this.table.upsertEntity(
        { partitionKey: encodeKey(key), rowKey: '', ...properties },
        'Replace',
      );
    } catch (e: unknown) {
      throw toStorageError('azure-table', e, { what: 'snapshot', id: key });
    }
  }
}
