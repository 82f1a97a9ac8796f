import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { describe, expect, it } from 'vitest';

const MAIN = 'simulators/preservica/main.ts';

describe('simulators/preservica/main.ts', () => {
  it('prints one JSON line with URL, credentials, bucket and folders, serves, keeps state in --data-dir, stops on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pv-cli-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, '--port', '0', '--tenant', 'Museum', '--data-dir', dataDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', () => reject(new TypeError('exited before printing a line')));
      });
      const settings = JSON.parse(line);
      expect(settings).toMatchObject({
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        username: expect.any(String),
        tenant: 'Museum',
        bucket: 'museum.package.upload',
        folders: {
          lightdesk: expect.any(String),
          approved: expect.any(String),
          retired: expect.any(String),
        },
      });
      const login = await fetch(`${settings.url}/api/accesstoken/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          username: settings.username,
          password: settings.password,
          tenant: 'Museum',
        }).toString(),
      });
      expect(login.status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(join(dataDir, 'preservica.json'))).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('exits 2 on a bad option', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--valid-for', 'soon'], {
      stdio: 'ignore',
    });
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(2);
  });
});
