import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import {
  galleryWebUrl,
  splitKeywords,
  toAssetMetadata,
  toAssetSummary,
  toFilterTimestamp,
  toGallery,
  toIsoTimestamp,
  widenToSeconds,
} from '../../../../connectors/photoshelter/mappers.js';
import {
  type GalleryImage,
  galleryImageSchema,
  type GalleryRecord,
  galleryRecordSchema,
  imageMetadataResponseSchema,
  mediaListResponseSchema,
  psCountSchema,
  psFlagSchema,
} from '../../../../connectors/photoshelter/wire.js';
import { ValidationError } from '../../../../core/errors.js';
import { assetSummarySchema } from '../../../../core/model/asset.js';

// The wire-to-domain rules of mappers.ts (and the scalar schemas of wire.ts they rely on), with the
// vendor's own example values where the reference gives some (§5, §8.2 [WIP]).

const WEB = 'https://ps-test-agency.photoshelter.com';
/** An account in UTC, read at a fixed now (a zone's own cases are in zoned-time.test.ts). */
const UTC = { zone: 'UTC', now: new Date('2026-01-01T00:00:00Z') };
const isoZ = z.iso.datetime();

/** A v3 gallery record as the wire sends it; overrides are wire values too. */
function aGalleryRecord(overrides: Record<string, unknown> = {}): GalleryRecord {
  return galleryRecordSchema.parse({
    gallery_id: 'G0000wQIPYfxyTvA',
    name: 'Media Day',
    description: '',
    mode: 'everyone',
    effective_mode: 'everyone',
    created_at: '2019-04-25 14:54:12.136828',
    modified_at: '2019-10-02 14:39:23.000000',
    ...overrides,
  });
}

/** A v3 GalleryImage entry as #6 returns it; `image` overrides the nested Image record. */
function aGalleryImage(
  overrides: Record<string, unknown> = {},
  image: Record<string, unknown> = {},
): GalleryImage {
  return galleryImageSchema.parse({
    image_id: 'I0000q8Xb2Lk9sTe',
    f_visible: 't',
    Image: {
      image_id: 'I0000q8Xb2Lk9sTe',
      file_name: 'IMG_1.jpg',
      file_size: '1800',
      width: '640',
      height: '480',
      uploaded_at: '2019-04-25 14:54:12.136828',
      updated_at: '2019-10-02 14:39:23.000000',
      ...image,
    },
    ...overrides,
  });
}

