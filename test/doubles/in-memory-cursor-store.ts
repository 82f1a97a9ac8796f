import { ConflictError } from '../../core/errors.js';
import type { Cursor, CursorStore } from '../../core/ports/cursor-store.js';

export class InMemoryCursorStore implements CursorStore {
  private readonly cursors = new Map<string, Cursor>();
  private writes = 0;
  /** Makes the next save throw, to simulate a crash or an outage at that point. */
  failNextSave: Error | undefined;

  get(name: string): Promise<Cursor | undefined> {
    return Promise.resolve(this.cursors.get(name));
  }

  save(name: string, value: string, expectedVersion: string | undefined): Promise<Cursor> {
    if (this.failNextSave !== undefined) {
      const failure = this.failNextSave;
      this.failNextSave = undefined;
      return Promise.reject(failure);
    }
    const current = this.cursors.get(name);
    if (current?.version !== expectedVersion) {
      return Promise.reject(new ConflictError(`cursor ${name} was moved by someone else`));
    }
    this.writes += 1;
    const cursor = { name, value, version: `v${this.writes}` };
    this.cursors.set(name, cursor);
    return Promise.resolve(cursor);
  }
}
