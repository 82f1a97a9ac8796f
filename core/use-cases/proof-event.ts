import { ConfigError } from '../errors.js';
import { awaitsVersion, ownVersions, type ReviewProof } from '../model/proof.js';
import type { ProofEvent } from '../model/queue-message.js';
import { proofDecisionRequest, type Review } from '../model/review.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { ProofingService, ProofSnapshot } from '../ports/proofing-service.js';
import { type DecideReviewDeps, decideReview } from './decide-review.js';
import { proofOf } from './sync-proof.js';
import { runOnce } from './run-once.js';
import { updateReview } from './update-review.js';

// What a Ziflow webhook event does (docs/ziflow.md): the proof is read (the event's own fields are
// unpublished [INF]), its review found by the id its name carries, the stage progress recorded, and
// each reviewer's decision applied through decideReview exactly as a Teams press.

export interface ProofEventDeps extends DecideReviewDeps {
  readonly proofing?: ProofingService | undefined;
  readonly audit: AuditLog;
  readonly ledger: EffectLedger;
}

/** How much of a Ziflow comment the audit trail keeps. */
const MAX_COMMENT = 500;

export type ProofEventResult =
  | {
      readonly kind: 'proofUpdated';
      readonly id: string;
      readonly reviewId: string;
      readonly decided: number;
    }
  | { readonly kind: 'notOurs'; readonly id: string };

/** The review id a proof's name carries (sync-proof.ts `proofName`), or undefined. */
export function reviewIdOfProofName(name: string): string | undefined {
  return /— Lightdesk review (\S+)$/.exec(name)?.[1];
}

