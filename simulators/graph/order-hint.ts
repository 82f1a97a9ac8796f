import { plannerBadRequest } from './graph-error.js';

// Planner order hints (resources/planner-order-hint-format.md): a client asks for a position with
// `<previous> <next>!` and the service computes a short value; a returned value sent back as is is
// a 400 (planner-overview.md). Characters are ordinals 32..126.

const MIN = 0x23; // '#': we never write ' ', '!' or '"', so our hints are never mistaken for a request
const MAX = 0x7e; // '~'
const BASE = MAX - MIN + 1;

const digit = (s: string, i: number): number => s.charCodeAt(i) - MIN;
const char = (d: number): string => String.fromCharCode(MIN + d);

/** The shortest-ish string strictly between `low` and `high` ('' = start, undefined = end). */
export function between(low: string, high: string | undefined): string {
  let result = '';
  let upper = high;
  for (let i = 0; ; i += 1) {
    const a = i < low.length ? Math.max(0, digit(low, i)) : 0;
    const b = upper !== undefined && i < upper.length ? Math.max(0, digit(upper, i)) : BASE;
    if (a === b) {
      result += char(a);
      continue;
    }
    const mid = Math.floor((a + b) / 2);
    if (mid > a) return result + char(mid);
    // Adjacent digits: keep `a` and look for room after it, where nothing bounds us from above.
    result += char(a);
    upper = undefined;
  }
}

export function isOrderHintRequest(value: unknown): value is string {
  if (typeof value !== 'string' || !value.endsWith('!')) return false;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 32 || code > 126) return false;
  }
  return true;
}

/** Validates a client's order hint, or throws the 400 Planner answers. */
export function requireOrderHint(value: unknown, property: string): string {
  if (isOrderHintRequest(value)) return value;
  throw plannerBadRequest(
    `Invalid order hint in '${property}': expected '<previous> <next>!' (planner-order-hint-format), got ${JSON.stringify(value)}.`,
  );
}

/**
 * Turns a request like `' !'` or `'5637 adhg!'` into a stored value short of its neighbours among
 * `siblings` (the request already sorts where the client wants it).
 */
export function resolveOrderHint(request: string, siblings: readonly string[]): string {
  const sorted = [...siblings].sort(ordinal);
  let low = '';
  let high: string | undefined;
  for (const hint of sorted) {
    if (ordinal(hint, request) < 0) low = hint;
    else if (ordinal(hint, request) > 0) {
      high = hint;
      break;
    }
  }
  return between(low, high);
}

/** A value after every sibling, for items created without an order hint. */
export function appendOrderHint(siblings: readonly string[]): string {
  const last = [...siblings].sort(ordinal).at(-1);
  return between(last ?? '', undefined);
}

export function ordinal(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
