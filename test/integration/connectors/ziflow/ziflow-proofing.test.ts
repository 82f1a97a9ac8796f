import { beforeEach, describe, expect, it } from 'vitest';

import {
  AuthError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from '../../../../core/errors.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { proofingOn, useZiflowSimulator } from '../../../support/ziflow-reviews.js';
import { ADELE, ADMIN, ALEX, type ZiflowHarness } from '../../simulators/ziflow/support.js';

// The Ziflow connector against the Ziflow simulator on a loopback socket: one proof per batch with
// every image, stages of reviewers, versions, comments, and Ziflow's errors in domain words.

describe('ZiflowProofing against the Ziflow simulator', () => {
  const simulator = useZiflowSimulator();
  let sim: ZiflowHarness;
  let clock: FixedClock;

  const connector = (apiKey = ADMIN) => proofingOn(sim, clock, apiKey);

  const waitProcessed = async (proofId: string) => {
    for (let i = 0; i < 100; i += 1) {
      const proof = await connector().getProof(proofId);
      if (proof.processing !== 'uploading') return proof;
      await new Promise((r) => setTimeout(r, 20));
    }
    return expect.fail('the proof was never processed');
  };

  beforeEach(() => {
    sim = simulator();
    clock = new FixedClock('2026-12-03T09:00:00.000Z');
  });

  const batch = () => ({
    name: 'Basketball vs. Riverside — review G0000aBcDeFgHiJk~r1',
    sources: [1, 2, 3].map((n) => ({
      assetId: `I0000aBcDeFgHiJ${n}`,
      fileName: `IMG_${n}.JPG`,
      url: sim.file(`IMG_${n}.JPG`),
    })),
    stages: [
      {
        name: 'Creative',
        deadline: new Date('2026-12-04T09:00:00.000Z'),
        reviewerEmails: [ADELE.email, ALEX.email],
      },
      {
        name: 'Legal',
        deadline: new Date('2026-12-05T09:00:00.000Z'),
        reviewerEmails: [ADELE.email],
      },
    ],
  });

  it('makes one proof of a whole batch, with its stages and reviewers', async () => {
    const made = await connector().createProof(batch());
    expect(made).toMatchObject({
      name: batch().name,
      version: 1,
      versionIds: [made.proofId],
      decisionStatus: null,
    });
    expect(made.stages.map((s) => [s.name, s.members.map((m) => m.email)])).toEqual([
      ['Creative', [ADELE.email, ALEX.email]],
      ['Legal', [ADELE.email]],
    ]);
    const processed = await waitProcessed(made.proofId);
    expect(processed.processing).toBe('in_progress');
    const state = (await (await fetch(`${sim.url}/_sim/proofs`)).json()) as {
      proofs: { id: string; source_files: { name: string }[] }[];
    };
    expect(state.proofs).toHaveLength(1);
    expect(state.proofs[0]?.source_files.map((f) => f.name)).toEqual([
      'IMG_1.JPG',
      'IMG_2.JPG',
      'IMG_3.JPG',
    ]);
  });

  it("reads each reviewer's decision and the stage's result", async () => {
    const made = await connector().createProof(batch());
    await waitProcessed(made.proofId);
    await fetch(`${sim.url}/_sim/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proofId: made.proofId, email: ALEX.email, decision: 'approved' }),
    });
    const proof = await connector().getProof(made.proofId);
    expect(proof.stages[0]?.members).toEqual([
      { email: ADELE.email, decision: null },
      { email: ALEX.email, decision: 'approved' },
    ]);
  });

  it('makes the next version of a proof, keeping the chain', async () => {
    const first = await connector().createProof(batch());
    await waitProcessed(first.proofId);
    const second = await connector().createProof({
      ...batch(),
      sources: [
        { assetId: 'I0000aBcDeFgHiJ1', fileName: 'IMG_1.JPG', url: sim.file('IMG_1b.JPG') },
      ],
      previousProofId: first.proofId,
    });
    expect(second).toMatchObject({ version: 2, versionIds: [first.proofId, second.proofId] });
    expect((await connector().getProof(first.proofId)).versionIds).toEqual([
      first.proofId,
      second.proofId,
    ]);
  });

  it("lists a version's files in order and streams each one's bytes", async () => {
    const made = await connector().createProof({
      ...batch(),
      sources: batch().sources.map((source, i) => ({
        ...source,
        url: sim.file(`IMG_${i + 1}.JPG`, 1000 * (i + 1)),
      })),
    });
    const proof = await waitProcessed(made.proofId);
    expect(proof.files.map((f) => [f.name, f.size])).toEqual([
      ['IMG_1.JPG', 1000],
      ['IMG_2.JPG', 2000],
      ['IMG_3.JPG', 3000],
    ]);
    const second = proof.files[1] ?? expect.fail('no second file');
    const content = await connector().openFile(second);
    const chunks: Uint8Array[] = [];
    for await (const chunk of content.body) chunks.push(chunk);
    expect(content.fileName).toBe('IMG_2.JPG');
    expect(Buffer.concat(chunks)).toEqual(Buffer.alloc(2000, 7));
  });

  it('refuses to download the file of a proof that allows no source downloads', async () => {
    const made = await sim.proof(undefined, { allow_source_download: false });
    const proof = await connector().getProof(String(made.id));
    const [file] = proof.files;
    expect(file?.downloadUrl).toBeUndefined();
    await expect(connector().openFile(file ?? expect.fail('no file'))).rejects.toThrow(
      ValidationError,
    );
  });

  it('finds a proof by its exact name (how a retried create finds the first)', async () => {
    const made = await connector().createProof(batch());
    await connector().createProof({ ...batch(), name: `${batch().name} (copy)` });
    await expect(connector().findProofByName(batch().name)).resolves.toMatchObject({
      proofId: made.proofId,
    });
    await expect(connector().findProofByName('Nothing like it')).resolves.toBeUndefined();
  });

  it('adds and lists comments with their authors', async () => {
    const made = await connector().createProof(batch());
    await waitProcessed(made.proofId);
    await connector().addComment(made.proofId, 'Adele Vance approved in Teams.');
    await fetch(`${sim.url}/_sim/comment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proofId: made.proofId, email: ADELE.email, text: 'Crop tighter' }),
    });
    const comments = await connector().listComments(made.proofId);
    expect(comments.map((c) => [c.text, c.authorEmail])).toEqual([
      ['Adele Vance approved in Teams.', 'lightdesk@contoso.onmicrosoft.com'],
      ['Crop tighter', ADELE.email],
    ]);
  });

  it('says what went wrong: unknown proof, a refused key, throttling past the budget', async () => {
    await expect(connector().getProof('no-such-proof')).rejects.toBeInstanceOf(NotFoundError);
    await expect(connector('zf-wrong').getProof('x')).rejects.toBeInstanceOf(AuthError);
    await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/v1/proofs', status: 429, times: 10 }),
    });
    const error = await connector()
      .findProofByName('x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    // Retried within the budget first, without a Retry-After to go by.
    expect(clock.sleeps).toHaveLength(3);
  });

  it('registers its webhook once and reports it in health', async () => {
    const target = 'https://lightdesk.example/api/v1/hooks/ziflow';
    await expect(connector().checkHealth(target)).resolves.toMatchObject({
      ok: false,
      webhook: 'missing',
    });
    await expect(connector().ensureWebhook(target, 'a-key-of-sixteen-chars')).resolves.toBe(
      'created',
    );
    await expect(connector().ensureWebhook(target, 'a-key-of-sixteen-chars')).resolves.toBe(
      'updated',
    );
    const hooks = (await sim.api('GET', '/webhooks')).body as { target: string; active: boolean }[];
    expect(hooks.filter((h) => h.target === target)).toMatchObject([{ active: true }]);
    await expect(connector().checkHealth(target)).resolves.toMatchObject({
      ok: true,
      webhook: 'active',
    });
    await expect(connector('zf-wrong').checkHealth(target)).resolves.toEqual({
      ok: false,
      detail: 'Ziflow refused the API key',
      webhook: 'unknown',
    });
  });

  it('waits out a 429 with Retry-After and goes on', async () => {
    await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/v1/proofs', status: 429, retryAfterSeconds: 2, times: 1 }),
    });
    const made = await connector().createProof(batch());
    expect(made.version).toBe(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(2_000);
  });
});
