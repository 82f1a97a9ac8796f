import { readdirSync, readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

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
import { AppError } from '../../../../core/errors.js';
import { FakePhotoShelterServer } from '../../../../simulators/photoshelter/fake-photoshelter-server.js';

// The simulator answers in the vendor's documented shapes. For every fixture in
// test/fixtures/photoshelter/ the simulator's matching endpoint is called the way Lightdesk calls it
// (wire doc #1–#12), and its answer must (1) parse with the same wire.ts schema and (2) have the same
// keys as the fixture at every level the fixture has (arrays: their first element; `_source` ignored).
//
// The fixtures hold the keys of the reference's quoted examples plus other documented fields of the
// record. Where the simulator differs in an area the reference marks [INF], the difference is listed
// below with its reason; any other difference is drift between simulator and docs, and fails.

const FIXTURES = new URL('../../../fixtures/photoshelter/', import.meta.url);
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as unknown;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const kindOf = (value: unknown): string =>
  Array.isArray(value) ? 'an array' : isObject(value) ? 'an object' : 'a scalar';

/**
 * Where `actual` has other keys than `documented`, one line per key: `missing <path>` (documented, not
 * sent) or `extra <path>` (sent, not documented); `kind <path>: …` when an object, array or scalar
 * stands where the fixture has another; `empty <path>` when the fixture shows elements and `actual`
 * has none. Scalars are not compared (values differ by design); `_source` is the fixture's own note.
 */
function keyDifferences(actual: unknown, documented: unknown, path = '$'): string[] {
  if (Array.isArray(documented)) {
    if (!Array.isArray(actual)) return [`kind ${path}: documented an array, got ${kindOf(actual)}`];
    if (documented.length === 0) return [];
    if (actual.length === 0) return [`empty ${path}`];
    return keyDifferences(actual[0], documented[0], `${path}[0]`);
  }
  if (isObject(documented)) {
    if (!isObject(actual)) return [`kind ${path}: documented an object, got ${kindOf(actual)}`];
    const documentedKeys = Object.keys(documented).filter((key) => key !== '_source');
    const actualKeys = Object.keys(actual);
    return [
      ...documentedKeys.filter((key) => !(key in actual)).map((key) => `missing ${path}.${key}`),
      ...actualKeys.filter((key) => !(key in documented)).map((key) => `extra ${path}.${key}`),
      ...documentedKeys
        .filter((key) => key in actual)
        .flatMap((key) => keyDifferences(actual[key], documented[key], `${path}.${key}`)),
    ].sort();
  }
  if (Array.isArray(actual) || isObject(actual)) {
    return [`kind ${path}: documented a scalar, got ${kindOf(actual)}`];
  }
  return [];
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** One fixture: the wire schema, how to get the simulator's answer, and INF-area differences. */
interface ShapeCase {
  readonly schema: z.ZodType;
  readonly status: number;
  /** Usually one answer; several when no single seeded record shows every documented part. */
  readonly answers: () => Promise<
    readonly { readonly answer: Answer; readonly fixture: unknown }[]
  >;
  /** Differences that are the simulator's choice where the reference says [INF], with the reason. */
  readonly infDifferences?: readonly string[];
}

const collectionResponseSchema = v3EnvelopeSchema(
  z.object({ Collection: collectionRecordSchema }).loose(),
);

// The `extend` specs Lightdesk sends (photoshelter-archive.ts, wire doc #5–#7).
const GALLERY_EXTEND = { Parents: { fields: 'collection_id', params: {} } };
const IMAGES_EXTEND = {
  Image: {
    fields: 'image_id,file_name,file_size,width,height,uploaded_at,updated_at',
    params: {},
  },
  ImageLink: {
    fields: 'link,base,token,auth_link',
    params: { image_size: '300x300', image_mode: 'fit', f_https_link: 't' },
  },
};
const METADATA_EXTEND = {
  Iptc: { fields: '*', params: {} },
  License: { fields: 'license_etime', params: {} },
};
// The request of the reference's collection example (§2.3 [3P Drupal]).
const COLLECTION_FIELDS = 'collection_id,name,description,effective_mode,modified_at';
const COLLECTION_EXTEND = {
  KeyImage: { fields: 'image_id', params: {} },
  ImageLink: { fields: 'link', params: { image_size: '1200x1200', f_https_link: 't' } },
  Visibility: { fields: 'mode', params: {} },
  Children: {
    Gallery: { fields: 'gallery_id', params: {} },
    Collection: { fields: 'collection_id', params: {} },
  },
};

describe('FakePhotoShelterServer answers in the documented fixture shapes', () => {
  let simulator: FakePhotoShelterServer;
  let baseUrl: string;
  let token: string;
  /** A gallery inside a collection with a few images, its first image, and two collections. */
  let ids: {
    gallery: string;
    image: string;
    collectionWithGalleries: string;
    collectionWithCollections: string;
  };

  async function call(
    method: 'GET' | 'POST',
    path: string,
    options: { query?: Record<string, string>; form?: Record<string, string> } = {},
  ): Promise<Answer> {
    const url = new URL(path, baseUrl);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      url.searchParams.set(key, value);
    }
    const headers: Record<string, string> = {
      'X-PS-Api-Key': simulator.credentials.apiKey,
      ...(token === '' ? {} : { 'X-PS-Auth-Token': token }),
      ...(options.form === undefined
        ? {}
        : { 'Content-Type': 'application/x-www-form-urlencoded' }),
    };
    const response = await fetch(url, {
      method,
      headers,
      ...(options.form === undefined ? {} : { body: new URLSearchParams(options.form) }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: JSON.parse(await response.text()) as unknown,
    };
  }

  /** #1: the v3 form log-in with the simulator's default credentials. */
  const logIn = (): Promise<Answer> => {
    const { email, password } = simulator.credentials;
    return call('POST', '/psapi/v3/mem/authenticate', {
      form: { email, password, mode: 'token' },
    });
  };

  const one = async (name: string, answer: Promise<Answer>) => [
    { answer: await answer, fixture: fixture(name) },
  ];

  beforeAll(async () => {
    simulator = new FakePhotoShelterServer({ seed: 42, assets: 240 });
    baseUrl = (await simulator.start(0)).url;
    token = '';
    const library = simulator.library();
    const gallery = library.galleries.find((g) => g.collectionId !== null && g.imageCount >= 3);
    const image = gallery?.thumbnails[0]?.imageId;
    const hasGalleries = library.collections.find((c) =>
      library.galleries.some((g) => g.collectionId === c.id),
    );
    const hasCollections = library.collections.find((c) =>
      library.collections.some((child) => child.parentId === c.id),
    );
    if (!gallery || !image || !hasGalleries || !hasCollections) {
      throw new AppError('internal', 'the seeded library (seed 42) lacks what these tests need');
    }
    ids = {
      gallery: gallery.id,
      image,
      collectionWithGalleries: hasGalleries.id,
      collectionWithCollections: hasCollections.id,
    };
    // A share, so #10 has a permission to show (and the gallery becomes the latest modified).
    simulator.share({ galleryId: gallery.id, type: 'contact', email: 'reviewer@example.com' });

    const login = await logIn();
    token = loginResponseSchema.parse(login.body).data.token;
    // #2: act for the organization, as the connector does when the log-in reports one.
    const orgId = simulator.credentials.orgId ?? '';
    const switched = await call('POST', `/psapi/v3/mem/organization/${orgId}/authenticate`);
    expect(switched.status).toBe(200);
  });

  afterAll(async () => {
    await simulator.stop();
  });

  const cases: Readonly<Record<string, ShapeCase>> = {
    'v3-authenticate-response.json': {
      schema: loginResponseSchema,
      status: 200,
      answers: () => one('v3-authenticate-response.json', logIn()),
    },
    'v3-collection-root-children-response.json': {
      schema: childrenResponseSchema,
      status: 200,
      answers: () =>
        one(
          'v3-collection-root-children-response.json',
          call('GET', '/psapi/v3/mem/collection/root/children'),
        ),
    },
    'v3-collection-extended-response.json': {
      schema: collectionResponseSchema,
      status: 200,
      // No seeded collection holds both galleries and collections, so each documented list is
      // compared on a collection that has it (the other list is left out of that comparison).
      answers: async () => {
        const documented = fixture('v3-collection-extended-response.json');
        const request = (id: string) =>
          call('GET', `/psapi/v3/mem/collection/${id}`, {
            query: { fields: COLLECTION_FIELDS, extend: JSON.stringify(COLLECTION_EXTEND) },
          });
        return [
          {
            answer: await request(ids.collectionWithGalleries),
            fixture: withChildren(documented, 'Collection'),
          },
          {
            answer: await request(ids.collectionWithCollections),
            fixture: withChildren(documented, 'Gallery'),
          },
        ];
      },
    },
    'v3-gallery-response.json': {
      schema: galleryResponseSchema,
      status: 200,
      answers: () =>
        one(
          'v3-gallery-response.json',
          call('GET', `/psapi/v3/mem/gallery/${ids.gallery}`, {
            query: { extend: JSON.stringify(GALLERY_EXTEND) },
          }),
        ),
    },
    'v3-gallery-images-response.json': {
      schema: galleryImagesResponseSchema,
      status: 200,
      // Lightdesk's #6 extends, plus the Iptc fields the documented Drupal example asked for.
      answers: () =>
        one(
          'v3-gallery-images-response.json',
          call('GET', `/psapi/v3/mem/gallery/${ids.gallery}/images`, {
            query: {
              page: '1',
              per_page: '2',
              extend: JSON.stringify({
                ...IMAGES_EXTEND,
                Iptc: { fields: 'caption,keyword,credit,copyright', params: {} },
              }),
            },
          }),
        ),
      // Reference §2.4/§4: only `Paging.next` is confirmed; the rest is [INF] from v1's
      // `{page,pages,next,prev}`, and the wire doc (#6) lets the simulator send them.
      infDifferences: [
        'extra $.data.Paging.page',
        'extra $.data.Paging.pages',
        'extra $.data.Paging.per_page',
        'extra $.data.Paging.total',
      ],
    },
    'v3-image-metadata-response.json': {
      schema: imageMetadataResponseSchema,
      status: 200,
      answers: () =>
        one(
          'v3-image-metadata-response.json',
          call('GET', `/psapi/v3/mem/image/${ids.image}`, {
            query: { extend: JSON.stringify(METADATA_EXTEND) },
          }),
        ),
      // [INF] IPTC instructions, the free text where Lightdesk keeps its workflow fields (wire #23).
      infDifferences: ['extra $.data.Image.Iptc.instructions'],
    },
    'v3-image-link-response.json': {
      schema: imageLinkResponseSchema,
      status: 200,
      answers: () =>
        one(
          'v3-image-link-response.json',
          call('GET', `/psapi/v3/image/${ids.image}/link`, {
            query: { image_size: '1600x1200', image_mode: 'fit', f_https_link: 't' },
          }),
        ),
    },
    'v3-error-session-required.json': {
      schema: v3ErrorEnvelopeSchema,
      status: 401,
      answers: async () => {
        const held = token;
        token = '';
        try {
          return await one(
            'v3-error-session-required.json',
            call('GET', '/psapi/v3/mem/collection/root/children'),
          );
        } finally {
          token = held;
        }
      },
    },
    'v4-media-list-response.json': {
      schema: mediaListResponseSchema,
      status: 200,
      // Page 2 of several, so `next` and `prev` both exist as in the fixture.
      answers: () =>
        one(
          'v4-media-list-response.json',
          call('GET', '/psapi/v4.0/media', {
            query: {
              org_id: simulator.credentials.orgId ?? '',
              modify_start: '2000-01-01 00:00:00 GMT',
              modify_end: '2100-01-01 00:00:00 GMT',
              sort_by: 'upload_time',
              sort_dir: 'asc',
              per_page: '2',
              page: '2',
            },
          }),
        ),
    },
    'v4-galleries-permissions-response.json': {
      schema: galleryListResponseSchema,
      status: 200,
      answers: () =>
        one(
          'v4-galleries-permissions-response.json',
          call('GET', '/psapi/v4.0/galleries', {
            query: {
              sort_by: 'modification_time',
              sort_direction: 'descending',
              per_page: '2',
              page: '1',
              include: 'permissions',
            },
          }),
        ),
      // The reference shows only where an included permission sits (`includes.permissions.data[]`
      // [3P natlaqua]); its attributes are [INF] (the fixture uses the [WIP] Permission of
      // /galleries/{id}/permissions). The simulator adds the contact's email and a created_at, which
      // it marks [INF] itself.
      infDifferences: [
        'extra $.data[0].includes.permissions.data[0].attributes.created_at',
        'extra $.data[0].includes.permissions.data[0].attributes.email',
      ],
    },
    'v4-media-galleries-response.json': {
      schema: mediaGalleriesResponseSchema,
      status: 200,
      answers: () =>
        one(
          'v4-media-galleries-response.json',
          call('GET', `/psapi/v4.0/media/${ids.image}/galleries`, {
            query: { include: 'gallery' },
          }),
        ),
    },
    'v4-error-not-found.json': {
      schema: v4ErrorEnvelopeSchema,
      status: 404,
      answers: () =>
        one(
          'v4-error-not-found.json',
          call('GET', '/psapi/v4.0/media/I0000NoSuchImage/galleries', {
            query: { include: 'gallery' },
          }),
        ),
    },
    'v4-error-too-many-requests.json': {
      schema: v4ErrorEnvelopeSchema,
      status: 429,
      answers: async () => {
        simulator.addFault({ path: '/psapi/v4.0/media', status: 429, retryAfterSeconds: 180 });
        const answer = await call('GET', '/psapi/v4.0/media', {
          query: { org_id: simulator.credentials.orgId ?? '' },
        });
        expect(answer.headers.get('retry-after')).toBe('180');
        return [{ answer, fixture: fixture('v4-error-too-many-requests.json') }];
      },
    },
  };

  it('every fixture has a case here', () => {
    const files = readdirSync(FIXTURES)
      .filter((name) => name.endsWith('.json'))
      .sort();
    expect(Object.keys(cases).sort()).toEqual(files);
  });

  for (const [name, shape] of Object.entries(cases)) {
    it(`${name}: the simulator's answer parses with the wire schema and has the fixture's keys`, async () => {
      for (const { answer, fixture: documented } of await shape.answers()) {
        expect(answer.status).toBe(shape.status);
        const parsed = shape.schema.safeParse(answer.body);
        expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
        expect(keyDifferences(answer.body, documented)).toEqual(shape.infDifferences ?? []);
      }
    });
  }
});

/** The collection fixture with one of its `Children` lists emptied (not compared). */
function withChildren(documented: unknown, leftOut: 'Gallery' | 'Collection'): unknown {
  const copy = structuredClone(documented);
  if (isObject(copy) && isObject(copy.data) && isObject(copy.data.Collection)) {
    const children = copy.data.Collection.Children;
    if (isObject(children)) children[leftOut] = [];
  }
  return copy;
}

describe('keyDifferences', () => {
  it('reports missing and extra keys by path, compares first elements, ignores _source', () => {
    const documented = { _source: 'x', a: { b: 1, c: [{ d: 1 }] }, e: 1 };
    expect(keyDifferences({ a: { b: 2, c: [{ d: 2, f: 3 }] }, e: 'x' }, documented)).toEqual([
      'extra $.a.c[0].f',
    ]);
    expect(keyDifferences({ a: { c: [] }, g: 1 }, documented)).toEqual([
      'empty $.a.c',
      'extra $.g',
      'missing $.a.b',
      'missing $.e',
    ]);
    expect(keyDifferences({ a: [], e: { x: 1 } }, documented)).toEqual([
      'kind $.a: documented an object, got an array',
      'kind $.e: documented a scalar, got an object',
    ]);
  });
});
