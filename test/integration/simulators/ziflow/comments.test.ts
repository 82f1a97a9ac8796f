import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ADELE, ALEX, ZiflowHarness } from './support.js';

// Comments: written as the caller, numbered 1, 2, 2.1 …, listed as a bare array by page.

let h: ZiflowHarness;
beforeEach(async () => {
  h = await ZiflowHarness.start();
});
afterEach(async () => {
  await h.stop();
});

describe('comments', () => {
  it('records the caller as author and numbers comments and replies', async () => {
    const proof = await h.proof();
    const base = `/proofs/${proof.id}/comments`;
    const one = await h.api('POST', base, {
      key: ADELE.key,
      body: { comment: 'Crop tighter', page: 1 },
    });
    expect(one.status).toBe(201);
    expect(one.body).toMatchObject({
      proof_id: proof.id,
      comment: 'Crop tighter',
      sequence: '1',
      parent_comment_id: null,
      reviewer: { email: ADELE.email },
      location: { page: 1 },
      deleted: false,
    });
    expect(one.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const two = await h.api('POST', base, { key: ALEX.key, body: { comment: 'Warmer tones' } });
    expect(two.body.sequence).toBe('2');
    const reply = await h.api('POST', base, {
      key: ADELE.key,
      body: { comment: 'Agreed', parent_comment_id: two.body.id },
    });
    expect(reply.body).toMatchObject({ sequence: '2.1', parent_comment_id: two.body.id });
    const driven = await h.sim('POST', '/comment', {
      proofId: proof.id,
      email: ALEX.email,
      text: 'Thanks',
      parentCommentId: two.body.id,
    });
    expect(driven.status).toBe(201);
    expect(driven.body).toMatchObject({ sequence: '2.2', reviewer: { email: ALEX.email } });

    const got = await h.api('GET', `${base}/${two.body.id}`);
    expect(got.body.replies).toEqual([reply.body.id, driven.body.id]);
    const list = await h.api('GET', base);
    expect(list.body.map((c: { sequence: string }) => c.sequence)).toEqual([
      '1',
      '2',
      '2.1',
      '2.2',
    ]);
    const page2 = await h.api('GET', `${base}?count=3&page=2`);
    expect(page2.body.map((c: { sequence: string }) => c.sequence)).toEqual(['2.2']);
  });

  it('lets an admin comment as a reviewer only with "Admin comment impersonation" on', async () => {
    const proof = await h.proof();
    const base = `/proofs/${proof.id}/comments`;
    const body = { comment: 'Mirrored from Teams', reviewer_email: ALEX.email };
    const off = await h.api('POST', base, { body });
    expect(off.status).toBe(403);
    await h.sim('POST', '/settings', { commentImpersonation: true });
    expect((await h.api('POST', base, { key: ADELE.key, body })).status).toBe(403);
    const on = await h.api('POST', base, { body });
    expect(on.status).toBe(201);
    expect(on.body.reviewer).toMatchObject({ email: ALEX.email });
    expect((await h.api('GET', base)).body).toHaveLength(1);
  });

  it('refuses empty comments, unknown parents, proofs and comments', async () => {
    const proof = await h.proof();
    const base = `/proofs/${proof.id}/comments`;
    expect((await h.api('POST', base, { body: { comment: '' } })).status).toBe(400);
    expect(
      (await h.api('POST', base, { body: { comment: 'x', parent_comment_id: 'nope' } })).status,
    ).toBe(404);
    expect((await h.api('GET', `${base}/nope`)).status).toBe(404);
    expect((await h.api('GET', '/proofs/nope/comments')).status).toBe(404);
    const driven = await h.sim('POST', '/comment', {
      proofId: proof.id,
      email: 'ghost@nowhere.example',
      text: 'Boo',
    });
    expect(driven.status).toBe(404);
    expect((await h.api('GET', base)).body).toEqual([]);
  });
});
