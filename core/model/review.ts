import { z } from 'zod';

import { assetIdSchema, galleryIdSchema } from './ids.js';
import { preserveWhenSchema, reviewPreservationSchema } from './preservation.js';
import {
  awaitsVersion,
  commentOfProofDecision,
  type ProofDecision,
  reviewProofSchema,
  verbOfProofDecision,
} from './proof.js';
import {
  type DecisionVerb,
  decisionVerbSchema,
  type ReviewStatus,
  reviewStatusSchema,
} from './review-status.js';

const isoDate = z.iso.datetime({ offset: true });

export {
  type DecisionVerb,
  decisionVerbSchema,
  type ReviewStatus,
  reviewStatusSchema,
} from './review-status.js';

export const reviewerSchema = z.object({
  /** Entra object id: what Teams sends as `from.aadObjectId` and Planner uses for assignments. */
  id: z.string().min(1),
  name: z.string(),
  upn: z.string(),
});
export type Reviewer = z.infer<typeof reviewerSchema>;

/** What a decision made through the API says of the application that recorded it: one short line. */
export const decisionViaSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\p{C}\p{Zl}\p{Zp}]+$/u, 'one line of printable text');

/** How a decision through the API reads when the caller did not name itself. */
export const VIA_THE_API = 'the API';

export const decisionSchema = z.object({
  reviewerId: z.string().min(1),
  reviewerName: z.string(),
  verb: decisionVerbSchema,
  comment: z.string().max(2000).optional(),
  at: isoDate,
  source: z.enum(['teams', 'planner', 'api', 'ziflow']),
  /**
   * API decisions only: the application that recorded it on the reviewer's behalf (the API key
   * speaks for an application). Absent on API decisions stored before it existed.
   */
  via: decisionViaSchema.optional(),
  /** The review round it was made in; new files after a re-review start the next round. */
  round: z.number().int().positive(),
});
export type Decision = z.infer<typeof decisionSchema>;

/** The application an API decision went through; undefined for decisions people made themselves. */
export const decidedVia = (decision: Decision): string | undefined =>
  decision.via ?? (decision.source === 'api' ? VIA_THE_API : undefined);

/** Who made a decision, as the audit trail and Planner say it: "Megan Bowen via Power Automate". */
export function decisionAuthor(decision: Decision): string {
  const via = decidedVia(decision);
  return via === undefined ? decision.reviewerName : `${decision.reviewerName} via ${via}`;
}

export const reviewAssetSchema = z.object({
  assetId: assetIdSchema,
  fileName: z.string(),
  addedAt: isoDate,
  thumbnailUrl: z.url().optional(),
});
export type ReviewAsset = z.infer<typeof reviewAssetSchema>;

/** What the routing rule said when the review opened, kept so later rule edits do not strand it. */
export const reviewRouteSchema = z.object({
  rule: z.string().min(1),
  planId: z.string().min(1),
  bucket: z.string().min(1),
  buckets: z.object({ approved: z.string(), rereview: z.string(), archived: z.string() }),
  labels: z.array(z.string()),
  priority: z.number().int().min(0).max(10),
  checklist: z.array(z.string()),
  archive: z.object({
    action: z.enum(['none', 'hide', 'move']),
    collectionId: z.string().optional(),
  }),
  /** Where it is reviewed (reviews stored before Ziflow were Teams only). */
  review: z.enum(['teams', 'ziflow', 'both']).default('teams'),
  preserve: z
    .object({ when: preserveWhenSchema, folder: z.string().min(1), securityTag: z.string().min(1) })
    .optional(),
  /** The rule's Ziflow stages when the review opened (used when `review` includes Ziflow). */
  proof: z
    .object({
      stages: z.array(
        z.object({
          name: z.string().min(1),
          reviewers: z.array(z.string()).optional(),
          dueInHours: z.number().positive().optional(),
        }),
      ),
      folderId: z.string().min(1).optional(),
      /** Where the approved assets are published (a shared collection, and its gallery's name). */
      publishTo: z
        .object({ collectionId: z.string().min(1), galleryName: z.string().min(1).optional() })
        .optional(),
    })
    .default({ stages: [{ name: 'Review' }] }),
});

/**
 * The review of one gallery batch: the aggregate stored with an ETag (docs/architecture.md). Uploads to
 * a gallery with an open review join it; a decision closes it.
 */
