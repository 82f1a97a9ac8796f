import { existsSync, readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import {
  isSecurityTestFile,
  securityTestFiles,
  securityTestProblems,
} from '../support/security-tests.js';

// Security tests cannot skip (issue 13 item 7). This file scans them on every run, CI or not; the
// reporter in vitest.config.ts checks in CI what actually ran (test/integration/security-tests-reporter.test.ts).

const allTestFiles = readdirSync('test', { recursive: true, encoding: 'utf8' })
  .map((file) => `test/${file.replaceAll('\\', '/')}`)
  .filter((file) => file.endsWith('.test.ts'));

// Spelled without the dot so this file does not match itself.
const modifiers = ['skip', 'skipIf', 'runIf', 'todo', 'only'];
const skipping = new RegExp(String.raw`\.\s*(${modifiers.join('|')})\b`);

describe('security tests', () => {
  it('lists files that exist', () => {
    expect(securityTestFiles.filter((file) => !existsSync(file))).toEqual([]);
  });

  it('never skip, run conditionally, stay todo or narrow the file with only', () => {
    const offending = allTestFiles.filter(isSecurityTestFile).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (skipping.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offending).toEqual([]);
  });

  it('are the listed files and any file whose path says security', () => {
    expect(isSecurityTestFile('test/integration/bot/jwt.test.ts')).toBe(true);
    expect(isSecurityTestFile('test/security/headers.test.ts')).toBe(true);
    expect(isSecurityTestFile('test/unit/api.security.test.ts')).toBe(true);
    expect(isSecurityTestFile('test/unit/security-tests.test.ts')).toBe(true);
    expect(isSecurityTestFile('test/unit/core/model/review.test.ts')).toBe(false);
    expect(isSecurityTestFile('test/unit/insecurity.test.ts')).toBe(false);
  });

  it('count as not proven when a test was skipped or todo, a file had none, or did not run', () => {
    const problems = securityTestProblems(
      [
        {
          file: 'test/integration/bot/jwt.test.ts',
          tests: [
            { name: 'refuses a forged signature', state: 'skipped' },
            { name: 'accepts a signed activity', state: 'passed' },
            { name: 'ignores another tenant', state: 'failed' },
          ],
        },
        { file: 'test/security/empty.test.ts', tests: [] },
        { file: 'test/unit/core/model/review.test.ts', tests: [{ name: 'x', state: 'skipped' }] },
      ],
      ['test/integration/bot/jwt.test.ts', 'test/integration/bot/reusing-authentication.test.ts'],
    );
    expect(problems).toEqual([
      'test/integration/bot/jwt.test.ts > refuses a forged signature: skipped',
      'test/security/empty.test.ts has no tests',
      'test/integration/bot/reusing-authentication.test.ts did not run',
    ]);
  });
});
