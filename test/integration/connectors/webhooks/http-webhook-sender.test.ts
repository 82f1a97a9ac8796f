import { createHmac } from 'node:crypto';

import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  HttpWebhookSender,
  type HttpWebhookSenderOptions,
} from '../../../../connectors/webhooks/http-webhook-sender.js';
import type { WebhookDelivery } from '../../../../core/ports/webhook-sender.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { type Answer, WebhookReceiver } from '../../../support/webhook-receiver.js';

// The delivery connector against a real subscriber on 127.0.0.1: what it sends, how it signs, what
// each kind of answer means for the queue, and which addresses it refuses to reach.

/** Answers by path: `/status/NNN` with that status, `/slow` never within the timeout. */
function answerByPath(path: string): Answer {
  if (path === '/slow') return 'hang'; // the sender's timeout decides
  const status = Number(/^\/status\/(\d{3})/.exec(path)?.[1] ?? 200);
  return status === 302
    ? { status, headers: { location: `${redirectTarget}/redirected` } }
    : { status };
}
let redirectTarget = '';

const clock = new FixedClock('2026-11-23T12:00:00.000Z');
const body = JSON.stringify({ id: 'review.opened:G0000aaaaaaaaaaa~1', event: 'review.opened' });
const delivery = (url: string): WebhookDelivery => ({
  url,
  event: 'review.opened',
  deliveryId: 'review.opened:G0000aaaaaaaaaaa~1',
  attempt: 2,
  body,
  secret: 'the-subscription-key-0001',
});

/** A resolver that knows the names it is given, and fails for the rest as DNS would. */
const resolverOf =
  (names: Record<string, readonly string[]>) =>
  (hostname: string): Promise<readonly string[]> => {
    const addresses = names[hostname];
    return addresses === undefined
      ? Promise.reject(
          Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }),
        )
      : Promise.resolve(addresses);
  };

const sender = (options: Partial<HttpWebhookSenderOptions> = {}) =>
  new HttpWebhookSender({ clock, timeoutMs: 300, allowPrivateTargets: true, ...options });

describe('HttpWebhookSender against a loopback subscriber', () => {
  const subscriber = new WebhookReceiver(answerByPath);
  const elsewhere = new WebhookReceiver(() => ({ status: 200 }));
  const local = sender();

  beforeAll(async () => {
    await subscriber.start();
    await elsewhere.start();
    redirectTarget = elsewhere.url;
  });
  afterAll(async () => {
    await subscriber.stop();
    await elsewhere.stop();
  });

  it('POSTs the body as JSON with the event, delivery id, attempt, timestamp and signature', async () => {
    expect(await local.send(delivery(`${subscriber.url}/status/202`))).toEqual({
      kind: 'delivered',
      status: 202,
    });
    const got = subscriber.received.at(-1);
    expect(got?.body).toBe(body);
    expect(got?.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-lightdesk-event': 'review.opened',
      'x-lightdesk-delivery': 'review.opened:G0000aaaaaaaaaaa~1',
      'x-lightdesk-attempt': '2',
      'x-lightdesk-timestamp': String(Date.parse('2026-11-23T12:00:00.000Z') / 1000),
    });
    // What a receiver recomputes: HMAC-SHA256 of "<timestamp>.<raw body>" with its key, hex.
    const expected = createHmac('sha256', 'the-subscription-key-0001')
      .update(`${String(got?.headers['x-lightdesk-timestamp'])}.${got?.body ?? ''}`)
      .digest('hex');
    expect(got?.headers['x-lightdesk-signature']).toBe(`sha256=${expected}`);
    // The key itself never travels.
    expect(JSON.stringify(got?.headers)).not.toContain('the-subscription-key-0001');
  });

  it('says gone on 410, so the subscription is disabled at once', async () => {
    expect(await local.send(delivery(`${subscriber.url}/status/410`))).toEqual({
      kind: 'gone',
      status: 410,
    });
  });

  it('counts 5xx, 429 and other 4xx as failures worth another attempt', async () => {
    for (const status of [500, 503, 429, 404]) {
      expect(await local.send(delivery(`${subscriber.url}/status/${status}`))).toMatchObject({
        kind: 'failed',
        status,
      });
    }
  });

  it('never follows a redirect: a 302 is a failure with its status, and its target hears nothing', async () => {
    expect(await local.send(delivery(`${subscriber.url}/status/302`))).toMatchObject({
      kind: 'failed',
      status: 302,
    });
    expect(subscriber.at('/status/302')).toHaveLength(1);
    expect(elsewhere.received).toEqual([]);
  });

  it('fails without a status a subscriber that does not answer in time, cannot be reached or has no address', async () => {
    const noAnswer = { kind: 'failed', status: undefined };
    expect(await local.send(delivery(`${subscriber.url}/slow`))).toMatchObject(noAnswer);
    expect(await local.send(delivery('http://127.0.0.1:1/hook'))).toMatchObject(noAnswer);
    const unresolved = sender({ resolve: resolverOf({}) });
    expect(await unresolved.send(delivery('https://nowhere.example.test/hook'))).toMatchObject(
      noAnswer,
    );
  });

  it('connects to the address it resolved, keeping the name as Host', async () => {
    const pinned = sender({ resolve: resolverOf({ 'hooks.example.test': ['127.0.0.1'] }) });
    const url = `http://hooks.example.test:${subscriber.port}/status/202`;
    expect(await pinned.send(delivery(url))).toEqual({ kind: 'delivered', status: 202 });
    expect(subscriber.received.at(-1)?.headers.host).toBe(`hooks.example.test:${subscriber.port}`);
  });
});

