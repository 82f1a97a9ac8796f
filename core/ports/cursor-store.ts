/** A named position in an external change stream, with an opaque version for optimistic concurrency. */
export interface Cursor {
  readonly name: string;
  readonly value: string;
  readonly version: string;
}

export interface CursorStore {
  get(name: string): Promise<Cursor | undefined>;
  /**
   * Creates the cursor when `expectedVersion` is undefined, otherwise replaces it only if unchanged.
   * Throws ConflictError when another writer got there first.
   */
  save(name: string, value: string, expectedVersion: string | undefined): Promise<Cursor>;
}
