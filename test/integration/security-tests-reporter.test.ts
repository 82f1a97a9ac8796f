import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { isSecurityTestFile } from '../support/security-tests.js';

// The reporter wired in vitest.config.ts, seen as CI sees it: a nested `vitest run` over the unit
// project's security tests, its exit code and what it prints.

const unitSecurityTests = readdirSync('test/unit', { recursive: true, encoding: 'utf8' })
  .map((file) => `test/unit/${file.replaceAll('\\', '/')}`)
  .filter((file) => file.endsWith('.test.ts') && isSecurityTestFile(file));
const WARNING_TESTS = 'test/unit/connectors/entra/tab-tenant-warning.test.ts';

async function vitestRun(
  args: string[],
  ci: string | undefined,
): Promise<{ code: number | null; output: string }> {
  // The outer run's VITEST_* variables would make the nested one think it runs inside a worker.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'CI'),
  );
  const child = spawn(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '--project', 'unit', ...args],
    {
      env: { ...env, ...(ci === undefined ? {} : { CI: ci }), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

describe('security tests in CI', () => {
  it('fail the run when a security test is filtered out or skipped, naming each', async () => {
    const run = await vitestRun([WARNING_TESTS, '-t', 'no test has this name'], 'true');
    expect(run.code).toBe(1);
    expect(run.output).toContain('Security tests must run in full in CI');
    expect(run.output).toContain(
      'test/unit/connectors/entra/tab-tenant-warning.test.ts > tabTenantWarning > ' +
        'warns that any tenant may sign in when tab sign-in has no tenant: skipped',
    );
    expect(run.output).toContain('test/unit/security-tests.test.ts did not run');
  });

  it('pass when every security test of the selected project ran', async () => {
    const run = await vitestRun(unitSecurityTests, 'true');
    expect(run.output).not.toContain('Security tests must run in full');
    expect(run.code).toBe(0);
  });

  it('leave a local run of one file alone', async () => {
    const run = await vitestRun([WARNING_TESTS, '-t', 'no test has this name'], undefined);
    expect(run.output).not.toContain('Security tests must run in full');
    expect(run.code).toBe(0);
  });
});