export async function handleProofEvent(
  deps: ProofEventDeps,
  message: ProofEvent,
): Promise<ProofEventResult> {
  const { proofing } = deps;
  if (proofing === undefined) {
    throw new ConfigError(
      ['ZIFLOW_API_KEY'],
      ['A Ziflow event came in but Ziflow is not configured'],
    );
  }
  const log = deps.logger.child('ziflow');
  const proof = await proofing.getProof(message.proofId);
  const reviewId = reviewIdOfProofName(proof.name);
  const stored = reviewId === undefined ? undefined : await deps.reviews.get(reviewId);
  // A proof someone made in Ziflow by hand, or one of a review since deleted: not ours to act on.
  if (reviewId === undefined || stored?.review.proof === undefined) {
    log.info('ziflow event for a proof without a review', {
      proofId: message.proofId,
      event: message.event,
    });
    return { kind: 'notOurs', id: message.id };
  }

  // A version a person uploaded in Ziflow after the ones the review knows (a retoucher's file) is
  // adopted: the review takes the chain up to the newest version, which then speaks for it
  // (docs/ziflow.md "A person's version").
  const known = stored.review.proof;
  const newestId = proof.versionIds.at(-1) ?? proof.proofId;
  const newest =
    newestId === proof.proofId ||
    known.versionIds.includes(newestId) ||
    !proof.versionIds.includes(known.proofId)
      ? proof
      : await proofing.getProof(newestId);
  const adopts = (p: ReviewProof): boolean =>
    // While a replaced image awaits Lightdesk's version, syncProof chains it onto the newest one
    // and records the chain itself.
    !awaitsVersion(p) &&
    newest.versionIds.includes(p.proofId) &&
    !p.versionIds.includes(newest.proofId);

  // The latest version speaks for the review; an event of an older version only refreshes progress.
  const isLatest = (review: Review, snapshot: ProofSnapshot): boolean =>
    review.proof?.versionIds.at(-1) === snapshot.proofId ||
    review.proof?.proofId === snapshot.proofId;
  // Once a replaced image asked for the next version, the decisions on this one are of the old
  // image: they settle nothing (the next version's reviewers decide afresh).
  const speaks = (review: Review, snapshot: ProofSnapshot): boolean =>
    isLatest(review, snapshot) && review.proof !== undefined && !awaitsVersion(review.proof);
  const updated = await updateReview(
    deps.reviews,
    reviewId,
    (r) => {
      if (r.proof === undefined) return undefined;
      let next: ReviewProof;
      if (adopts(r.proof)) {
        // The versions Lightdesk made stay marked as its own; the adopted ones are a person's.
        next = { ...r.proof, ...proofOf(newest), ownVersionIds: [...ownVersions(r.proof)] };
      } else if (isLatest(r, proof)) {
        // The chain is the review's own to extend (adopted above, or by syncProof).
        next = { ...r.proof, ...proofOf(proof), versionIds: r.proof.versionIds };
      } else {
        return undefined;
      }
      return JSON.stringify(next) === JSON.stringify(r.proof)
        ? undefined
        : {
            ...r,
            proof: next,
            cardVersion: r.cardVersion + 1,
            updatedAt: deps.clock.now().toISOString(),
          };
    },
    deps,
  );
  if (updated.review.proof?.proofId === newest.proofId && !known.versionIds.includes(newestId)) {
    log.info("adopted a person's version of the proof", {
      reviewId,
      proofId: newest.proofId,
      version: updated.review.proof.versionIds.length,
    });
    // On the audit trail with the proof's other versions, once per version (the trail's own key
    // holds only for the same time, and each event comes at its own).
    const adoptedKey = `ziflow.version.adopted:${newest.proofId}`;
    const adopted = await runOnce(deps, adoptedKey, () => Promise.resolve('noted'));
    if (adopted.isFresh) {
      await deps.audit.append({
        at: deps.clock.now().toISOString(),
        kind: 'ziflow.version.adopted',
        subject: reviewId,
        summary: `Ziflow proof version ${updated.review.proof.versionIds.length} (${newest.proofId}), made in Ziflow by a person`,
        data: {
          reviewId,
          galleryId: updated.review.galleryId,
          proofId: newest.proofId,
          version: updated.review.proof.versionIds.length,
        },
        key: adoptedKey,
      });
    }
    // The card and the Planner task show the new version number; a lost request is caught up by
    // the reconcile (the card's version lags).
    await deps.queue.enqueue({
      type: 'review.sync',
      id: `review.sync:${reviewId}:v${updated.review.cardVersion}`,
      reviewId,
      reason: `ziflow version ${updated.review.proof.versionIds.length}`,
    });
  }

  // The proof's history on the audit trail with the review's: each comment once (keyed), with its
  // author and time; decisions reach the trail through decideReview, versions through syncProof.
  for (const comment of await proofing.listComments(proof.proofId)) {
    await deps.audit.append({
      at: comment.at === '' ? deps.clock.now().toISOString() : comment.at,
      kind: 'ziflow.comment',
      subject: reviewId,
      summary: `${comment.authorEmail ?? 'Someone'} in Ziflow: ${comment.text.slice(0, MAX_COMMENT)}`,
      data: {
        reviewId,
        galleryId: stored.review.galleryId,
        proofId: proof.proofId,
        commentId: comment.id,
        author: comment.authorEmail ?? null,
      },
      key: `ziflow.comment:${proof.proofId}:${comment.id}`,
    });
  }

  let decided = 0;
  // The version that speaks: the event's, or the newest one just adopted.
  const speaking = [proof, newest].find((v) => speaks(updated.review, v));
  if (speaking !== undefined) {
    for (const stage of speaking.stages) {
      for (const member of stage.members) {
        if (member.decision === null) continue;
        // Only the reviewers are read here, and a decision does not change them: decideReview
        // reads the review it decides on itself.
        const request = proofDecisionRequest(stored.review, {
          email: member.email,
          decision: member.decision,
        });
        if (request === 'notDeciding' || request === 'notReviewer') continue;
        const result = await decideReview(deps, reviewId, request);
        if (result.kind === 'decided' || result.kind === 'recorded') decided += 1;
      }
    }
  }
  log.info('ziflow event handled', {
    proofId: proof.proofId,
    reviewId,
    event: message.event,
    decided,
  });
  return { kind: 'proofUpdated', id: message.id, reviewId, decided };
}
