import { readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import {
  errorFromResponse,
  effectiveStatus,
  type FailureContext,
  vendorMessage,
} from '../../../../connectors/photoshelter/errors.js';
import {
  toAssetMetadata,
  toAssetSummary,
  toCollection,
  toDisplayLink,
  toGallery,
  toGalleryChange,
  toMediaChange,
} from '../../../../connectors/photoshelter/mappers.js';
import {
  childrenResponseSchema,
  collectionRecordSchema,
  galleryImagesResponseSchema,
  galleryListResponseSchema,
  galleryResponseSchema,
  imageLinkResponseSchema,
  imageMetadataResponseSchema,
  loginResponseSchema,
  mediaGalleriesResponseSchema,
  mediaListResponseSchema,
  v3EnvelopeSchema,
  v3ErrorEnvelopeSchema,
  v4ErrorEnvelopeSchema,
} from '../../../../connectors/photoshelter/wire.js';
import {
  AuthError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from '../../../../core/errors.js';
import {
  assetMetadataSchema,
  assetSummarySchema,
  displayLinkSchema,
  mediaChangeSchema,
} from '../../../../core/model/asset.js';
import {
  collectionSchema,
  galleryChangeSchema,
  gallerySchema,
} from '../../../../core/model/gallery.js';
import {
  assetIdSchema,
  collectionIdSchema,
  galleryIdSchema,
  organizationIdSchema,
} from '../../../../core/model/ids.js';

// Every documented PhotoShelter example in test/fixtures/photoshelter/ parses with the
// connector's wire schema and maps to valid core model objects. The simulator side of the same
// fixtures is test/integration/connectors/photoshelter/simulator-shapes.test.ts.

const FIXTURES = new URL('../../../fixtures/photoshelter/', import.meta.url);
const WEB = 'https://ps-test-agency.photoshelter.com';
/** The fixtures' naive times read as UTC, at a now after all of them. */
const UTC = { zone: 'UTC', now: new Date('2030-01-01T00:00:00Z') };

const fixtureText = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const fixture = (name: string): unknown => JSON.parse(fixtureText(name)) as unknown;

/**
 * Lightdesk never reads one collection (wire doc has no such call), so wire.ts has no response schema
 * for it; the documented example is held to the envelope and the collection record Lightdesk does read.
 */
const collectionResponseSchema = v3EnvelopeSchema(
  z.object({ Collection: collectionRecordSchema }).loose(),
);

/** Which wire schema reads which fixture: every file in the folder must be listed here. */
const schemaOf = {
  'v3-authenticate-response.json': loginResponseSchema,
  'v3-collection-root-children-response.json': childrenResponseSchema,
  'v3-collection-extended-response.json': collectionResponseSchema,
  'v3-gallery-response.json': galleryResponseSchema,
  'v3-gallery-images-response.json': galleryImagesResponseSchema,
  'v3-image-metadata-response.json': imageMetadataResponseSchema,
  'v3-image-link-response.json': imageLinkResponseSchema,
  'v3-error-session-required.json': v3ErrorEnvelopeSchema,
  'v4-media-list-response.json': mediaListResponseSchema,
  'v4-galleries-permissions-response.json': galleryListResponseSchema,
  'v4-media-galleries-response.json': mediaGalleriesResponseSchema,
  'v4-error-not-found.json': v4ErrorEnvelopeSchema,
  'v4-error-too-many-requests.json': v4ErrorEnvelopeSchema,
} as const satisfies Record<string, z.ZodType>;

type FixtureName = keyof typeof schemaOf;

/** The fixture read by its wire schema; a failure names every bad field path. */
function parsed<N extends FixtureName>(name: N): z.output<(typeof schemaOf)[N]> {
  const result = schemaOf[name].safeParse(fixture(name));
  if (!result.success) throw ValidationError.fromZod(`fixture ${name}`, result.error);
  return result.data as z.output<(typeof schemaOf)[N]>;
}

const context = (overrides: Partial<FailureContext> = {}): FailureContext => ({
  endpoint: 'GET /psapi/v4.0/media/:id/galleries',
  secrets: ['not-the-password'],
  ...overrides,
});

describe('PhotoShelter documented fixtures', () => {
  it('every fixture file has a wire schema, and every listed fixture exists', () => {
    const files = readdirSync(FIXTURES)
      .filter((name) => name.endsWith('.json'))
      .sort();
    expect(files).toEqual(Object.keys(schemaOf).sort());
  });

  it.each(Object.keys(schemaOf) as FixtureName[])(
    '%s names its source and parses with its wire schema',
    (name) => {
      const raw = fixture(name);
      expect(raw).toMatchObject({ _source: expect.stringMatching(/^reference §\d/) });
      expect(() => parsed(name)).not.toThrow();
    },
  );

  it('v3 log-in (#1): the token and the organizations the user belongs to', () => {
    const answer = parsed('v3-authenticate-response.json');
    expect(answer.data.token.length).toBeGreaterThan(0);
    const org = answer.data.org?.[0];
    expect(organizationIdSchema.parse(org?.id)).toBe('O0000AoXP1xI.fPs');
    expect(org?.member).toBe(true);
  });

  it('v3 root children (#4) map to collections and galleries', () => {
    const children = parsed('v3-collection-root-children-response.json').data.Children;
    const collections = (children.Collection ?? []).map((c) => toCollection(c, UTC));
    const galleries = (children.Gallery ?? []).map((g) => toGallery(g, WEB, UTC, null));
    expect(collections).toHaveLength(1);
    expect(galleries).toHaveLength(1);
    for (const collection of collections) collectionSchema.parse(collection);
    for (const gallery of galleries) gallerySchema.parse(gallery);
    expect(collections[0]).toMatchObject({
      visibility: 'everyone',
      modifiedAt: '2019-10-02T09:12:45.501Z',
    });
    expect(galleries[0]).toMatchObject({
      parentCollectionId: null,
      visibility: 'permission',
      createdAt: '2019-08-20T16:03:27.000Z',
      webUrl: `${WEB}/gallery/Media-Day/G0000wQIPYfxyTvA`,
    });
  });

  it('v3 collection with extends maps to a collection; its extensions carry valid ids', () => {
    const record = parsed('v3-collection-extended-response.json').data.Collection;
    // `fields` left out mode: the effective mode alone decides the visibility.
    expect(collectionSchema.parse(toCollection(record, UTC))).toMatchObject({
      id: 'C0000Awpd5DVwCGY',
      visibility: 'everyone',
      modifiedAt: '2019-10-02T09:12:45.501Z',
    });
    const extended = z
      .object({
        KeyImage: z.object({ image_id: assetIdSchema, ImageLink: z.object({ link: z.url() }) }),
        Visibility: z.object({ mode: z.enum(['everyone', 'permission', 'private']) }),
        Children: z.object({
          Gallery: z.array(z.object({ gallery_id: galleryIdSchema })),
          Collection: z.array(z.object({ collection_id: collectionIdSchema })),
        }),
      })
      .loose();
    expect(() => extended.parse(record)).not.toThrow();
  });

  it('v3 one gallery (#5) maps with its parent and the §5 web link', () => {
    const gallery = gallerySchema.parse(
      toGallery(parsed('v3-gallery-response.json').data.Gallery, WEB, UTC),
    );
    expect(gallery).toMatchObject({
      parentCollectionId: 'C0000jZ6fg6TX6Oc',
      modifiedAt: '2019-10-02T14:39:23.000Z',
      // The reference's own example link (§5 [3P]).
      webUrl: `${WEB}/gallery/19-23-Helix-Scribe/G0000wQIPYfxyTvA`,
    });
  });

  it('v3 gallery images (#6) map to asset summaries; Paging.next means another page', () => {
    const data = parsed('v3-gallery-images-response.json').data;
    const summaries = (data.GalleryImage ?? []).map((entry) =>
      assetSummarySchema.parse(toAssetSummary(entry, 'G0000wQIPYfxyTvA', UTC)),
    );
    expect(summaries).toEqual([
      {
        assetId: 'I0000q8Xb2Lk9sTe',
        galleryId: 'G0000wQIPYfxyTvA',
        fileName: 'IMG_1.jpg',
        fileSize: 4434355,
        width: 4032,
        height: 3024,
        uploadedAt: '2019-04-25T14:54:12.136Z',
        modifiedAt: '2019-10-02T14:39:23.000Z',
        isVisible: true,
        thumbnailUrl: 'https://m.psecn.photoshelter.com/img-get2/I0000q8Xb2Lk9sTe/fit=300x300',
      },
    ]);
    expect(data.Paging?.next).toMatch(/^https:\/\//);
  });

  it('v3 image metadata (#7) maps to asset metadata with split keywords and the licence expiry', () => {
    const metadata = assetMetadataSchema.parse(
      toAssetMetadata(parsed('v3-image-metadata-response.json').data.Image, UTC),
    );
    expect(metadata).toMatchObject({
      assetId: 'I0000q8Xb2Lk9sTe',
      fileSize: 1800,
      width: 640,
      height: 480,
      headline: 'Homecoming',
      keywords: ['homecoming', 'stadium', 'fans', '2019'],
      licenseExpiresAt: '2020-12-31T23:59:59.000Z',
    });
  });

  it('v3 display link (#8) maps to a display link', () => {
    const link = parsed('v3-image-link-response.json').data.ImageLink;
    const display = displayLinkSchema.parse(
      toDisplayLink('I0000q8Xb2Lk9sTe', link, { width: 1600, height: 1200 }),
    );
    expect(display.url).toBe(link.link);
  });

  it('v3 error envelope: a session-required error is an AuthError, even inside a 200', () => {
    const body = fixtureText('v3-error-session-required.json');
    expect(effectiveStatus(200, body)).toBe(401);
    expect(vendorMessage(body, [])).toBe(
      'You must be logged into PhotoShelter to perform this action',
    );
    const error = errorFromResponse(
      401,
      body,
      context({ endpoint: 'GET /psapi/v3/mem/gallery/:id' }),
    );
    expect(error).toBeInstanceOf(AuthError);
  });

  it('v4 media list (#9) maps to media changes in ISO Z; meta.paging.next means another page', () => {
    const answer = parsed('v4-media-list-response.json');
    const changes = answer.data.map((item) => toMediaChange(item, UTC));
    expect(changes).toHaveLength(1);
    for (const change of changes) mediaChangeSchema.parse(change);
    expect(changes[0]).toMatchObject({
      assetId: 'I0000q8Xb2Lk9sTe',
      fileSize: 4434355,
      uploadedAt: '2019-04-09T22:34:40.000Z',
      modifiedAt: '2019-04-25T14:54:12.136Z',
    });
    expect(answer.meta?.paging?.next).toMatch(/page=3$/);
  });

  it('v4 galleries with permissions (#10) map to gallery changes with share ids', () => {
    const changes = parsed('v4-galleries-permissions-response.json').data.map((g) =>
      toGalleryChange(g, UTC),
    );
    expect(changes.map((change) => galleryChangeSchema.parse(change))).toEqual([
      {
        galleryId: 'G0000wQIPYfxyTvA',
        name: '19-23 Helix Scribe',
        createdAt: '2019-04-25T14:54:12.136Z',
        modifiedAt: '2019-10-02T14:39:23.000Z',
        visibility: 'permission',
        shareIds: ['AR000h2Tq9WcLx4B'],
      },
    ]);
  });

  it('v4 galleries of one image (#11) are gallery ids', () => {
    const answer = parsed('v4-media-galleries-response.json');
    const ids = answer.data.map((entry) => entry.includes?.gallery?.data?.id ?? entry.id);
    expect(ids.map((id) => galleryIdSchema.parse(id))).toEqual(['G0000wQIPYfxyTvA']);
    expect(answer.data[0]?.includes?.gallery?.data?.attributes?.name).toBe('19-23 Helix Scribe');
  });

  it('v4 404 envelope becomes a NotFoundError for the resource asked about', () => {
    const error = errorFromResponse(
      404,
      fixtureText('v4-error-not-found.json'),
      context({ resource: { what: 'Asset', id: 'I0000q8Xb2Lk9sTe' } }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe('Asset I0000q8Xb2Lk9sTe was not found');
  });

  it('v4 429 envelope becomes a RateLimitedError carrying Retry-After', () => {
    const body = fixtureText('v4-error-too-many-requests.json');
    expect(vendorMessage(body, [])).toBe('Too many requests');
    const error = errorFromResponse(429, body, context({ retryAfterMs: 180_000 }));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 180_000 });
  });
});
