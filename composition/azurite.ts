import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { ensureError, UpstreamError } from '../core/errors.js';

export interface AzuriteOptions {
  /** Where data persists between runs; omitted: `--inMemoryPersistence` (tests). */
  readonly dataDir?: string;
  readonly host?: '127.0.0.1';
  /** 0 or omitted: a free port is picked. */
  readonly tablePort?: number;
  /** 0 or omitted: a free port is picked. */
  readonly queuePort?: number;
  /**
   * Default true: Azurite's access log is off and its console output goes to `<dataDir>/azurite-*.log`
   * (or nowhere in memory). False: access log on, output inherited by this process (debugging).
   */
  readonly silent?: boolean;
  /** How long to wait for both services to accept connections. */
  readonly startTimeoutMs?: number;
  /** Aborting stops whatever has started and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * POSIX: run the services in their own process group, so a terminal's Ctrl-C reaches only the
   * caller, which then stops Azurite after the work using it (the caller must handle the signals).
   */
  readonly detached?: boolean;
}

export interface RunningAzurite {
  readonly connectionString: string;
  readonly tableUrl: string;
  readonly queueUrl: string;
  /** SIGINT, then SIGKILL to whatever is still running after `graceMs` (default 1 s). */
  stop(options?: { readonly graceMs?: number }): Promise<void>;
}

// The well-known development account every Azurite accepts; it is public, not a secret
// (https://learn.microsoft.com/azure/storage/common/storage-use-azurite#http-connection-strings).
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

type Service = 'table' | 'queue';

const ATTEMPTS = 5;
// SIGINT lets LokiJS save; past this, SIGKILL, so a stop fits issue 16's 3 s in all.
const DEFAULT_STOP_GRACE_MS = 1_000;

