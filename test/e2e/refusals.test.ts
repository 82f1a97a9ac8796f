import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LocalHost } from '../../composition/local-host.js';
import { rawRequest } from '../support/raw-http.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

// Every malformed request gets a clean, specific refusal: a status code and a message, never a
// reset connection or a 5xx.

const API_KEY = 'refusals-test-key-0123456789';
const key = { 'x-api-key': API_KEY };
const json = { 'content-type': 'application/json' };

const messageOf = (body: string) =>
  (JSON.parse(body) as { error: { message: string } }).error.message;

describe('clean refusals on the local host', () => {
  let running: TestHost;
  let host: LocalHost;

  beforeAll(async () => {
    running = await startTestHost({ API_KEY: API_KEY, SIM_SEED: '9' });
    host = running.host;
  });

  afterAll(() => running?.stop());

  it('answers a body over 1 MB with 413 and closes the connection, without a reset', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 0x7b);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        rawRequest(host.url, {
          method: 'POST',
          path: i % 2 === 0 ? '/api/v1/reviews' : '/api/messages',
          headers: { ...key, ...json, 'content-length': String(big.length) },
          body: big,
          // Still sending when the server has seen enough: the case that reset connections.
          trickle: { chunkBytes: 256 * 1024, pauseMs: 5 },
        }),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(413);
      expect(answer.headers.connection).toBe('close');
      expect(messageOf(answer.body)).toMatch(/larger than 1 MB/);
    }
  });

  it.each([
    '/api/v1/reviews/%E0%A4%A',
    '/api/v1/reviews/%zz',
    '/api/v1/subscriptions/%',
    '/api/tab/%C0',
    '/console/%ff',
    '/%',
  ])('answers a malformed escape (%s) with 400, before the key check', async (path) => {
    const answer = await rawRequest(host.url, { path });
    expect(answer.status).toBe(400);
    expect(messageOf(answer.body)).toMatch(/malformed % escape/);
  });

  it.each([
    ['GET', '/api/v1/reviews/a%2Fb'],
    ['GET', '/api/v1/reviews/%2F..%2F..'],
    ['GET', '/api/v1/reviews/%00'],
    ['GET', '/api/v1/subscriptions/a%2Fb'],
    ['DELETE', '/api/v1/subscriptions/a%2Fb'],
    ['GET', '/api/v1/subscriptions/%23%3F%5C'],
  ])('answers %s %s, an id no store could hold, with 404', async (method, path) => {
    const answer = await rawRequest(host.url, { method, path, headers: key });
    expect(answer.status).toBe(404);
  });

  it.each([
    ['application/x-www-form-urlencoded', 'galleryId=G0000x'],
    ['multipart/form-data; boundary=x', '--x\r\n\r\n--x--'],
    ['text/plain', '{"galleryId":"G0000x"}'],
    [undefined, '{"galleryId":"G0000x"}'],
  ])('refuses a JSON route a %s body with 415', async (type, body) => {
    for (const path of ['/api/v1/reviews', '/api/v1/subscriptions', '/api/messages']) {
      const answer = await rawRequest(host.url, {
        method: 'POST',
        path,
        headers: { ...key, ...(type === undefined ? {} : { 'content-type': type }) },
        body,
      });
      expect(answer.status, path).toBe(415);
      expect(messageOf(answer.body)).toMatch(/application\/json/);
    }
  });

  it('says in health which dependency is down, and nothing else of it', async () => {
    const answer = await rawRequest(host.url, { path: '/api/v1/health' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok', down: [] });
  });
});
