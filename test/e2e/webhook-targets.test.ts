import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type LocalHost, startLocalHost } from '../../composition/local-host.js';
import { RecordingLogger } from '../doubles/recording-logger.js';
import { rawRequest } from '../support/raw-http.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { refusedCallbacks } from '../support/refused-callbacks.js';

// Where webhook callbacks may point, through the live API on a real socket: what a subscriber is
// refused at POST /subscriptions, what it reads back of its deliveries, and how many it may keep.

/** The local host with its timers off, deliveries retried at once and disabled after two failures. */
async function aHost(env: Record<string, string>): Promise<{ host: LocalHost; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-webhook-targets-'));
  const host = await startLocalHost(
    {
      PORT: '0',
      SIM_ASSETS: '20',
      LIGHTDESK_DATA_DIR: dataDir,
      WEBHOOK_RETRY_BASE_SECONDS: '0',
      WEBHOOK_MAX_FAILURES: '2',
      ...env,
    },
    { inMemoryStorage: true, runTriggers: false, logger: new RecordingLogger() },
  );
  return { host, dataDir };
}

const post = (host: LocalHost, body: unknown) =>
  fetch(`${host.url}/api/v1/subscriptions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const read = async (host: LocalHost, id: string): Promise<Record<string, unknown>> =>
  (await fetch(`${host.url}/api/v1/subscriptions/${id}`)).json() as Promise<
    Record<string, unknown>
  >;

/** One attempt for each subscription, as the fan-out queues it, then every retry until none is left. */
async function deliverTo(host: LocalHost, ids: readonly string[]): Promise<void> {
  const eventId = `review.opened:e2e-${randomUUID()}`;
  for (const subscriptionId of ids) {
    await host.services.webhookQueue.enqueue({
      type: 'webhook.deliver',
      id: `${eventId}>${subscriptionId}#1`,
      eventId,
      subscriptionId,
      attempt: 1,
      body: JSON.stringify({ id: eventId }),
    });
  }
  while ((await host.drainQueue()) > 0);
}

