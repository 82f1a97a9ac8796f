import { z } from 'zod';

import { ValidationError } from '../errors.js';
import { galleryIdSchema } from './ids.js';
import { libraryEventSchema } from './library-event.js';
import { decisionVerbSchema, type Review } from './review.js';
import { reviewSnapshotSchema } from './review-event.js';
import { reviewEventTypeSchema } from './subscription.js';

/** Which decision a message follows: its place in `review.decisions` and what it said. */
export const decisionRefSchema = z.object({
  /** 1-based place in `review.decisions`. */
  number: z.number().int().positive(),
  reviewerId: z.string().min(1),
  verb: decisionVerbSchema,
  at: z.iso.datetime({ offset: true }),
});
export type DecisionRef = z.infer<typeof decisionRefSchema>;

/** The reference to a review's last decision, undefined before its first. */
export function lastDecisionRef(review: Review): DecisionRef | undefined {
  const decision = review.decisions.at(-1);
  return decision === undefined
    ? undefined
    : {
        number: review.decisions.length,
        reviewerId: decision.reviewerId,
        verb: decision.verb,
        at: decision.at,
      };
}

/** Whether the decision `ref` names is the one stored at its place in `review`'s history. */
export function holdsDecision(review: Review, ref: DecisionRef): boolean {
  const saved = review.decisions[ref.number - 1];
  return (
    saved !== undefined &&
    saved.reviewerId === ref.reviewerId &&
    saved.verb === ref.verb &&
    saved.at === ref.at
  );
}

