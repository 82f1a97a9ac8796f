import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ADELE, ZiflowHarness } from './support.js';

// The local demo keeps its proofs, comments, webhooks and signature mode across a restart.

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the Ziflow simulator with a state file', () => {
  it('keeps proofs, decisions, comments, webhooks and the signature mode, and makes no id twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ziflow-sim-'));
    dirs.push(dir);
    const stateFile = join(dir, 'ziflow.json');

    const first = await ZiflowHarness.start({ stateFile });
    const hook = await first.subscribe({ decision: true });
    const proof = await first.proof([{ members: [ADELE.email] }]);
    await first.api('POST', `/proofs/${proof.id}/decision`, {
      key: ADELE.key,
      body: { decision: 'approved' },
    });
    await first.api('POST', `/proofs/${proof.id}/comments`, {
      key: ADELE.key,
      body: { comment: 'Ship it' },
    });
    await first.sim('POST', '/signature-mode', { mode: 'hmac-body' });
    await first.server.settled();
    const [event] = first.events();
    await first.stop();

    const second = await ZiflowHarness.start({ stateFile });
    try {
      const kept = await second.api('GET', `/proofs/${proof.id}`);
      expect(kept.status).toBe(200);
      expect(kept.body).toMatchObject({ decision_status: 'approved', status: 'completed' });
      const comments = await second.api('GET', `/proofs/${proof.id}/comments`);
      expect(comments.body.map((c: { comment: string }) => c.comment)).toEqual(['Ship it']);
      const hooks = await second.api('GET', '/webhooks');
      expect(hooks.body.map((w: { id: string }) => w.id)).toEqual([hook.id]);
      expect((await second.sim('GET', '/signature-mode')).body.mode).toBe('hmac-body');
      // The event log survives, so a redelivery after a restart still carries the same id.
      const again = await second.sim('POST', '/redeliver', { eventId: event.event_id });
      expect(again.status).toBe(202);
      const next = await second.proof();
      expect(next.id).not.toBe(proof.id);
      const all = await second.api('GET', '/proofs');
      expect(all.body).toHaveLength(2);
    } finally {
      await second.stop();
    }
  });

  it('starts empty without a file', async () => {
    const h = await ZiflowHarness.start();
    try {
      expect((await h.api('GET', '/proofs')).body).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});
