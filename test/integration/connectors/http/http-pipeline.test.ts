import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  HttpPipeline,
  type HttpOutcome,
  type HttpPipelineOptions,
  type HttpRequest,
} from '../../../../connectors/http/http-pipeline.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { RecordingLogger } from '../../../doubles/recording-logger.js';

// The shared outbound pipeline against a real loopback server whose answers each test scripts.

const SECRET = 'Bearer eyJ0eXAiOiJKV1QiLCJzZWNyZXQiOiJwaXBlbGluZSJ9.pipeline-test';

type Answer = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let url: URL;
let script: Answer[];
let seen: { method: string; authorization: string | undefined }[];
let clock: FixedClock;
let logger: RecordingLogger;

beforeEach(async () => {
  script = [];
  seen = [];
  clock = new FixedClock();
  logger = new RecordingLogger('pipeline');
  server = createServer((request, response) => {
    seen.push({ method: request.method ?? '', authorization: request.headers.authorization });
    const answer = script.shift() ?? ((_, res) => res.writeHead(200).end('{"ok":true}'));
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/items/42?key=abc`);
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function aPipeline(overrides: Partial<HttpPipelineOptions> = {}): HttpPipeline {
  return new HttpPipeline({
    service: 'vendor',
    clock,
    logger,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 10_000 },
    timeoutMs: 2_000,
    random: () => 0.5,
    isRetryable: (outcome, request) =>
      request.method === 'GET' &&
      (outcome.kind === 'failure' || outcome.status === 429 || outcome.status >= 500),
    jitterAfterRetryAfter: false,
    requestIdHeader: 'request-id',
    ...overrides,
  });
}

function get(method = 'GET'): HttpRequest {
  return {
    tag: { endpoint: `${method} /items/:id` },
    method,
    url,
    headers: { Authorization: SECRET },
  };
}

const status =
  (code: number, headers: Record<string, string> = {}): Answer =>
  (_, response) =>
    response.writeHead(code, headers).end();

function statusOf(outcome: HttpOutcome): number | string {
  return outcome.kind === 'response' ? outcome.status : outcome.reason;
}

describe('HttpPipeline', () => {
  it('answers a success at once, with its body', async () => {
    const outcome = await aPipeline().send(get());
    expect(outcome).toMatchObject({ kind: 'response', status: 200, body: '{"ok":true}' });
    expect(seen).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('waits out Retry-After exactly on the injected clock, then succeeds', async () => {
    script.push(status(429, { 'Retry-After': '3' }), status(503, { 'Retry-After': '1' }));
    const outcome = await aPipeline().send(get());
    expect(statusOf(outcome)).toBe(200);
    expect(clock.sleeps).toEqual([3000, 1000]);
  });

  it('adds jitter on top of Retry-After when the vendor wants it, never less than asked', async () => {
    script.push(status(429, { 'Retry-After': '2' }));
    await aPipeline({ jitterAfterRetryAfter: true }).send(get());
    expect(clock.sleeps).toEqual([2050]); // 2000 + 0.5 × baseDelayMs
  });

  it('backs off exponentially with equal jitter when no Retry-After is sent, within maxAttempts', async () => {
    script.push(status(500), status(502), status(504));
    const outcome = await aPipeline().send(get());
    expect(statusOf(outcome)).toBe(504); // the last answer, for the vendor's errors.ts
    expect(seen).toHaveLength(3);
    expect(clock.sleeps).toEqual([75, 150]);
  });

  it('does not wait out a Retry-After longer than maxDelayMs: the answer goes back at once', async () => {
    script.push(status(429, { 'Retry-After': '600' }));
    const outcome = await aPipeline().send(get());
    expect(statusOf(outcome)).toBe(429);
    expect(seen).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('does not repeat what the vendor says may not be repeated', async () => {
    script.push(status(502));
    const outcome = await aPipeline().send(get('POST'));
    expect(statusOf(outcome)).toBe(502);
    expect(seen).toHaveLength(1);
  });

  it('abandons an attempt that hangs past the timeout, and tries again', async () => {
    script.push(() => undefined); // never answers
    const started = Date.now();
    const outcome = await aPipeline({ timeoutMs: 150 }).send(get());
    expect(statusOf(outcome)).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(clock.sleeps).toHaveLength(1);
    expect(logger.records.some((r) => r.fields['failure'] === 'timeout')).toBe(true);
  });

  it('reports a timeout as such when every attempt hangs', async () => {
    script.push(
      () => undefined,
      () => undefined,
      () => undefined,
    );
    const outcome = await aPipeline({ timeoutMs: 100 }).send(get());
    expect(outcome).toMatchObject({ kind: 'failure', reason: 'timeout' });
    expect(seen).toHaveLength(3);
  });

  it('reports a dropped connection as a network failure', async () => {
    script.push((request) => request.socket.destroy());
    const outcome = await aPipeline({
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    }).send(get());
    expect(outcome).toMatchObject({ kind: 'failure', reason: 'network' });
  });

  it('hands a redirect back as an answer instead of following it with our credentials', async () => {
    script.push(status(302, { Location: 'http://127.0.0.1:9/elsewhere' }));
    const outcome = await aPipeline().send(get());
    expect(statusOf(outcome)).toBe(302);
    expect(seen).toHaveLength(1);
  });

  it('logs each attempt by its call tag, never the URL, query or headers', async () => {
    script.push(status(503, { 'request-id': 'req-1' }));
    await aPipeline().send(get());
    const attempts = logger.records.filter((r) => r.message === 'vendor call');
    expect(attempts.map((r) => r.fields['endpoint'])).toEqual(['GET /items/:id', 'GET /items/:id']);
    expect(attempts[0]?.fields).toMatchObject({ status: 503, requestId: 'req-1' });
    expect(logger.records.filter((r) => r.level === 'warn')).toHaveLength(1);
    expect(logger.text()).not.toContain(SECRET);
    expect(logger.text()).not.toContain('key=abc');
    expect(seen[0]?.authorization).toBe(SECRET); // it was sent, just never written down
  });

  it('retries any result through repeat(), honouring the wait the judge reads off it', async () => {
    const results = [{ left: 2 }, { left: 1 }, { left: 0 }];
    const final = await aPipeline().repeat(
      { endpoint: 'POST /$batch' },
      () => Promise.resolve(results.shift() ?? { left: 0 }),
      (r) => ({ retry: r.left > 0, retryAfterMs: r.left === 2 ? 4000 : undefined }),
    );
    expect(final).toEqual({ left: 0 });
    expect(clock.sleeps).toEqual([4000, 150]);
  });
});
