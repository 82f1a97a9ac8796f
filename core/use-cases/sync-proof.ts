import {
  awaitsVersion,
  ownVersions,
  progressOf,
  proofDecisionOfVerb,
  type ReviewProof,
} from '../model/proof.js';
import { decisionAuthor, type Review } from '../model/review.js';
import type { Clock } from '../ports/clock.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { PhotoArchive } from '../ports/photo-archive.js';
import type { ProofingService, ProofSnapshot } from '../ports/proofing-service.js';
import { runOnce } from './run-once.js';
import type { NoteEffect, RecordReview } from './sync-card.js';

// The Ziflow side of a review routed there (`review: ziflow | both`): one proof per review, made
// once under `ziflow.proof:{reviewId}`, and each decision made outside Ziflow mirrored to it once
// (docs/ziflow.md).

export interface SyncProofDeps {
  readonly proofing: ProofingService;
  readonly archive: Pick<PhotoArchive, 'getDisplayLink'>;
  readonly ledger: EffectLedger;
  readonly clock: Clock;
}

/**
 * The rendition Ziflow fetches as a proof's source file. [INF] A large "fit" link of PhotoShelter
 * (what the display links give) stands in for the original, whose download needs rights we may
 * not have; change it here.
 */
const SOURCE_SIZE = { width: 4096, height: 4096 } as const;

/** A proof's name: the gallery for people, the review id so a retried create finds it (exact). */
export const proofName = (review: Review): string =>
  `${review.galleryName} — Lightdesk review ${review.id}`.slice(0, 255);

/**
 * The review's proof as the card and the API show it: what Ziflow says of the version. Spread over
 * the stored proof, so what Lightdesk keeps itself (versions asked for, files written back) stays.
 */
export function proofOf(
  snapshot: ProofSnapshot,
): Omit<ReviewProof, 'wantedVersion' | 'assetsOf' | 'finals' | 'ownVersionIds'> {
  return {
    proofId: snapshot.proofId,
    versionIds: [...snapshot.versionIds],
    ...(snapshot.url === undefined ? {} : { url: snapshot.url }),
    decisionStatus: snapshot.decisionStatus,
    stages: snapshot.stages.map(progressOf),
  };
}

/** A version's sources, in the review's asset order: file i of a version is asset i. */
async function createProof(
  deps: SyncProofDeps,
  review: Review,
  previousProofId?: string,
): Promise<ProofSnapshot> {
  const sources = await Promise.all(
    review.assets.map(async (asset) => ({
      assetId: asset.assetId,
      fileName: asset.fileName,
      url: (await deps.archive.getDisplayLink(asset.assetId, SOURCE_SIZE)).url,
    })),
  );
  const opened = Date.parse(review.openedAt);
  const due = Date.parse(review.dueAt);
  const stages = review.route.proof.stages.map((stage) => ({
    name: stage.name,
    deadline: new Date(
      stage.dueInHours === undefined ? due : opened + stage.dueInHours * 3_600_000,
    ),
    reviewerEmails:
      stage.reviewers ?? review.reviewers.map((r) => r.upn).filter((upn) => upn !== ''),
  }));
  if (previousProofId !== undefined) {
    // The next version keeps the stages and reviewers of the one before, decisions cleared [INF],
    // so the deadlines of a review opened long ago are not set in the past.
    return deps.proofing.createProof({ name: proofName(review), sources, previousProofId });
  }
  return deps.proofing.createProof({
    name: proofName(review),
    sources,
    stages,
    ...(review.route.proof.folderId === undefined ? {} : { folderId: review.route.proof.folderId }),
  });
}

/**
 * The next version of the proof when a replaced image asked for one (`proof.wantedVersion`): made
 * once under `ziflow.version:{reviewId}:{n}` with every current image, chained to the newest
 * version in Ziflow (a person may have uploaded one the review does not know yet: Ziflow adds a
 * version after the newest only). A retry after a lost answer takes the newest version it does not
 * know as the one it made.
 */
