import { defineConfig } from 'vitest/config';

import { SecurityTestsReporter } from './test/support/security-tests-reporter.js';

// Three projects: unit has no I/O, integration talks to loopback servers only,
// live reaches a real tenant and runs only with LIVE_TESTS=1.
export default defineConfig({
  test: {
    passWithNoTests: true,
    // In CI a run fails if any security test was skipped or left out (test/support/security-tests.ts).
    reporters: ['default', new SecurityTestsReporter()],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/support/loopback-only.ts', 'test/support/photoshelter-sim-zone.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'test/integration/**/*.test.ts',
            'test/contract/**/*.test.ts',
            'test/e2e/**/*.test.ts',
          ],
          setupFiles: ['test/support/loopback-only.ts', 'test/support/photoshelter-sim-zone.ts'],
          globalSetup: ['test/support/azurite-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'live',
          include: ['test/live/**/*.test.ts'],
        },
      },
    ],
  },
});
