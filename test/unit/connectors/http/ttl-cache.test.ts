import { describe, expect, it } from 'vitest';

import { ttlCache } from '../../../../connectors/http/ttl-cache.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';

describe('ttlCache', () => {
  it('serves an entry until ttlMs has passed on the injected clock, then forgets it', () => {
    const clock = new FixedClock();
    const cache = ttlCache<string, string>({ ttlMs: 10 * 60_000, max: 10, clock });
    cache.set('plan', 'buckets');
    clock.advance(10 * 60_000 - 1);
    expect(cache.get('plan')).toBe('buckets');
    clock.advance(1);
    expect(cache.get('plan')).toBeUndefined();
  });

  it('keeps at most max entries, dropping the least recently used', () => {
    const cache = ttlCache<string, number>({ ttlMs: 60_000, max: 2, clock: new FixedClock() });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
  });
});