async function addVersion(
  deps: SyncProofDeps,
  review: Review,
  record: RecordReview,
  note: NoteEffect,
): Promise<Review> {
  const proof = review.proof;
  if (proof === undefined || !awaitsVersion(proof)) return review;
  const wanted = proof.versionIds.length + 1;
  const assetIds = review.assets.map((a) => a.assetId);
  let made: ProofSnapshot | undefined;
  const version = await runOnce(deps, `ziflow.version:${review.id}:${wanted}`, async (attempt) => {
    const chain = (await deps.proofing.getProof(proof.proofId)).versionIds;
    const newest = chain.at(-1) ?? proof.proofId;
    if (attempt > 1 && !proof.versionIds.includes(newest)) return newest;
    made = await createProof(deps, review, newest);
    return made.proofId;
  });
  const snapshot = made ?? (await deps.proofing.getProof(version.result));
  const next = await record((r) =>
    r.proof === undefined ||
    (r.proof.versionIds.includes(snapshot.proofId) &&
      r.proof.assetsOf?.[snapshot.proofId] !== undefined)
      ? undefined
      : {
          ...r,
          proof: {
            ...r.proof,
            ...proofOf(snapshot),
            ownVersionIds: [...new Set([...ownVersions(r.proof), snapshot.proofId])],
            assetsOf: { ...r.proof.assetsOf, [snapshot.proofId]: assetIds },
          },
          cardVersion: r.cardVersion + 1,
        },
  );
  if (version.isFresh) {
    await note(
      'ziflow.version.created',
      next,
      `Ziflow proof version ${snapshot.versionIds.length} (${version.result}) of ${assetIds.length} image(s)`,
    );
  }
  return next;
}

/** Makes the review's proof once and records it; then mirrors decisions made elsewhere to it. */
export async function syncProof(
  deps: SyncProofDeps,
  current: Review,
  record: RecordReview,
  note: NoteEffect,
): Promise<Review> {
  let review = current;
  if (review.route.review === 'teams') return review;

  if (review.proof === undefined) {
    let made: ProofSnapshot | undefined;
    const proof = await runOnce(deps, `ziflow.proof:${review.id}`, async (attempt) => {
      // A crashed or lost create may have made the proof: look for it by its exact name first.
      made =
        (attempt > 1 ? await deps.proofing.findProofByName(proofName(review)) : undefined) ??
        (await createProof(deps, review));
      return made.proofId;
    });
    // Another sync of the same batch made it: the stored review has it already, most of the time,
    // so Ziflow is not asked again (one create per batch, and no reads that depend on timing).
    const stored = made === undefined ? await record(() => undefined) : review;
    const snapshot =
      made ?? (stored.proof === undefined ? await deps.proofing.getProof(proof.result) : undefined);
    const assetIds = review.assets.map((a) => a.assetId);
    review = await record((r) =>
      r.proof !== undefined || snapshot === undefined
        ? undefined
        : {
            ...r,
            proof: {
              ...proofOf(snapshot),
              ownVersionIds: [snapshot.proofId],
              assetsOf: { [snapshot.proofId]: assetIds },
            },
            cardVersion: r.cardVersion + 1,
          },
    );
    if (proof.isFresh) await note('ziflow.proof.created', review, `Ziflow proof ${proof.result}`);
  }
  review = await addVersion(deps, review, record, note);

  // Decisions made in Teams, Planner or through the API are told to the proof, each once. [INF]
  // The API key acts as one user, so the reviewer's own Ziflow decision cannot be made for them:
  // it is written as a comment naming the decision Ziflow would show.
  const proofId = review.proof?.proofId;
  if (proofId === undefined) return review;
  for (const [index, decision] of review.decisions.entries()) {
    if (decision.source === 'ziflow') continue;
    const mirrored = await runOnce(deps, `ziflow.mirror:${review.id}:${index}`, async () => {
      const asZiflow = proofDecisionOfVerb[decision.verb];
      const said = decision.comment === undefined ? '' : `: "${decision.comment}"`;
      await deps.proofing.addComment(
        proofId,
        `${decisionAuthor(decision)} decided ${decision.verb} in ${decision.source}` +
          `${asZiflow === undefined ? '' : ` (${asZiflow})`}${said}`,
      );
      return decision.verb;
    });
    if (mirrored.isFresh) {
      await note('ziflow.decision.mirrored', review, `${decision.verb} told to the Ziflow proof`);
    }
  }
  return review;
}