describe('HttpWebhookSender with private targets refused (Azure)', () => {
  let tlsKey = '';
  let tlsCert = '';
  let subscriber: WebhookReceiver;

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'hooks.example.test' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'hooks.example.test' }] },
      ],
    });
    tlsKey = pems.private;
    tlsCert = pems.cert;
    subscriber = new WebhookReceiver(answerByPath, { key: tlsKey, cert: tlsCert });
    await subscriber.start();
  });
  afterAll(() => subscriber.stop());

  const hook = () => `https://hooks.example.test:${subscriber.port}/status/202`;

  it('refuses a name that resolves to loopback at delivery (DNS rebinding), sending nothing', async () => {
    // It resolved to a public address when it subscribed; now it points at this machine.
    const rebound = sender({
      allowPrivateTargets: false,
      ca: tlsCert,
      resolve: resolverOf({ 'hooks.example.test': ['127.0.0.1'] }),
    });
    expect(await rebound.send(delivery(hook()))).toMatchObject({ kind: 'refused' });
    expect(subscriber.received).toEqual([]);
  });

  it('refuses a name when any of its addresses is not public', async () => {
    const mixed = sender({
      allowPrivateTargets: false,
      ca: tlsCert,
      resolve: resolverOf({ 'hooks.example.test': ['93.184.215.14', '127.0.0.1'] }),
    });
    expect(await mixed.send(delivery(hook()))).toMatchObject({ kind: 'refused' });
    for (const address of ['10.1.2.3', '169.254.169.254', '100.64.0.1', '::1', 'fd00::1']) {
      const one = sender({
        allowPrivateTargets: false,
        resolve: resolverOf({ 'hooks.example.test': [address] }),
      });
      expect(await one.send(delivery(hook())), address).toMatchObject({ kind: 'refused' });
    }
    expect(subscriber.received).toEqual([]);
  });

  it('refuses plain http and address literals it may not reach, without connecting', async () => {
    const strict = sender({ allowPrivateTargets: false });
    const plain = new WebhookReceiver(() => ({ status: 200 }));
    await plain.start();
    try {
      expect(await strict.send(delivery(`${plain.url}/hook`))).toMatchObject({ kind: 'refused' });
      expect(
        await strict.send(delivery(`https://127.0.0.1:${subscriber.port}/status/202`)),
      ).toMatchObject({ kind: 'refused' });
      expect(plain.received).toEqual([]);
      expect(subscriber.received).toEqual([]);
    } finally {
      await plain.stop();
    }
  });

  it('over https, connects to the checked address and verifies the certificate by the name', async () => {
    // Private targets allowed only so the receiver on 127.0.0.1 can stand in for a public host.
    const pinned = sender({
      ca: tlsCert,
      resolve: resolverOf({
        'hooks.example.test': ['127.0.0.1'],
        'other.example.test': ['127.0.0.1'],
      }),
    });
    expect(await pinned.send(delivery(hook()))).toEqual({ kind: 'delivered', status: 202 });
    const got = subscriber.received.at(-1);
    expect(got?.servername).toBe('hooks.example.test');
    expect(got?.headers.host).toBe(`hooks.example.test:${subscriber.port}`);
    // The same address under a name the certificate does not hold: TLS fails, nothing is POSTed.
    const before = subscriber.received.length;
    expect(
      await pinned.send(delivery(`https://other.example.test:${subscriber.port}/status/202`)),
    ).toMatchObject({ kind: 'failed', status: undefined });
    expect(subscriber.received).toHaveLength(before);
  });
});
