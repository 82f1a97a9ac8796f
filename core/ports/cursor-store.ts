import type { z } from 'zod';

/** A named position in an external change stream, with an opaque version for optimistic concurrency. */
export interface Cursor<T> {
  readonly name: string;
  readonly state: T;
  readonly version: string;
}

/** Cursors hold typed state; the store serialises it and checks it against the caller's schema. */
export interface CursorStore {
  /** ValidationError when the stored state does not fit `schema` (or is not what the store wrote). */
  get<T>(name: string, schema: z.ZodType<T>): Promise<Cursor<T> | undefined>;
  /**
   * Creates the cursor when `expectedVersion` is undefined, otherwise replaces it only if unchanged.
   * Throws ConflictError when another writer got there first.
   */
  save<T>(name: string, state: T, expectedVersion: string | undefined): Promise<Cursor<T>>;
}
