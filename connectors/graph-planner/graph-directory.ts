import { ValidationError } from '../../core/errors.js';
import type { Reviewer } from '../../core/model/review.js';
import type { Directory } from '../../core/ports/directory.js';
import { type GraphConnectorOptions, GraphTransport } from './graph-transport.js';
import { toReviewer } from './mappers.js';
import { userSchema } from './wire.js';

export interface GraphDirectoryOptions extends GraphConnectorOptions {
  /**
   * How long a resolved person is reused before Graph is asked again (default 15 minutes). Reviewers
   * of a rule are looked up for every batch; their names and ids change rarely, and a renamed person
   * shows the old name on cards for at most this long. 0 turns the cache off.
   */
  readonly cacheTtlMs?: number;
}

const defaultCacheTtlMs = 15 * 60_000;

/** The properties a Reviewer needs (https://learn.microsoft.com/graph/api/user-get, `$select`). */
const SELECT = '$select=id,displayName,userPrincipalName,mail';

/**
 * Directory over Entra ID users through Graph v1.0 (`User.Read.All`, application). Every lookup of a
 * call goes in one `$batch` of `GET /users/{id | userPrincipalName}` (up to 20 per batch), so several
 * reviewers cost one round trip; each inner answer is judged on its own status.
 */
export class GraphDirectory implements Directory {
  private readonly http: GraphTransport;
  /** Positive answers only: an unknown user is asked again next time (they may have just been added). */
  private readonly cache = new Map<string, { reviewer: Reviewer; until: number }>();

  constructor(private readonly options: GraphDirectoryOptions) {
    this.http = new GraphTransport(options);
  }

  private cached(who: string, now: number): Reviewer | undefined {
    const hit = this.cache.get(who.toLowerCase());
    return hit !== undefined && hit.until > now ? hit.reviewer : undefined;
  }

  async resolveUsers(idsOrUpns: readonly string[]): Promise<readonly Reviewer[]> {
    const issues = idsOrUpns.flatMap((who, i) =>
      who.trim() === '' ? [`idsOrUpns[${i}]: must not be empty`] : [],
    );
    if (issues.length > 0) throw new ValidationError('Not a user to look up', issues);
    const now = this.options.clock.now().getTime();
    const unique = [...new Set(idsOrUpns)].filter((who) => this.cached(who, now) === undefined);
    if (unique.length === 0) return idsOrUpns.flatMap((who) => this.cached(who, now) ?? []);

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
      const ttl = this.options.cacheTtlMs ?? defaultCacheTtlMs;
      if (ttl > 0) {
        // Under both names a rule may use, so an id and a UPN of one person share the entry.
        const until = now + ttl;
        for (const key of [read.resource.id, reviewer.id, reviewer.upn]) {
          this.cache.set(key.toLowerCase(), { reviewer, until });
        }
      }
    }
    return idsOrUpns.flatMap((who) => found.get(who) ?? this.cached(who, now) ?? []);
  }
}
