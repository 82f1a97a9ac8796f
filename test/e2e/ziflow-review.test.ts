import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LocalHost } from '../../composition/local-host.js';
import { galleriesUnder, settle, upload } from '../support/demo-driver.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

// A batch routed to Ziflow as `npm start` runs it: the local host starts the Ziflow simulator and
// registers its webhook; an upload becomes one proof with the image; a reviewer's decision in Ziflow
// comes back signed through /api/v1/hooks/ziflow and settles the review, as a Teams press would.

interface SimProof {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly source_files: readonly { name: string }[];
}

describe('a review in Ziflow, end to end on the local host', () => {
  let running: TestHost;
  let host: LocalHost;
  let dir: string;

  const ziflow = (path: string, init?: RequestInit) =>
    fetch(`${host.ziflowUrl ?? ''}${path}`, init).then((r) => r.json() as Promise<unknown>);
  /** A person's action in Ziflow's web app, as the simulator's drivers play it. */
  const inZiflow = (action: 'comment' | 'decide', body: Record<string, unknown>) =>
    ziflow(`/_sim/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'AlexW@contoso.onmicrosoft.com', ...body }),
    });
  const proofs = async () => ((await ziflow('/_sim/proofs')) as { proofs: SimProof[] }).proofs;
  const until = async (what: string, ok: () => Promise<boolean>) => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect.fail(`waited in vain for ${what}`);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lightdesk-ziflow-'));
    const rules = JSON.parse(await readFile('config/routing-rules.json', 'utf8')) as {
      rules: { name: string; review?: string; ziflow?: unknown }[];
    };
    for (const rule of rules.rules) {
      if (rule.name === 'Athletics') {
        rule.review = 'both';
        rule.ziflow = { stages: [{ name: 'Creative' }] };
      }
    }
    const rulesFile = join(dir, 'rules.json');
    await writeFile(rulesFile, JSON.stringify(rules));
    running = await startTestHost({ ROUTING_RULES_FILE: rulesFile });
    host = running.host;
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('makes one proof of the batch, and a Ziflow approval settles the review', async () => {
    expect(host.ziflowUrl).toBeDefined();
    // Start-up registered the signed webhook to this host; health says so.
    const health = (await (await fetch(`${host.url}/api/v1/health`)).json()) as {
      ziflow?: { ok: boolean; webhook: string };
    };
    expect(health.ziflow).toMatchObject({ ok: true, webhook: 'active' });
    await host.poll();
    const [gallery] = await galleriesUnder(host, 'Athletics');
    const imageId = await upload(host, gallery?.id ?? '');
    await settle(host);

    const [proof, ...others] = await proofs();
    expect(others).toEqual([]);
    expect(proof?.name).toContain(gallery?.name ?? '?');
    expect(proof?.source_files).toHaveLength(1);
    const [review] = (await host.services.reviews.list({ limit: 10 })).map((s) => s.review);
    expect(review?.proof?.proofId).toBe(proof?.id);
    expect(review?.assets.map((a) => a.assetId)).toEqual([imageId]);
    // The Planner task links the proof beside the gallery.
    const proofUrl = review?.proof?.url ?? '';
    expect(proofUrl).not.toBe('');
    const state = (await (await fetch(`${host.graphUrl ?? ''}/_sim/state`)).json()) as {
      plans: { tasks: { details?: { references?: Record<string, { alias?: string }> } }[] }[];
    };
    const references = (state.plans[0]?.tasks ?? []).flatMap((t) =>
      Object.entries(t.details?.references ?? {}).map(([url, r]) => [
        decodeURIComponent(url),
        r.alias,
      ]),
    );
    expect(references).toContainEqual([proofUrl, 'Ziflow proof']);
    await until('the proof to be processed', async () =>
      (await proofs()).some((p) => p.status !== 'uploading'),
    );

    await inZiflow('comment', { proofId: proof?.id, text: 'Lovely light' });
    await inZiflow('decide', { proofId: proof?.id, decision: 'approved' });
    // The signed delivery reaches the host's hook, which queues it; the worker settles the review.
    await until('the review to be approved from Ziflow', async () => {
      await settle(host, 2_000);
      const stored = await host.services.reviews.get(review?.id ?? '');
      return stored?.review.status === 'approved';
    });
    const decided = (await host.services.reviews.get(review?.id ?? ''))?.review;
    expect(decided?.decisions).toMatchObject([
      { reviewerName: 'Alex Wilber', verb: 'approve', source: 'ziflow' },
    ]);
    expect(decided?.proof?.stages).toMatchObject([{ name: 'Creative', approved: 1 }]);
    // The proof's history is on the audit trail with the rest (GET /api/v1/activity).
    const activity = (await (await fetch(`${host.url}/api/v1/activity?limit=100`)).json()) as {
      entries: { kind: string; summary: string }[];
    };
    expect(activity.entries.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['ziflow.proof.created', 'ziflow.comment']),
    );
    expect(activity.entries).toContainEqual(
      expect.objectContaining({
        kind: 'ziflow.comment',
        summary: 'AlexW@contoso.onmicrosoft.com in Ziflow: Lovely light',
      }),
    );
    // The API shows the proof's progress per stage.
    const api = (await (
      await fetch(`${host.url}/api/v1/reviews/${encodeURIComponent(review?.id ?? '')}`)
    ).json()) as { proof: unknown };
    expect(api.proof).toMatchObject({
      proofId: proof?.id,
      version: 1,
      stages: [{ name: 'Creative', approved: 1, waiting: 1 }],
    });
    // No forged or failed deliveries: every one the simulator made was taken.
    const { deliveries } = (await ziflow('/_sim/deliveries')) as {
      deliveries: { type: string; state: string }[];
    };
    expect(deliveries.map((d) => d.type)).toContain('proof.decision');
    expect(deliveries.filter((d) => d.state === 'failed')).toEqual([]);
  }, 90_000);
});
