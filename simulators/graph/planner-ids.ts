import type { SeededRandom } from '../kit/random.js';

// Deterministic ids for a given `--seed`: the demo and the tests see the same plan and bucket ids on
// every run.

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Planner ids are 28 characters and case-sensitive (resources/plannertask.md `id`, `bucketId`),
 * e.g. `xqQg5FS2LkCp935s-FIFm2QAFkHM`; they look like base64url, which is what we draw from.
 */
export function plannerId(random: SeededRandom): string {
  return random.text(ID_ALPHABET, 28);
}

/** A version-4-shaped GUID (Entra object ids, group ids). */
export function guid(random: SeededRandom): string {
  const hex = '0123456789abcdef';
  let out = '';
  for (let i = 0; i < 32; i += 1) {
    let digit = random.pick(hex);
    if (i === 12) digit = '4';
    if (i === 16) digit = hex.charAt(8 + Math.floor(random.next() * 4));
    out += digit;
    if (i === 7 || i === 11 || i === 15 || i === 19) out += '-';
  }
  return out;
}

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
