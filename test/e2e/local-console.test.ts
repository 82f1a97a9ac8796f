import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LocalHost } from '../../composition/local-host.js';
import type { RecordingLogger } from '../doubles/recording-logger.js';
import { rawRequest } from '../support/raw-http.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

// The console and the development sign-in belong to the person at this machine: a DNS-rebound page,
// another site's page, a tunnel, or anyone without the API key must not get the key or a token.

const API_KEY = 'console-test-key-0123456789';
const TAB_CLIENT_ID = '2b1f7c1e-9d7a-4d7e-8f3c-5a6b7c8d9e0f';
const ADELE_UPN = 'AdeleV@contoso.onmicrosoft.com';

const consoleRoutes = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/console/console.js' },
  { method: 'GET', path: '/console/settings.json' },
  { method: 'GET', path: '/console/api/v1/activity?limit=5' },
  { method: 'POST', path: '/console/api/v1/poll' },
  { method: 'GET', path: '/console/api/v1/tab/dev-token' },
  { method: 'GET', path: '/api/v1/tab/dev-token' },
] as const;

/** A development sign-in as Adele at `path`, with `headers` besides the JSON content type. */
const signIn = (url: string, path: string, headers: Record<string, string> = {}) =>
  rawRequest(url, {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ user: ADELE_UPN }),
  });

const errorOf = (body: string) => (JSON.parse(body) as { error: { message: string } }).error;

