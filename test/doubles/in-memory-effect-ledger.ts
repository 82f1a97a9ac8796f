import type { EffectClaim, EffectLedger, EffectRecord } from '../../core/ports/effect-ledger.js';

export class InMemoryEffectLedger implements EffectLedger {
  readonly records = new Map<string, EffectRecord>();
  /** Makes the next complete throw: the effect happened but its result was never recorded. */
  failNextComplete: Error | undefined;

  begin(key: string, lease: { now: Date; leaseMs: number }): Promise<EffectClaim> {
    const leaseUntil = new Date(lease.now.getTime() + lease.leaseMs).toISOString();
    const existing = this.records.get(key);
    if (existing === undefined) {
      this.records.set(key, { state: 'pending', attempt: 1, result: undefined, leaseUntil });
      return Promise.resolve({ kind: 'claimed', attempt: 1 });
    }
    if (existing.state === 'done') {
      return Promise.resolve({ kind: 'done', result: existing.result ?? '' });
    }
    if (existing.leaseUntil !== undefined && new Date(existing.leaseUntil) > lease.now) {
      return Promise.resolve({ kind: 'busy', attempt: existing.attempt });
    }
    const attempt = existing.attempt + 1;
    this.records.set(key, { state: 'pending', attempt, result: undefined, leaseUntil });
    return Promise.resolve({ kind: 'claimed', attempt });
  }

  complete(key: string, result: string): Promise<void> {
    if (this.failNextComplete !== undefined) {
      const failure = this.failNextComplete;
      this.failNextComplete = undefined;
      return Promise.reject(failure);
    }
    const attempt = this.records.get(key)?.attempt ?? 1;
    this.records.set(key, { state: 'done', attempt, result, leaseUntil: undefined });
    return Promise.resolve();
  }

  release(key: string, attempt: number): Promise<void> {
    const existing = this.records.get(key);
    if (existing?.state !== 'pending' || existing.attempt !== attempt) return Promise.resolve();
    if (attempt === 1) this.records.delete(key);
    else {
      this.records.set(key, {
        state: 'pending',
        attempt: attempt - 1,
        result: undefined,
        leaseUntil: undefined,
      });
    }
    return Promise.resolve();
  }

  abandon(key: string, attempt: number): Promise<void> {
    const existing = this.records.get(key);
    if (existing?.state === 'pending' && existing.attempt === attempt) {
      this.records.set(key, { ...existing, leaseUntil: undefined });
    }
    return Promise.resolve();
  }

  get(key: string): Promise<EffectRecord | undefined> {
    return Promise.resolve(this.records.get(key));
  }
}