export const reviewSchema = z.object({
  id: z.string().min(1),
  galleryId: galleryIdSchema,
  galleryName: z.string(),
  galleryUrl: z.url(),
  rule: z.string().min(1),
  route: reviewRouteSchema,
  status: reviewStatusSchema,
  assets: z.array(reviewAssetSchema),
  reviewers: z.array(reviewerSchema).min(1),
  approval: z.enum(['any', 'all']),
  /** Every decision ever made, oldest first: the card's history. */
  decisions: z.array(decisionSchema),
  round: z.number().int().positive(),
  /** Moves on every change a card shows: a card carrying an older number is stale. */
  cardVersion: z.number().int().positive(),
  planner: z.object({
    planId: z.string().min(1),
    bucketId: z.string().min(1).optional(),
    taskId: z.string().min(1).optional(),
  }),
  teams: z.object({
    conversation: z.string().min(1),
    activityId: z.string().min(1).optional(),
    /**
     * The card that takes presses (`{reviewId}#{post attempt}`, card-instance.ts); other instances
     * are read-only. Unset on older reviews and until the first post's answer (then any card takes
     * presses); recorded with `activityId`, or before the post when it is a repeat.
     */
    cardInstance: z.string().min(1).max(256).optional(),
  }),
  /** The Ziflow proof, once made (reviews routed to Ziflow only). */
  proof: reviewProofSchema.optional(),
  /** The Preservica package, once started (rules with `preserve` only). */
  preservation: reviewPreservationSchema.optional(),
  /**
   * Why the last try to bring the proof in line with the review failed (Ziflow not answering,
   * throttling past the budget), shown on the card until a try succeeds.
   */
  proofTrouble: z.string().max(500).optional(),
  dueAt: isoDate,
  openedAt: isoDate,
  updatedAt: isoDate,
  closedAt: isoDate.optional(),
});
export type Review = z.infer<typeof reviewSchema>;

export const isOpen = (review: Review): boolean =>
  review.status === 'pending' || review.status === 'rereview';

/** Open and past its due date. */
export const isOverdue = (review: Review, now: Date): boolean =>
  isOpen(review) && Date.parse(review.dueAt) < now.getTime();

/** Adds assets not yet in the review; returns the same object when nothing is new. */
export function addAssets(review: Review, assets: readonly ReviewAsset[], now: Date): Review {
  const known = new Set(review.assets.map((a) => a.assetId));
  const fresh = assets.filter((a) => !known.has(a.assetId));
  if (fresh.length === 0) return review;
  return {
    ...review,
    assets: [...review.assets, ...fresh],
    // A re-review batch that receives new files is back to waiting for a decision, in a new round.
    status: 'pending',
    round: review.status === 'rereview' ? review.round + 1 : review.round,
    cardVersion: review.cardVersion + 1,
    updatedAt: now.toISOString(),
  };
}

/**
 * A replaced image of a proofed review: the review is open again for the proof's next version,
 * waiting for a decision in a new round (the earlier round's decisions stay in the history), as
 * new files after a re-review do. A version already asked for and not made yet takes this one too.
 */
export function reopenForVersion(review: Review, now: Date): Review {
  const proof = review.proof;
  if (proof === undefined) return review;
  const asked = awaitsVersion(proof);
  const decidedThisRound = review.decisions.some((d) => d.round === review.round);
  if (asked && review.status === 'pending' && !decidedThisRound) return review;
  const { closedAt: _closed, ...open } = review;
  return {
    ...open,
    status: 'pending',
    round: review.status === 'pending' && !decidedThisRound ? review.round : review.round + 1,
    proof: asked ? proof : { ...proof, wantedVersion: proof.versionIds.length + 1 },
    cardVersion: review.cardVersion + 1,
    updatedAt: now.toISOString(),
  };
}

/** Whether a replaced file is the approved file Lightdesk wrote back itself (by its size). */
export const isOwnFinal = (review: Review, assetId: string, fileSize: number): boolean =>
  review.proof?.finals?.some((f) => f.assetId === assetId && f.fileSize === fileSize) ?? false;

export interface DecisionRequest {
  readonly reviewerId: string;
  readonly verb: DecisionVerb;
  readonly comment?: string | undefined;
  /** The card version the reviewer was looking at; undefined for decisions not made on a card. */
  readonly cardVersion?: number | undefined;
  readonly source: Decision['source'];
  /** Source `api`: the calling application (default "the API"); ignored for other sources. */
  readonly via?: string | undefined;
}

export type DecisionOutcome =
  | { readonly kind: 'decided'; readonly review: Review }
  /** Recorded, but the review waits for the other reviewers (approval: all). */
  | { readonly kind: 'recorded'; readonly review: Review; readonly waitingFor: readonly string[] }
  | { readonly kind: 'notReviewer' }
  | { readonly kind: 'staleCard'; readonly currentVersion: number }
  | { readonly kind: 'closed'; readonly status: ReviewStatus }
  | { readonly kind: 'commentRequired' }
  | { readonly kind: 'alreadyDecided'; readonly decision: Decision };

