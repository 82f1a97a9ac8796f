import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ADELE, ALEX, type Json, MEGAN, ZiflowHarness } from './support.js';

// Decisions as Ziflow's help "Understand decision calculation" describes them, made through both
// decision routes as the caller (their API key) and through the reviewer driver.

let h: ZiflowHarness;
beforeEach(async () => {
  h = await ZiflowHarness.start();
});
afterEach(async () => {
  await h.stop();
});

const decide = (proofId: string, key: string, decision: string | null, reason?: string) =>
  h.api('POST', `/proofs/${proofId}/decision`, {
    key,
    body: { decision, ...(reason === undefined ? {} : { reason }) },
  });

const memberOf = (proof: Json, email: string) =>
  proof.stages
    .flatMap((s: { members: Json[] }) => s.members)
    .find((m: { email: string }) => m.email === email);

describe('decisions within a stage', () => {
  it('waits for every decision maker, then the strongest decision wins', async () => {
    const proof = await h.proof([{ members: [ADELE.email, ALEX.email, MEGAN.email] }]);
    const first = await decide(proof.id, ADELE.key, 'approved', 'Looks good');
    expect(first.status).toBe(200);
    expect(first.body.stages[0].status).toBeNull();
    expect(first.body.decision_status).toBeNull();
    expect(first.body.status).toBe('in_progress');
    expect(memberOf(first.body, ADELE.email)).toMatchObject({
      decision: 'approved',
      reason: 'Looks good',
    });
    expect(memberOf(first.body, ADELE.email).decision_date).toMatch(/^\d{4}-/);

    await decide(proof.id, ALEX.key, 'approved_with_changes');
    const last = await decide(proof.id, MEGAN.key, 'approved');
    expect(last.body.stages[0].status).toBe('approved_with_changes');
    expect(last.body.decision_status).toBe('approved_with_changes');
    expect(last.body.decision_status_label).toBe('Approved with changes');
    expect(last.body.status).toBe('completed');

    // Changing a decision before the proof is locked recalculates it.
    const changed = await decide(proof.id, MEGAN.key, 'changes_required');
    expect(changed.body.decision_status).toBe('changes_required');
    // Revoking one returns the proof to in progress.
    const revoked = await decide(proof.id, MEGAN.key, null);
    expect(revoked.body.decision_status).toBeNull();
    expect(revoked.body.status).toBe('in_progress');
  });

  it('is not relevant only when every decision is', async () => {
    const proof = await h.proof([{ members: [ADELE.email, ALEX.email] }]);
    await decide(proof.id, ADELE.key, 'not_relevant');
    const mixed = await decide(proof.id, ALEX.key, 'approved');
    expect(mixed.body.decision_status).toBe('approved');
    const all = await decide(proof.id, ALEX.key, 'not_relevant');
    expect(all.body.decision_status).toBe('not_relevant');
  });

  it('settles a stage on its first decision with only_one_decision', async () => {
    const proof = await h.proof([{ members: [ADELE.email, ALEX.email], only_one_decision: true }]);
    expect(proof.stages[0].final_status_calculation.type).toBe('one_decision');
    const one = await decide(proof.id, ALEX.key, 'changes_required');
    expect(one.body.decision_status).toBe('changes_required');
  });

  it('takes {status} and {decision} on reviewers/status, and "completed" from a comment-only reviewer', async () => {
    const proof = await h.proof([{ members: [ADELE.email, ALEX.email] }]);
    const base = `/proofs/${proof.id}/stages/${proof.stages[0].id}/reviewers`;
    await h.api('POST', base, { body: { email: MEGAN.email, can_make_decisions: false } });
    const byStatus = await h.api('POST', `/proofs/${proof.id}/reviewers/status`, {
      key: ADELE.key,
      body: { status: 'approved' },
    });
    expect(byStatus.status).toBe(200);
    const byDecision = await h.api('POST', `/proofs/${proof.id}/reviewers/status`, {
      key: ALEX.key,
      body: { decision: 'approved' },
    });
    expect(byDecision.body.decision_status).toBe('approved');
    const done = await h.api('POST', `/proofs/${proof.id}/reviewers/status`, {
      key: MEGAN.key,
      body: { status: 'completed' },
    });
    expect(done.status).toBe(200);
    expect(memberOf(done.body, MEGAN.email).review_completed_at).toMatch(/^\d{4}-/);
    const empty = await h.api('POST', `/proofs/${proof.id}/reviewers/status`, {
      key: ALEX.key,
      body: {},
    });
    expect(empty.status).toBe(400);
  });

  it('refuses callers who may not decide, bad decisions, and proofs not yet processed', async () => {
    const proof = await h.proof([{ members: [ADELE.email] }]);
    const base = `/proofs/${proof.id}/stages/${proof.stages[0].id}/reviewers`;
    await h.api('POST', base, { body: { email: ALEX.email, can_make_decisions: false } });
    const commenter = await decide(proof.id, ALEX.key, 'approved');
    expect(commenter.status).toBe(403);
    expect(commenter.body.message).toMatch(/may not make decisions/);
    expect((await decide(proof.id, MEGAN.key, 'approved')).status).toBe(403);
    expect((await decide(proof.id, ADELE.key, 'maybe')).status).toBe(400);
    expect((await decide('nope', ADELE.key, 'approved')).status).toBe(404);

    await h.sim('POST', '/settings', { autoProcess: false });
    const raw = await h.api('POST', '/proofs', {
      body: {
        name: 'Still uploading',
        input: [{ source: h.file('u.jpg') }],
        stages: [{ members: [{ email: ADELE.email }] }],
      },
    });
    expect((await decide(raw.body.id, ADELE.key, 'approved')).status).toBe(409);
  });
});