/**
 * Starts Azurite's table and queue services (not Blob) as child processes, stopped on `stop()` or
 * at exit, with SIGINT: LokiJS saves on close, so `dataDir` keeps the last writes a kill would
 * lose.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const host = options.host ?? '127.0.0.1';
  options.signal?.throwIfAborted();
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });

  const table = await startService('table', options.tablePort ?? 0, host, options);
  let queue: ChildProcess;
  let queuePort: number;
  try {
    ({ child: queue, port: queuePort } = await startService(
      'queue',
      options.queuePort ?? 0,
      host,
      options,
    ));
  } catch (e: unknown) {
    await stopChild(table.child);
    throw e;
  }

  const children = [table.child, queue];
  if (options.signal?.aborted === true) {
    await Promise.all(children.map(stopChild));
    options.signal.throwIfAborted();
  }
  // Last resort when the host forgets stop(): 'exit' handlers must be synchronous, and kill() is.
  const onExit = (): void => {
    for (const child of children) if (isRunning(child)) child.kill('SIGINT');
  };
  process.once('exit', onExit);

  const tableUrl = `http://${host}:${table.port}/${DEV_ACCOUNT}`;
  const queueUrl = `http://${host}:${queuePort}/${DEV_ACCOUNT}`;
  let stopping: Promise<void> | undefined;
  return {
    connectionString: [
      'DefaultEndpointsProtocol=http',
      `AccountName=${DEV_ACCOUNT}`,
      `AccountKey=${DEV_KEY}`,
      `TableEndpoint=${tableUrl}`,
      `QueueEndpoint=${queueUrl}`,
    ].join(';'),
    tableUrl,
    queueUrl,
    stop(stopOptions = {}) {
      stopping ??= (async () => {
        process.removeListener('exit', onExit);
        const graceMs = stopOptions.graceMs ?? DEFAULT_STOP_GRACE_MS;
        await Promise.all(children.map((child) => stopChild(child, graceMs)));
      })();
      return stopping;
    },
  };
}

async function startService(
  service: Service,
  requestedPort: number,
  host: string,
  options: AzuriteOptions,
): Promise<{ child: ChildProcess; port: number }> {
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  const failures: string[] = [];
  // A port picked free may be taken by someone else before Azurite binds it; then Azurite exits and
  // we try again with another. A port the caller asked for is not retried.
  const tries = requestedPort === 0 ? ATTEMPTS : 1;
  for (let attempt = 1; attempt <= tries; attempt += 1) {
    options.signal?.throwIfAborted();
    const port = requestedPort === 0 ? await freePort(host) : requestedPort;
    // Readiness is "the port accepts connections", so a port someone else already listens on would
    // look ready at once (an Azurite of the developer's own on 10002, say).
    if (await accepts(host, port)) {
      failures.push(`port ${port}: already in use`);
      continue;
    }
    const child = spawnService(service, port, host, options);
    const outcome = await waitUntilListening(child, host, port, deadline, options.signal);
    if (outcome.kind === 'ready') return { child, port };
    failures.push(outcome.reason);
    await stopChild(child);
    options.signal?.throwIfAborted();
    if (outcome.kind === 'timeout') break;
  }
  throw new UpstreamError('azurite', `${service} service did not start: ${failures.join('; ')}`);
}

function spawnService(
  service: Service,
  port: number,
  host: string,
  options: AzuriteOptions,
): ChildProcess {
  const silent = options.silent ?? true;
  const args = [
    entryPoint(service),
    `--${service}Host`,
    host,
    `--${service}Port`,
    String(port),
    // Accept whatever API version the SDKs send and headers Azurite does not implement.
    '--skipApiVersionCheck',
    '--loose',
    // Path-style URLs (http://127.0.0.1:port/devstoreaccount1) whatever the host name.
    '--disableProductStyleUrl',
    // Azurite 3.35 sends usage telemetry by default; build machines are offline and we want no calls out.
    '--disableTelemetry',
  ];
  if (silent) args.push('--silent');
  // Azurite refuses --location together with --inMemoryPersistence; in memory it writes no files.
  if (options.dataDir === undefined) args.push('--inMemoryPersistence');
  else args.push('--location', options.dataDir);

  let output: 'ignore' | 'inherit' | number = 'ignore';
  if (!silent) output = 'inherit';
  else if (options.dataDir !== undefined)
    output = openSync(join(options.dataDir, `azurite-${service}.log`), 'a');

  const child = spawn(process.execPath, args, {
    // In memory, Azurite's workspace defaults to the cwd; a neutral one keeps it off the repo.
    cwd: options.dataDir ?? tmpdir(),
    stdio: ['ignore', output, output],
    windowsHide: true,
    // Its own process group: https://nodejs.org/api/child_process.html#optionsdetached
    detached: options.detached === true && process.platform !== 'win32',
  });
  if (typeof output === 'number') closeSync(output);
  // A failed spawn is seen as the child not running; without a listener the event would crash us.
  child.once('error', () => undefined);
  // Azurite must not be the reason this process stays alive; stop() and the exit hook end it.
  child.unref();
  return child;
}

let azuriteRoot: string | undefined;

function entryPoint(service: Service): string {
  azuriteRoot ??= dirname(createRequire(import.meta.url).resolve('azurite/package.json'));
  return join(azuriteRoot, 'dist', 'src', service, 'main.js');
}

type StartOutcome =
  | { readonly kind: 'ready' }
  | { readonly kind: 'exited'; readonly reason: string }
  | { readonly kind: 'timeout'; readonly reason: string }
  | { readonly kind: 'aborted'; readonly reason: string };

async function waitUntilListening(
  child: ChildProcess,
  host: string,
  port: number,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<StartOutcome> {
  while (Date.now() < deadline) {
    if (signal?.aborted === true) return { kind: 'aborted', reason: `port ${port}: aborted` };
    if (!isRunning(child)) {
      return {
        kind: 'exited',
        reason: `port ${port}: exited with ${child.exitCode ?? child.signalCode ?? 'unknown'}`,
      };
    }
    if (await accepts(host, port)) return { kind: 'ready' };
    await delay(50);
  }
  return { kind: 'timeout', reason: `port ${port}: not listening in time` };
}

function isRunning(child: ChildProcess): boolean {
  // No pid: the spawn itself failed.
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (e: unknown) => reject(ensureError(e)));
    server.listen({ host, port: 0, exclusive: true }, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function stopChild(child: ChildProcess, graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Unref'd at spawn; while we wait for it to close, it must keep the event loop alive.
  child.ref();
  child.kill('SIGINT');
  const timer = delay(graceMs, 'timeout' as const, { ref: false });
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}
