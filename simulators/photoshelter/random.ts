import type { SeededRandom } from '../kit/random.js';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 11 characters of `[A-Za-z0-9]`, the id body after the 5-character prefix [OFF]. */
export const idBody = (random: SeededRandom): string => random.text(ID_ALPHABET, 11);

/** FNV-1a, for colours and tokens derived from ids. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
