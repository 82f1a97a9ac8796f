// A benchmark's child process (a simulator, a poller, a packager) that says what it has to say in
// one JSON line on stdout; its stderr goes to ours.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Child {
  readonly value: unknown;
  readonly stop: () => void;
  readonly done: Promise<void>;
}

/** Starts a child and resolves with its first stdout line parsed as JSON. */
export function firstJsonLine(command: string[], env: NodeJS.ProcessEnv): Promise<Child> {
  const child = spawn(process.execPath, command, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      try {
        resolve({ value: JSON.parse(line), stop: () => child.kill('SIGTERM'), done });
      } catch (e: unknown) {
        reject(e instanceof Error ? e : new TypeError(String(e)));
      }
    });
    child.once('exit', (code) => reject(new TypeError(`${command.join(' ')} exited with ${code}`)));
  });
}
