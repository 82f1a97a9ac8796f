import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type LocalHost, startLocalHost } from '../../composition/local-host.js';
import { RecordingLogger } from '../doubles/recording-logger.js';
import { galleriesUnder, settle, upload } from '../support/demo-driver.js';
import { type ReceivedDelivery, WebhookReceiver } from '../support/webhook-receiver.js';
import { ContractClient, operationsById, schemaErrors } from '../support/swagger-contract.js';

// Every operation of the Power Automate connector called on the live local API over a real socket,
// each answer checked against the schema the Swagger declares, and the webhook triggers driven by a
// real review: signed deliveries to a loopback receiver, retries, a dead subscriber disabled.

const API_KEY = 'contract-test-key-0123456789';

type Delivery = ReceivedDelivery;

/** A subscriber: `/ok/*` answers 202, `/fail/*` 500, `/gone/*` 410. */
const answerByPath = (path: string) => ({
  status: path.startsWith('/fail/') ? 500 : path.startsWith('/gone/') ? 410 : 202,
});

const header = (d: Delivery, name: string): string => String(d.headers[name] ?? '');

describe('Power Automate connector against the live API', () => {
  let host: LocalHost;
  let dataDir: string;
  const receiver = new WebhookReceiver(answerByPath);
  let api: ContractClient;
  const logger = new RecordingLogger();
  const secrets = new Map<string, string>();
  let athletics: { id: string; name: string };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-contract-'));
    await receiver.start();
    // The demo rules, with Athletics reviews due a moment after they open, so one can run late.
    const rules = JSON.parse(await readFile('config/routing-rules.json', 'utf8')) as {
      rules: { name: string; dueInHours?: number }[];
    };
    for (const rule of rules.rules) if (rule.name === 'Athletics') rule.dueInHours = 0.0002;
    const rulesFile = join(dataDir, 'rules.json');
    await writeFile(rulesFile, JSON.stringify(rules));
    host = await startLocalHost(
      {
        PORT: '0',
        SIM_ASSETS: '80',
        SIM_SEED: '11',
        LIGHTDESK_DATA_DIR: dataDir,
        API_KEY: API_KEY,
        ROUTING_RULES_FILE: rulesFile,
        WEBHOOK_RETRY_BASE_SECONDS: '0',
        WEBHOOK_MAX_FAILURES: '3',
      },
      { inMemoryStorage: true, runTriggers: false, logger },
    );
    api = new ContractClient(host.url, API_KEY);
    await host.poll(); // baseline
    const [gallery] = await galleriesUnder(host, 'Athletics');
    if (gallery === undefined) throw new TypeError('no Athletics gallery in the demo library');
    athletics = gallery;
  });

  afterAll(async () => {
    await host?.stop();
    await receiver.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const subscribeTo = async (operationId: string, path: string, filter?: object) => {
    const answer = await api.call(operationId, {
      body: { callbackUrl: `${receiver.url}${path}`, ...(filter === undefined ? {} : { filter }) },
    });
    expect(answer.problems).toEqual([]);
    expect(answer.status).toBe(201);
    const created = answer.body as { id: string; secret: string };
    expect(answer.headers.get('location')).toBe(`${host.url}/api/v1/subscriptions/${created.id}`);
    secrets.set(path, created.secret);
    return created.id;
  };

  /** The signature a receiver recomputes from the headers and the raw body. */
  const verifies = (d: Delivery, secret: string): boolean => {
    const expected = createHmac('sha256', secret)
      .update(`${header(d, 'x-lightdesk-timestamp')}.${d.body}`)
      .digest('hex');
    return header(d, 'x-lightdesk-signature') === `sha256=${expected}`;
  };

  let failingId = '';

  it('subscribes the three triggers (201 + Location + secret) and reads a subscription back', async () => {
    await subscribeTo('whenReviewOpened', '/ok/opened');
    await subscribeTo('whenReviewOpened', '/ok/opened-gallery', { galleryId: athletics.id });
    // A Power Automate callback carries its signature in the query: never shown again, never logged.
    const decidedId = await subscribeTo('whenReviewDecided', '/ok/decided?sig=flow-signature-x');
    await subscribeTo('whenReviewOverdue', '/ok/overdue');
    failingId = await subscribeTo('whenReviewOpened', '/fail/opened');

    const read = await api.call('getSubscription', { path: { id: failingId } });
    expect(read.problems).toEqual([]);
    expect(read.body).toMatchObject({
      id: failingId,
      event: 'review.opened',
      status: 'active',
      filter: { rule: null, galleryId: null },
    });
    expect(read.body).not.toHaveProperty('secret');
    const decided = await api.call('getSubscription', { path: { id: decidedId } });
    expect(decided.body).toMatchObject({ callbackUrl: `${receiver.url}/ok/decided` });
  });

  it('subscribes any caller with POST /subscriptions and the event in the body', async () => {
    const post = (body: unknown) =>
      fetch(`${host.url}/api/v1/subscriptions`, {
        method: 'POST',
        headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await post({
      event: 'review.overdue',
      callbackUrl: `${receiver.url}/ok/any`,
      filter: { rule: 'Athletics' },
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; secret: string };
    expect(created.headers.get('location')).toBe(`${host.url}/api/v1/subscriptions/${body.id}`);
    expect(schemaErrors('Subscription', body)).toEqual([]);
    expect(body).toMatchObject({
      event: 'review.overdue',
      filter: { rule: 'Athletics', galleryId: null },
    });
    expect(body.secret.length).toBeGreaterThanOrEqual(16);
    const deleted = await api.call('deleteSubscription', { path: { id: body.id } });
    expect(deleted.status).toBe(204);

    const missing = await post({ callbackUrl: `${receiver.url}/ok/any` });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { message: /event: required/ } });
    const conflicting = await fetch(`${host.url}/api/v1/subscriptions/review-opened`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'review.decided', callbackUrl: `${receiver.url}/ok/any` }),
    });
    expect(conflicting.status).toBe(400);
    const badGallery = await post({
      event: 'review.opened',
      callbackUrl: `${receiver.url}/ok/any`,
      filter: { galleryId: 'not-a-gallery' },
    });
    expect(badGallery.status).toBe(400);
    expect(await badGallery.json()).toMatchObject({ error: { message: /filter\.galleryId/ } });
  });

  it('refuses a subscription to no web URL and a call without the key, in the declared error shape', async () => {
    // The local host lets callbacks be plain http (WEBHOOK_ALLOW_PRIVATE_TARGETS), but never ftp.
    const plain = await api.call('whenReviewOpened', {
      body: { callbackUrl: 'ftp://flows.example.com/hook' },
    });
    expect(plain.status).toBe(400);
    expect(plain.problems).toEqual([]);
    expect(plain.body).toMatchObject({ error: { message: /callbackUrl: must be an https URL/ } });

    const anonymous = await new ContractClient(host.url, 'wrong-key-0000000000').call(
      'listReviews',
    );
    expect(anonymous.status).toBe(401);
    expect(anonymous.problems).toEqual([]);
  });

  let reviewId = '';

  it('delivers review.opened signed, with the dedupe id, shaped as x-ms-notification-content', async () => {
    await upload(host, athletics.id);
    await settle(host);
    const [opened] = receiver.at('/ok/opened');
    expect(opened).toBeDefined();
    if (opened === undefined) return;
    expect(verifies(opened, secrets.get('/ok/opened') ?? '')).toBe(true);
    expect(verifies(opened, 'another secret, another subscriber')).toBe(false);
    const body = JSON.parse(opened.body) as {
      id: string;
      review: { id: string; galleryId: string };
    };
    expect(schemaErrors('ReviewNotification', body)).toEqual([]);
    expect(header(opened, 'x-lightdesk-event')).toBe('review.opened');
    expect(header(opened, 'x-lightdesk-delivery')).toBe(body.id);
    expect(body.review.galleryId).toBe(athletics.id);
    reviewId = body.review.id;
  });

  it('retries a failing subscriber with the same delivery id, then disables it', async () => {
    const attempts = receiver.at('/fail/opened');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((d) => header(d, 'x-lightdesk-delivery'))).size).toBe(1);
    expect(attempts.map((d) => header(d, 'x-lightdesk-attempt'))).toEqual(['1', '2', '3']);
    const read = await api.call('getSubscription', { path: { id: failingId } });
    expect(read.problems).toEqual([]);
    expect(read.body).toMatchObject({ status: 'disabled', consecutiveFailures: 3 });
    // The failures were answers, not crashes: nothing is left on the webhooks queue or its poison.
    const queues = await fetch(`${host.url}/api/v1/queues`, { headers: { 'x-api-key': API_KEY } });
    expect(await queues.json()).toMatchObject({
      webhooks: { queue: 'webhooks', depth: { active: 0, poison: 0 }, poison: [] },
    });
  });

  it('lists and gets reviews as declared', async () => {
    const list = await api.call('listReviews', {
      query: { status: 'pending,rereview', limit: '10' },
    });
    expect(list.problems).toEqual([]);
    expect((list.body as { reviews: { id: string }[] }).reviews.map((r) => r.id)).toContain(
      reviewId,
    );
    const one = await api.call('getReview', { path: { id: reviewId } });
    expect(one.problems).toEqual([]);
    expect(one.body).toMatchObject({ id: reviewId, status: 'pending' });
    const missing = await api.call('getReview', { path: { id: 'G0000nothing0000~x' } });
    expect(missing.status).toBe(404);
    expect(missing.problems).toEqual([]);
  });

  it('announces a review that runs late once, however often the sweep runs', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the rule gives 0.72 s
    await host.sweepOverdue();
    await settle(host);
    await host.sweepOverdue();
    await settle(host);
    const overdue = receiver.at('/ok/overdue');
    expect(overdue).toHaveLength(1);
    const body = JSON.parse(overdue[0]?.body ?? '{}') as { event: string; review: { id: string } };
    expect(schemaErrors('ReviewNotification', body)).toEqual([]);
    expect(body).toMatchObject({ event: 'review.overdue', review: { id: reviewId } });
  });

  it('records a decision and delivers review.decided', async () => {
    const review = (await api.call('getReview', { path: { id: reviewId } })).body as {
      reviewers: { id: string }[];
    };
    const bad = await api.call('recordDecision', {
      path: { id: reviewId },
      body: { reviewerId: review.reviewers[0]?.id, verb: 'rereview' },
    });
    expect(bad.status).toBe(400);
    expect(bad.problems).toEqual([]);
    const decided = await api.call('recordDecision', {
      path: { id: reviewId },
      body: { reviewerId: review.reviewers[0]?.id, verb: 'approve', comment: 'Lovely set' },
    });
    expect(decided.problems).toEqual([]);
    expect(decided.status).toBe(201);
    expect(decided.body).toMatchObject({ outcome: 'decided', review: { status: 'approved' } });
    const again = await api.call('recordDecision', {
      path: { id: reviewId },
      body: { reviewerId: review.reviewers[0]?.id, verb: 'approve' },
    });
    expect(again.problems).toEqual([]);
    expect([200, 409]).toContain(again.status);

    await settle(host);
    const [delivery, ...more] = receiver.at('/ok/decided?sig=flow-signature-x');
    expect(delivery).toBeDefined();
    expect(more).toEqual([]); // the repeated press is not a second decision
    if (delivery === undefined) return;
    expect(verifies(delivery, secrets.get('/ok/decided?sig=flow-signature-x') ?? '')).toBe(true);
    expect(header(delivery, 'x-lightdesk-event')).toBe('review.decided');
    expect(header(delivery, 'x-lightdesk-delivery')).toBe(`review.decided:${reviewId}:d1`);
    const body = JSON.parse(delivery.body) as { review: { status: string; lastDecision: unknown } };
    expect(schemaErrors('ReviewNotification', body)).toEqual([]);
    expect(body.review.status).toBe('approved');
    expect(body.review.lastDecision).toMatchObject({ verb: 'approve', comment: 'Lovely set' });
  });

  it('requests a review of a gallery: 202, then the review opens; bad and unknown galleries are refused', async () => {
    const [brand] = await galleriesUnder(host, 'Brand Assets');
    const accepted = await api.call('requestReview', {
      body: { galleryId: brand?.id, note: 'Launch' },
    });
    expect(accepted.problems).toEqual([]);
    expect(accepted.status).toBe(202);
    await settle(host);
    const list = await api.call('listReviews', { query: { limit: '100' } });
    const reviews = (list.body as { reviews: { galleryId: string; assetCount: number }[] }).reviews;
    const opened = reviews.find((r) => r.galleryId === brand?.id);
    expect(opened?.assetCount).toBe((accepted.body as { assetCount: number }).assetCount);

    const malformed = await api.call('requestReview', { body: { galleryId: 'not-a-gallery' } });
    expect(malformed.status).toBe(400);
    expect(malformed.problems).toEqual([]);
    const unknown = await api.call('requestReview', { body: { galleryId: 'G0000nothing0000' } });
    expect(unknown.status).toBe(404);
    expect(unknown.problems).toEqual([]);
  });

  it('unsubscribes with DELETE on the Location: 204, then no more deliveries', async () => {
    const created = await fetch(`${host.url}/api/v1/subscriptions/review-opened`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ callbackUrl: `${receiver.url}/ok/later` }),
    });
    // Power Automate DELETEs the Location exactly as it was given.
    const location = created.headers.get('location') ?? '';
    const deleted = await fetch(location, { method: 'DELETE', headers: { 'x-api-key': API_KEY } });
    expect(deleted.status).toBe(204);
    const id = location.split('/').pop() ?? '';
    const gone = await api.call('deleteSubscription', { path: { id } });
    expect(gone.status).toBe(404);
    expect(gone.problems).toEqual([]);

    const [, second] = await galleriesUnder(host, 'Athletics');
    await upload(host, second?.id ?? '');
    await settle(host);
    expect(receiver.at('/ok/later')).toEqual([]);
    // The live subscription still hears: the first upload, the requested review, this upload; the
    // one filtered on the first gallery heard only of its review.
    expect(receiver.at('/ok/opened')).toHaveLength(3);
    expect(receiver.at('/ok/opened-gallery')).toHaveLength(1);
  });

  it('never logged a signing secret or a callback query', () => {
    const text = logger.text();
    expect(text).not.toContain('flow-signature-x');
    for (const secret of secrets.values()) expect(text).not.toContain(secret);
  });

  it('called every operation in the definition', () => {
    expect([...api.called].sort()).toEqual([...operationsById.keys()].sort());
  });
});
