import { LRUCache } from 'lru-cache';

import type { Clock } from '../../core/ports/clock.js';

export interface TtlCacheOptions {
  /** How long an entry is served; it is gone once this much time has passed since it was set. */
  readonly ttlMs: number;
  /** Entries kept at most; the least recently used goes first. */
  readonly max: number;
  /** Ages are read off this clock, so a test's fixed clock decides when an entry expires. */
  readonly clock: Clock;
}

/**
 * An lru-cache expiring on the injected clock. lru-cache is stale only past `ttl`, so the limit is
 * ttlMs - 1; `ttlResolution: 0` reads the clock on every lookup, for clocks that jump.
 */
export function ttlCache<K extends NonNullable<unknown>, V extends NonNullable<unknown>>(
  options: TtlCacheOptions,
): LRUCache<K, V> {
  return new LRUCache<K, V>({
    max: options.max,
    ttl: Math.max(1, options.ttlMs - 1),
    ttlResolution: 0,
    perf: { now: () => options.clock.now().getTime() },
  });
}
