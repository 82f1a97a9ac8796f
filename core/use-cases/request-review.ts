import { ValidationError } from '../errors.js';
import type { ReviewRequested } from '../model/queue-message.js';
import type { Clock } from '../ports/clock.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { PhotoArchive } from '../ports/photo-archive.js';

/** A request reviews at most this many images: the gallery's first page, as PhotoShelter orders it. */
export const MAX_REQUESTED_ASSETS = 100;

export interface RequestReviewDeps {
  readonly archive: Pick<PhotoArchive, 'getGallery' | 'listGalleryAssets'>;
  readonly queue: EventQueue;
  readonly clock: Clock;
  readonly newId: () => string;
}

/**
 * "Review this gallery now" (the API, a flow): checked at once, so the caller hears of an unknown or
 * empty gallery, then queued, so the review opens through the same durable path as uploads.
 */
export async function requestReview(
  deps: RequestReviewDeps,
  input: { readonly galleryId: string; readonly note?: string | undefined },
): Promise<{
  readonly requestId: string;
  readonly galleryName: string;
  readonly assetCount: number;
}> {
  const gallery = await deps.archive.getGallery(input.galleryId); // NotFoundError for an unknown one
  const page = await deps.archive.listGalleryAssets(input.galleryId);
  if (page.items.length === 0) {
    throw new ValidationError(`Gallery ${gallery.name} has no images to review`);
  }
  const requestId = deps.newId();
  await deps.queue.enqueue({
    type: 'review.requested',
    id: `review.requested:${input.galleryId}:${requestId}`,
    galleryId: input.galleryId,
    requestedAt: deps.clock.now().toISOString(),
    ...(input.note === undefined ? {} : { note: input.note }),
  });
  return {
    requestId,
    galleryName: gallery.name,
    assetCount: Math.min(page.items.length, MAX_REQUESTED_ASSETS),
  };
}

/**
 * Turns a request into one upload-like event per image, with ids derived from the request, so the
 * images join a review as uploads do, once each however often the request is delivered.
 */
export async function handleReviewRequested(
  deps: Pick<RequestReviewDeps, 'archive' | 'queue' | 'clock'>,
  message: ReviewRequested,
): Promise<number> {
  const page = await deps.archive.listGalleryAssets(message.galleryId);
  const assets = page.items.slice(0, MAX_REQUESTED_ASSETS);
  const detectedAt = deps.clock.now().toISOString();
  for (const asset of assets) {
    await deps.queue.enqueue({
      type: 'asset.uploaded',
      id: `${message.id}:${asset.assetId}`.slice(0, 400),
      galleryId: message.galleryId,
      assetId: asset.assetId,
      detectedAt,
      occurredAt: message.requestedAt,
      file: {
        fileName: asset.fileName,
        fileSize: asset.fileSize,
        width: asset.width,
        height: asset.height,
      },
    });
  }
  return assets.length;
}