describe('locking', () => {
  it('locks a proof on its result with lock_on_decisions; a locked proof refuses 409', async () => {
    const proof = await h.proof([{ members: [ADELE.email] }], { lock_on_decisions: true });
    const decided = await decide(proof.id, ADELE.key, 'approved');
    expect(decided.body).toMatchObject({ locked: true, decision_status: 'approved' });
    const again = await decide(proof.id, ADELE.key, 'changes_required');
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/locked/);
    const comment = await h.api('POST', `/proofs/${proof.id}/comments`, {
      key: ADELE.key,
      body: { comment: 'too late' },
    });
    expect(comment.status).toBe(409);
    expect((await h.api('GET', `/proofs/${proof.id}`)).body.decision_status).toBe('approved');
  });

  it('locks by hand with PUT {locked: true}', async () => {
    const proof = await h.proof([{ members: [ADELE.email] }]);
    await h.api('PUT', `/proofs/${proof.id}`, { body: { locked: true } });
    expect((await decide(proof.id, ADELE.key, 'approved')).status).toBe(409);
  });
});

describe('several stages', () => {
  it('starts the next stage when one has a result and combines the stages for the proof', async () => {
    const proof = await h.proof([
      { name: 'Editors', members: [ADELE.email] },
      { name: 'Brand', members: [ALEX.email] },
    ]);
    const early = await decide(proof.id, ALEX.key, 'approved');
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/has not started/);

    const first = await decide(proof.id, ADELE.key, 'approved_with_changes');
    expect(first.body.stages.map((s: { status: string | null }) => s.status)).toEqual([
      'approved_with_changes',
      null,
    ]);
    expect(first.body.stages[1].started).toBe(true);
    expect(first.body.decision_status).toBeNull();
    const second = await decide(proof.id, ALEX.key, 'approved');
    expect(second.body.decision_status).toBe('approved_with_changes');
  });

  it('decides in the stage named by stage_id when the caller is in several', async () => {
    const proof = await h.proof([
      { name: 'Editors', members: [ADELE.email] },
      { name: 'Final', members: [ADELE.email] },
    ]);
    await decide(proof.id, ADELE.key, 'approved');
    const second = await h.api('POST', `/proofs/${proof.id}/decision`, {
      key: ADELE.key,
      body: { decision: 'changes_required', stage_id: proof.stages[1].id },
    });
    expect(second.body.stages.map((s: { status: string | null }) => s.status)).toEqual([
      'approved',
      'changes_required',
    ]);
    const wrong = await h.api('POST', `/proofs/${proof.id}/decision`, {
      key: ADELE.key,
      body: { decision: 'approved', stage_id: 'nope' },
    });
    expect(wrong.status).toBe(404);
  });
});

describe('the reviewer driver', () => {
  it('decides as a reviewer in the Ziflow UI, with an optional comment', async () => {
    const proof = await h.proof([{ members: [ADELE.email, ALEX.email] }]);
    const driven = await h.sim('POST', '/decide', {
      proofId: proof.id,
      email: ALEX.email,
      decision: 'changes_required',
      comment: 'Sky is too blue',
    });
    expect(driven.status).toBe(200);
    expect(memberOf(driven.body, ALEX.email).decision).toBe('changes_required');
    expect(driven.body.comments).toMatchObject([
      { comment: 'Sky is too blue', reviewer: { email: ALEX.email }, sequence: '1' },
    ]);
    const state = await h.sim('GET', '/proofs');
    expect(memberOf(state.body.proofs[0], ALEX.email).decision).toBe('changes_required');
    const stranger = await h.sim('POST', '/decide', {
      proofId: proof.id,
      email: 'someone@else.example',
      decision: 'approved',
    });
    expect(stranger.status).toBe(403);
    expect(stranger.body.message).toMatch(/may not make decisions/);
  });
});
