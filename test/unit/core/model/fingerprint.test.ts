import { describe, expect, it } from 'vitest';

import { fingerprint } from '../../../../core/model/fingerprint.js';

describe('fingerprint', () => {
  it('is the same for the same parts on every call', () => {
    expect(fingerprint('IMG_1.jpg', 1800, 640, 480)).toBe(fingerprint('IMG_1.jpg', 1800, 640, 480));
  });

  it('differs when any part differs, including where the parts split', () => {
    const seen = new Set([
      fingerprint('IMG_1.jpg', 1800, 640, 480),
      fingerprint('IMG_1.jpg', 1801, 640, 480),
      fingerprint('IMG_2.jpg', 1800, 640, 480),
      fingerprint('ab', 'c'),
      fingerprint('a', 'bc'),
    ]);
    expect(seen.size).toBe(5);
  });

  it('is short and safe inside ids and storage keys', () => {
    expect(fingerprint('x')).toMatch(/^[0-9a-z]{13}$/);
  });
});
