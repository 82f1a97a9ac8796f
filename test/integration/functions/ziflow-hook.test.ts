import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { serveFunction } from '../../../composition/http-adapter.js';
import { ziflowSignatureCheck } from '../../../connectors/ziflow/webhook-signature.js';
import { parseQueueMessage } from '../../../core/model/queue-message.js';
import { handleProofEvent } from '../../../core/use-cases/proof-event.js';
import { ziflowHook } from '../../../functions/ziflow-hook.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../doubles/in-memory-audit-log.js';
import { InMemoryEffectLedger } from '../../doubles/in-memory-effect-ledger.js';
import { InMemoryEventQueue } from '../../doubles/in-memory-event-queue.js';
import { InMemoryReviewStore } from '../../doubles/in-memory-review-store.js';
import { RecordingLogger } from '../../doubles/recording-logger.js';
import { aReview, aReviewer, anAsset } from '../../support/review-builders.js';
import { openProofedReview, proofingOn } from '../../support/ziflow-reviews.js';
import { ADMIN, ALEX, ZiflowHarness } from '../simulators/ziflow/support.js';

// POST /api/v1/hooks/ziflow served as the local host serves it, receiving the Ziflow simulator's
// real signed deliveries: a good one is queued and settles the review; a forged or unsigned one is
// a 401 with nothing queued; a redelivery changes nothing.

describe('the Ziflow webhook', () => {
  let sim: ZiflowHarness;
  let server: Server;
  let hookUrl: string;
  let signatureKey: string;
  let reviews: InMemoryReviewStore;
  let queue: InMemoryEventQueue;
  let clock: FixedClock;
  let reviewId: string;
  let proofId: string;
  const logger = new RecordingLogger();

  const proofing = () => proofingOn(sim, clock);
  const alex = aReviewer(2, { upn: ALEX.email, name: 'Alex Wilber' });

  const post = (path: string, body: unknown) =>
    fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** The events worker, until the queue is empty. */
  async function work(): Promise<number> {
    const deps = {
      proofing: proofing(),
      reviews,
      queue,
      clock,
      logger,
      audit: new InMemoryAuditLog(),
      ledger: new InMemoryEffectLedger(),
    };
    let handled = 0;
    for (;;) {
      const batch = await queue.receive(16, 30_000);
      if (batch.length === 0) return handled;
      for (const message of batch) {
        const parsed = parseQueueMessage(JSON.parse(message.body) as unknown);
        if (parsed.type === 'ziflow.event') {
          await handleProofEvent(deps, parsed);
          handled += 1;
        }
        await queue.complete(message);
      }
    }
  }

  beforeAll(async () => {
    sim = await ZiflowHarness.start();
    let base = '';
    const definitions = [
      ziflowHook(() =>
        Promise.resolve({
          apiKey: undefined,
          ziflowHook: ziflowSignatureCheck({ key: signatureKey, target: hookUrl }),
          queue,
          clock,
          logger,
        }),
      ),
    ];
    server = createServer((request, response) => {
      void serveFunction(definitions, request, response, base, logger);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    hookUrl = `${base}/api/v1/hooks/ziflow`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await sim.stop();
  });

  beforeEach(async () => {
    sim.server.reset();
    reviews = new InMemoryReviewStore();
    queue = new InMemoryEventQueue();
    clock = new FixedClock('2026-12-03T09:00:00.000Z');
    const subscribed = (await (
      await fetch(`${sim.url}/v1/webhooks`, {
        method: 'POST',
        headers: { apikey: ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'lightdesk',
          target: hookUrl,
          active: true,
          generate_signature_key: true,
          subscription_types: { proof: { decision: true } },
        }),
      })
    ).json()) as { signature_key: string };
    signatureKey = subscribed.signature_key;
    const base = aReview({ reviewers: [alex], assets: [anAsset(1)] });
    reviewId = base.id;
    proofId = await openProofedReview(sim, reviews, base, clock);
  });

  const deliveries = async () =>
    (
      (await (await fetch(`${sim.url}/_sim/deliveries`)).json()) as {
        deliveries: { eventId?: string; event_id?: string; status?: number }[];
      }
    ).deliveries;

  it('queues a signed decision, which settles the review once, even when delivered again', async () => {
    await post('/_sim/decide', { proofId, email: ALEX.email, decision: 'approved' });
    await sim.server.settled();
    expect(await work()).toBe(1);
    const decided = (await reviews.get(reviewId))?.review;
    expect(decided?.status).toBe('approved');
    expect(decided?.decisions).toHaveLength(1);

    const [first] = await deliveries();
    const eventId = first?.eventId ?? first?.event_id ?? '';
    await post('/_sim/redeliver', { eventId });
    await sim.server.settled();
    expect(await work()).toBe(1);
    expect((await reviews.get(reviewId))?.review).toEqual(decided);
  });

  it('refuses a forged or unsigned delivery with 401 and queues nothing', async () => {
    const body = JSON.stringify({ events: [{ event_id: 'e-forged', proof_id: proofId }] });
    for (const headers of [{ 'x-ziflow-signature': 'ab'.repeat(32) }, {}] as Record<
      string,
      string
    >[]) {
      const answer = await fetch(hookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      expect(answer.status).toBe(401);
    }
    expect(await work()).toBe(0);
  });

  it('drops a signed body that is not a Ziflow envelope with a 400', async () => {
    const { ziflowSignature } = await import('../../../connectors/ziflow/webhook-signature.js');
    const rawBody = Buffer.from('{"not":"events"}');
    const answer = await fetch(hookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-ziflow-signature': ziflowSignature('sha256', {
          key: signatureKey,
          target: hookUrl,
          rawBody,
        }),
      },
      body: rawBody,
    });
    expect(answer.status).toBe(400);
    expect(await work()).toBe(0);
  });
});
