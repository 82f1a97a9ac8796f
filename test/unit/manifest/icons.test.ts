import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';

import { colorIcon, colorSafeArea, iconFacts, outlineIcon } from '../../../manifest/icons.js';

describe('generated Teams icons', () => {
  it('draws the color icon at 192×192, opaque', () => {
    const facts = iconFacts(colorIcon());
    expect([facts.width, facts.height]).toEqual([192, 192]);
    expect(facts.transparent).toBe(0);
  });

  it('keeps the color symbol inside the central 96×96, on one solid colour', () => {
    const png = PNG.sync.read(colorIcon());
    const colours = { inside: new Set<string>(), outside: new Set<string>() };
    for (let y = 0; y < 192; y += 1) {
      for (let x = 0; x < 192; x += 1) {
        const i = (y * 192 + x) * 4;
        const rgba = [...png.data.subarray(i, i + 4)].join(',');
        const inside =
          x >= colorSafeArea.from &&
          x < colorSafeArea.to &&
          y >= colorSafeArea.from &&
          y < colorSafeArea.to;
        colours[inside ? 'inside' : 'outside'].add(rgba);
      }
    }
    expect([...colours.outside]).toEqual(['47,93,138,255']);
    expect(colours.inside).toEqual(new Set(['47,93,138,255', '255,255,255,255']));
  });

  it('draws the outline icon at 32×32 in pure white on transparency, with a visible glyph', () => {
    const facts = iconFacts(outlineIcon());
    expect([facts.width, facts.height]).toEqual([32, 32]);
    expect(facts.notWhiteOrClear).toBe(0);
    expect(facts.transparent).toBeGreaterThan(32 * 32 * 0.4);
    expect(facts.transparent).toBeLessThan(32 * 32 * 0.95);
  });

  it('counts what the outline rule looks at from the PNG bytes', () => {
    const image = new PNG({ width: 2, height: 1 });
    image.data.set([255, 255, 255, 255, 10, 20, 30, 0]);
    expect(iconFacts(PNG.sync.write(image))).toEqual({
      width: 2,
      height: 1,
      notWhiteOrClear: 0,
      transparent: 1,
    });
  });

  it('is deterministic, so the package only changes when the drawing does', () => {
    expect(colorIcon().equals(colorIcon())).toBe(true);
    expect(outlineIcon().equals(outlineIcon())).toBe(true);
  });
});
