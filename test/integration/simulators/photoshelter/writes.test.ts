import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { REVIEW_STATUS_FIELD } from '../../../../simulators/photoshelter/library.js';
import { ManualClock, PS_TIME, SimHarness } from './sim-harness.js';

// The write surface of wire doc #13–#19: path, custom metadata, visibility, parents. Shapes are the
// simulator's [INF] choices; these tests pin them so the connector and the simulator cannot drift.

const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const approved = REVIEW_STATUS_FIELD.options.find((o) => o.name === 'approved');
const archived = REVIEW_STATUS_FIELD.options.find((o) => o.name === 'archived');

describe('FakePhotoShelterServer writes', () => {
  let sim: SimHarness;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock();
    sim = await SimHarness.start({ seed: 9, assets: 300, now: clock.now });
    await sim.login();
  });

  afterEach(async () => {
    await sim.stop();
  });

  const library = () => sim.server.library();

  /** A gallery two collections deep (area → subject), with images. */
  const nestedGallery = () => {
    const { collections, galleries } = library();
    const byId = new Map(collections.map((c) => [c.id, c]));
    const gallery = galleries.find(
      (g) =>
        g.imageCount > 0 &&
        g.collectionId !== null &&
        (byId.get(g.collectionId)?.parentId ?? null) !== null,
    );
    if (gallery === undefined || gallery.collectionId === null) {
      throw new TypeError('no nested gallery');
    }
    const parent = byId.get(gallery.collectionId);
    const top = byId.get(parent?.parentId ?? '');
    if (parent === undefined || top === undefined) throw new TypeError('broken tree');
    return { gallery, parent, top };
  };

  const modifiedOfGallery = async (id: string): Promise<string> => {
    const answer = await sim.get(`/psapi/v4.0/galleries/${id}`);
    return answer.body.data.attributes.modified_at as string;
  };

  const modifiedOfMedia = async (id: string): Promise<string> => {
    const answer = await sim.get(`/psapi/v4.0/media/${id}`);
    return answer.body.data.attributes.modified_at as string;
  };

  it('answers the path of a gallery leaf first: the gallery, then its collections (#13)', async () => {
    const { gallery, parent, top } = nestedGallery();

    const answer = await sim.get(`/psapi/v4.0/galleries/${gallery.id}/path`);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      data: [
        { id: gallery.id, type: 'gallery', attributes: { name: gallery.name } },
        { id: parent.id, type: 'collection', attributes: { name: parent.name } },
        { id: top.id, type: 'collection', attributes: { name: top.name } },
      ],
      meta: {},
    });
    const missing = await sim.get('/psapi/v4.0/galleries/G0000nonexistent/path');
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].id).toBe('ResourceNotFoundException');
  });

  it('lists the seeded "Review status" field with its five options (#14)', async () => {
    const answer = await sim.get('/psapi/v4.0/metadata/fields');

    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual([
      {
        id: REVIEW_STATUS_FIELD.id,
        type: 'metadata_field',
        attributes: {
          name: 'Review status',
          category: 'metadata',
          field_type: 'select',
          options: REVIEW_STATUS_FIELD.options.map((o) => ({ id: o.id, name: o.name })),
        },
      },
    ]);
    expect(answer.body.data[0].attributes.options.map((o: { name: string }) => o.name)).toEqual([
      'pending review',
      'approved',
      're-review',
      'archived',
      'ready for publication',
    ]);
    expect(answer.body.meta.paging.total).toBe(1);
  });

  it('writes custom metadata as {field_id: option_id}, moving modified_at only on a change (#15, #16)', async () => {
    const { gallery } = nestedGallery();
    const imageId = gallery.thumbnails[0]?.imageId ?? '';
    const before = await modifiedOfMedia(imageId);
    clock.advance(2_000);

    const written = await sim.request(
      'PATCH',
      `/psapi/v4.0/media/${imageId}/custom-metadata`,
      json({ [REVIEW_STATUS_FIELD.id]: approved?.id }),
    );

    expect(written.status).toBe(200);
    expect(written.body).toEqual({
      data: {
        id: imageId,
        type: 'custom-metadata',
        attributes: {
          custom_metadata: [
            {
              id: REVIEW_STATUS_FIELD.id,
              name: 'Review status',
              value: 'approved',
              option_id: approved?.id,
            },
          ],
        },
      },
      meta: { status: 'OK' },
    });
    const after = await modifiedOfMedia(imageId);
    expect(after).toMatch(PS_TIME);
    expect(after > before).toBe(true);

    const read = await sim.get(`/psapi/v4.0/media/${imageId}/custom-metadata`);
    expect(read.body.data.attributes.custom_metadata[0].value).toBe('approved');
    const view = await sim.sim('GET', `/galleries/${gallery.id}/images`);
    expect(
      view.body.images.find((i: { imageId: string }) => i.imageId === imageId).reviewStatus,
    ).toBe('approved');
    // The console's library pane shows it too.
    const shown = (await sim.sim('GET', '/library')).body.galleries
      .find((g: { id: string }) => g.id === gallery.id)
      .thumbnails.find((t: { imageId: string }) => t.imageId === imageId);
    expect(shown.reviewStatus).toBe('approved');

    // The same value again is not an edit [INF]: modified_at stays.
    clock.advance(2_000);
    await sim.request(
      'PATCH',
      `/psapi/v4.0/media/${imageId}/custom-metadata`,
      json({ [REVIEW_STATUS_FIELD.id]: approved?.id }),
    );
    expect(await modifiedOfMedia(imageId)).toBe(after);

    // Form bodies carry the same pairs (a tenant may need another encoding).
    const form = await sim.request('PATCH', `/psapi/v4.0/media/${imageId}/custom-metadata`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ [REVIEW_STATUS_FIELD.id]: archived?.id ?? '' }).toString(),
    });
    expect(form.status).toBe(200);
    expect(form.body.data.attributes.custom_metadata[0].value).toBe('archived');

    const calls = await sim.sim('GET', '/calls');
    expect(calls.body.byEndpoint['PATCH /psapi/v4.0/media/:id/custom-metadata']).toBe(3);
    expect(calls.body.byEndpoint['GET /psapi/v4.0/media/:id/custom-metadata']).toBe(1);
  });

  it('refuses unknown fields, options and images in the v4 envelopes', async () => {
    const imageId = nestedGallery().gallery.thumbnails[0]?.imageId ?? '';
    const path = `/psapi/v4.0/media/${imageId}/custom-metadata`;

    const field = await sim.request('PATCH', path, json({ CF000nonexistent: approved?.id }));
    expect(field.status).toBe(400);
    expect(field.body.errors[0]).toMatchObject({ id: 'BadRequestException', status: '400' });

    const option = await sim.request(
      'PATCH',
      path,
      json({ [REVIEW_STATUS_FIELD.id]: 'CFO00nonexistent' }),
    );
    expect(option.status).toBe(400);

    const image = await sim.request(
      'PATCH',
      '/psapi/v4.0/media/I0000nonexistent/custom-metadata',
      json({ [REVIEW_STATUS_FIELD.id]: approved?.id }),
    );
    expect(image.status).toBe(404);
    expect(image.body.errors[0].id).toBe('ResourceNotFoundException');

    const method = await sim.request('PUT', path, json({}));
    expect(method.status).toBe(405);
  });

  it('removes, redefines and resets custom fields through /_sim/custom-fields', async () => {
    const imageId = nestedGallery().gallery.thumbnails[0]?.imageId ?? '';
    await sim.request(
      'PATCH',
      `/psapi/v4.0/media/${imageId}/custom-metadata`,
      json({ [REVIEW_STATUS_FIELD.id]: approved?.id }),
    );

    const removed = await sim.sim('DELETE', '/custom-fields?name=Review%20status');
    expect(removed.body).toEqual({ removed: 1 });
    expect((await sim.get('/psapi/v4.0/metadata/fields')).body.data).toEqual([]);
    const read = await sim.get(`/psapi/v4.0/media/${imageId}/custom-metadata`);
    expect(read.body.data.attributes.custom_metadata).toEqual([]);

    const defined = await sim.sim('POST', '/custom-fields', {
      name: 'Review status',
      options: ['approved'],
    });
    expect(defined.status).toBe(201);
    expect(defined.body.id).not.toBe(REVIEW_STATUS_FIELD.id);
    expect((await sim.sim('GET', '/custom-fields')).body.fields).toHaveLength(1);

    const reset = await sim.sim('POST', '/custom-fields/reset');
    expect(reset.body.fields).toEqual([REVIEW_STATUS_FIELD]);
  });

  it('makes a gallery private through v3 visibility/update, moving its modified_at (#17)', async () => {
    const gallery = library().galleries.find((g) => g.nativeMode !== 'private');
    if (gallery === undefined) throw new TypeError('no visible gallery');
    const before = await modifiedOfGallery(gallery.id);
    clock.advance(2_000);

    const answer = await sim.postForm(`/psapi/v3/mem/gallery/${gallery.id}/visibility/update`, {
      mode: 'private',
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok', data: {} });
    const after = library().galleries.find((g) => g.id === gallery.id);
    expect(after).toMatchObject({ mode: 'private', nativeMode: 'private' });
    expect((await modifiedOfGallery(gallery.id)) > before).toBe(true);

    const bad = await sim.postForm(`/psapi/v3/mem/gallery/${gallery.id}/visibility/update`, {
      mode: 'nobody',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.status).toBe('error');
    const missing = await sim.postForm('/psapi/v3/mem/gallery/G0000nonexistent/visibility/update', {
      mode: 'private',
    });
    expect(missing.status).toBe(404);
  });

  it('PATCH /galleries/{id} takes the draft fields and mode [INF]', async () => {
    const gallery = library().galleries.find((g) => g.nativeMode !== 'private');
    if (gallery === undefined) throw new TypeError('no visible gallery');

    const answer = await sim.request(
      'PATCH',
      `/psapi/v4.0/galleries/${gallery.id}`,
      json({ mode: 'private', description: 'Archived by Lightdesk' }),
    );

    expect(answer.body).toEqual({ data: { gallery_id: gallery.id }, meta: {} });
    expect(library().galleries.find((g) => g.id === gallery.id)?.nativeMode).toBe('private');
  });

  it('moves a gallery by adding the new parent and removing the old one (#18, #19)', async () => {
    const { gallery, parent, top } = nestedGallery();
    const before = await modifiedOfGallery(gallery.id);
    clock.advance(2_000);

    const added = await sim.request(
      'POST',
      `/psapi/v4.0/galleries/${gallery.id}/parents`,
      json({ collection_id: top.id }),
    );
    expect(added.status).toBe(200);
    expect(added.body.data).toMatchObject({ id: gallery.id, type: 'gallery' });
    expect(added.body.meta).toEqual({ status: 'OK' });
    expect(library().galleries.find((g) => g.id === gallery.id)?.collectionIds).toEqual([
      parent.id,
      top.id,
    ]);
    // In both collections now: the v3 Parents extension answers an array [INF].
    const v3 = await sim.get(
      `/psapi/v3/mem/gallery/${gallery.id}?extend=${encodeURIComponent(
        JSON.stringify({ Parents: { fields: 'collection_id', params: {} } }),
      )}`,
    );
    expect(v3.body.data.Gallery.Parents).toEqual([
      { collection_id: parent.id },
      { collection_id: top.id },
    ]);
    const underTop = await sim.get(`/psapi/v3/mem/collection/${top.id}/children`);
    expect(
      underTop.body.data.Children.Gallery.map((g: { gallery_id: string }) => g.gallery_id),
    ).toContain(gallery.id);

    const again = await sim.request(
      'POST',
      `/psapi/v4.0/galleries/${gallery.id}/parents`,
      json({ collection_id: top.id }),
    );
    expect(again.status).toBe(200);

    const removed = await sim.request(
      'DELETE',
      `/psapi/v4.0/galleries/${gallery.id}/parents/${parent.id}`,
    );
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ meta: { status: 'OK' } });
    const moved = library().galleries.find((g) => g.id === gallery.id);
    expect(moved).toMatchObject({ collectionId: top.id, collectionIds: [top.id] });
    expect((await modifiedOfGallery(gallery.id)) > before).toBe(true);

    const gone = await sim.request(
      'DELETE',
      `/psapi/v4.0/galleries/${gallery.id}/parents/${parent.id}`,
    );
    expect(gone.status).toBe(404);
    const unknown = await sim.request(
      'POST',
      `/psapi/v4.0/galleries/${gallery.id}/parents`,
      json({ collection_id: 'C0000nonexistent' }),
    );
    expect(unknown.status).toBe(404);

    const calls = await sim.sim('GET', '/calls');
    expect(calls.body.byEndpoint['POST /psapi/v4.0/galleries/:id/parents']).toBe(3);
    expect(calls.body.byEndpoint['DELETE /psapi/v4.0/galleries/:id/parents/:id']).toBe(2);
  });

  it('asks for a session on every write', async () => {
    sim.token = undefined;
    const { gallery } = nestedGallery();
    const answer = await sim.request(
      'POST',
      `/psapi/v4.0/galleries/${gallery.id}/parents`,
      json({ collection_id: gallery.collectionId }),
    );
    expect(answer.status).toBe(401);
    const v3 = await sim.postForm(`/psapi/v3/mem/gallery/${gallery.id}/visibility/update`, {
      mode: 'private',
    });
    expect(v3.status).toBe(401);
  });
});
