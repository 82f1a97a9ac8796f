import { ConflictError, RateLimitedError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { EffectLedger } from '../ports/effect-ledger.js';

export interface OnceDeps {
  readonly ledger: EffectLedger;
  readonly clock: Clock;
}

export const EFFECT_LEASE_MS = 60_000;

/** How long to wait between looks at an effect another worker holds. */
const busyPausesMs: readonly number[] = [100, 200, 400, 800, 1600];

/**
 * Runs an effect at most once under its key (docs/architecture.md). `run` gets the attempt number;
 * above 1 it must first look for what a crashed attempt made. While another worker holds the key,
 * this looks again for a few seconds, then throws ConflictError so the message comes back later.
 */
export async function runOnce(
  deps: OnceDeps,
  key: string,
  run: (attempt: number) => Promise<string>,
): Promise<{ readonly result: string; readonly isFresh: boolean }> {
  for (let look = 0; ; look += 1) {
    const claim = await deps.ledger.begin(key, { now: deps.clock.now(), leaseMs: EFFECT_LEASE_MS });
    switch (claim.kind) {
      case 'done':
        return { result: claim.result, isFresh: false };
      case 'busy': {
        // Most effects take well under a second: look again a few times (0.1 s, doubling, 3 s in
        // all) rather than fail the message, which would then wait out its visibility timeout.
        const pause = busyPausesMs[look];
        if (pause === undefined) {
          throw new ConflictError(`effect ${key} is being carried out by another worker`);
        }
        await deps.clock.sleep(pause);
        break;
      }
      case 'claimed': {
        let result: string;
        try {
          result = await run(claim.attempt);
        } catch (e: unknown) {
          // The key is free at once, so the next delivery need not wait out the lease. Throttled,
          // the service did nothing: the next attempt starts afresh. Any other failure may have
          // changed something (a lost answer): the next attempt looks for what this one made.
          const free =
            e instanceof RateLimitedError
              ? deps.ledger.release(key, claim.attempt)
              : deps.ledger.abandon(key, claim.attempt);
          await free.catch(() => undefined);
          throw e;
        }
        await deps.ledger.complete(key, result);
        return { result, isFresh: true };
      }
    }
  }
}
