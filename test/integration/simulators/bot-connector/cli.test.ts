import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { call } from './support.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
let child: ChildProcess | undefined;

afterAll(async () => {
  if (child?.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
});

describe('main.ts', () => {
  it('prints one JSON line with the URLs once listening, and serves them', async () => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'simulators/bot-connector/main.ts', '--port', '0'],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    const [line] = (await once(lines, 'line')) as [string];
    const started = JSON.parse(line);
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(started.openIdMetadataUrl).toBe(`${started.url}/v1/.well-known/openidconfiguration`);
    const metadata = await call(started.url, 'GET', '/v1/.well-known/openidconfiguration');
    expect(metadata.body.issuer).toBe('https://api.botframework.com');
    const seed = await call(started.url, 'GET', '/_sim/seed');
    expect(seed.body.photoReviewsChannel.name).toBe('Photo reviews');
  });
});
