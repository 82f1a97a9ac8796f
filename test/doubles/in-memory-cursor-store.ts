import type { z } from 'zod';

import { ConflictError, ValidationError } from '../../core/errors.js';
import type { Cursor, CursorStore } from '../../core/ports/cursor-store.js';

/** Cursors kept as the JSON a table row holds, read back through the caller's schema. */
export class InMemoryCursorStore implements CursorStore {
  private readonly cursors = new Map<string, { readonly json: string; readonly version: string }>();
  private writes = 0;
  /** Makes the next save throw, to simulate a crash or an outage at that point. */
  failNextSave: Error | undefined;

  get<T>(name: string, schema: z.ZodType<T>): Promise<Cursor<T> | undefined> {
    const row = this.cursors.get(name);
    if (row === undefined) return Promise.resolve(undefined);
    const parsed = schema.safeParse(JSON.parse(row.json));
    if (!parsed.success) {
      return Promise.reject(
        ValidationError.fromZod(`Stored cursor ${name} is malformed`, parsed.error),
      );
    }
    return Promise.resolve({ name, state: parsed.data, version: row.version });
  }

  save<T>(name: string, state: T, expectedVersion: string | undefined): Promise<Cursor<T>> {
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
    const version = `v${this.writes}`;
    this.cursors.set(name, { json: JSON.stringify(state), version });
    return Promise.resolve({ name, state, version });
  }
}
