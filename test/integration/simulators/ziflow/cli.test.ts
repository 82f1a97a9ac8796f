import { describe, expect, it } from 'vitest';

import { runSimulator } from '../../../support/simulator-cli.js';

const MAIN = 'simulators/ziflow/main.ts';

const run = (args: string[]) => runSimulator(MAIN, args);

describe('simulators/ziflow/main.ts', () => {
  it('prints one JSON line with the URL and keys, serves the API, and stops on SIGTERM', async () => {
    const { child, exited, firstLine } = run(['--port', '0', '--signature-mode', 'hmac-body']);
    try {
      const started = JSON.parse(await firstLine);
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(started.apiUrl).toBe(`${started.url}/v1`);
      const list = await fetch(`${started.apiUrl}/proofs`, {
        headers: { apikey: started.adminApiKey },
      });
      expect(list.status).toBe(200);
      expect(await list.json()).toEqual([]);
      expect((await fetch(`${started.apiUrl}/proofs`)).status).toBe(401);
      const mode = await fetch(`${started.url}/_sim/signature-mode`);
      expect(await mode.json()).toEqual({ mode: 'hmac-body' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('explains itself with --help and refuses an unknown option or mode', async () => {
    const help = run(['--help']);
    expect(await help.firstLine).toMatch(/^Usage: /);
    expect(await help.exited).toBe(0);
    expect(await run(['--bogus']).exited).toBe(2);
    expect(await run(['--signature-mode', 'md5']).exited).toBe(2);
  });
});
