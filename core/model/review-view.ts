import { decidedVia, type Decision, type Review } from './review.js';

/** A decision as shown outside: an API decision names the application it went through. */
function decisionView(decision: Decision): Decision {
  const via = decidedVia(decision);
  return via === undefined ? decision : { ...decision, via };
}

/** What every view of a review starts with: which gallery, by which rule, where it stands. */
export function reviewHeadline(review: Review) {
  return {
    id: review.id,
    galleryId: review.galleryId,
    galleryName: review.galleryName,
    galleryUrl: review.galleryUrl,
    rule: review.rule,
    status: review.status,
    assetCount: review.assets.length,
  };
}

/** The public view of a review: what the API answers, no internal bookkeeping. */
export function reviewView(review: Review) {
  return {
    ...reviewHeadline(review),
    assets: review.assets.map((a) => ({
      assetId: a.assetId,
      fileName: a.fileName,
      addedAt: a.addedAt,
    })),
    reviewers: review.reviewers,
    approval: review.approval,
    decisions: review.decisions.map(decisionView),
    cardVersion: review.cardVersion,
    plannerTaskId: review.planner.taskId ?? null,
    teamsConversation: review.teams.conversation,
    // Reviews proofed in Ziflow: the proof and, per stage, how many reviewers decided what.
    proof:
      review.proof === undefined
        ? null
        : {
            proofId: review.proof.proofId,
            url: review.proof.url ?? null,
            version: review.proof.versionIds.length,
            decisionStatus: review.proof.decisionStatus,
            stages: review.proof.stages,
          },
    // Reviews whose rule preserves them: where their package stands in Preservica.
    preservation:
      review.preservation === undefined
        ? null
        : {
            status: review.preservation.status,
            when: review.preservation.when,
            scope: review.preservation.scope,
            folderRef: review.preservation.folderRef,
            securityTag: review.preservation.securityTag,
            attempt: review.preservation.attempt,
            references: review.preservation.references,
            reason: review.preservation.reason ?? null,
            startedAt: review.preservation.startedAt,
            preservedAt: review.preservation.preservedAt ?? null,
          },
    dueAt: review.dueAt,
    openedAt: review.openedAt,
    updatedAt: review.updatedAt,
    closedAt: review.closedAt ?? null,
  };
}

/**
 * A webhook's view of the review, of fixed size whatever the batch (a queue message holds 64 KB),
 * so assets are counted, not listed; taken when the event happens, so the fan-out adds `reviewUrl`.
 */
export function reviewSummary(review: Review) {
  const last = review.decisions.at(-1);
  return {
    ...reviewHeadline(review),
    reviewers: review.reviewers.map((r) => ({ id: r.id, name: r.name, upn: r.upn })),
    lastDecision:
      last === undefined
        ? null
        : {
            reviewerId: last.reviewerId,
            reviewerName: last.reviewerName,
            verb: last.verb,
            comment: last.comment ?? null,
            // The application an API decision went through; null for one made in person.
            via: decidedVia(last) ?? null,
            at: last.at,
          },
    plannerTaskId: review.planner.taskId ?? null,
    dueAt: review.dueAt,
    openedAt: review.openedAt,
    closedAt: review.closedAt ?? null,
  };
}
