/**
 * The record of every effect on another system (ARCHITECTURE.md §3.4): intent is recorded before the
 * call and the result after it, under a deterministic key, so a retry or redelivery finds the result.
 */
export type EffectClaim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'done'; readonly result: string }
  /** A previous attempt recorded intent but not a result: it may or may not have happened. */
  | { readonly kind: 'unfinished'; readonly attempts: number };

export interface EffectLedger {
  begin(key: string): Promise<EffectClaim>;
  complete(key: string, result: string): Promise<void>;
  get(key: string): Promise<{ state: 'pending' | 'done'; result: string | undefined } | undefined>;
}
