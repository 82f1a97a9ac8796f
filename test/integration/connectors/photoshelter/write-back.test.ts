import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  PhotoShelterArchive,
  type PhotoShelterArchiveOptions,
} from '../../../../connectors/photoshelter/photoshelter-archive.js';
import { defaultWriteOperations } from '../../../../connectors/photoshelter/write-operations.js';
import { NotFoundError, ValidationError } from '../../../../core/errors.js';
import { FakePhotoShelterServer } from '../../../../simulators/photoshelter/fake-photoshelter-server.js';
import { RecordingLogger } from '../../../doubles/recording-logger.js';
import { RecordingClock } from '../../../doubles/recording-clock.js';
import { SimClient } from '../../../support/photoshelter-sim-client.js';

// The write-back calls (wire doc #13–#19) of the connector against its simulator: the custom field
// an admin must create, field ids cached and re-read, retries on writes, and swapping a guessed call.

const FIELDS = 'GET /psapi/v4.0/metadata/fields';
const PATCH_CUSTOM = 'PATCH /psapi/v4.0/media/:id/custom-metadata';
const STATUSES = 'pending review, approved, re-review, archived, ready for publication';

describe('PhotoShelterArchive write-back against the simulator', () => {
  let server: FakePhotoShelterServer;
  let url: string;
  let sim: SimClient;
  let clock: RecordingClock;
  let logger: RecordingLogger;
  let galleryId: string;
  let assetIds: string[];

  function anArchive(overrides: Partial<PhotoShelterArchiveOptions> = {}): PhotoShelterArchive {
    return new PhotoShelterArchive({
      baseUrl: url,
      webBaseUrl: 'https://lightdesk-test.photoshelter.com',
      apiKey: server.credentials.apiKey,
      email: server.credentials.email,
      password: server.credentials.password,
      orgId: server.credentials.orgId,
      clock,
      logger,
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 5_000 },
      timeoutMs: 2_000,
      ...overrides,
    });
  }

  const statusOf = async (assetId: string) => (await sim.image(assetId)).reviewStatus;

  beforeEach(async () => {
    server = new FakePhotoShelterServer({ seed: 7, assets: 24 });
    ({ url } = await server.start(0));
    sim = new SimClient(url);
    clock = new RecordingClock();
    logger = new RecordingLogger('photoshelter');
    const fullest = [...(await sim.library()).galleries].sort(
      (a, b) => b.imageCount - a.imageCount,
    )[0];
    if (fullest === undefined) throw new TypeError('the simulator has no gallery');
    galleryId = fullest.id;
    assetIds = (await sim.control().assetIdsIn(galleryId)).slice(0, 3);
  });

  afterEach(async () => {
    await server.stop();
  });

  it('tells the admin to create the "Review status" field when it is missing, and writes nothing', async () => {
    await sim.removeCustomFields('Review status');
    const archive = anArchive();
    await sim.resetCalls();

    const failure = await archive.setReviewStatus(assetIds, 'approved').catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ValidationError);
    const message = (failure as ValidationError).message;
    expect(message).toContain('no custom metadata field "Review status"');
    expect(message).toContain('Admin > Metadata Settings');
    expect(message).toContain(STATUSES);
    expect(await sim.callsTo(PATCH_CUSTOM)).toBe(0);
    expect(await statusOf(assetIds[0] ?? '')).toBeNull();
    expect(logger.records.some((r) => r.level === 'error' && /not set up/.test(r.message))).toBe(
      true,
    );

    // The failure is not cached: once the admin creates the field, the next call works.
    await sim.resetCustomFields();
    await archive.setReviewStatus(assetIds, 'approved');
    expect(await statusOf(assetIds[0] ?? '')).toBe('approved');
  });

  it('names the options the field lacks', async () => {
    await sim.defineCustomField('Review status', ['pending review', 'approved', 're-review']);
    const archive = anArchive();

    const failure = await archive.setReviewStatus(assetIds, 'approved').catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as ValidationError).issues).toEqual([
      'option "archived": missing',
      'option "ready for publication": missing',
    ]);
    expect((failure as ValidationError).message).toContain('archived, ready for publication');
  });

  it('reads the field ids once and writes one PATCH per asset, deduplicated', async () => {
    const archive = anArchive();
    const [first = '', second = ''] = assetIds;

    await archive.setReviewStatus([first, second, first], 'approved');
    await archive.setReviewStatus([second], 're-review');

    expect(await sim.callsTo(FIELDS)).toBe(1);
    expect(await sim.callsTo(PATCH_CUSTOM)).toBe(3);
    expect(await statusOf(first)).toBe('approved');
    expect(await statusOf(second)).toBe('re-review');
    expect(await archive.getReviewStatus(first)).toBe('approved');
    expect(await archive.getReviewStatus(assetIds[2] ?? '')).toBeNull();
  });

  it('reads the field again when an admin re-created it since the ids were cached', async () => {
    const archive = anArchive();
    const [first = '', second = ''] = assetIds;
    await archive.setReviewStatus([first], 'approved');
    const original = (await sim.customFields())[0];

    const recreated = await sim.defineCustomField('Review status', STATUSES.split(', '));
    await archive.setReviewStatus([second], 'archived');

    expect(recreated.id).not.toBe(original?.id);
    expect(await sim.callsTo(FIELDS)).toBe(2);
    expect(await statusOf(second)).toBe('archived');
  });

  it('matches a configured field and option names, whatever their case', async () => {
    await sim.defineCustomField('Lightdesk Status', ['Waiting', 'OK', 'Again', 'Done', 'Publish']);
    const archive = anArchive({
      reviewStatusField: {
        name: 'lightdesk status',
        optionNames: {
          'pending review': 'waiting',
          approved: 'ok',
          're-review': 'again',
          archived: 'done',
          'ready for publication': 'publish',
        },
      },
    });
    const [first = ''] = assetIds;

    await archive.setReviewStatus([first], 'ready for publication');

    expect(await archive.getReviewStatus(first)).toBe('ready for publication');
    const image = await sim.image(first);
    expect(image.reviewStatus).toBeNull(); // the seeded "Review status" field is untouched
  });

  it('retries a write refused with 429, waiting out Retry-After', async () => {
    const archive = anArchive();
    await sim.fault({
      path: '/psapi/v4.0/media/',
      method: 'PATCH',
      status: 429,
      retryAfterSeconds: 1,
    });

    await archive.setReviewStatus([assetIds[0] ?? ''], 'approved');

    expect(await statusOf(assetIds[0] ?? '')).toBe('approved');
    expect(clock.sleeps.some((ms) => ms >= 1_000)).toBe(true);
    expect(await sim.callsTo(PATCH_CUSTOM)).toBe(2);
  });

  it('logs in again when the session expired between writes', async () => {
    const archive = anArchive();
    await archive.setReviewStatus([assetIds[0] ?? ''], 'approved');
    await sim.expireSessions();

    await archive.archiveGallery(galleryId, { kind: 'hide' });

    expect((await sim.library()).galleries.find((g) => g.id === galleryId)?.nativeMode).toBe(
      'private',
    );
    expect(await sim.callsTo('POST /psapi/v3/mem/authenticate')).toBe(2);
  });

  it('reports its own review status write as a media change: callers must know their echo', async () => {
    const archive = anArchive();
    const since = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));

    await archive.setReviewStatus([assetIds[0] ?? ''], 'approved');

    const changes = await archive.listMediaChanges({ since, until: new Date(Date.now() + 1_000) });
    expect(changes.items.map((change) => change.assetId)).toContain(assetIds[0]);
  });

  it('moves a gallery without writes when it is already there, and names a missing collection', async () => {
    const archive = anArchive();
    const { collections } = await archive.listChildren();
    const target = collections[0];
    if (target === undefined) throw new TypeError('no root collection');
    await archive.archiveGallery(galleryId, { kind: 'move', collectionId: target.id });
    await sim.resetCalls();

    await archive.archiveGallery(galleryId, { kind: 'move', collectionId: target.id });

    const calls = await sim.calls();
    expect(calls.byEndpoint['POST /psapi/v4.0/galleries/:id/parents']).toBeUndefined();
    expect(calls.byEndpoint['DELETE /psapi/v4.0/galleries/:id/parents/:id']).toBeUndefined();
    const failure = await archive
      .archiveGallery(galleryId, { kind: 'move', collectionId: 'C0000nonexistent' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(NotFoundError);
    expect((failure as NotFoundError).message).toBe('Collection C0000nonexistent was not found');
    const state = await sim.control().galleryState(galleryId);
    expect(state.collectionIds).toEqual([target.id]);
  });

  it('takes a tenant-proven call in place of a guessed one', async () => {
    const archive = anArchive({
      writeOperations: {
        hideGallery: {
          method: 'PATCH',
          path: '/psapi/v4.0/galleries/{id}',
          encoding: 'json',
          params: { mode: 'private' },
        },
        setCustomMetadata: { ...defaultWriteOperations.setCustomMetadata, encoding: 'query' },
      },
    });

    await archive.archiveGallery(galleryId, { kind: 'hide' });
    await archive.setReviewStatus([assetIds[0] ?? ''], 'archived');

    expect(await sim.callsTo('PATCH /psapi/v4.0/galleries/:id')).toBe(1);
    expect(await sim.callsTo('POST /psapi/v3/mem/gallery/:id/visibility/update')).toBe(0);
    expect((await sim.control().galleryState(galleryId)).visibility).toBe('private');
    expect(await statusOf(assetIds[0] ?? '')).toBe('archived');
  });

  it('reads a path whichever end the answer starts from, with or without the gallery in it', async () => {
    const expected = await anArchive().getGalleryPath(galleryId);
    const gallery = await anArchive().getGallery(galleryId);
    expect(expected.at(-1)).toBe(gallery.name);
    expect(expected.length).toBeGreaterThanOrEqual(2);

    /** A fetch that rewrites the path answer the way another tenant might send it. */
    const rewriting =
      (rewrite: (data: { id: string }[]) => { id: string }[]): typeof fetch =>
      async (input, init) => {
        const response = await fetch(input, init);
        const target = input instanceof Request ? input.url : input.toString();
        if (!target.includes('/path')) return response;
        const body = (await response.json()) as { data: { id: string }[] };
        return new Response(JSON.stringify({ ...body, data: rewrite(body.data) }), {
          status: response.status,
          headers: { 'content-type': 'application/json' },
        });
      };

    const rootFirst = anArchive({ fetch: rewriting((data) => [...data].reverse()) });
    expect(await rootFirst.getGalleryPath(galleryId)).toEqual(expected);

    const withoutGallery = anArchive({
      fetch: rewriting((data) => data.filter((entry) => entry.id !== galleryId)),
    });
    await sim.resetCalls();
    expect(await withoutGallery.getGalleryPath(galleryId)).toEqual(expected);
    // The gallery's own name then comes from #5.
    expect(await sim.callsTo('GET /psapi/v3/mem/gallery/:id')).toBe(1);
  });
});