describe('webhook targets on a host that refuses private targets (as on Azure)', () => {
  let host: LocalHost;
  let dataDir: string;
  const receiver = new WebhookReceiver(() => ({ status: 202 }));

  beforeAll(async () => {
    await receiver.start();
    ({ host, dataDir } = await aHost({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' }));
  });

  afterAll(async () => {
    await host?.stop();
    await receiver.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 400, saying why, to a callback that is not https to a public address', async () => {
    const refused = [`${receiver.url}/hook`, ...refusedCallbacks];
    for (const callbackUrl of refused) {
      const answer = await post(host, { event: 'review.opened', callbackUrl });
      expect(answer.status, callbackUrl).toBe(400);
      expect(await answer.json(), callbackUrl).toMatchObject({
        error: { code: 'validation', message: expect.stringMatching(/callbackUrl: must be/) },
      });
    }
  });

  it('answers 404 to an id that is not one, however it is escaped', async () => {
    for (const path of [
      '/api/v1/subscriptions/a%2Fb',
      '/api/v1/subscriptions/..%2F..%2Freviews',
      '/api/v1/subscriptions/not-a-subscription',
      `/api/v1/subscriptions/${randomUUID()}`,
    ]) {
      for (const method of ['GET', 'DELETE']) {
        const answer = await rawRequest(host.url, { method, path });
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(JSON.parse(answer.body), `${method} ${path}`).toMatchObject({
          error: { code: 'not_found' },
        });
      }
    }
  });

  it('refuses deliveries to a callback that is no longer allowed, and the subscriber reads "refused"', async () => {
    // Made while private targets were allowed; the rule has changed since.
    const id = randomUUID();
    await host.services.subscriptions.create({
      id,
      event: 'review.opened',
      callbackUrl: `${receiver.url}/made-before`,
      secret: 'a-subscription-key-0001',
      status: 'active',
      consecutiveFailures: 0,
      createdAt: new Date().toISOString(),
    });
    await deliverTo(host, [id]);
    expect(receiver.received).toEqual([]);
    expect(await read(host, id)).toMatchObject({
      status: 'disabled',
      consecutiveFailures: 2,
      lastOutcome: 'refused',
      lastStatus: null,
      disabledReason: '2 failed deliveries in a row (last: refused)',
    });
  });

  it('keeps at most WEBHOOK_MAX_SUBSCRIPTIONS (100) live: the next is answered 429 until one goes', async () => {
    const live = await host.services.subscriptions.countActive();
    const ids: string[] = [];
    for (let n = live; n < 100; n += 1) {
      const answer = await post(host, {
        event: 'review.opened',
        callbackUrl: `https://flows.example.com/hook/${n}`,
      });
      expect(answer.status).toBe(201);
      ids.push(((await answer.json()) as { id: string }).id);
    }
    const next = { event: 'review.opened', callbackUrl: 'https://flows.example.com/hook/next' };
    const refused = await post(host, next);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({
      error: { code: 'limit_reached', message: expect.stringMatching(/at most 100/) },
    });
    const deleted = await fetch(`${host.url}/api/v1/subscriptions/${ids[0] ?? ''}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(204);
    expect((await post(host, next)).status).toBe(201);
  });
});

describe('delivery state on the local host, where private targets are allowed', () => {
  let host: LocalHost;
  let dataDir: string;
  const elsewhere = new WebhookReceiver(() => ({ status: 202 }));
  const receiver = new WebhookReceiver((path) =>
    path === '/fail'
      ? { status: 500 }
      : path === '/moved'
        ? { status: 302, headers: { location: `${elsewhere.url}/target` } }
        : { status: 202 },
  );

  beforeAll(async () => {
    await receiver.start();
    await elsewhere.start();
    ({ host, dataDir } = await aHost({}));
  });

  afterAll(async () => {
    await host?.stop();
    await receiver.stop();
    await elsewhere.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('says delivered, or failed with the status when an answer came, and never how a connection failed', async () => {
    const subscribe = async (callbackUrl: string) => {
      const answer = await post(host, { event: 'review.opened', callbackUrl });
      expect(answer.status, callbackUrl).toBe(201);
      return ((await answer.json()) as { id: string }).id;
    };
    const ok = await subscribe(`${receiver.url}/ok`);
    const failing = await subscribe(`${receiver.url}/fail`);
    const moved = await subscribe(`${receiver.url}/moved`);
    const down = await subscribe('http://127.0.0.1:1/nobody-listens');
    await deliverTo(host, [ok, failing, moved, down]);

    expect(await read(host, ok)).toMatchObject({
      status: 'active',
      consecutiveFailures: 0,
      lastOutcome: 'delivered',
      lastStatus: 202,
    });
    expect(await read(host, failing)).toMatchObject({
      status: 'disabled',
      lastOutcome: 'failed',
      lastStatus: 500,
      disabledReason: '2 failed deliveries in a row (last: HTTP 500)',
    });
    // A redirect is not followed: the subscriber named its URL when it subscribed.
    expect(await read(host, moved)).toMatchObject({ lastOutcome: 'failed', lastStatus: 302 });
    expect(receiver.at('/moved')).toHaveLength(2);
    expect(elsewhere.received).toEqual([]);
    const unreachable = await read(host, down);
    expect(unreachable).toMatchObject({
      status: 'disabled',
      lastOutcome: 'failed',
      lastStatus: null,
      disabledReason: '2 failed deliveries in a row',
    });
    // Nothing a caller can read tells a closed port from a slow one or a missing name.
    const activity = await (await fetch(`${host.url}/api/v1/activity?limit=100`)).text();
    for (const text of [JSON.stringify(unreachable), activity]) {
      expect(text).not.toMatch(/unreachable|timed out|ECONN|ENOTFOUND|getaddrinfo/i);
    }
  });
});
