import type { Reviewer } from '../model/review.js';

/** The organisation's people (Entra ID through Graph in production). */
export interface Directory {
  /** Resolves object ids or user principal names; NotFoundError names the first unknown one. */
  resolveUsers(idsOrUpns: readonly string[]): Promise<readonly Reviewer[]>;
}
