import { PNG } from 'pngjs';

import { hash32 } from './random.js';

// Small real PNGs for `/img-get2/…` links, so thumbnails render in a browser and differ per image:
// colours and pattern come from the image id and its version (a replace changes the picture).

/** Longest side we ever draw; links ask for up to 1200px, a thumbnail is plenty for a simulator. */
export const MAX_SIDE = 320;

/** A box that fits inside `box` keeping the image's aspect ratio (`fit`), or the box (`fill`). */
export function fittedSize(
  image: { width: number; height: number },
  box: { width: number | undefined; height: number | undefined },
  mode: 'fit' | 'fill',
): { width: number; height: number } {
  const bw = box.width ?? Number.POSITIVE_INFINITY;
  const bh = box.height ?? Number.POSITIVE_INFINITY;
  let width: number;
  let height: number;
  if (mode === 'fill' && box.width !== undefined && box.height !== undefined) {
    width = bw;
    height = bh;
  } else {
    const scale = Math.min(bw / image.width, bh / image.height, 1);
    width = image.width * (Number.isFinite(scale) ? scale : 1);
    height = image.height * (Number.isFinite(scale) ? scale : 1);
  }
  const cap = Math.min(1, MAX_SIDE / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * cap)),
    height: Math.max(1, Math.round(height * cap)),
  };
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** An RGB PNG of the given size: a gradient sky, a hill and a sun whose place depends on the id. */
export function renderPng(seedText: string, width: number, height: number): Buffer {
  const h = hash32(seedText);
  const hue = h % 360;
  const top = hsl(hue, 0.55, 0.7);
  const bottom = hsl((hue + 40) % 360, 0.5, 0.45);
  const ground = hsl((hue + 180) % 360, 0.4, 0.35);
  const sun = hsl((hue + 60) % 360, 0.9, 0.75);
  const sunX = ((h >>> 9) % 60) / 100 + 0.2;
  const sunY = ((h >>> 17) % 30) / 100 + 0.15;
  const sunR = (0.08 + ((h >>> 23) % 8) / 100) * Math.min(width, height) * 1.6;
  const waves = 1 + ((h >>> 5) % 4);
  const stripes = (h >>> 3) % 2 === 0;

  const png = new PNG({ width, height, colorType: 2 });
  for (let y = 0; y < height; y += 1) {
    const t = height > 1 ? y / (height - 1) : 0;
    for (let x = 0; x < width; x += 1) {
      const u = width > 1 ? x / (width - 1) : 0;
      const horizon = 0.62 + 0.1 * Math.sin(u * Math.PI * waves + (h % 7));
      let c: [number, number, number];
      const dx = x - sunX * width;
      const dy = y - sunY * height;
      if (t > horizon) {
        const shade = stripes && Math.floor((x + y) / 6) % 2 === 0 ? 0.88 : 1;
        c = [ground[0] * shade, ground[1] * shade, ground[2] * shade];
      } else if (dx * dx + dy * dy < sunR * sunR) {
        c = sun;
      } else {
        c = [
          top[0] + (bottom[0] - top[0]) * t,
          top[1] + (bottom[1] - top[1]) * t,
          top[2] + (bottom[2] - top[2]) * t,
        ];
      }
      // pngjs holds RGBA pixels; written out as truecolour RGB (colorType 2).
      const at = (y * width + x) * 4;
      png.data[at] = c[0];
      png.data[at + 1] = c[1];
      png.data[at + 2] = c[2];
      png.data[at + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}

/** A few hundred recent thumbnails, so a console page full of them is not redrawn every time. */
export class PngCache {
  private readonly entries = new Map<string, Buffer>();

  constructor(private readonly limit = 512) {}

  get(seedText: string, width: number, height: number): Buffer {
    const key = `${seedText}|${width}x${height}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const png = renderPng(seedText, width, height);
    this.entries.set(key, png);
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    return png;
  }
}
