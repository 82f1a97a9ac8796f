import { describe, expect, it } from 'vitest';

import { RecentMap } from '../../../core/recent-map.js';

describe('RecentMap', () => {
  it('forgets the entry used least recently once over capacity', () => {
    const map = new RecentMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).toBe(1); // a used again: b is now the oldest

    map.set('c', 3);

    expect(map.get('a')).toBe(1);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('c')).toBe(3);
  });

  it('replaces a value under the same key without growing', () => {
    const map = new RecentMap<string, number>(1);
    map.set('a', 1);
    map.set('a', 2);

    expect(map.get('a')).toBe(2);
    map.delete('a');
    expect(map.get('a')).toBeUndefined();
  });
});
