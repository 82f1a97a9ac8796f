import { ValidationError } from '../../core/errors.js';
import type { Reviewer } from '../../core/model/review.js';
import type { Directory } from '../../core/ports/directory.js';
import { type GraphConnectorOptions, GraphTransport } from './graph-transport.js';
import { toReviewer } from './mappers.js';
import { userSchema } from './wire.js';

export type GraphDirectoryOptions = GraphConnectorOptions;

/** The properties a Reviewer needs (https://learn.microsoft.com/graph/api/user-get, `$select`). */
const SELECT = '$select=id,displayName,userPrincipalName,mail';

/**
 * Directory over Entra ID users through Graph v1.0 (`User.Read.All`, application). Every lookup of a
 * call goes in one `$batch` of `GET /users/{id | userPrincipalName}` (up to 20 per batch), so several
 * reviewers cost one round trip; each inner answer is judged on its own status.
 */
export class GraphDirectory implements Directory {
  private readonly http: GraphTransport;

  constructor(options: GraphDirectoryOptions) {
    this.http = new GraphTransport(options);
  }

  async resolveUsers(idsOrUpns: readonly string[]): Promise<readonly Reviewer[]> {
    const issues = idsOrUpns.flatMap((who, i) =>
      who.trim() === '' ? [`idsOrUpns[${i}]: must not be empty`] : [],
    );
    if (issues.length > 0) throw new ValidationError('Not a user to look up', issues);
    const unique = [...new Set(idsOrUpns)];
    if (unique.length === 0) return [];

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
      found.set(
        read.resource.id,
        toReviewer(this.http.parse(answer.body, userSchema, read.endpoint)),
      );
    }
    return idsOrUpns.flatMap((who) => {
      const reviewer = found.get(who);
      return reviewer === undefined ? [] : [reviewer];
    });
  }
}
