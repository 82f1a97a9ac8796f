import { z } from 'zod';

import { libraryEventSchema } from './library-event.js';

/** Asks a worker to bring Planner, Teams and PhotoShelter in line with a review's stored state. */
export const reviewSyncSchema = z.object({
  type: z.literal('review.sync'),
  /** Deterministic (review id and card version), so a repeated request is dropped. */
  id: z.string().min(1).max(400),
  reviewId: z.string().min(1),
  reason: z.string().max(200),
});
export type ReviewSync = z.infer<typeof reviewSyncSchema>;

/** Everything the events queue carries. */
export const queueMessageSchema = z.discriminatedUnion('type', [
  ...libraryEventSchema.options,
  reviewSyncSchema,
]);
export type QueueMessage = z.infer<typeof queueMessageSchema>;
