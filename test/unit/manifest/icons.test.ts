import { describe, expect, it } from 'vitest';

import { colorIcon, iconFacts, outlineIcon } from '../../../manifest/icons.js';

describe('generated Teams icons', () => {
  it('draws the color icon at 192×192, opaque', () => {
    const facts = iconFacts(colorIcon());
    expect([facts.width, facts.height]).toEqual([192, 192]);
    expect(facts.transparent).toBe(0);
  });

  it('draws the outline icon at 32×32 in pure white on transparency, with a visible glyph', () => {
    const facts = iconFacts(outlineIcon());
    expect([facts.width, facts.height]).toEqual([32, 32]);
    expect(facts.notWhiteOrClear).toBe(0);
    expect(facts.transparent).toBeGreaterThan(32 * 32 * 0.4);
    expect(facts.transparent).toBeLessThan(32 * 32 * 0.95);
  });

  it('is deterministic, so the package only changes when the drawing does', () => {
    expect(colorIcon().equals(colorIcon())).toBe(true);
    expect(outlineIcon().equals(outlineIcon())).toBe(true);
  });
});
