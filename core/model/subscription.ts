import { z } from 'zod';

import { galleryIdSchema } from './ids.js';

const isoDate = z.iso.datetime({ offset: true });

/** What a subscriber (a Power Automate flow, another system) can be told about. */
export const reviewEventTypeSchema = z.enum(['review.opened', 'review.decided', 'review.overdue']);
export type ReviewEventType = z.infer<typeof reviewEventTypeSchema>;

/** Which reviews a subscriber hears of; every field set must match, none set: every review. */
export const subscriptionFilterSchema = z
  .object({
    /** Only reviews opened by this routing rule. */
    rule: z.string().min(1).max(200).optional(),
    /** Only reviews of this gallery. */
    galleryId: galleryIdSchema.optional(),
  })
  .strict();
export type SubscriptionFilter = z.infer<typeof subscriptionFilterSchema>;

/** Subscription ids are made by randomUUID; anything else names none (and never reaches storage). */
export const subscriptionIdSchema = z.uuid();

/** How the last delivery attempt went, as far as the subscriber is told. */
export const deliveryOutcomeSchema = z.enum(['delivered', 'failed', 'refused']);

/** A webhook subscription: where to POST which review events, and how deliveries have gone. */
export const subscriptionSchema = z.object({
  id: z.string().min(1).max(100),
  event: reviewEventTypeSchema,
  callbackUrl: z.url(),
  /** Only reviews of this routing rule; absent: every review. */
  rule: z.string().min(1).max(200).optional(),
  /** Only reviews of this gallery; absent: every gallery. */
  galleryId: galleryIdSchema.optional(),
  /**
   * HMAC-SHA256 key of the deliveries' signatures; shown to the subscriber once, at creation.
   * Absent: the deployment's shared key (WEBHOOK_SIGNING_SECRET) signs them.
   */
  secret: z.string().min(16).optional(),
  status: z.enum(['active', 'disabled']),
  /** Failed attempts since the last success: at the limit the subscription is disabled. */
  consecutiveFailures: z.number().int().nonnegative(),
  disabledReason: z.string().max(300).optional(),
  createdAt: isoDate,
  lastDeliveryAt: isoDate.optional(),
  /**
   * The last attempt: delivered, failed (an error answer, or none) or refused (not attempted: the
   * callback is not allowed). Absent on rows from before it was kept, and before any attempt.
   */
  lastOutcome: deliveryOutcomeSchema.optional(),
  /** The HTTP status the last attempt was answered with; absent when no answer came. */
  lastStatus: z.number().int().min(100).max(599).optional(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;

/** Whether a subscription wants to hear of this event about a review of `rule` and `galleryId`. */
export const wants = (
  subscription: Subscription,
  event: ReviewEventType,
  review: { readonly rule: string; readonly galleryId: string },
): boolean =>
  subscription.status === 'active' &&
  subscription.event === event &&
  (subscription.rule === undefined || subscription.rule === review.rule) &&
  (subscription.galleryId === undefined || subscription.galleryId === review.galleryId);

/** Does not say where it came from: a URL without its query and fragment, which may hold secrets. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
