// Wall-clock times in an IANA time zone, with Intl only (Node 20 ships full ICU). PhotoShelter writes
// record timestamps as naive local time in the account's zone (docs/photoshelter-wire.md, "Time
// zones"), so reading one means turning a wall time into the instant(s) it can stand for.

/** A wall-clock reading with no zone: what a naive vendor timestamp says. */
export interface WallTime {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(zone, format);
  }
  return format;
}

/** True for a zone Intl knows (`America/New_York`, `UTC`, `Etc/GMT-10`); false for anything else. */
export function isTimeZone(name: string): boolean {
  if (name.trim() === '' || name !== name.trim()) return false;
  try {
    formatFor(name);
    return true;
  } catch {
    return false;
  }
}

/** Minutes the zone is ahead of UTC at `epochMs` (New York in winter: -300). */
export function offsetMinutesAt(epochMs: number, zone: string): number {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  const wall = wallTimeAt(wholeSecond, zone);
  return Math.round((wallAsUtc(wall) - wholeSecond) / MS_PER_MINUTE);
}

/** What a clock in `zone` shows at `epochMs`. */
export function wallTimeAt(epochMs: number, zone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatFor(zone).formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  // Years before 1 CE would need an era; PhotoShelter has no such records.
  return {
    year: parts['year'] ?? 0,
    month: parts['month'] ?? 0,
    day: parts['day'] ?? 0,
    hour: parts['hour'] ?? 0,
    minute: parts['minute'] ?? 0,
    second: parts['second'] ?? 0,
    millisecond: ((epochMs % 1000) + 1000) % 1000,
  };
}

const wallAsUtc = (w: WallTime): number =>
  Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);

/**
 * Every instant (epoch ms, ascending) at which a clock in `zone` shows `wall`. Usually one. Two in
 * a fall-back overlap (01:30 happens twice in New York on the first Sunday of November). In a
 * spring-forward gap the wall time never happens; it is read with the offset before the change,
 * which lands it forward by the gap (02:30 → 03:30 EDT), as JavaScript's Date and Temporal's
 * "compatible" disambiguation do.
 */
export function wallTimeToInstants(wall: WallTime, zone: string): number[] {
  const asUtc = wallAsUtc(wall);
  // Offsets a day either side: any DST change near this wall time is between them.
  const before = offsetMinutesAt(asUtc - MS_PER_DAY, zone);
  const after = offsetMinutesAt(asUtc + MS_PER_DAY, zone);
  const found = new Set<number>();
  for (const offset of [before, after, offsetMinutesAt(asUtc, zone)]) {
    const candidate = asUtc - offset * MS_PER_MINUTE;
    if (offsetMinutesAt(candidate, zone) === offset) found.add(candidate);
  }
  if (found.size === 0) return [asUtc - before * MS_PER_MINUTE];
  return [...found].sort((a, b) => a - b);
}

/**
 * One instant from the candidates: the latest not after `notAfter`, else the earliest. The true
 * instant is one of the candidates and is never after "now", so this choice is never earlier than
 * the truth (a poll window or a gallery walk's floor cannot drop it) and never in the future.
 */
export function pickInstant(candidates: readonly number[], notAfter: number): number {
  let picked: number | undefined;
  for (const candidate of candidates) {
    if (candidate <= notAfter && (picked === undefined || candidate > picked)) picked = candidate;
  }
  return picked ?? Math.min(...candidates);
}
