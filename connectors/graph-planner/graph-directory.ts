import type { LRUCache } from 'lru-cache';

import { ValidationError } from '../../core/errors.js';
import type { Reviewer } from '../../core/model/review.js';
import type { Directory } from '../../core/ports/directory.js';
import { ttlCache } from '../http/ttl-cache.js';
import { type GraphConnectorOptions, GraphTransport } from './graph-transport.js';
import { toReviewer } from './mappers.js';
import { userSchema } from './wire.js';

export interface GraphDirectoryOptions extends GraphConnectorOptions {
  /**
   * How long a resolved person is reused (default 15 minutes; a rename shows that long). 0: no
   * cache.
   */
  readonly cacheTtlMs?: number;
}

const DEFAULT_CACHE_TTL_MS = 15 * 60_000;
/** Names kept (each person under id and UPN); a team's reviewers fit many times over. */
const MAX_CACHED_NAMES = 5_000;

/** The properties a Reviewer needs (https://learn.microsoft.com/graph/api/user-get, `$select`). */
const SELECT = '$select=id,displayName,userPrincipalName,mail';

/**
 * Directory over Entra ID users (Graph v1.0, `User.Read.All`): a call's lookups go in one `$batch`
 * of `GET /users/{id | userPrincipalName}` (up to 20), each inner answer judged on its own status.
 */
export class GraphDirectory implements Directory {
  private readonly http: GraphTransport;
  /** Positive answers only: an unknown user is asked again next time (they may have just been added). */
  private readonly cache: LRUCache<string, Reviewer> | undefined;

  constructor(options: GraphDirectoryOptions) {
    this.http = new GraphTransport(options);
    const ttlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.cache =
      ttlMs > 0 ? ttlCache({ ttlMs, max: MAX_CACHED_NAMES, clock: options.clock }) : undefined;
  }

  private cached(who: string): Reviewer | undefined {
    return this.cache?.get(who.toLowerCase());
  }

  async resolveUsers(idsOrUpns: readonly string[]): Promise<readonly Reviewer[]> {
    const issues = idsOrUpns.flatMap((who, i) =>
      who.trim() === '' ? [`idsOrUpns[${i}]: must not be empty`] : [],
    );
    if (issues.length > 0) throw new ValidationError('Not a user to look up', issues);
    const unique = [...new Set(idsOrUpns)].filter((who) => this.cached(who) === undefined);
    if (unique.length === 0) return idsOrUpns.flatMap((who) => this.cached(who) ?? []);

    const reads = unique.map((who, i) => ({
      id: String(i + 1),
      path: `/users/${encodeURIComponent(who)}?${SELECT}`,
      endpoint: 'GET /users/:idOrUpn',
      resource: { what: 'User', id: who },
    }));
    const answers = await this.http.batchGet(reads);
    const found = new Map<string, Reviewer>();
    // In the caller's order, so a NotFoundError names the first unknown one (port contract).
    for (const read of reads) {
      const answer = answers.get(read.id);
      if (answer === undefined) continue; // batchGet answers every read or throws
      if (answer.status < 200 || answer.status >= 300) throw this.http.toError(answer, read);
      const reviewer = toReviewer(this.http.parse(answer.body, userSchema, read.endpoint));
      found.set(read.resource.id, reviewer);
      // Under both names a rule may use, so an id and a UPN of one person share the entry.
      for (const key of [read.resource.id, reviewer.id, reviewer.upn]) {
        this.cache?.set(key.toLowerCase(), reviewer);
      }
    }
    return idsOrUpns.flatMap((who) => found.get(who) ?? this.cached(who) ?? []);
  }
}
