import { assetsOfVersion, awaitsVersion, isOwnVersion } from '../model/proof.js';
import { decisionAuthor, type Review } from '../model/review.js';
import type { Clock } from '../ports/clock.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { PhotoArchive, PhotoLibraryFiles, WorkflowFields } from '../ports/photo-archive.js';
import type { ProofFile, ProofingService } from '../ports/proofing-service.js';
import { runOnce } from './run-once.js';
import type { NoteEffect, RecordReview } from './sync-card.js';

// An approved review with a Ziflow proof: the decision goes into each asset's workflow fields and
// the approved assets are published where the rule says. Only a version a person uploaded in Ziflow
// (a retoucher's file) is written back as the assets' current files: Lightdesk's own versions hold
// PhotoShelter's display renditions, not files to keep (docs/ziflow.md "Approved files").

export interface ApprovedProofDeps {
  readonly proofing: ProofingService;
  readonly archive: Pick<PhotoArchive, 'getAssetMetadata'>;
  readonly libraryFiles: PhotoLibraryFiles;
  readonly ledger: EffectLedger;
  readonly clock: Clock;
}

const FIELD_MAX = 500;

/** What the usage status field says of an approved asset. */
export const USAGE_APPROVED = 'approved for use';

/** Lightdesk's workflow field names on a PhotoShelter asset (PhotoLibraryFiles.setWorkflowFields). */
export const WORKFLOW_FIELD = {
  decision: 'decision',
  decidedBy: 'decidedBy',
  decidedAt: 'decidedAt',
  usage: 'usageStatus',
} as const;

/** The approval as the asset's workflow fields: who approved in the deciding round, and when. */
export function approvalFields(review: Review): WorkflowFields {
  const approvers = review.decisions
    .filter((d) => d.round === review.round && d.verb === 'approve')
    .map(decisionAuthor);
  return {
    [WORKFLOW_FIELD.decision]: 'approved',
    // PhotoShelter keeps each workflow field as one line of at most 500 characters.
    [WORKFLOW_FIELD.decidedBy]: [...new Set(approvers)].join(', ').slice(0, FIELD_MAX),
    [WORKFLOW_FIELD.decidedAt]: review.closedAt ?? review.updatedAt,
    [WORKFLOW_FIELD.usage]: USAGE_APPROVED,
  };
}

/** A Ziflow file name that names a file (with an extension); else the asset's current name. */
const fileNameOf = (file: ProofFile, current: string): string =>
  /\.[A-Za-z0-9]{2,5}$/.test(file.name) ? file.name : current;

/**
 * Sets the approval fields of each asset, and for a person's version first writes its file back,
 * once per asset and version under `ziflow.final:{reviewId}:{assetId}:{version}`; then publishes
 * once under `photoshelter.publish:{reviewId}`. A file PhotoShelter already has (same name and
 * size) is not written again.
 */
export async function syncApprovedProof(
  deps: ApprovedProofDeps,
  current: Review,
  record: RecordReview,
  note: NoteEffect,
): Promise<Review> {
  let review = current;
  const proof = review.proof;
  if (review.status !== 'approved' || proof === undefined || awaitsVersion(proof)) return review;
  const version = proof.versionIds.length;
  const assetIds = assetsOfVersion(
    proof,
    proof.proofId,
    review.assets.map((a) => a.assetId),
  );
  const target = review.route.proof.publishTo;
  const finalKey = (assetId: string) => `ziflow.final:${review.id}:${assetId}:${version}`;
  const publishKey = `photoshelter.publish:${review.id}`;
  // Every later sync of the approved review (reconcile, quiet re-writes) asks nothing once all is
  // done.
  if (
    await allDone(deps.ledger, [
      ...assetIds.map(finalKey),
      ...(target === undefined ? [] : [publishKey]),
    ])
  ) {
    return review;
  }
  const fields = approvalFields(review);
  // Lightdesk's own version is made of PhotoShelter's files: nothing to write back, and Ziflow is
  // not asked.
  const files = isOwnVersion(proof, proof.proofId)
    ? undefined
    : (await deps.proofing.getProof(proof.proofId)).files;

  for (const [index, assetId] of assetIds.entries()) {
    const file = files?.[index];
    const final = await runOnce(deps, finalKey(assetId), async () => {
      let outcome = files === undefined ? "Lightdesk's version: fields only" : 'no file';
      if (file !== undefined) outcome = await writeBack(deps, assetId, file);
      await deps.libraryFiles.setWorkflowFields(assetId, fields);
      return outcome;
    });
    if (final.isFresh) {
      await note(
        'photoshelter.final.written',
        review,
        `approved file of ${assetId} (version ${version}): ${final.result}`,
      );
    }
  }

  async function writeBack(
    d: ApprovedProofDeps,
    assetId: string,
    file: ProofFile,
  ): Promise<string> {
    const now = await d.archive.getAssetMetadata(assetId);
    if (now.fileName === file.name && now.fileSize === file.size) return 'unchanged';
    if (file.downloadUrl === undefined) return 'not downloadable';
    // Recorded before the write: PhotoShelter then reports the replace, and the review must know
    // it as its own (open-review.ts), even if this worker dies right after.
    review = await record((r) => withFinal(r, assetId, version, file.size));
    const content = await d.proofing.openFile(file);
    if (content.size !== undefined && content.size !== file.size) {
      review = await record((r) => withFinal(r, assetId, version, content.size ?? 0));
    }
    await d.libraryFiles.replaceOriginal(assetId, {
      fileName: fileNameOf(file, now.fileName),
      size: content.size,
      body: content.body,
    });
    return 'written';
  }

  if (target !== undefined) {
    const galleryName = target.galleryName ?? review.galleryName;
    const published = await runOnce(deps, publishKey, async () => {
      const { galleryId } = await deps.libraryFiles.publishToCollection(
        target.collectionId,
        galleryName,
        review.assets.map((a) => a.assetId),
      );
      return galleryId;
    });
    if (published.isFresh) {
      await note(
        'photoshelter.published',
        review,
        `${review.assets.length} approved image(s) published to "${galleryName}"`,
      );
    }
  }
  return review;
}

async function allDone(ledger: EffectLedger, keys: readonly string[]): Promise<boolean> {
  for (const key of keys) {
    if ((await ledger.get(key))?.state !== 'done') return false;
  }
  return true;
}

function withFinal(review: Review, assetId: string, version: number, fileSize: number) {
  const proof = review.proof;
  if (proof === undefined) return undefined;
  const finals = proof.finals ?? [];
  if (finals.some((f) => f.assetId === assetId && f.fileSize === fileSize)) return undefined;
  return { ...review, proof: { ...proof, finals: [...finals, { assetId, version, fileSize }] } };
}