/** The ValidationError `act` throws (fails the test when it throws nothing or something else). */
function validationErrorOf(act: () => unknown): ValidationError {
  try {
    act();
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  expect.unreachable('expected a ValidationError');
}

/** What the transport throws for a body that fails `schema`: ValidationError.fromZod, paths joined. */
function wireErrorOf(schema: z.ZodType, body: unknown): ValidationError {
  const result = schema.safeParse(body);
  if (result.success) expect.unreachable('expected the body to fail its schema');
  return ValidationError.fromZod('PhotoShelter answered an unexpected shape', result.error);
}

describe('toIsoTimestamp: the three vendor forms become ISO 8601 Z', () => {
  it.each([
    ['ISO 8601 with an offset', '2019-04-09T18:34:40-04:00', '2019-04-09T22:34:40.000Z'],
    [
      'space form with a fraction (UTC account)',
      '2019-04-25 14:54:12.136828',
      '2019-04-25T14:54:12.136Z',
    ],
    ['filter form with GMT', '2019-10-02 14:39:23 GMT', '2019-10-02T14:39:23.000Z'],
  ])('%s: %s', (_form, wire, iso) => {
    const converted = toIsoTimestamp(wire, 'attributes.modified_at', UTC);
    expect(converted).toBe(iso);
    expect(isoZ.parse(converted)).toBe(iso);
  });

  it('truncates microseconds, never rounds up, so a record never looks newer than it is', () => {
    expect(toIsoTimestamp('2019-04-25 14:54:59.999999', 'f', UTC)).toBe('2019-04-25T14:54:59.999Z');
  });

  it('moves across midnight and the year for an offset', () => {
    expect(toIsoTimestamp('2019-12-31T22:30:00-04:00', 'f', UTC)).toBe('2020-01-01T02:30:00.000Z');
    expect(toIsoTimestamp('2020-01-01T01:00:00+05:30', 'f', UTC)).toBe('2019-12-31T19:30:00.000Z');
  });
});

describe('the /media filter form out', () => {
  it('is whole seconds, UTC, with GMT [WIP]', () => {
    expect(toFilterTimestamp(new Date('2019-10-02T14:39:23.456Z'))).toBe('2019-10-02 14:39:23 GMT');
  });

  it('widens a window outwards to whole seconds: since floors, until ceils', () => {
    const widened = widenToSeconds({
      since: new Date('2019-10-02T14:39:23.456Z'),
      until: new Date('2019-10-02T14:40:00.001Z'),
    });
    expect(widened.since.toISOString()).toBe('2019-10-02T14:39:23.000Z');
    expect(widened.until.toISOString()).toBe('2019-10-02T14:40:01.000Z');
    expect(toFilterTimestamp(widened.since)).toBe('2019-10-02 14:39:23 GMT');
    expect(toFilterTimestamp(widened.until)).toBe('2019-10-02 14:40:01 GMT');
  });

  it('leaves a window already on whole seconds alone', () => {
    const since = new Date('2019-10-02T14:39:23.000Z');
    const until = new Date('2019-10-02T14:40:00.000Z');
    const widened = widenToSeconds({ since, until });
    expect(widened.since.getTime()).toBe(since.getTime());
    expect(widened.until.getTime()).toBe(until.getTime());
  });

  it('reads back through toIsoTimestamp as the same instant', () => {
    const at = new Date('2019-10-02T14:39:23.000Z');
    expect(toIsoTimestamp(toFilterTimestamp(at), 'f', UTC)).toBe(at.toISOString());
  });
});

describe('galleryWebUrl: {webBaseUrl}/gallery/{Name-Slug}/{G…} ([3P])', () => {
  const id = 'G0000wQIPYfxyTvA';

  it("matches the reference's own example", () => {
    expect(galleryWebUrl('https://thayerandco.photoshelter.com', id, '19-23 Helix Scribe')).toBe(
      `https://thayerandco.photoshelter.com/gallery/19-23-Helix-Scribe/${id}`,
    );
  });

  it.each([
    ['punctuation', 'Basketball vs. Riverside: Oct 2023!', 'Basketball-vs-Riverside-Oct-2023'],
    ['runs of spaces and tabs', 'Move-in   Day \t 2025', 'Move-in-Day-2025'],
    ['leading and trailing punctuation', '  "Best of the Year" ', 'Best-of-the-Year'],
    ['ampersands and slashes', 'Track & Field / Relays', 'Track-Field-Relays'],
    // [INF] accented letters are not transliterated: each non-ASCII run becomes one hyphen.
    ['accents', 'Café Crème à Paris', 'Caf-Cr-me-Paris'],
    ['nothing sluggable', '¡¿…?!', 'gallery'],
  ])('%s: %s', (_case, name, slug) => {
    expect(galleryWebUrl(WEB, id, name)).toBe(`${WEB}/gallery/${slug}/${id}`);
  });

  it('never doubles the slash after a base URL that ends in one', () => {
    expect(galleryWebUrl(`${WEB}//`, id, 'Media Day')).toBe(`${WEB}/gallery/Media-Day/${id}`);
  });

  it('is what toGallery puts in webUrl', () => {
    const gallery = toGallery(aGalleryRecord({ name: 'Homecoming: Parade & Game' }), WEB, UTC);
    expect(gallery.webUrl).toBe(`${WEB}/gallery/Homecoming-Parade-Game/${id}`);
  });
});

describe('splitKeywords: the IPTC keyword string is comma-separated [3P Drupal]', () => {
  it.each([
    ['a, b', ['a', 'b']],
    [' homecoming ,stadium,  fans ,,2019, ', ['homecoming', 'stadium', 'fans', '2019']],
    ['single', ['single']],
    ['', []],
    [' , ,, ', []],
  ])('%j', (keyword, words) => {
    expect(splitKeywords(keyword)).toEqual(words);
  });

  it('is how toAssetMetadata fills keywords', () => {
    const answer = imageMetadataResponseSchema.parse({
      status: 'ok',
      data: {
        Image: {
          ...aGalleryImage().Image,
          Iptc: { keyword: 'crowd,  stadium ,, night' },
          License: { license_etime: null },
        },
      },
    });
    expect(toAssetMetadata(answer.data.Image, UTC).keywords).toEqual(['crowd', 'stadium', 'night']);
  });
});

describe('numbers given as strings (v3 [DOC] "file_size":"1800") and as numbers (v4)', () => {
  it.each([
    ['1800', 1800],
    [' 42 ', 42],
    ['0', 0],
    [1800, 1800],
  ])('%j reads as %d', (wire, value) => {
    expect(psCountSchema.parse(wire)).toBe(value);
  });

  it.each(['-1', '1.5', '', '12px', -3, 2.5])('%j is refused', (wire) => {
    expect(psCountSchema.safeParse(wire).success).toBe(false);
  });

  it('arrive in the domain as numbers', () => {
    const summary = assetSummarySchema.parse(
      toAssetSummary(aGalleryImage(), 'G0000wQIPYfxyTvA', UTC),
    );
    expect(summary).toMatchObject({ fileSize: 1800, width: 640, height: 480 });
  });
});

describe('t/f booleans (v3 [DOC/3P]) and JSON booleans (v4)', () => {
  it.each([
    ['t', true],
    ['f', false],
    [true, true],
    [false, false],
  ])('%j reads as %s', (wire, value) => {
    expect(psFlagSchema.parse(wire)).toBe(value);
  });

  it.each(['T', 'true', 'yes', '', 1])('%j is refused', (wire) => {
    expect(psFlagSchema.safeParse(wire).success).toBe(false);
  });

  it('f_visible "f" hides the image; no f_visible shows it', () => {
    expect(
      toAssetSummary(aGalleryImage({ f_visible: 'f' }), 'G0000wQIPYfxyTvA', UTC).isVisible,
    ).toBe(false);
    expect(
      toAssetSummary(aGalleryImage({ f_visible: undefined }), 'G0000wQIPYfxyTvA', UTC).isVisible,
    ).toBe(true);
  });
});

describe('a malformed value is a ValidationError naming the field path, never the value', () => {
  it('an unreadable timestamp names the field the mapper was given', () => {
    const error = validationErrorOf(() => toIsoTimestamp('last Tuesday', 'Image.uploaded_at', UTC));
    expect(error.issues).toEqual(['Image.uploaded_at']);
    expect(error.message).not.toContain('last Tuesday');
  });

  it('a date that does not exist (31 February) is refused, not rolled into March', () => {
    const record = aGalleryRecord({ modified_at: '2019-02-31 10:00:00.000000' });
    const error = validationErrorOf(() => toGallery(record, WEB, UTC));
    expect(error.issues).toEqual(['Gallery.modified_at']);
    expect(error.code).toBe('validation');
  });

  it('a bad licence expiry names License.license_etime', () => {
    const answer = imageMetadataResponseSchema.parse({
      status: 'ok',
      data: {
        Image: { ...aGalleryImage().Image, License: { license_etime: '2021-04-31 00:00:00' } },
      },
    });
    const error = validationErrorOf(() => toAssetMetadata(answer.data.Image, UTC));
    expect(error.issues).toEqual(['License.license_etime']);
  });

  it('a v3 number that is not one names its path inside the envelope', () => {
    const error = wireErrorOf(imageMetadataResponseSchema, {
      status: 'ok',
      data: { Image: { ...aGalleryImage().Image, file_size: '1.8 MB' } },
    });
    expect(error.issues).toEqual([expect.stringMatching(/^data\.Image\.file_size: /)]);
    expect(error.message).not.toContain('1.8 MB');
  });

  it('a v4 image with a bad attribute names it under its list index', () => {
    const error = wireErrorOf(mediaListResponseSchema, {
      data: [
        { id: 'VD000q8Xb2Lk9sTe', type: 'video', attributes: { anything: true } },
        {
          id: 'I0000q8Xb2Lk9sTe',
          type: 'image',
          attributes: {
            file_name: 'IMG_1.jpg',
            file_size: 1800,
            width: 640,
            height: 'tall',
            created_at: '2019-04-25 14:54:12.136828',
            modified_at: '2019-04-25 14:54:12.136828',
          },
        },
      ],
    });
    expect(error.issues).toEqual([expect.stringMatching(/^data\.1\.attributes\.height: /)]);
  });
});
