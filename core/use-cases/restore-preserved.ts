import { NotFoundError, ValidationError } from '../errors.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { PhotoArchive } from '../ports/photo-archive.js';
import type { PreservedMetadata } from '../ports/preservation-archive.js';
import { preservicaOf, type PreservicaDeps } from './preserve-review.js';
import { runOnce } from './run-once.js';

// Retrieve for reuse (docs/preservica.md): a preserved asset comes back into a PhotoShelter gallery
// as a new asset, with the metadata Preservica holds (changed as the caller asks), and is reviewed
// like any upload. The gallery it goes into sets who can see it.

export interface RestoreDeps {
  readonly preservica?: PreservicaDeps | undefined;
  readonly archive: Pick<PhotoArchive, 'getGallery' | 'getAssetMetadata'>;
  readonly queue: EventQueue;
  readonly ledger: EffectLedger;
  readonly audit: AuditLog;
  readonly clock: Clock;
}

export interface RestoreRequest {
  readonly reference: string;
  readonly galleryId: string;
  /** Fields to change on the way back; the rest are Preservica's. */
  readonly metadata?: Partial<PreservedMetadata> | undefined;
  /** Who asked (for the audit trail): a person's name, or the API client. */
  readonly requestedBy: string;
}

export interface RestoreResult {
  readonly assetId: string;
  readonly galleryId: string;
  readonly galleryName: string;
  /** False when this reference was already brought back into this gallery (nothing done again). */
  readonly fresh: boolean;
}

/** Preservica references are UUIDs; anything else cannot name an entity. */
const REFERENCE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Brings a preserved asset back into a gallery once per (reference, gallery): a repeated request
 * answers with the asset the first one made. The new asset then opens (or joins) the gallery's
 * review through the same queue as an upload.
 */
export async function restorePreserved(
  deps: RestoreDeps,
  request: RestoreRequest,
): Promise<RestoreResult> {
  const preservica = preservicaOf(deps);
  if (!REFERENCE.test(request.reference)) {
    throw new ValidationError(
      `reference: not a Preservica reference (a UUID): ${request.reference}`,
    );
  }
  const gallery = await deps.archive.getGallery(request.galleryId); // NotFoundError when unknown
  const preserved = await preservica.archive.findAsset(request.reference);
  if (preserved === undefined) throw new NotFoundError('Preserved asset', request.reference);

  const key = `preservica.restore:${request.reference}:${request.galleryId}`;
  // [INF] PhotoShelter has no lookup by anything we could set on an upload, so an upload whose
  // answer was lost is made again on the next attempt (a second copy a person may delete).
  const restored = await runOnce(deps, key, async () => {
    const kept = await preservica.archive.readMetadata(request.reference);
    const wanted = { ...kept, ...request.metadata };
    const original = await preservica.archive.openOriginal(request.reference);
    const uploaded = await preservica.files.uploadAsset(
      request.galleryId,
      { fileName: original.fileName, size: original.size, body: original.body },
      {
        title: wanted.title,
        caption: wanted.caption,
        keywords: wanted.keywords,
        credit: wanted.credit,
        copyright: wanted.rights,
      },
    );
    return uploaded.assetId;
  });
  const assetId = restored.result;

  await runOnce(deps, `${key}:fields`, async () => {
    await preservica.files.setWorkflowFields(assetId, {
      'Restored from Preservica': request.reference,
    });
    return 'written';
  });

  // Reviewed like an upload: the same event, under an id of this restore, so it is handled once.
  const meta = await deps.archive.getAssetMetadata(assetId);
  const now = deps.clock.now().toISOString();
  await runOnce(deps, `${key}:review`, async () => {
    await deps.queue.enqueue({
      type: 'asset.uploaded',
      id: key,
      galleryId: request.galleryId,
      assetId,
      detectedAt: now,
      occurredAt: now,
      file: {
        fileName: meta.fileName,
        fileSize: meta.fileSize,
        width: meta.width,
        height: meta.height,
      },
    });
    return 'queued';
  });
  if (restored.isFresh) {
    await deps.audit.append({
      at: now,
      kind: 'preservica.restored',
      subject: assetId,
      summary: `${request.requestedBy} brought Preservica ${request.reference} back into ${gallery.name} as ${assetId}`,
      data: {
        reference: request.reference,
        galleryId: request.galleryId,
        assetId,
        requestedBy: request.requestedBy,
      },
      key,
    });
  }
  return {
    assetId,
    galleryId: request.galleryId,
    galleryName: gallery.name,
    fresh: restored.isFresh,
  };
}
