import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';

// A simulator's state kept in one JSON file across restarts (the local demo): read once at start,
// saved a moment after each change and on stop. Without a file it does nothing.

interface Envelope<T> {
  readonly format: string;
  readonly state: T;
}

const SAVE_DELAY_MS = 200;

export class JsonStateFile<T> {
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();

  /**
   * `format` names the layout (e.g. `lightdesk-photoshelter-simulator/2`); a file in another
   * format is ignored. `snapshot` gives the state to save.
   */
  constructor(
    readonly file: string | undefined,
    private readonly format: string,
    private readonly snapshot: () => T,
  ) {}

  /** The saved state, or undefined when there is no file, it is unreadable or of another format. */
  load(): T | undefined {
    if (this.file === undefined) return undefined;
    try {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<Envelope<T>>;
      return saved.format === this.format ? saved.state : undefined;
    } catch {
      return undefined; // missing or unreadable: the simulator starts from its seed
    }
  }

  /** Saves soon; several changes in a burst make one write. */
  schedule(): void {
    if (this.file === undefined || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, SAVE_DELAY_MS);
  }

  /** Saves now (stop calls this); saves run one after another. */
  flush(): Promise<void> {
    const file = this.file;
    if (file === undefined) return Promise.resolve();
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const text = JSON.stringify({ format: this.format, state: this.snapshot() });
    // Write-then-rename, so a crash never leaves half a file.
    this.saving = this.saving
      .then(async () => {
        const temp = `${file}.${process.pid}.tmp`;
        await writeFile(temp, text);
        await rename(temp, file);
      })
      .catch((e: unknown) => {
        process.stderr.write(`simulator: could not save ${file}: ${String(e)}\n`);
      });
    return this.saving;
  }
}
