import { ConflictError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { EffectLedger } from '../ports/effect-ledger.js';

export interface OnceDeps {
  readonly ledger: EffectLedger;
  readonly clock: Clock;
}

export const effectLeaseMs = 60_000;

/**
 * Runs an effect on another system at most once under its deterministic key (ARCHITECTURE.md §3.4):
 * intent recorded, the call, the result recorded. A retry returns the recorded result. `run` receives
 * the attempt number; above 1 an earlier attempt crashed mid-way and `run` must first look for what it
 * may have made. While another worker holds the key, this throws ConflictError so the message that
 * asked for the effect is delivered again later.
 */
export async function runOnce(
  deps: OnceDeps,
  key: string,
  run: (attempt: number) => Promise<string>,
): Promise<{ readonly result: string; readonly isFresh: boolean }> {
  const claim = await deps.ledger.begin(key, { now: deps.clock.now(), leaseMs: effectLeaseMs });
  switch (claim.kind) {
    case 'done':
      return { result: claim.result, isFresh: false };
    case 'busy':
      throw new ConflictError(`effect ${key} is being carried out by another worker`);
    case 'claimed': {
      const result = await run(claim.attempt);
      await deps.ledger.complete(key, result);
      return { result, isFresh: true };
    }
  }
}
