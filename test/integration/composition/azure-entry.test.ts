import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

// The Functions host loads package.json `main` (composition/azure-host.ts compiled). Loading it must stop,
// with one message naming what is missing, when the API would be open or the bot unauthenticated.

const root = fileURLToPath(new URL('../../../', import.meta.url));

function loadEntry(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'composition/azure-host.ts'],
      // PATH only: nothing of the test runner's environment decides the outcome.
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, _stdout, stderr) => {
        resolvePromise({ code: error === null ? 0 : Number(error.code ?? 1), stderr });
      },
    );
  });
}

describe('the Azure Functions entry', () => {
  it('refuses to start without API_KEY and MicrosoftAppId, naming both', async () => {
    const { code, stderr } = await loadEntry({});
    expect(code).not.toBe(0);
    expect(stderr).toContain('API_KEY: required on Azure');
    expect(stderr).toContain('MicrosoftAppId: required on Azure');
  });

  it('refuses with only one of them', async () => {
    const { code, stderr } = await loadEntry({ API_KEY: 'a-key-of-sixteen-or-more' });
    expect(code).not.toBe(0);
    expect(stderr).toContain('MicrosoftAppId: required on Azure');
    expect(stderr).not.toContain('a-key-of-sixteen-or-more');
  });

  it('loads with both', async () => {
    const { code, stderr } = await loadEntry({
      API_KEY: 'a-key-of-sixteen-or-more',
      MicrosoftAppId: '8a0e4f5c-2d5b-4a53-9f0f-1c7b7e0e2a11',
      MicrosoftAppPassword: 'bot-secret-value',
      MicrosoftAppTenantId: '4c9a7e2d-6f1b-4e8a-b3d5-0a2f6c8e1b37',
    });
    expect(stderr).not.toContain('required on Azure');
    expect(code).toBe(0);
  });
});
