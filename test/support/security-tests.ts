/**
 * The test files that guard sign-in and tenant isolation, in one place: they must run in full in CI
 * (issue 13 item 7). test/unit/security-tests.test.ts scans them for skip modifiers on every run, and
 * SecurityTestsReporter (wired in vitest.config.ts) fails a CI run in which any of their tests did not
 * run. Paths are relative to the repository root, with forward slashes.
 */
export const securityTestFiles: readonly string[] = [
  // Inbound Bot Framework JWTs with an app id, outbound MSAL tokens, another tenant's activity.
  'test/integration/bot/jwt.test.ts',
  // botbuilder's own CloudAdapter checking the simulator's channel JWTs.
  'test/integration/simulators/bot-connector/botbuilder-round-trip.test.ts',
  // The reused bot authentication still checks every request's token.
  'test/integration/bot/reusing-authentication.test.ts',
  // The tab: Teams SSO tokens (tenant, issuer, version, audience, signature) and development tokens.
  'test/integration/connectors/entra/entra-sso-verifier.test.ts',
  'test/unit/connectors/entra/tab-tenant-warning.test.ts',
];

/** A file whose path names it a security test: test/security/…, x.security.test.ts, security-x.test.ts. */
const securityPath = /(^|[/.-])security([/.-]|$)/i;

export function isSecurityTestFile(relativePath: string): boolean {
  const path = relativePath.replaceAll('\\', '/');
  return securityTestFiles.includes(path) || securityPath.test(path);
}

/** What a finished test file looked like: its path from the root and each test's outcome. */
export interface TestFileOutcome {
  readonly file: string;
  readonly tests: readonly { readonly name: string; readonly state: string }[];
}

/**
 * Why a run does not prove the security tests pass: a test of a security file that was skipped, todo
 * or filtered out (any state but passed or failed), a security file without tests, or one of
 * `mustRun` missing from the run. Failures are left to Vitest, which already fails the run for them.
 */
export function securityTestProblems(
  ran: readonly TestFileOutcome[],
  mustRun: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const { file, tests } of ran) {
    if (!isSecurityTestFile(file)) continue;
    if (tests.length === 0) problems.push(`${file} has no tests`);
    for (const { name, state } of tests) {
      if (state !== 'passed' && state !== 'failed') problems.push(`${file} > ${name}: ${state}`);
    }
  }
  const files = new Set(ran.map((r) => r.file));
  for (const file of mustRun) if (!files.has(file)) problems.push(`${file} did not run`);
  return problems;
}
