import { relative } from 'node:path';

import type { Reporter, TestModule, TestRunEndReason, Vitest } from 'vitest/node';

import { isSecurityTestFile, securityTestFiles, securityTestProblems } from './security-tests.js';

/**
 * Fails a CI run (CI set, as CI services do) in which a security test did not run: skipped, todo,
 * `ctx.skip()`, a `-t` or file filter, or left out of every project. Locally it stays quiet, so a
 * developer may still run one file. Vitest has no option for this: `allowOnly` only covers `.only`.
 * https://vitest.dev/advanced/api/reporters
 */
export class SecurityTestsReporter implements Reporter {
  private vitest: Vitest | undefined;

  constructor(private readonly enforce: boolean = isCi(process.env.CI)) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  async onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    _errors: unknown,
    reason: TestRunEndReason,
  ): Promise<void> {
    const vitest = this.vitest;
    if (!this.enforce || vitest === undefined || reason === 'interrupted') return;
    const root = vitest.config.root;
    const path = (moduleId: string) => relative(root, moduleId).replaceAll('\\', '/');
    const ran = testModules.map((module) => ({
      file: path(module.moduleId),
      tests: [...module.children.allTests()].map((test) => ({
        name: test.fullName,
        state: test.result().state,
      })),
    }));
    // Every security file a selected project includes must have run; with no --project filter, every
    // listed file must belong to some project (a renamed folder would otherwise drop it silently).
    const included = (await vitest.globTestSpecifications()).map((spec) => path(spec.moduleId));
    const mustRun = [
      ...new Set([...securityTestFiles, ...included.filter(isSecurityTestFile)]),
    ].filter((file) => vitest.config.project.length === 0 || included.includes(file));
    const problems = securityTestProblems(ran, mustRun);
    if (problems.length === 0) return;
    vitest.logger.error(
      [
        '',
        'Security tests must run in full in CI (test/support/security-tests.ts):',
        ...problems.map((p) => `  ${p}`),
        '',
      ].join('\n'),
    );
    process.exitCode = 1;
  }
}

function isCi(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false'].includes(value.toLowerCase());
}