/** An audit-log entry carried on a message, to be appended by the worker (ports/audit-log.ts). */
export const auditEntrySchema = z.object({
  at: z.iso.datetime({ offset: true }),
  kind: z.string().min(1).max(100),
  subject: z.string().min(1).max(400),
  summary: z.string().max(4000),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

/** A review event to hand to every subscriber that wants it (one message per event). */
export const webhookFanoutSchema = z.object({
  type: z.literal('webhook.fanout'),
  /** The event id (`review.decided:{reviewId}:d{decision number}` …): every delivery's dedupe id. */
  id: z.string().min(1).max(400),
  event: reviewEventTypeSchema,
  reviewId: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  /** The review when the event happened, so a late fan-out does not describe a later state. */
  review: reviewSnapshotSchema,
  /**
   * A decision is announced before it is saved (so a crash after the save cannot lose it); the
   * fan-out first checks that this decision is the one stored at this place in the review's history.
   */
  decision: decisionRefSchema.optional(),
});
export type WebhookFanout = z.infer<typeof webhookFanoutSchema>;

/** Asks a worker to bring Planner, Teams and PhotoShelter in line with a review's stored state. */
export const reviewSyncSchema = z.object({
  type: z.literal('review.sync'),
  /** Deterministic (review id and card version), so a repeated request is dropped. */
  id: z.string().min(1).max(400),
  reviewId: z.string().min(1),
  reason: z.string().max(200),
  /**
   * Queued before the save it follows (a decision): the card version that save makes. The worker
   * waits a short while for it and drops the request if it never comes (the save lost a race).
   */
  atLeastVersion: z.number().int().positive().optional(),
  requestedAt: z.iso.datetime({ offset: true }).optional(),
  /**
   * The decision whose save this sync follows; its audit entry and announcement ride on this
   * message (one queue write per press), appended once the worker finds the decision stored.
   */
  decision: decisionRefSchema.optional(),
  audit: auditEntrySchema.optional(),
  announce: webhookFanoutSchema.optional(),
  /** When a sync after uploads was first held back for the batch window (see sync-requested.ts). */
  heldSince: z.iso.datetime({ offset: true }).optional(),
});
export type ReviewSync = z.infer<typeof reviewSyncSchema>;

/** Someone (the API, a flow) asked for a gallery to be reviewed now, whatever was uploaded. */
export const reviewRequestedSchema = z.object({
  type: z.literal('review.requested'),
  /** `review.requested:{galleryId}:{requestId}`: one request, however often it is delivered. */
  id: z.string().min(1).max(400),
  galleryId: galleryIdSchema,
  requestedAt: z.iso.datetime({ offset: true }),
  note: z.string().max(500).optional(),
});
export type ReviewRequested = z.infer<typeof reviewRequestedSchema>;

/** One attempt at delivering one event to one subscriber. */
export const webhookDeliverSchema = z.object({
  type: z.literal('webhook.deliver'),
  /** `{eventId}>{subscriptionId}#{attempt}` */
  id: z.string().min(1).max(500),
  eventId: z.string().min(1).max(400),
  subscriptionId: z.string().min(1).max(100),
  attempt: z.number().int().positive(),
  /** The JSON body, fixed at fan-out so every attempt sends the same bytes. */
  body: z.string().max(16_000),
});
export type WebhookDeliver = z.infer<typeof webhookDeliverSchema>;

/** Ziflow said something happened to a proof (its webhook); the worker reads the proof itself. */
export const proofEventSchema = z.object({
  type: z.literal('ziflow.event'),
  /** `ziflow:{event_id}`: one event, however often Ziflow delivers it. */
  id: z.string().min(1).max(400),
  proofId: z.string().min(1).max(200),
  /** Ziflow's event kind (`decision`, `comment`, `processed` …), for the log. */
  event: z.string().max(100),
  receivedAt: z.iso.datetime({ offset: true }),
});
export type ProofEvent = z.infer<typeof proofEventSchema>;

/** Preservica said something happened to entities (its webhook); the worker asks for the ingest. */
export const preservicaEventSchema = z.object({
  type: z.literal('preservica.event'),
  /** `preservica:{digest of the body}`: one delivery, however often Preservica sends it. */
  id: z.string().min(1).max(400),
  /** `FULL_TEXT_INDEXED`, `INGEST_FAILED` … (docs/preservica.md). */
  trigger: z.string().min(1).max(100),
  entityRefs: z.array(z.string().min(1).max(200)).max(1000),
  receivedAt: z.iso.datetime({ offset: true }),
});
export type PreservicaEvent = z.infer<typeof preservicaEventSchema>;

/** A scheduled look at a review's ingest, for when no webhook reports it (docs/preservica.md). */
export const preservationCheckSchema = z.object({
  type: z.literal('preservica.check'),
  /** `preservica.check:{reviewId}:{attempt}:{look}`. */
  id: z.string().min(1).max(400),
  reviewId: z.string().min(1),
  attempt: z.number().int().positive(),
  look: z.number().int().positive(),
});
export type PreservationCheck = z.infer<typeof preservationCheckSchema>;

/** Everything the events queue carries. */
export const queueMessageSchema = z.discriminatedUnion('type', [
  ...libraryEventSchema.options,
  reviewSyncSchema,
  reviewRequestedSchema,
  webhookFanoutSchema,
  webhookDeliverSchema,
  proofEventSchema,
  preservicaEventSchema,
  preservationCheckSchema,
]);
export type QueueMessage = z.infer<typeof queueMessageSchema>;

/** A delivered message, parsed once for the whole delivery; ValidationError names the bad fields. */
export function parseQueueMessage(message: unknown): QueueMessage {
  const parsed = queueMessageSchema.safeParse(message);
  if (!parsed.success)
    throw ValidationError.fromZod('Queue message is not understood', parsed.error);
  return parsed.data;
}

/** A poisoned body as it was first queued: no reason, no count of transient retries. */
export function withoutRetryMarks(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return body;
    const { poisonReason: _reason, retries: _retries, ...rest } = parsed as Record<string, unknown>;
    return JSON.stringify(rest);
  } catch {
    return body; // not JSON: the worker's schema check says so again, with its reason
  }
}

/** A message body as an object to add fields to; anything else is kept under `body`. */
export function asRecord(message: unknown): Record<string, unknown> {
  return typeof message === 'object' && message !== null && !Array.isArray(message)
    ? (message as Record<string, unknown>)
    : { body: message };
}
