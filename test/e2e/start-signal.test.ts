import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { processesMentioning } from '../support/processes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const API_KEY = 'local-test-key-0123456789';

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Launched {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly line: (pattern: RegExp) => Promise<void>;
}

/** Like a terminal: the command leads its own process group, which Ctrl-C signals as a whole. */
function launch(command: readonly string[], dataDir: string): Launched {
  const [file = '', ...args] = command;
  const child = spawn(file, args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      PORT: '0',
      LIGHTDESK_DATA_DIR: dataDir,
      API_KEY,
      npm_config_update_notifier: 'false',
    },
  });
  let output = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(output)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return {
    child,
    output: () => output,
    line: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(output)) return resolve();
        waiters.push({ pattern, resolve });
        child.once('exit', () => reject(new Error(`exited before ${pattern}:\n${output}`)));
      }),
  };
}

const NPM_START = ['npm', 'start'];
// What the start script runs, as one process: a signal to its pid alone, as `kill` sends it.
const HOST_MAIN = [process.execPath, '--import', 'tsx', 'composition/local-host.ts'];

describe.skipIf(process.platform !== 'linux')('a signal during start-up', () => {
  let dataDir: string | undefined;
  let launched: Launched | undefined;

  afterEach(async () => {
    const pid = launched?.child.pid;
    if (pid !== undefined && groupAlive(pid)) process.kill(-pid, 'SIGKILL');
    for (const left of dataDir === undefined ? [] : processesMentioning(dataDir)) {
      try {
        process.kill(left, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    launched = undefined;
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  it.each([
    ['Ctrl-C while Azurite starts', NPM_START, /"message":"Lightdesk starting"/, 'SIGINT', true],
    ['SIGTERM while Azurite starts', HOST_MAIN, /"message":"Lightdesk starting"/, 'SIGTERM', false],
    [
      'Ctrl-C before the first poll',
      NPM_START,
      /"message":"Teams \(Bot Connector\)/,
      'SIGINT',
      true,
    ],
    [
      'SIGTERM in the first poll',
      HOST_MAIN,
      /"message":"photoshelter logged in"/,
      'SIGTERM',
      false,
    ],
  ] as const)(
    '%s: everything stops within 3 s, the signal is logged, nothing refused',
    async (_, command, moment, signal, wholeGroup) => {
      dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-signal-'));
      launched = launch(command, dataDir);
      const { child } = launched;
      const pid = child.pid ?? 0;
      await launched.line(moment);

      const signalledAt = performance.now();
      process.kill(wholeGroup ? -pid : pid, signal);
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      let took = Number.POSITIVE_INFINITY;
      while (performance.now() - signalledAt < 5_000) {
        if (!groupAlive(pid) && processesMentioning(dataDir).length === 0) {
          took = performance.now() - signalledAt;
          break;
        }
        await delay(20);
      }
      await Promise.race([closed, delay(1_000)]);
      const output = launched.output();

      expect(took, `took ${took} ms:\n${output}`).toBeLessThan(3_000);
      expect(output).toContain(`"message":"shutting down","signal":"${signal}"`);
      expect(output).not.toMatch(/ECONNREFUSED|fetch failed|did not start|shutdown failed/i);
      // Nothing answers any more on the ports start-up announced.
      const ports = [...output.matchAll(/http:\/\/(?:127\.0\.0\.1|localhost):(\d+)/g)].map((m) =>
        Number(m[1]),
      );
      for (const port of new Set(ports)) expect(await accepts(port), `port ${port}`).toBe(false);
      // npm itself dies of a terminal's SIGINT (its own choice); the host exits 0 after a clean stop.
      if (!wholeGroup) expect(child.exitCode).toBe(0);
    },
  );
});
