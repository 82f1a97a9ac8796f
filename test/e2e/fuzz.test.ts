import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LocalHost } from '../../composition/local-host.js';
import { allFunctions } from '../../functions/all-functions.js';
import { SeededRandom } from '../../simulators/kit/random.js';
import type { HttpFunctionDefinition } from '../../functions/definition.js';
import { type RawAnswer, rawRequest, type RawRequest } from '../support/raw-http.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

// A fuzz run over every route the local host serves: odd methods, ids, escapes, content types,
// bodies from empty to 10 MB, with and without the key. Every request must be answered with a
// status code (no reset), none with a 5xx, and the product must be healthy afterwards. The run is
// seeded, so a failure names a request that can be sent again.

const API_KEY = 'fuzz-test-key-0123456789abc';
const SEED = 20261203;

const ids = [
  'a%2Fb',
  '%2F..%2F..%2Fetc%2Fpasswd',
  '..',
  '%00',
  '%zz',
  '%E0%A4%A',
  '%',
  '%25',
  'G0000AbCdEfGhIjK',
  'I0000AbCdEfGhIjK',
  '00000000-0000-4000-8000-000000000000',
  'review-opened',
  'review-decided',
  'x'.repeat(2000),
  '%F0%9F%98%80',
  '%23%3F%5C%27%22',
  '%3Cscript%3E',
  '~7E',
  '%20',
  'dev-token',
];

const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=z',
  'application/xml',
  '',
];

const jsonBodies = [
  '{}',
  '[]',
  'null',
  '"text"',
  '{"galleryId":"G0000AbCdEfGhIjK"}',
  '{"galleryId":"G0000AbCdEfGhIjK","note":"' + 'n'.repeat(600) + '"}',
  '{"reviewerId":"AdeleV@contoso.onmicrosoft.com","verb":"approve"}',
  '{"reviewerId":"x","verb":"rereview","comment":"[link](https://attacker.example) **b**"}',
  '{"event":"review.opened","callbackUrl":"http://169.254.169.254/latest"}',
  '{"event":"review.decided","callbackUrl":"https://10.0.0.1/hook"}',
  '{"callbackUrl":"not a url"}',
  '{"user":"AdeleV@contoso.onmicrosoft.com"}',
  '{"user":"' + 'u'.repeat(500) + '"}',
  '{"type":"message","text":"help"}',
  '{"type":"invoke","name":"adaptiveCard/action","value":{"action":{"verb":"approve"}}}',
  '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}',
  '{"a":' + '['.repeat(2000) + ']'.repeat(2000) + '}',
  '{not json',
  '\u0000\u0001\u0002',
  '',
];

/** Bodies past the 1 MB limit, up to 10 MB: some requests of every kind carry one. */
const bigSizes = [1024 * 1024 + 1, 2 * 1024 * 1024, 5 * 1024 * 1024, 10 * 1024 * 1024];

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const extraPaths = [
  '/',
  '/console',
  '/console/console.js',
  '/console/settings.json',
  '/console/api/v1/activity',
  '/console/api/v1/poll',
  '/console/api/v1/reviews',
  '/console/api/v1/tab/dev-token',
  '/console/api/%zz',
  '/nothing/here',
  '/api/',
  '/api/v2/reviews',
  '/api/tab/../../package.json',
  '/api/tab/%2e%2e/%2e%2e/package.json',
  '/api//v1//reviews',
  '/api/v1/reviews/',
  '/api/v1/reviews?status=%zz&limit=-1',
  '/api/v1/reviews?limit=99999999999999999999',
  '/api/v1/tab/queue?view=../../&mine=maybe',
];

/** A route template with its `{name}` and `{*name}` parameters filled from the id list. */
function fill(route: string, pick: () => number): string {
  return route.replace(/\{\*?[a-z]+\}/gi, () => ids[Math.floor(pick() * ids.length)] ?? '');
}

function cases(definitions: readonly HttpFunctionDefinition[]): RawRequest[] {
  const seeded = new SeededRandom(SEED);
  const pick = () => seeded.next();
  const choose = <T>(list: readonly T[]): T => list[Math.floor(pick() * list.length)] as T;
  const paths = [...definitions.map((d) => `/api/${d.route}`), ...extraPaths];
  const out: RawRequest[] = [];
  for (let i = 0; i < 600; i += 1) {
    const template = choose(paths);
    const definition = definitions.find((d) => `/api/${d.route}` === template);
    // Mostly the route's own methods, so requests get past routing into the functions.
    const method =
      definition !== undefined && pick() < 0.75 ? choose(definition.methods) : choose(methods);
    const path = fill(template, pick);
    const type = choose(contentTypes);
    const headers: Record<string, string> = {
      ...(pick() < 0.8 ? { 'x-api-key': API_KEY } : pick() < 0.5 ? { 'x-api-key': 'wrong' } : {}),
      ...(type === '' ? {} : { 'content-type': type }),
      ...(pick() < 0.1
        ? { authorization: `Bearer ${choose(['x.y.z', 'eyJhbGciOiJub25lIn0..', ''])}` }
        : {}),
      ...(pick() < 0.05 ? { origin: 'https://attacker.example' } : {}),
      ...(pick() < 0.05
        ? { 'x-lightdesk-client': choose(['Power Automate', 'Flüsse\tundÜ', 'z'.repeat(300)]) }
        : {}),
    };
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const big = hasBody && i % 40 === 7;
    const body = !hasBody
      ? undefined
      : big
        ? Buffer.alloc(choose(bigSizes), choose([0x7b, 0x41, 0x00]))
        : choose(jsonBodies);
    out.push({ method, path, headers, ...(body === undefined ? {} : { body }) });
  }
  return out;
}

describe('fuzz: every route answers every request with a status code', () => {
  let running: TestHost;
  let host: LocalHost;

  beforeAll(async () => {
    running = await startTestHost({ API_KEY: API_KEY, SIM_SEED: '13' });
    host = running.host;
  });

  afterAll(() => running?.stop());

  it('no reset, no 5xx, and healthy afterwards', async () => {
    const definitions = allFunctions(host.providers).filter(
      (d): d is HttpFunctionDefinition => d.trigger === 'http',
    );
    const requests = cases(definitions);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    // Eight at a time, as several clients would.
    for (let start = 0; start < requests.length; start += 8) {
      const batch = requests.slice(start, start + 8);
      const answers = await Promise.allSettled(batch.map((r) => rawRequest(host.url, r)));
      answers.forEach((answer, i) => {
        const request = batch[i];
        const what = `#${start + i} ${request?.method ?? ''} ${request?.path.slice(0, 120) ?? ''}`;
        if (answer.status === 'rejected') {
          const reason: unknown = answer.reason;
          failures.push(`${what}: ${reason instanceof Error ? reason.message : String(reason)}`);
          return;
        }
        const { status }: RawAnswer = answer.value;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status < 100 || status >= 500)
          failures.push(`${what}: ${status} ${answer.value.body.slice(0, 200)}`);
      });
    }
    expect(failures).toEqual([]);
    // The run reached the functions, not only the router: successes and each kind of refusal.
    for (const status of [200, 400, 401, 404, 405, 413, 415]) {
      expect(statuses.get(status) ?? 0, `answers with ${status}`).toBeGreaterThan(0);
    }
    const health = await rawRequest(host.url, { path: '/api/v1/health' });
    expect(health.status).toBe(200);
  });
});
