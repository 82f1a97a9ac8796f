import { z } from 'zod';

import type { DecisionVerb } from './review-status.js';

// A review routed to Ziflow is proofed there as one proof per gallery batch (every image a source
// file of it); each new version is a proof of its own, chained to the one before. What Ziflow calls
// its decisions and how they become ours is kept here, in one place (docs/ziflow.md).

/** Ziflow's decision values, for a reviewer, a stage or the whole proof (`decision_status`). */
export const proofDecisionSchema = z.enum([
  'approved',
  'approved_with_changes',
  'changes_required',
  'not_relevant',
]);
export type ProofDecision = z.infer<typeof proofDecisionSchema>;

/** How many reviewers of one stage decided what, and how many have not decided yet. */
export const stageProgressSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  /** The stage's calculated decision (Ziflow's `stages[].status`), null while undecided. */
  status: proofDecisionSchema.nullable(),
  approved: z.number().int().min(0),
  approvedWithChanges: z.number().int().min(0),
  changesRequired: z.number().int().min(0),
  notRelevant: z.number().int().min(0),
  waiting: z.number().int().min(0),
});
export type StageProgress = z.infer<typeof stageProgressSchema>;

/** The review's proof: its latest version, the chain of versions and where each stage stands. */
export const reviewProofSchema = z.object({
  /** The latest version's proof id (in Ziflow every version has its own id). */
  proofId: z.string().min(1),
  /** Every version's proof id, oldest first. */
  versionIds: z.array(z.string().min(1)).min(1),
  url: z.url().optional(),
  /** The proof's calculated decision across stages, null while undecided. */
  decisionStatus: proofDecisionSchema.nullable(),
  stages: z.array(stageProgressSchema),
  /**
   * The version a replaced image asks for (the count of versions it needs); syncProof makes it
   * under `ziflow.version:{reviewId}:{n}`. Until then the latest version speaks for nothing.
   */
  wantedVersion: z.number().int().positive().optional(),
  /**
   * The versions Lightdesk made itself, recorded as it makes them; any other version of the chain
   * was uploaded by a person in Ziflow (a retoucher's file). Absent on proofs recorded before
   * versions were told apart: each version they hold is Lightdesk's (`ownVersions`).
   */
  ownVersionIds: z.array(z.string().min(1)).optional(),
  /** Per version Lightdesk made, the asset each source file is, in order (file i is asset i). */
  assetsOf: z.record(z.string(), z.array(z.string().min(1))).optional(),
  /**
   * The approved files written back to PhotoShelter, recorded before each write, so the replace
   * PhotoShelter then reports is known as our own and re-opens nothing.
   */
  finals: z
    .array(
      z.object({
        assetId: z.string().min(1),
        version: z.number().int().positive(),
        fileSize: z.number().int().nonnegative(),
      }),
    )
    .optional(),
});
export type ReviewProof = z.infer<typeof reviewProofSchema>;

/** Whether a replaced image asked for a version not made yet. */
export const awaitsVersion = (proof: ReviewProof): boolean =>
  (proof.wantedVersion ?? 0) > proof.versionIds.length;

/**
 * The versions Lightdesk made. [INF] A proof recorded before they were told apart only ever took
 * versions Lightdesk made (the event of a person's version was ignored), so all of its are.
 */
export const ownVersions = (proof: ReviewProof): readonly string[] =>
  proof.ownVersionIds ?? proof.versionIds;

/** Whether Lightdesk made this version (else a person uploaded it in Ziflow). */
export const isOwnVersion = (proof: ReviewProof, versionId: string): boolean =>
  ownVersions(proof).includes(versionId);

/**
 * Which asset each file of a version is: what Lightdesk recorded for its own versions; for a
 * person's version, the mapping of the version it was made from (the one before it in the chain),
 * file i to the asset of file i [INF: Ziflow does not say which file replaced which]. A proof
 * made before the mapping was recorded was made in the review's asset order (`fallback`).
 */
export function assetsOfVersion(
  proof: ReviewProof,
  versionId: string,
  fallback: readonly string[],
): readonly string[] {
  const index = proof.versionIds.indexOf(versionId);
  for (let i = index; i >= 0; i -= 1) {
    const recorded = proof.assetsOf?.[proof.versionIds[i] ?? ''];
    if (recorded !== undefined) return recorded;
  }
  return proof.assetsOf?.[versionId] ?? fallback;
}

/** One reviewer's place in a stage, as the proofing service reports it. */
export interface StageMember {
  readonly email: string;
  readonly decision: ProofDecision | null;
}

/** Counts a stage's members by decision: what the card and the API show per stage. */
export function progressOf(stage: {
  readonly id: string;
  readonly name: string;
  readonly status: ProofDecision | null;
  readonly members: readonly StageMember[];
}): StageProgress {
  const count = (d: ProofDecision | null) => stage.members.filter((m) => m.decision === d).length;
  return {
    id: stage.id,
    name: stage.name,
    status: stage.status,
    approved: count('approved'),
    approvedWithChanges: count('approved_with_changes'),
    changesRequired: count('changes_required'),
    notRelevant: count('not_relevant'),
    waiting: count(null),
  };
}

/**
 * The review decision a Ziflow decision stands for: approvals (with or without changes) approve,
 * "changes required" asks for a re-review. "Not relevant" decides nothing here [INF: Ziflow counts
 * it only when every reviewer of a stage says so]; change this mapping here and nowhere else.
 */
export function verbOfProofDecision(decision: ProofDecision): DecisionVerb | undefined {
  switch (decision) {
    case 'approved':
    case 'approved_with_changes':
      return 'approve';
    case 'changes_required':
      return 'rereview';
    case 'not_relevant':
      return undefined;
  }
}

/** The comment a Ziflow decision carries into the review: a re-review must say why. */
export function commentOfProofDecision(
  decision: ProofDecision,
  reason: string | undefined,
): string | undefined {
  const said = reason?.trim();
  if (said !== undefined && said !== '') return said;
  if (decision === 'changes_required') return 'Changes required in Ziflow.';
  if (decision === 'approved_with_changes') return 'Approved with changes in Ziflow.';
  return undefined;
}

/** The Ziflow decision a Teams or Planner verb is mirrored to on the proof of a `both` review. */
export const proofDecisionOfVerb: Record<DecisionVerb, ProofDecision | undefined> = {
  approve: 'approved',
  rereview: 'changes_required',
  // Archiving has no Ziflow decision; it is mirrored as a comment only.
  archive: undefined,
};
