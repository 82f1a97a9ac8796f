import { describe, expect, it } from 'vitest';

import { runSimulator } from '../../../support/simulator-cli.js';

const MAIN = 'simulators/graph/main.ts';

const run = (args: string[]) => runSimulator(MAIN, args);

describe('simulators/graph/main.ts', () => {
  it('prints one JSON line with the URL and seeded ids, serves Graph, and stops on SIGTERM', async () => {
    const { child, exited, firstLine } = run(['--port', '0', '--seed', '4']);
    try {
      const started = JSON.parse(await firstLine);
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(started.graphUrl).toBe(`${started.url}/v1.0`);
      const plan = await fetch(`${started.graphUrl}/planner/plans/${started.seeded.planId}`, {
        headers: { Authorization: 'Bearer cli' },
      });
      expect(plan.status).toBe(200);
      const noToken = await fetch(`${started.graphUrl}/planner/plans/${started.seeded.planId}`);
      expect(noToken.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('explains itself with --help and refuses an unknown option', async () => {
    const help = run(['--help']);
    expect(await help.firstLine).toMatch(/^Usage: /);
    expect(await help.exited).toBe(0);
    expect(await run(['--bogus']).exited).toBe(2);
  });
});
