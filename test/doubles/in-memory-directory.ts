import { NotFoundError } from '../../core/errors.js';
import type { Reviewer } from '../../core/model/review.js';
import type { Directory } from '../../core/ports/directory.js';

/**
 * Directory kept in memory (Entra ID through Graph in production): people found by object id, or by
 * user principal name ignoring case, as Entra compares UPNs.
 */
export class InMemoryDirectory implements Directory {
  /** Port calls made so far. */
  callCount = 0;
  private readonly people: Reviewer[] = [];

  constructor(people: readonly Reviewer[] = []) {
    for (const person of people) this.add(person);
  }

  add(person: Reviewer): void {
    this.people.push({ ...person });
  }

  resolveUsers(idsOrUpns: readonly string[]): Promise<readonly Reviewer[]> {
    this.callCount += 1;
    const resolved: Reviewer[] = [];
    for (const wanted of idsOrUpns) {
      const person = this.people.find(
        (p) => p.id === wanted || p.upn.toLowerCase() === wanted.toLowerCase(),
      );
      if (person === undefined) return Promise.reject(new NotFoundError('User', wanted));
      resolved.push({ ...person });
    }
    return Promise.resolve(resolved);
  }
}
