import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

// scripts/api-key.ts as Agents Toolkit runs it (teamsapp.local.yml): a fresh key when the
// environment has none, nothing when it has one, so provisioning again keeps working connections.

const root = fileURLToPath(new URL('../../../', import.meta.url));

function run(env: Record<string, string>): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/api-key.ts'],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout) =>
        error === null ? resolvePromise(stdout) : reject(new Error(error.message)),
    );
  });
}

describe('the tunnel flow’s API key', () => {
  it('is generated when the environment has none, and differs each time', async () => {
    const [first, second] = await Promise.all([run({}), run({ SECRET_API_KEY: ' ' })]);
    const pattern = /^::set-teamsfx-env SECRET_API_KEY=([A-Za-z0-9_-]{43})\n$/;
    expect(first).toMatch(pattern);
    expect(second).toMatch(pattern);
    expect(first).not.toBe(second);
  });

  it('is kept when the environment has one', async () => {
    expect(await run({ SECRET_API_KEY: 'an-existing-key-of-some-length' })).toBe('');
  });
});
