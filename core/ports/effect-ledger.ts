/**
 * The record of every effect on another system (docs/architecture.md): intent is recorded before the
 * call and the result after it, under a deterministic key, so a retry or redelivery finds the result.
 *
 * An intent carries a lease. While the lease runs, another worker asking for the same key is told
 * `busy` (it is being done right now, so do nothing). Once the lease has run out without a result, the
 * earlier attempt is presumed crashed: the next `begin` takes the key over (optimistic concurrency on
 * the stored row, so only one taker wins) and gets `claimed` with `attempt > 1`, which tells the caller
 * to reconcile (look for the object the crashed attempt may have made) before acting again.
 */
export type EffectClaim =
  | { readonly kind: 'claimed'; readonly attempt: number }
  | { readonly kind: 'busy'; readonly attempt: number }
  | { readonly kind: 'done'; readonly result: string };

export interface EffectRecord {
  readonly state: 'pending' | 'done';
  readonly attempt: number;
  readonly result: string | undefined;
  /** ISO time the current attempt's lease ends (pending only). */
  readonly leaseUntil: string | undefined;
}

export interface EffectLedger {
  begin(key: string, lease: { readonly now: Date; readonly leaseMs: number }): Promise<EffectClaim>;
  complete(key: string, result: string): Promise<void>;
  /**
   * The claim of `attempt` made no change (the service refused the call, e.g. throttled): the key is
   * free at once rather than when its lease runs out, and the next `begin` gets the same attempt
   * number. Nothing happens if the key is no longer held by that attempt.
   */
  release(key: string, attempt: number): Promise<void>;
  /**
   * The claim of `attempt` failed and may or may not have changed something (a 5xx, a timeout, a lost
   * answer): the key is free at once, as if its lease had run out, so the next `begin` gets
   * `attempt + 1` and looks for what this attempt may have made. Nothing happens if the key is no
   * longer held by that attempt.
   */
  abandon(key: string, attempt: number): Promise<void>;
  get(key: string): Promise<EffectRecord | undefined>;
}
