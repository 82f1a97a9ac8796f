import { beforeEach, describe, expect, it } from 'vitest';

import { decide, reopenForVersion, type Review } from '../../../core/model/review.js';
import { syncProof } from '../../../core/use-cases/sync-proof.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { InMemoryEffectLedger } from '../../doubles/in-memory-effect-ledger.js';
import { aReview, aReviewer, anAsset } from '../../support/review-builders.js';
import { archiveOn, proofingOn, useZiflowSimulator } from '../../support/ziflow-reviews.js';
import { ADELE, ALEX } from '../simulators/ziflow/support.js';

// A review routed to Ziflow gets exactly one proof, whatever fails on the way, and decisions made
// in Teams are told to it once: the use case with the real connector against the Ziflow simulator.

interface SimProof {
  readonly id: string;
  readonly version: number;
  readonly version_previous_id: string | null;
  readonly name: string;
  readonly source_files: readonly { name: string }[];
  readonly stages: readonly { name: string; members: readonly { email: string }[] }[];
}

describe('syncProof against the Ziflow simulator', () => {
  const simulator = useZiflowSimulator();
  let ledger: InMemoryEffectLedger;
  let clock: FixedClock;
  let stored: Review;
  const notes: string[] = [];

  const adele = aReviewer(1, { upn: ADELE.email, name: 'Adele Vance' });
  const alex = aReviewer(2, { upn: ALEX.email, name: 'Alex Wilber' });

  const deps = () => ({
    proofing: proofingOn(simulator(), clock),
    archive: archiveOn(simulator()),
    ledger,
    clock,
  });
  const record = (change: (r: Review) => Review | undefined) => {
    stored = change(stored) ?? stored;
    return Promise.resolve(stored);
  };
  const note = (kind: string) => {
    notes.push(kind);
    return Promise.resolve();
  };
  const simProofs = async () =>
    ((await (await fetch(`${simulator().url}/_sim/proofs`)).json()) as { proofs: SimProof[] })
      .proofs;
  const comments = async (proofId: string) =>
    (await deps().proofing.listComments(proofId)).map((c) => c.text);

  beforeEach(() => {
    ledger = new InMemoryEffectLedger();
    clock = new FixedClock('2026-12-03T09:00:00.000Z');
    notes.length = 0;
    const base = aReview({ reviewers: [adele, alex], assets: [1, 2, 3].map((n) => anAsset(n)) });
    stored = {
      ...base,
      route: {
        ...base.route,
        review: 'both',
        proof: { stages: [{ name: 'Creative' }, { name: 'Legal', reviewers: [ADELE.email] }] },
      },
    };
  });

  it('makes one proof of the batch with the stages and reviewers, and records it', async () => {
    await syncProof(deps(), stored, record, note);
    await syncProof(deps(), stored, record, note);
    const proofs = await simProofs();
    expect(proofs).toHaveLength(1);
    expect(proofs[0]?.source_files).toHaveLength(3);
    expect(proofs[0]?.stages.map((s) => [s.name, s.members.map((m) => m.email)])).toEqual([
      ['Creative', [ADELE.email, ALEX.email]],
      ['Legal', [ADELE.email]],
    ]);
    expect(stored.proof).toMatchObject({
      proofId: proofs[0]?.id,
      versionIds: [proofs[0]?.id],
      stages: [
        { name: 'Creative', waiting: 2, approved: 0 },
        { name: 'Legal', waiting: 1 },
      ],
    });
    expect(notes).toEqual(['ziflow.proof.created']);
  });

  it('finds the proof a lost answer made instead of making a second', async () => {
    await fetch(`${simulator().url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/v1/proofs', method: 'POST', lostResponse: true }),
    });
    await expect(syncProof(deps(), stored, record, note)).rejects.toThrow();
    expect(stored.proof).toBeUndefined();
    await syncProof(deps(), stored, record, note);
    const proofs = await simProofs();
    expect(proofs).toHaveLength(1);
    expect(stored.proof?.proofId).toBe(proofs[0]?.id);
  });

  it('tells the proof each decision made in Teams, once', async () => {
    await syncProof(deps(), stored, record, note);
    const decided = decide(
      stored,
      { reviewerId: adele.id, verb: 'rereview', comment: 'Too dark', source: 'teams' },
      clock.now(),
    );
    if (decided.kind !== 'decided') return expect.fail(decided.kind);
    stored = decided.review;
    await syncProof(deps(), stored, record, note);
    await syncProof(deps(), stored, record, note);
    expect(await comments(stored.proof?.proofId ?? '')).toEqual([
      'Adele Vance decided rereview in teams (changes_required): "Too dark"',
    ]);
  });

  it('makes the version a replaced image asks for once, though its answer was lost', async () => {
    await syncProof(deps(), stored, record, note);
    const first = stored.proof?.proofId;
    const reopened = reopenForVersion(stored, clock.now());
    stored = reopened;
    await fetch(`${simulator().url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/v1/proofs', method: 'POST', lostResponse: true }),
    });
    await expect(syncProof(deps(), stored, record, note)).rejects.toThrow();
    await syncProof(deps(), stored, record, note);
    await syncProof(deps(), stored, record, note);

    const proofs = await simProofs();
    expect(proofs).toHaveLength(2);
    const second = proofs.find((p) => p.id !== first);
    expect(second).toMatchObject({ version: 2, version_previous_id: first });
    expect(second?.source_files).toHaveLength(3);
    // The next version keeps the stages and reviewers.
    expect(second?.stages.map((s) => s.name)).toEqual(['Creative', 'Legal']);
    expect(stored.proof).toMatchObject({
      proofId: second?.id,
      versionIds: [first, second?.id],
      assetsOf: { [second?.id ?? '']: stored.assets.map((a) => a.assetId) },
    });
    expect(notes).toEqual(['ziflow.proof.created', 'ziflow.version.created']);
  });

  it("chains the next version onto a person's version the review has not heard of, without a 409", async () => {
    await syncProof(deps(), stored, record, note);
    const first = stored.proof?.proofId ?? expect.fail('no proof');
    // Alex uploads version 2 in Ziflow; its event has not reached the review yet.
    const upload = await fetch(`${simulator().url}/_sim/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        proofId: first,
        email: ALEX.email,
        files: [{ name: 'retouched.tif', contentBase64: Buffer.from('pixels').toString('base64') }],
      }),
    });
    const person = ((await upload.json()) as { id: string }).id;
    stored = reopenForVersion(stored, clock.now());

    await syncProof(deps(), stored, record, note);

    const third = (await simProofs()).find((p) => p.version === 3);
    expect(third).toMatchObject({ version_previous_id: person });
    expect(stored.proof).toMatchObject({
      proofId: third?.id,
      versionIds: [first, person, third?.id],
      ownVersionIds: [first, third?.id],
    });
    expect(notes).toEqual(['ziflow.proof.created', 'ziflow.version.created']);
  });

  it('leaves a Teams-only review alone', async () => {
    stored = { ...stored, route: { ...stored.route, review: 'teams' } };
    await syncProof(deps(), stored, record, note);
    expect(await simProofs()).toEqual([]);
  });
});
