import { beforeEach, describe, expect, it } from 'vitest';

import type { Review } from '../../../core/model/review.js';
import { handleProofEvent } from '../../../core/use-cases/proof-event.js';
import { updateReview } from '../../../core/use-cases/update-review.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../doubles/in-memory-audit-log.js';
import { InMemoryEffectLedger } from '../../doubles/in-memory-effect-ledger.js';
import { InMemoryEventQueue } from '../../doubles/in-memory-event-queue.js';
import { InMemoryReviewStore } from '../../doubles/in-memory-review-store.js';
import { RecordingLogger } from '../../doubles/recording-logger.js';
import { aReview, aReviewer, anAsset } from '../../support/review-builders.js';
import { openProofedReview, proofingOn, useZiflowSimulator } from '../../support/ziflow-reviews.js';
import { ADELE, ALEX } from '../simulators/ziflow/support.js';

// A Ziflow webhook event, as the worker handles it: the proof read from the Ziflow simulator, its
// review found, stage progress recorded and each reviewer's decision applied once.

describe('handleProofEvent against the Ziflow simulator', () => {
  const simulator = useZiflowSimulator();
  let reviews: InMemoryReviewStore;
  let queue: InMemoryEventQueue;
  let clock: FixedClock;
  let reviewId: string;
  let proofId: string;

  const adele = aReviewer(1, { upn: ADELE.email, name: 'Adele Vance' });
  const alex = aReviewer(2, { upn: ALEX.email, name: 'Alex Wilber' });
  const proofing = () => proofingOn(simulator(), clock);
  let audit: InMemoryAuditLog;
  let ledger = new InMemoryEffectLedger();
  const deps = () => ({
    proofing: proofing(),
    reviews,
    queue,
    audit,
    ledger,
    clock,
    logger: new RecordingLogger(),
  });
  const event = (n: number, id = proofId) => ({
    type: 'ziflow.event' as const,
    id: `ziflow:event-${n}`,
    proofId: id,
    event: 'decision',
    receivedAt: clock.now().toISOString(),
  });
  const decideInZiflow = (email: string, decision: string) =>
    fetch(`${simulator().url}/_sim/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proofId, email, decision }),
    });
  const stored = async (): Promise<Review> => {
    const found = (await reviews.get(reviewId))?.review;
    return found ?? expect.fail('the review is gone');
  };

  beforeEach(async () => {
    reviews = new InMemoryReviewStore();
    queue = new InMemoryEventQueue();
    audit = new InMemoryAuditLog();
    ledger = new InMemoryEffectLedger();
    clock = new FixedClock('2026-12-03T09:00:00.000Z');
    const base = aReview({ reviewers: [adele, alex], assets: [anAsset(1), anAsset(2)] });
    reviewId = base.id;
    proofId = await openProofedReview(simulator(), reviews, base, clock);
  });

  it("settles the review with a reviewer's Ziflow approval, as a Teams approval would", async () => {
    await decideInZiflow(ALEX.email, 'approved');
    const result = await handleProofEvent(deps(), event(1));
    expect(result).toEqual({ kind: 'proofUpdated', id: 'ziflow:event-1', reviewId, decided: 1 });
    const review = await stored();
    expect(review.status).toBe('approved');
    expect(review.decisions).toMatchObject([
      { reviewerId: alex.id, verb: 'approve', source: 'ziflow' },
    ]);
    expect(review.proof?.stages).toMatchObject([{ approved: 1, waiting: 1 }]);
    // The sync of the card, the task and PhotoShelter is queued, as for any decision.
    expect(queue.messages.map((m) => m.type)).toContain('review.sync');
  });

  it('changes nothing when the same event (or a later one with nothing new) comes again', async () => {
    await decideInZiflow(ALEX.email, 'approved');
    await handleProofEvent(deps(), event(1));
    const before = await stored();
    const again = await handleProofEvent(deps(), event(1));
    expect(again).toMatchObject({ decided: 0 });
    expect(await stored()).toEqual(before);
  });

  it("puts the proof's comments on the review's audit trail, each once, with author and proof", async () => {
    await fetch(`${simulator().url}/_sim/comment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proofId, email: ADELE.email, text: 'Crop the logo tighter' }),
    });
    await handleProofEvent(deps(), event(4));
    await handleProofEvent(deps(), event(5));
    const comments = audit.entries.filter((e) => e.kind === 'ziflow.comment');
    expect(comments).toMatchObject([
      {
        subject: reviewId,
        summary: `${ADELE.email} in Ziflow: Crop the logo tighter`,
        data: { reviewId, proofId, author: ADELE.email },
      },
    ]);
  });

  it('asks for a re-review on "changes required"', async () => {
    await decideInZiflow(ADELE.email, 'changes_required');
    await handleProofEvent(deps(), event(2));
    expect(await stored()).toMatchObject({
      status: 'rereview',
      decisions: [
        { reviewerId: adele.id, verb: 'rereview', comment: 'Changes required in Ziflow.' },
      ],
    });
  });

  it('lets no decision on a version a replaced image outdated settle the review', async () => {
    // The image was replaced: the review waits for version 2, not yet made.
    await updateReview(reviews, reviewId, (r) =>
      r.proof === undefined ? undefined : { ...r, proof: { ...r.proof, wantedVersion: 2 } },
    );
    await decideInZiflow(ALEX.email, 'approved');
    const result = await handleProofEvent(deps(), event(6));
    expect(result).toMatchObject({ kind: 'proofUpdated', decided: 0 });
    const review = await stored();
    expect(review.status).toBe('pending');
    expect(review.decisions).toEqual([]);
    // Its progress is still shown, and the version asked for is still asked for.
    expect(review.proof).toMatchObject({ wantedVersion: 2, stages: [{ approved: 1 }] });
  });

  it("adopts a person's version told of by an event of the old one, and counts the decisions on it", async () => {
    const first = proofId;
    // Megan uploads version 2 in Ziflow and Alex approves it; the first event Lightdesk reads is
    // one of version 1 (its own events were lost or come later).
    const made = await fetch(`${simulator().url}/_sim/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        proofId: first,
        email: 'MeganB@contoso.onmicrosoft.com',
        files: [
          { name: 'a.tif', contentBase64: 'AAAA' },
          { name: 'b.tif', contentBase64: 'AAAA' },
        ],
      }),
    });
    const second = ((await made.json()) as { id: string }).id;
    proofId = second;
    await decideInZiflow(ALEX.email, 'approved');
    const result = await handleProofEvent(deps(), event(7, first));

    expect(result).toMatchObject({ kind: 'proofUpdated', decided: 1 });
    const review = await stored();
    expect(review.proof).toMatchObject({
      proofId: second,
      versionIds: [first, second],
      ownVersionIds: [first],
      stages: [{ approved: 1 }],
    });
    expect(review.status).toBe('approved');
    expect(review.decisions).toMatchObject([{ reviewerId: alex.id, verb: 'approve' }]);
    // The card and the Planner task are synced to show version 2.
    expect(queue.messages.filter((m) => m.type === 'review.sync')).not.toEqual([]);
  });

  it("leaves alone a proof that is not a review's", async () => {
    const byHand = await proofing().createProof({
      name: 'Made in Ziflow by hand',
      sources: [{ assetId: 'x', fileName: 'x.jpg', url: simulator().file('x.jpg') }],
      stages: [{ name: 'Review', deadline: clock.now(), reviewerEmails: [ALEX.email] }],
    });
    await expect(handleProofEvent(deps(), event(3, byHand.proofId))).resolves.toEqual({
      kind: 'notOurs',
      id: 'ziflow:event-3',
    });
  });
});
