// Times inside the simulator are whole microseconds since the Unix epoch (plain numbers: safe up to
// year 2255), so modification times can be strictly increasing at least 1 µs apart (wire doc).

export type Micros = number;

export const MICROS_PER_MS = 1000;
export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND;

export const toMicros = (date: Date): Micros => date.getTime() * MICROS_PER_MS;

export const fromMicros = (micros: Micros): Date => new Date(Math.floor(micros / MICROS_PER_MS));

/** Zone of the simulated account when none is configured (env, option, `--time-zone`). */
export const DEFAULT_TIME_ZONE = 'UTC';

const wallFormats = new Map<string, Intl.DateTimeFormat>();

function wallFormat(zone: string): Intl.DateTimeFormat {
  let format = wallFormats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallFormats.set(zone, format);
  }
  return format;
}

/** True for an IANA zone Intl knows (Node 20 ships full ICU). */
export function isTimeZone(zone: string): boolean {
  if (zone.trim() === '' || zone !== zone.trim()) return false;
  try {
    wallFormat(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Record form `YYYY-MM-DD HH:MM:SS.ffffff` (the v4 [WIP] example form the wire doc picks), as wall
 * time in the account's zone with no offset: PhotoShelter's records are local time in `Session.tz`
 * [INF from 3P Drupal], so a fall-back hour writes the same text twice (docs/photoshelter-wire.md).
 */
export function formatPsTime(micros: Micros, zone: string): string {
  const ms = Math.floor(micros / MICROS_PER_MS);
  const fraction = String(micros - Math.floor(micros / MICROS_PER_SECOND) * MICROS_PER_SECOND);
  const parts: Record<string, string> = {};
  for (const part of wallFormat(zone).formatToParts(new Date(ms))) parts[part.type] = part.value;
  const { year = '', month = '', day = '', hour = '', minute = '', second = '' } = parts;
  return `${year.padStart(4, '0')}-${month}-${day} ${hour}:${minute}:${second}.${fraction.padStart(6, '0')}`;
}

/** ISO 8601 with milliseconds, for the simulator's own `/_sim` JSON. */
export const formatIso = (micros: Micros): string => fromMicros(micros).toISOString();

const FILTER_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:Z| ?GMT| ?UTC|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * Filter parameters: `YYYY-MM-DD HH:MM:SS GMT` [WIP], with an optional fraction (wire doc), plus ISO
 * 8601 with an offset and bare Unix seconds (the WIP `date_format` options). Undefined when unreadable.
 */
export function parseFilterTime(text: string): Micros | undefined {
  const trimmed = text.trim();
  if (/^\d{1,12}$/.test(trimmed)) return Number(trimmed) * MICROS_PER_SECOND;
  const m = FILTER_TIME.exec(trimmed);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, sign, offH, offM] = m;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(base) || new Date(base).getUTCDate() !== Number(d)) return undefined;
  const offsetMin =
    sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offH) * 60 + Number(offM));
  const micros = Number((fraction ?? '').padEnd(6, '0'));
  return (base - offsetMin * 60_000) * MICROS_PER_MS + micros;
}

/**
 * Hands out modification times that never repeat and never go backwards, even when the injected wall
 * clock stands still or steps back: each is max(wall clock, last + 1 µs).
 */
export class MonotonicClock {
  private last: Micros;

  constructor(
    private readonly now: () => Date,
    floor: Micros = 0,
  ) {
    this.last = floor;
  }

  /** The wall clock, unadjusted (idle timeouts, seeding anchor). */
  wall(): Date {
    return this.now();
  }

  /** A fresh modification time, strictly after every earlier one. */
  tick(): Micros {
    const wall = toMicros(this.now());
    this.last = wall > this.last ? wall : this.last + 1;
    return this.last;
  }

  /** Never hand out anything at or before `micros` (after seeding or loading a library). */
  raiseFloor(micros: Micros): void {
    if (micros > this.last) this.last = micros;
  }

  get latest(): Micros {
    return this.last;
  }
}
