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
 * An lru-cache whose entries expire on the injected clock. lru-cache counts an entry stale only
 * once its age is *more* than `ttl`; our caches promise "read again after ttlMs", so the limit is
 * one millisecond less. `ttlResolution: 0` reads the clock on every lookup instead of reusing a
 * reading for a millisecond of real time, which a fixed clock that jumps would outrun.
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
