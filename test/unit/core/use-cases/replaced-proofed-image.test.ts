import { describe, expect, it } from 'vitest';

import type { Review } from '../../../../core/model/review.js';
import { updateReview } from '../../../../core/use-cases/update-review.js';
import { aReviewLoop, ben } from './review-loop.js';

// A replaced image of a review proofed in Ziflow goes back to that review (docs/ziflow.md): it opens
// again for the proof's next version; the approved file Lightdesk wrote back itself does not.

const WRITTEN_BACK_SIZE = 777_777;

async function anApprovedProofedReview() {
  const loop = aReviewLoop({ athletics: { review: 'ziflow' } });
  const upload = loop.upload(loop.galleries.mediaDay);
  await loop.deliver(upload);
  const opened = loop.onlyReviewOf(loop.galleries.mediaDay);
  const at = loop.clock.now().toISOString();
  await updateReview(loop.reviews, opened.id, (r) => ({
    ...r,
    status: 'approved',
    closedAt: at,
    decisions: [
      {
        reviewerId: ben.id,
        reviewerName: ben.name,
        verb: 'approve',
        at,
        source: 'ziflow',
        round: 1,
      },
    ],
    proof: {
      proofId: 'proof-v1',
      versionIds: ['proof-v1'],
      decisionStatus: 'approved',
      stages: [],
      assetsOf: { 'proof-v1': [upload.assetId] },
      finals: [{ assetId: upload.assetId, version: 1, fileSize: WRITTEN_BACK_SIZE }],
    },
  }));
  await loop.drainQueue();
  return { loop, upload, reviewId: opened.id };
}

describe('a replaced image of a review proofed in Ziflow', () => {
  it('opens that review again for version 2, keeping round 1 in the history', async () => {
    const { loop, upload, reviewId } = await anApprovedProofedReview();
    loop.clock.advance(60_000);
    const replaced = loop.replace(upload);
    await loop.deliver(replaced);
    await loop.deliver(replaced); // redelivered

    const review: Review = loop.onlyReviewOf(loop.galleries.mediaDay);
    expect(review).toMatchObject({
      id: reviewId,
      status: 'pending',
      round: 2,
      proof: { versionIds: ['proof-v1'], wantedVersion: 2 },
      decisions: [{ verb: 'approve', round: 1 }],
    });
    expect(review.closedAt).toBeUndefined();
    expect(loop.auditKinds().filter((k) => k === 'review.reopened')).toHaveLength(1);
    // PhotoShelter's status follows the review back to "pending review".
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('pending review');
  });

  it('leaves the review approved when the replace is the approved file written back', async () => {
    const { loop, upload, reviewId } = await anApprovedProofedReview();
    loop.clock.advance(60_000);
    const replaced = loop.replace(upload);
    await loop.deliver({ ...replaced, file: { ...replaced.file, fileSize: WRITTEN_BACK_SIZE } });

    const review = loop.onlyReviewOf(loop.galleries.mediaDay);
    expect(review).toMatchObject({ id: reviewId, status: 'approved', round: 1 });
    expect(review.proof?.wantedVersion).toBeUndefined();
    expect(loop.archive.reviewStatusOf(upload.assetId)).toBe('approved');
  });
});
