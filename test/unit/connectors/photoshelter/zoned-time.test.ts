import { describe, expect, it } from 'vitest';

import { toIsoTimestamp, toMediaChange } from '../../../../connectors/photoshelter/mappers.js';
import {
  isTimeZone,
  offsetMinutesAt,
  pickInstant,
  type WallTime,
  wallTimeAt,
  wallTimeToInstants,
} from '../../../../connectors/photoshelter/zoned-time.js';

// Naive PhotoShelter times are wall time in the account's zone (docs/photoshelter-wire.md, "Time
// zones"): these pin how a wall time becomes instants across both DST changes, north and south.

const NY = 'America/New_York';
const SYDNEY = 'Australia/Sydney';

const wall = (text: string): WallTime => {
  const [date = '', time = ''] = text.split(' ');
  const [year, month, day] = date.split('-').map(Number);
  const [hour, minute, second] = time.split(':').map(Number);
  return {
    year: year ?? 0,
    month: month ?? 0,
    day: day ?? 0,
    hour: hour ?? 0,
    minute: minute ?? 0,
    second: second ?? 0,
    millisecond: 0,
  };
};
const iso = (instants: readonly number[]) => instants.map((ms) => new Date(ms).toISOString());

describe('wallTimeToInstants', () => {
  it('reads an ordinary wall time with the offset of its season', () => {
    expect(iso(wallTimeToInstants(wall('2026-01-15 09:30:00'), NY))).toEqual([
      '2026-01-15T14:30:00.000Z',
    ]);
    expect(iso(wallTimeToInstants(wall('2026-07-15 09:30:00'), NY))).toEqual([
      '2026-07-15T13:30:00.000Z',
    ]);
    expect(iso(wallTimeToInstants(wall('2026-07-15 09:30:00'), SYDNEY))).toEqual([
      '2026-07-14T23:30:00.000Z',
    ]);
  });

  it('moves a wall time in the spring-forward gap forward by the gap (New York, 8 March 2026)', () => {
    // 02:00–02:59 never happens; 01:59:59 EST is followed by 03:00:00 EDT.
    expect(iso(wallTimeToInstants(wall('2026-03-08 01:59:59'), NY))).toEqual([
      '2026-03-08T06:59:59.000Z',
    ]);
    expect(iso(wallTimeToInstants(wall('2026-03-08 02:30:00'), NY))).toEqual([
      '2026-03-08T07:30:00.000Z',
    ]);
    expect(iso(wallTimeToInstants(wall('2026-03-08 03:00:00'), NY))).toEqual([
      '2026-03-08T07:00:00.000Z',
    ]);
  });

  it('gives both instants of a wall time in the fall-back overlap (New York, 1 November 2026)', () => {
    expect(iso(wallTimeToInstants(wall('2026-11-01 01:30:00'), NY))).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
    ]);
    expect(iso(wallTimeToInstants(wall('2026-11-01 00:59:59'), NY))).toEqual([
      '2026-11-01T04:59:59.000Z',
    ]);
    expect(iso(wallTimeToInstants(wall('2026-11-01 02:00:00'), NY))).toEqual([
      '2026-11-01T07:00:00.000Z',
    ]);
  });

  it('handles the southern hemisphere, where clocks go back in April and forward in October', () => {
    // Sydney: 5 April 2026 03:00 AEDT → 02:00 AEST; 4 October 2026 02:00 AEST → 03:00 AEDT.
    expect(iso(wallTimeToInstants(wall('2026-04-05 02:30:00'), SYDNEY))).toEqual([
      '2026-04-04T15:30:00.000Z',
      '2026-04-04T16:30:00.000Z',
    ]);
    expect(iso(wallTimeToInstants(wall('2026-10-04 02:30:00'), SYDNEY))).toEqual([
      '2026-10-03T16:30:00.000Z',
    ]);
  });

  it('round-trips any instant: its wall time stands for it (a year, and each change closely)', () => {
    const check = (zone: string, from: number, to: number, stepMs: number) => {
      for (let ms = from; ms < to; ms += stepMs) {
        expect(wallTimeToInstants(wallTimeAt(ms, zone), zone)).toContain(ms);
      }
    };
    const year = Date.UTC(2026, 0, 1);
    for (const zone of [NY, SYDNEY, 'Europe/London', 'Asia/Kolkata']) {
      check(zone, year, year + 366 * 86_400_000, 367 * 60_000);
    }
    for (const [zone, day] of [
      [NY, Date.UTC(2026, 2, 8)],
      [NY, Date.UTC(2026, 10, 1)],
      [SYDNEY, Date.UTC(2026, 3, 4)],
      [SYDNEY, Date.UTC(2026, 9, 3)],
    ] as const) {
      check(zone, day, day + 86_400_000, 10 * 60_000);
    }
  });
});

describe('pickInstant', () => {
  const both = [Date.parse('2026-11-01T05:30:00Z'), Date.parse('2026-11-01T06:30:00Z')];

  it('takes the latest candidate not after the bound, else the earliest', () => {
    expect(pickInstant(both, Date.parse('2026-11-01T05:31:00Z'))).toBe(both[0]);
    expect(pickInstant(both, Date.parse('2026-11-01T06:30:00Z'))).toBe(both[1]);
    expect(pickInstant(both, Date.parse('2026-11-01T05:00:00Z'))).toBe(both[0]);
  });
});

describe('zone names', () => {
  it('accepts what Intl knows and refuses the rest', () => {
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(isTimeZone(' UTC')).toBe(false);
  });

  it('knows each zone’s offset', () => {
    expect(offsetMinutesAt(Date.parse('2026-01-15T12:00:00Z'), NY)).toBe(-300);
    expect(offsetMinutesAt(Date.parse('2026-07-15T12:00:00Z'), NY)).toBe(-240);
    expect(offsetMinutesAt(Date.parse('2026-01-15T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });
});

describe('toIsoTimestamp in an account zone', () => {
  const ny = { zone: NY, now: new Date('2026-12-01T00:00:00Z') };

  it('reads a naive time in the account zone and an explicit one as it says', () => {
    expect(toIsoTimestamp('2026-03-08 03:00:00.000001', 'f', ny)).toBe('2026-03-08T07:00:00.000Z');
    expect(toIsoTimestamp('2026-03-08 03:00:00 GMT', 'f', ny)).toBe('2026-03-08T03:00:00.000Z');
    expect(toIsoTimestamp('2026-03-08T03:00:00+01:00', 'f', ny)).toBe('2026-03-08T02:00:00.000Z');
  });

  it('never puts an ambiguous time after now, nor an upload after its modification', () => {
    const early = { zone: NY, now: new Date('2026-11-01T05:31:00Z') };
    expect(toIsoTimestamp('2026-11-01 01:30:00', 'f', early)).toBe('2026-11-01T05:30:00.000Z');
    expect(toIsoTimestamp('2026-11-01 01:30:00', 'f', ny)).toBe('2026-11-01T06:30:00.000Z');
    const change = toMediaChange(
      {
        type: 'image',
        image: {
          id: 'I0000abcdefghijk',
          file_name: 'a.jpg',
          file_size: 1,
          width: 1,
          height: 1,
          created_at: '2026-11-01 01:40:00',
          modified_at: '2026-11-01 01:10:00',
        },
      },
      ny,
    );
    // Modified at 01:10 EST (06:10Z) means the 01:40 upload was the EDT one (05:40Z).
    expect(change).toMatchObject({
      modifiedAt: '2026-11-01T06:10:00.000Z',
      uploadedAt: '2026-11-01T05:40:00.000Z',
    });
  });
});
