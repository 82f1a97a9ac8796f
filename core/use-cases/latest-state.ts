import { z } from 'zod';

import { ConflictError } from '../errors.js';
import type { CursorStore } from '../ports/cursor-store.js';

/**
 * Replaces a cursor that holds only the latest result of a sweep (a summary, a report): the newest
 * writer wins, so a lost race is retried a few times against the version just read.
 */
export async function saveLatest(
  cursors: CursorStore,
  name: string,
  state: unknown,
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const current = await cursors.get(name, z.unknown());
    try {
      await cursors.save(name, state, current?.version);
      return;
    } catch (e: unknown) {
      if (!(e instanceof ConflictError)) throw e;
    }
  }
}
