// The chaos run's processes: Azurite, the three simulators and N product workers, each a child of
// the run. Simulators and Azurite live for the whole run, so their state outlives a worker killed
// with SIGKILL; every child is stopped when the run ends, is interrupted or fails.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

import { z } from 'zod';

import { AppError } from '../core/errors.js';

const tsx = ['--import', 'tsx'];

/** Every child the run started and has not seen exit: the last-resort kill on exit uses it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  // 'exit' handlers must be synchronous; kill() is.
  for (const child of running) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  readonly child: ChildProcess;
  readonly first: unknown;
  readonly exited: Promise<void>;
}

/**
 * Spawns `script` under tsx with its output appended to `logFile`; resolves with the first JSON line
 * it prints (the simulators' and the worker's "listening" line). Later lines go to `onLine`.
 */
async function spawnScript(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
  onLine: (line: string) => void = () => undefined,
  startTimeoutMs = 90_000,
): Promise<Started> {
  const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...tsx, script, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      log.write(`# exited code=${String(code)} signal=${String(signal)}\n`);
      resolve();
    });
  });
  child.stderr?.pipe(log, { end: false });
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  let resolveFirst: ((value: unknown) => void) | undefined;
  const first = new Promise<unknown>((resolve) => {
    resolveFirst = resolve;
  });
  lines.on('line', (line) => {
    log.write(`${line}\n`);
    if (resolveFirst !== undefined && line.startsWith('{')) {
      try {
        const parsed: unknown = JSON.parse(line);
        if (
          typeof parsed === 'object' &&
          parsed !== null &&
          !('level' in parsed) // a log line, not the listening line
        ) {
          const done = resolveFirst;
          resolveFirst = undefined;
          done(parsed);
          return;
        }
      } catch {
        // not JSON after all: an ordinary line
      }
    }
    onLine(line);
  });
  lines.once('close', () => log.end());
  const timeout = delay(startTimeoutMs).then(() => 'timeout' as const);
  const outcome = await Promise.race([first, exited.then(() => 'exited' as const), timeout]);
  if (outcome === 'exited' || outcome === 'timeout') {
    child.kill('SIGKILL');
    throw new AppError('upstream', `${script} did not start (${outcome}); see ${logFile}`);
  }
  return { child, first: outcome, exited };
}

async function stopChild(child: ChildProcess, exited: Promise<void>, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = delay(graceMs).then(() => 'late' as const);
  if ((await Promise.race([exited, timer])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------------
// Simulators

const photoShelterLine = z.object({
  url: z.url(),
  apiKey: z.string(),
  email: z.string(),
  password: z.string(),
  orgId: z.string().nullable(),
});
const graphLine = z.object({
  url: z.url(),
  seeded: z.object({
    planId: z.string(),
    buckets: z.object({
      toReview: z.string(),
      reReview: z.string(),
      approved: z.string(),
      archived: z.string(),
    }),
  }),
});
const teamsLine = z.object({ url: z.url() });

export interface Simulator {
  readonly url: string;
  stop(): Promise<void>;
}

export interface Simulators {
  readonly photoShelter: Simulator & z.infer<typeof photoShelterLine>;
  readonly graph: Simulator & { readonly planId: string };
  readonly teams: Simulator;
}

export async function startSimulators(
  dir: string,
  options: { readonly seed: number; readonly assets: number },
): Promise<Simulators> {
  const env = { ...process.env };
  const stops: (() => Promise<void>)[] = [];
  try {
    const ps = await spawnScript(
      'simulators/photoshelter/main.ts',
      // No --state-file: the simulator lives as long as the run, so its library needs no file.
      ['--seed', String(options.seed), '--assets', String(options.assets)],
      env,
      join(dir, 'photoshelter.log'),
    );
    stops.push(() => stopChild(ps.child, ps.exited));
    const graph = await spawnScript(
      'simulators/graph/main.ts',
      ['--seed', String(options.seed)],
      env,
      join(dir, 'graph.log'),
    );
    stops.push(() => stopChild(graph.child, graph.exited));
    const teams = await spawnScript(
      'simulators/bot-connector/main.ts',
      [],
      env,
      join(dir, 'teams.log'),
    );
    stops.push(() => stopChild(teams.child, teams.exited));
    const psInfo = photoShelterLine.parse(ps.first);
    const graphInfo = graphLine.parse(graph.first);
    const teamsInfo = teamsLine.parse(teams.first);
    return {
      photoShelter: { ...psInfo, stop: stops[0] ?? (() => Promise.resolve()) },
      graph: {
        url: graphInfo.url,
        planId: graphInfo.seeded.planId,
        stop: stops[1] ?? (() => Promise.resolve()),
      },
      teams: { url: teamsInfo.url, stop: stops[2] ?? (() => Promise.resolve()) },
    };
  } catch (e: unknown) {
    for (const stop of stops.reverse()) await stop();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------
// Workers

export interface WorkerSpec {
  /** 1-based: worker 1 runs the timers unless every worker does. */
  readonly index: number;
  readonly port: number;
  readonly timers: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly args: readonly string[];
  readonly logFile: string;
}

/** One product worker across its restarts. */
export class Worker {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private up = false;
  starts = 0;
  kills = 0;

  constructor(
    readonly spec: WorkerSpec,
    private readonly onLog: (worker: number, line: string) => void,
  ) {}

  get url(): string {
    return `http://localhost:${this.spec.port}`;
  }

  /** Serving: started and not killed since. */
  get isUp(): boolean {
    return this.up;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    this.starts += 1;
    const started = await spawnScript(
      'scripts/chaos-worker.ts',
      [...this.spec.args, ...(this.spec.timers ? ['--timers'] : [])],
      { ...this.spec.env, PORT: String(this.spec.port) },
      this.spec.logFile,
      (line) => this.onLog(this.spec.index, line),
    );
    this.child = started.child;
    this.exited = started.exited.then(() => {
      this.up = false;
    });
    this.up = true;
  }

  /** kill -9: no shutdown, no flush, in-flight work left to the queue's visibility timeout. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.up) return;
    this.up = false;
    this.kills += 1;
    child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.up = false;
    await stopChild(child, this.exited);
  }
}
