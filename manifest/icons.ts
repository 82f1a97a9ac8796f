import { PNG } from 'pngjs';

// Teams app icons drawn in code so the package always meets the spec: color 192×192 with the symbol
// in the central 96×96 (Teams crops it), outline 32×32 white on transparent
// (https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/apps-package#app-icons).

type Rgba = readonly [number, number, number, number];

const brand: Rgba = [0x2f, 0x5d, 0x8a, 255];
const white: Rgba = [255, 255, 255, 255];
const clear: Rgba = [0, 0, 0, 0];

/** The glyph on a unit square: a photo frame with a sun and a hill, the same in both icons. */
function glyph(u: number, v: number, stroke: number): boolean {
  const inFrame = u >= 0.14 && u <= 0.86 && v >= 0.22 && v <= 0.78;
  const inInner = u > 0.14 + stroke && u < 0.86 - stroke && v > 0.22 + stroke && v < 0.78 - stroke;
  if (inFrame && !inInner) return true;
  if (!inInner) return false;
  const sun = (u - 0.62) ** 2 + (v - 0.38) ** 2 <= 0.07 ** 2;
  // A hill: below the line through the frame's lower left and a peak at (0.42, 0.5).
  const hill = v >= 0.5 + Math.abs(u - 0.42) * 0.9 && v <= 0.78;
  return sun || hill;
}

function draw(size: number, paint: (u: number, v: number) => Rgba): Buffer {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const [r, g, b, a] = paint((x + 0.5) / size, (y + 0.5) / size);
      const i = (y * size + x) * 4;
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = a;
    }
  }
  return PNG.sync.write(png);
}

/** Where the symbol may go in the color icon: the central 96×96 of 192×192. */
export const colorSafeArea = { from: 48, to: 144 } as const;

// The glyph's frame spans 0.72 of its square, so this scale puts the frame on the safe area's edges.
const colorScale = (colorSafeArea.to - colorSafeArea.from) / 192 / 0.72;

/** 192×192, opaque: the white glyph on the brand colour, inside the safe area. */
export function colorIcon(): Buffer {
  return draw(192, (u, v) =>
    glyph((u - 0.5) / colorScale + 0.5, (v - 0.5) / colorScale + 0.5, 0.06) ? white : brand,
  );
}

/** 32×32: only pure white and fully transparent pixels, as Teams requires of the outline icon. */
export function outlineIcon(): Buffer {
  return draw(32, (u, v) => (glyph(u, v, 0.07) ? white : clear));
}

export interface IconFacts {
  readonly width: number;
  readonly height: number;
  /** Pixels that are neither fully transparent nor opaque white (the outline rule). */
  readonly notWhiteOrClear: number;
  readonly transparent: number;
}

/** What the Teams rules check of an icon, read back from the PNG bytes. */
export function iconFacts(bytes: Buffer): IconFacts {
  const png = PNG.sync.read(bytes);
  let notWhiteOrClear = 0;
  let transparent = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b, a] = [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]];
    if (a === 0) transparent += 1;
    else if (!(a === 255 && r === 255 && g === 255 && b === 255)) notWhiteOrClear += 1;
  }
  return { width: png.width, height: png.height, notWhiteOrClear, transparent };
}
