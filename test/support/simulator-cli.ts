import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A simulator's `main.ts` as its own process, the way a person starts it from a shell. */
export function runSimulator(
  main: string,
  args: readonly string[],
): {
  readonly child: ChildProcess & { stdout: NonNullable<ChildProcess['stdout']> };
  readonly exited: Promise<number | null>;
  /** The JSON line it prints once listening; rejects if it exits first. */
  readonly firstLine: Promise<string>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const firstLine = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', () => reject(new TypeError('exited before printing a line')));
  });
  // Not every test reads the first line; an early exit must not become an unhandled rejection.
  firstLine.catch(() => undefined);
  return { child, exited, firstLine };
}
