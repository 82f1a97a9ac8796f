/**
 * The record of every effect on another system (docs/architecture.md): intent before the call, the
 * result after it, under a deterministic key, so a retry finds the result. While an intent's lease
 * runs, others get `busy`; once it runs out with no result, one `begin` takes the key over and gets
 * `claimed` with `attempt > 1`: reconcile (find what the crashed attempt made) before acting again.
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
   * `attempt` made no change (e.g. throttled): free the key now; the next `begin` gets the same
   * attempt number. No-op if that attempt no longer holds the key.
   */
  release(key: string, attempt: number): Promise<void>;
  /**
   * `attempt` failed and may have changed something (5xx, timeout, lost answer): free the key now;
   * the next `begin` gets `attempt + 1` and reconciles. No-op if that attempt no longer holds the
   * key.
   */
  abandon(key: string, attempt: number): Promise<void>;
  get(key: string): Promise<EffectRecord | undefined>;
}
