import { z } from 'zod';

import { ValidationError } from '../errors.js';
import { assetFileSchema } from './asset.js';
import { assetIdSchema, galleryIdSchema } from './ids.js';

const isoDate = z.iso.datetime({ offset: true });

export const libraryEventTypes = [
  'asset.uploaded',
  'asset.replaced',
  'metadata.changed',
  'gallery.shared',
] as const;
export const libraryEventTypeSchema = z.enum(libraryEventTypes);

const base = {
  /** Deterministic: the same change detected twice has the same id, so it is dropped the second time. */
  id: z.string().min(1).max(400),
  galleryId: galleryIdSchema,
  detectedAt: isoDate,
  /** When PhotoShelter says the change happened. */
  occurredAt: isoDate,
};

const assetEvent = {
  ...base,
  assetId: assetIdSchema,
  file: assetFileSchema,
};

export const libraryEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('asset.uploaded'), ...assetEvent }),
  z.object({
    type: z.literal('asset.replaced'),
    ...assetEvent,
    previousFile: assetFileSchema,
  }),
  z.object({ type: z.literal('metadata.changed'), ...assetEvent }),
  z.object({
    type: z.literal('gallery.shared'),
    ...base,
    galleryName: z.string(),
    newShareIds: z.array(z.string().min(1)).min(1),
  }),
]);
export type LibraryEvent = z.infer<typeof libraryEventSchema>;

/** A library event from outside the queue worker (a test pump, a replay); ValidationError names the bad fields. */
export function parseLibraryEvent(message: unknown): LibraryEvent {
  const parsed = libraryEventSchema.safeParse(message);
  if (!parsed.success) {
    throw ValidationError.fromZod('Queue message is not a library event', parsed.error);
  }
  return parsed.data;
}