// What the review keeps must read back: a name the schema would refuse is not stored in its place.
const viaOf = (via: string | undefined): string =>
  decisionViaSchema.safeParse(via).data ?? VIA_THE_API;

const finalStatus: Record<DecisionVerb, ReviewStatus> = {
  approve: 'approved',
  rereview: 'rereview',
  archive: 'archived',
};

/**
 * Applies one reviewer's decision: assigned reviewers only, on the current card, while open; a
 * re-review needs a comment. Under `approval: all` approvals are votes until all approved; a
 * re-review or archive from anyone settles it at once.
 */
export function decide(review: Review, request: DecisionRequest, now: Date): DecisionOutcome {
  // Planner has no notion of our reviewers: whoever completes or moves the task there speaks for the
  // board (a project manager's override), and settles the review at once.
  const isBoard = request.source === 'planner';
  const reviewer =
    review.reviewers.find((r) => r.id === request.reviewerId) ??
    (isBoard ? { id: request.reviewerId, name: 'Planner', upn: '' } : undefined);
  if (reviewer === undefined) return { kind: 'notReviewer' };
  // The same press delivered again (Teams retries an invoke it got no answer to in time, people
  // double-click) is answered with the current state, not counted twice or called stale.
  const thisRound = review.decisions.filter((d) => d.round === review.round);
  const previous = thisRound.find((d) => d.reviewerId === reviewer.id && d.verb === request.verb);
  // A re-review leaves the review open, so its repeat is told apart by the card it was pressed on.
  const isRepeat =
    request.verb === 'approve' ||
    // A Ziflow decision is a reviewer's standing decision on the proof, not a press on a card: the
    // same one again (a mirrored Teams decision coming back, a redelivery) changes nothing.
    request.source === 'ziflow' ||
    !isOpen(review) ||
    (request.cardVersion !== undefined && request.cardVersion !== review.cardVersion);
  if (previous !== undefined && isRepeat) {
    return { kind: 'alreadyDecided', decision: previous };
  }
  if (!isOpen(review)) return { kind: 'closed', status: review.status };
  if (request.cardVersion !== undefined && request.cardVersion !== review.cardVersion) {
    return { kind: 'staleCard', currentVersion: review.cardVersion };
  }
  const comment = request.comment?.trim();
  if (request.verb === 'rereview' && (comment === undefined || comment === '')) {
    return { kind: 'commentRequired' };
  }

  const decision: Decision = {
    reviewerId: reviewer.id,
    reviewerName: reviewer.name,
    verb: request.verb,
    ...(comment === undefined || comment === '' ? {} : { comment }),
    at: now.toISOString(),
    source: request.source,
    ...(request.source === 'api' ? { via: viaOf(request.via) } : {}),
    round: review.round,
  };
  const decisions = [...review.decisions, decision];
  const base = {
    ...review,
    decisions,
    cardVersion: review.cardVersion + 1,
    updatedAt: now.toISOString(),
  };

  if (request.verb === 'approve' && review.approval === 'all' && !isBoard) {
    const approvedBy = new Set(
      [...thisRound, decision].filter((d) => d.verb === 'approve').map((d) => d.reviewerId),
    );
    const waitingFor = review.reviewers.filter((r) => !approvedBy.has(r.id)).map((r) => r.name);
    if (waitingFor.length > 0) return { kind: 'recorded', review: base, waitingFor };
  }
  const status = finalStatus[request.verb];
  return {
    kind: 'decided',
    review: {
      ...base,
      status,
      ...(status === 'rereview' ? {} : { closedAt: now.toISOString() }),
    },
  };
}

/**
 * A Ziflow reviewer's decision on the review's proof as a decision request, for `decide` to apply
 * exactly as a Teams press: the reviewer is found by email (a reviewer's user principal name is
 * their email [INF]). `notDeciding`: a decision that settles nothing here ("not relevant").
 */
export function proofDecisionRequest(
  review: Review,
  input: { readonly email: string; readonly decision: ProofDecision; readonly reason?: string },
): DecisionRequest | 'notDeciding' | 'notReviewer' {
  const verb = verbOfProofDecision(input.decision);
  if (verb === undefined) return 'notDeciding';
  const email = input.email.trim().toLowerCase();
  const reviewer = review.reviewers.find((r) => r.upn.toLowerCase() === email);
  if (reviewer === undefined) return 'notReviewer';
  return {
    reviewerId: reviewer.id,
    verb,
    comment: commentOfProofDecision(input.decision, input.reason),
    source: 'ziflow',
  };
}
