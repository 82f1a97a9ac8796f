import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

// The `main.ts` of every simulator: parse the options (the common ones below plus its own), start,
// print ONE JSON line on stdout once listening (a parent process reads where it lives from it), and
// stop cleanly on SIGINT or SIGTERM. Usage errors exit 2; nothing else goes to stdout.

export const COMMON_USAGE = `  --port <n>        port to listen on; 0 picks a free one (default 0)
  --host <addr>     address to bind (default 127.0.0.1)
  --seed <n>        seed of the generated data
  --data-dir <dir>  keep the simulator's state in this folder across restarts
  --log             one line per request on stderr
  -h, --help        show this help`;

const commonOptions = {
  port: { type: 'string' },
  host: { type: 'string' },
  seed: { type: 'string' },
  'data-dir': { type: 'string' },
  log: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export interface CommonOptions {
  readonly port: number;
  readonly host: string;
  readonly seed: number | undefined;
  /** The file `name` under `--data-dir`, or undefined without one. */
  stateFile(name: string): string | undefined;
}

export interface Started {
  /** The JSON line printed once listening. */
  readonly line: unknown;
  stop(): Promise<void>;
}

export interface CliSpec<O extends ParseArgsOptionsConfig> {
  /** e.g. `photoshelter simulator`, for error messages. */
  readonly name: string;
  /** The whole `--help` text; starts with `Usage: `. */
  readonly usage: string;
  readonly options: O;
  readonly start: (
    values: Readonly<Record<keyof O, string | boolean | undefined>>,
    common: CommonOptions,
  ) => Promise<Started>;
}

/** A whole number from an option, or exit 2 with the usage. */
export function wholeOption(
  spec: { readonly usage: string },
  name: string,
  text: string | boolean | undefined,
): number | undefined {
  if (text === undefined || typeof text === 'boolean') return undefined;
  if (!/^\d+$/.test(text)) usageError(spec, `--${name} must be a whole number, got "${text}"`);
  return Number(text);
}

export function stringOption(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function usageError(spec: { readonly usage: string }, message: string): never {
  process.stderr.write(`${message}\n\n${spec.usage}\n`);
  process.exit(2);
}

export async function runCli<O extends ParseArgsOptionsConfig>(spec: CliSpec<O>): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      options: { ...commonOptions, ...spec.options },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e: unknown) {
    usageError(spec, e instanceof Error ? e.message : String(e));
  }
  if (values['help'] === true) {
    process.stdout.write(`${spec.usage}\n`);
    return;
  }
  const port = wholeOption(spec, 'port', values['port']) ?? 0;
  if (port > 65_535) usageError(spec, '--port must be at most 65535');
  const dataDir = stringOption(values['data-dir']);
  const common: CommonOptions = {
    port,
    host: stringOption(values['host']) ?? '127.0.0.1',
    seed: wholeOption(spec, 'seed', values['seed']),
    stateFile: (name) => (dataDir === undefined ? undefined : join(dataDir, name)),
  };
  if (values['log'] === true) logRequests(spec.name);
  // Handlers first: a parent may signal the moment it has read the line.
  let started: Started | undefined;
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    (started?.stop() ?? Promise.resolve()).then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`${spec.name}: stop failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  try {
    started = await spec.start(
      values as Readonly<Record<keyof O, string | boolean | undefined>>,
      common,
    );
    process.stdout.write(`${JSON.stringify(started.line)}\n`);
  } catch (e: unknown) {
    process.stderr.write(`${spec.name} failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}

/**
 * One stderr line per answered request, from node:http's diagnostics channel (so no simulator needs
 * a hook). The path only: query strings carry log-in credentials and some segments tokens.
 */
function logRequests(name: string): void {
  subscribe('http.server.response.finish', (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    const path = (request.url ?? '/').split('?')[0]?.replace(/\/sec=[^/]*/g, '/sec=…') ?? '/';
    process.stderr.write(`${name}: ${request.method ?? 'GET'} ${path} ${response.statusCode}\n`);
  });
}
