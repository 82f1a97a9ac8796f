import { z } from 'zod';

import { galleryIdSchema } from './ids.js';
import { decisionVerbSchema, type Review, reviewerSchema, reviewStatusSchema } from './review.js';
import { reviewSummary } from './review-view.js';
import { reviewEventTypeSchema } from './subscription.js';

const isoDate = z.iso.datetime({ offset: true });

/** The review as the event found it (`reviewSummary`), checked when it comes off the queue. */
export const reviewSnapshotSchema = z.object({
  id: z.string().min(1),
  galleryId: galleryIdSchema,
  galleryName: z.string(),
  galleryUrl: z.url(),
  rule: z.string().min(1),
  status: reviewStatusSchema,
  assetCount: z.number().int().nonnegative(),
  reviewers: z.array(reviewerSchema),
  lastDecision: z
    .object({
      reviewerId: z.string().min(1),
      reviewerName: z.string(),
      verb: decisionVerbSchema,
      comment: z.string().nullable(),
      // Announcements queued before decisions named their application have none.
      via: z.string().nullable().default(null),
      at: isoDate,
    })
    .nullable(),
  plannerTaskId: z.string().nullable(),
  dueAt: isoDate,
  openedAt: isoDate,
  closedAt: isoDate.nullable(),
});
export type ReviewSnapshot = z.infer<typeof reviewSnapshotSchema>;

/** Typed against the schema, so the summary cannot lose a field the queue message needs. */
export const reviewSnapshot = (review: Review): ReviewSnapshot => reviewSummary(review);

/**
 * The JSON body of every delivery (connector/apiDefinition.swagger.json `ReviewNotification`): fixed
 * once per event, so every subscriber and every retry gets the same bytes.
 */
export const reviewNotificationSchema = z.object({
  /** The event id, sent as `x-lightdesk-delivery`: subscribers drop repeats by it. */
  id: z.string().min(1),
  event: reviewEventTypeSchema,
  occurredAt: isoDate,
  review: reviewSnapshotSchema.extend({ reviewUrl: z.url() }),
});
export type ReviewNotification = z.infer<typeof reviewNotificationSchema>;
