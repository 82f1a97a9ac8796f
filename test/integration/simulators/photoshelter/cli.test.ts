import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runSimulator } from '../../../support/simulator-cli.js';

const MAIN = 'simulators/photoshelter/main.ts';

const run = (args: string[]) => runSimulator(MAIN, args);

describe('simulators/photoshelter/main.ts', () => {
  it('prints one JSON line with URL and credentials, serves, and stops on SIGTERM', async () => {
    const { child, exited, firstLine } = run([
      '--port',
      '0',
      '--seed',
      '3',
      '--assets',
      '50',
      '--api-key',
      'cliApiKey01',
    ]);
    try {
      const settings = JSON.parse(await firstLine);
      expect(settings).toMatchObject({
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        apiKey: 'cliApiKey01',
        email: expect.any(String),
        password: expect.any(String),
        orgId: expect.stringMatching(/^O0000/),
        assets: 50,
      });
      const login = await fetch(`${settings.url}/psapi/v3/mem/authenticate`, {
        method: 'POST',
        headers: {
          'x-ps-api-key': settings.apiKey,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          email: settings.email,
          password: settings.password,
          mode: 'token',
        }).toString(),
      });
      expect(login.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('explains itself with --help', async () => {
    const { exited, firstLine } = run(['--help']);
    expect(await firstLine).toMatch(/^Usage: /);
    expect(await exited).toBe(0);
  });

  it('keeps the library under --data-dir across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lightdesk-ps-cli-'));
    try {
      const args = ['--port', '0', '--seed', '5', '--assets', '30', '--data-dir', dir];
      const first = run(args);
      const { url } = JSON.parse(await first.firstLine);
      const library = await (await fetch(`${url}/_sim/library`)).json();
      const upload = await fetch(`${url}/_sim/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ galleryId: library.galleries[0].id }),
      });
      expect(upload.status).toBe(201);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      const saved = JSON.parse(await readFile(join(dir, 'photoshelter.json'), 'utf8'));
      expect(saved.state.library.seed).toBe(5);

      const second = run(args);
      try {
        const again = JSON.parse(await second.firstLine);
        expect(again.assets).toBe(31);
      } finally {
        second.child.kill('SIGTERM');
      }
      expect(await second.exited).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports the zone --time-zone names, in its line and as the session tz', async () => {
    const { child, exited, firstLine } = run(['--port', '0', '--time-zone', 'Australia/Sydney']);
    try {
      const settings = JSON.parse(await firstLine);
      expect(settings.timeZone).toBe('Australia/Sydney');
      const headers = { 'x-ps-api-key': settings.apiKey };
      const login = await fetch(`${settings.url}/psapi/v3/mem/authenticate`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          email: settings.email,
          password: settings.password,
          mode: 'token',
        }).toString(),
      });
      const { data } = await login.json();
      const session = await fetch(`${settings.url}/psapi/v3/mem/user/session`, {
        headers: { ...headers, 'x-ps-auth-token': data.token },
      });
      expect((await session.json()).data.Session.tz).toBe('Australia/Sydney');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('refuses a time zone Intl does not know', async () => {
    const { exited } = run(['--port', '0', '--time-zone', 'Mars/Olympus_Mons']);
    expect(await exited).not.toBe(0);
  });

  it('refuses an unknown option', async () => {
    const { exited } = run(['--bogus']);
    expect(await exited).toBe(2);
  });
});