describe('the local console with API_KEY set and no Entra app', () => {
  let running: TestHost;
  let host: LocalHost;
  let port: string;

  beforeAll(async () => {
    running = await startTestHost({ API_KEY: API_KEY });
    host = running.host;
    port = new URL(host.url).port;
  });

  afterAll(() => running?.stop());

  it('never hands the API key to the page', async () => {
    const settings = await rawRequest(host.url, { path: '/console/settings.json' });
    expect(settings.status).toBe(200);
    expect(settings.body).not.toContain(API_KEY);
    expect(JSON.parse(settings.body)).toEqual({
      simulatorUrl: host.simulatorUrl,
      graphUrl: host.graphUrl,
      teamsUrl: host.teamsUrl,
      ziflowUrl: host.ziflowUrl,
      preservicaUrl: host.preservicaUrl,
    });
    // The proofs and preserved panes find their simulators there.
    expect(host.ziflowUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.preservicaUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const script = await rawRequest(host.url, { path: '/console/console.js' });
    expect(script.body).not.toContain(API_KEY);
    expect(script.body).not.toContain('x-api-key');
  });

  it('calls its few functions through its own routes, which add the key on the server', async () => {
    const activity = await rawRequest(host.url, { path: '/console/api/v1/activity?limit=5' });
    expect(activity.status).toBe(200);
    const health = await rawRequest(host.url, { path: '/console/api/v1/health' });
    expect(health.status).toBe(200);
    const poll = await rawRequest(host.url, {
      method: 'POST',
      path: '/console/api/v1/poll',
      headers: { origin: `http://127.0.0.1:${port}` },
    });
    expect(poll.status).toBe(200);
    // Everything else stays behind the key, even from this machine.
    const reviews = await rawRequest(host.url, { path: '/console/api/v1/reviews' });
    expect(reviews.status).toBe(404);
    const direct = await rawRequest(host.url, { path: '/api/v1/activity' });
    expect(direct.status).toBe(401);
  });

  it.each(['localhost', '127.0.0.1', '[::1]'])('answers a page at %s', async (name) => {
    const answer = await rawRequest(host.url, {
      path: '/console/settings.json',
      headers: { host: `${name}:${port}`, origin: `http://${name}:${port}` },
    });
    expect(answer.status).toBe(200);
  });

  it.each(consoleRoutes)(
    'refuses a DNS-rebound page ($method $path) with 403 and a reason',
    async (route) => {
      const answer = await rawRequest(host.url, {
        ...route,
        headers: { host: `attacker.example:${port}` },
      });
      expect(answer.status).toBe(403);
      expect(errorOf(answer.body).message).toMatch(/only on this machine/);
      expect(answer.body).not.toContain(API_KEY);
    },
  );

  it.each(consoleRoutes)('refuses another site’s page ($method $path)', async (route) => {
    const answer = await rawRequest(host.url, {
      ...route,
      headers: { origin: 'https://attacker.example' },
    });
    expect(answer.status).toBe(403);
    expect(errorOf(answer.body).message).toMatch(/another site/);
  });

  it('refuses a request that came through a tunnel', async () => {
    const answer = await rawRequest(host.url, {
      path: '/',
      headers: { host: `localhost:${port}`, 'x-forwarded-for': '203.0.113.7' },
    });
    expect(answer.status).toBe(403);
    expect(errorOf(answer.body).message).toMatch(/proxy or tunnel/);
  });

  it('issues development tokens through the console, and directly only with the key', async () => {
    const viaConsole = await signIn(host.url, '/console/api/v1/tab/dev-token');
    expect(viaConsole.status).toBe(200);
    const { token } = JSON.parse(viaConsole.body) as { token: string };
    const queue = await rawRequest(host.url, {
      path: '/api/v1/tab/queue',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(queue.status).toBe(200);

    const withoutKey = await signIn(host.url, '/api/v1/tab/dev-token');
    expect(withoutKey.status).toBe(401);
    const withKey = await signIn(host.url, '/api/v1/tab/dev-token', { 'x-api-key': API_KEY });
    expect(withKey.status).toBe(200);
  });
});

describe('the local console with an Entra app configured', () => {
  let off: LocalHost;
  let on: LocalHost;
  let offLog: RecordingLogger;
  let onLog: RecordingLogger;
  const running: TestHost[] = [];

  beforeAll(async () => {
    const entra = { API_KEY: API_KEY, TAB_SSO_CLIENT_ID: TAB_CLIENT_ID };
    // The first names no tenant (a multi-tenant app), the second its own.
    const first = await startTestHost(entra);
    running.push(first);
    const second = await startTestHost({
      ...entra,
      TAB_SSO_TENANT_ID: '4c9a7e2d-6f1b-4e8a-b3d5-0a2f6c8e1b37',
      LIGHTDESK_CONSOLE: 'on',
    });
    running.push(second);
    ({ host: off, logger: offLog } = first);
    ({ host: on, logger: onLog } = second);
  });

  it('says at start-up when any tenant’s users can open the tab', () => {
    const warnings = (logger: RecordingLogger) =>
      logger.records.filter((r) => r.level === 'warn').map((r) => r.message);
    expect(warnings(offLog)).toContainEqual(expect.stringMatching(/any Entra tenant/));
    expect(warnings(onLog)).not.toContainEqual(expect.stringMatching(/any Entra tenant/));
  });

  afterAll(async () => {
    for (const one of running) await one.stop();
  });

  it('keeps the console and the development sign-in off unless LIGHTDESK_CONSOLE=on', async () => {
    const page = await rawRequest(off.url, { path: '/' });
    expect(page.status).toBe(404);
    expect(errorOf(page.body).message).toMatch(/LIGHTDESK_CONSOLE=on/);
    const token = await signIn(off.url, '/console/api/v1/tab/dev-token');
    expect(token.status).toBe(404);
    const direct = await signIn(off.url, '/api/v1/tab/dev-token', { 'x-api-key': API_KEY });
    expect(direct.status).toBe(404);
  });

  it('with LIGHTDESK_CONSOLE=on serves them, still to a loopback Host only', async () => {
    const port = new URL(on.url).port;
    expect((await rawRequest(on.url, { path: '/' })).status).toBe(200);
    const token = await signIn(on.url, '/console/api/v1/tab/dev-token');
    expect(token.status).toBe(200);
    const tunnelled = await signIn(on.url, '/console/api/v1/tab/dev-token', {
      host: `lightdesk-dev.example.devtunnels.ms:${port}`,
    });
    expect(tunnelled.status).toBe(403);
  });
});
