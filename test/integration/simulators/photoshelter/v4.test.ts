import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ManualClock, PS_TIME, SimHarness } from './sim-harness.js';

const filterTime = (date: Date) => `${date.toISOString().slice(0, 19).replace('T', ' ')} GMT`;

describe('FakePhotoShelterServer v4 calls', () => {
  let sim: SimHarness;
  let clock: ManualClock;
  let orgId: string;

  beforeEach(async () => {
    clock = new ManualClock();
    sim = await SimHarness.start({ seed: 9, assets: 300, now: clock.now });
    orgId = sim.server.credentials.orgId ?? '';
    await sim.login();
  });

  afterEach(async () => {
    await sim.stop();
  });

  const firstGallery = () => {
    const gallery = sim.server.library().galleries.find((g) => g.imageCount >= 3);
    if (gallery === undefined) throw new TypeError('no gallery with 3 images');
    return gallery;
  };

  it('answers 400 to /media without org_id or user_id (#9)', async () => {
    const answer = await sim.get('/psapi/v4.0/media?sort_by=upload_time');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      errors: [
        {
          id: 'BadRequestException',
          status: '400',
          title: 'Bad Request',
          detail: expect.any(String),
        },
      ],
    });
  });

  it('filters /media by a modification window, inclusive at both ends', async () => {
    const gallery = firstGallery();
    const [replaced, edited, untouched] = gallery.thumbnails;
    clock.advance(60_000);
    const since = clock.now();
    const uploaded = sim.server.upload({ galleryId: gallery.id, fileName: 'window.jpg' });
    clock.advance(1_000);
    sim.server.replace({ imageId: replaced?.imageId ?? '' });
    clock.advance(1_000);
    sim.server.editMetadata({ imageId: edited?.imageId ?? '', caption: 'in the window' });
    const until = clock.now();
    clock.advance(60_000);
    const later = sim.server.upload({ galleryId: gallery.id });

    const query = new URLSearchParams({
      org_id: orgId,
      modify_start: filterTime(since),
      modify_end: filterTime(until),
      sort_by: 'upload_time',
      sort_dir: 'asc',
    });
    const answer = await sim.get(`/psapi/v4.0/media?${query.toString()}`);
    expect(answer.status).toBe(200);
    const ids = answer.body.data.map((item: { id: string }) => item.id);
    expect([...ids].sort()).toEqual([uploaded.imageId, replaced?.imageId, edited?.imageId].sort());
    expect(ids).not.toContain(untouched?.imageId);
    expect(ids).not.toContain(later.imageId);
    // sorted by upload time: the seeded images first, the fresh upload last
    expect(ids[ids.length - 1]).toBe(uploaded.imageId);

    const item = answer.body.data.find((i: { id: string }) => i.id === uploaded.imageId);
    expect(item).toEqual({
      id: uploaded.imageId,
      type: 'image',
      attributes: expect.objectContaining({
        file_name: 'window.jpg',
        file_size: expect.any(Number),
        width: 6000,
        height: 4000,
        created_at: '2026-03-14 11:10:26.000000',
        modified_at: '2026-03-14 11:10:26.000000',
      }),
      links: { self: expect.any(String) },
    });
    expect(answer.body.meta.paging).toMatchObject({ total: 3, page: 1 });
    expect(answer.body.meta.paging).not.toHaveProperty('next');

    // A fraction before GMT is accepted too (wire doc); the end is inclusive to the microsecond.
    const exact = new URLSearchParams({
      user_id: sim.server.credentials.userId,
      modify_start: '2026-03-14 15:10:26.000000 GMT',
      modify_end: '2026-03-14 15:10:26.000000 GMT',
    });
    const pinpoint = await sim.get(`/psapi/v4.0/media?${exact.toString()}`);
    expect(pinpoint.body.data.map((i: { id: string }) => i.id)).toEqual([uploaded.imageId]);

    const invalid = await sim.get(`/psapi/v4.0/media?org_id=${orgId}&modify_start=yesterday`);
    expect(invalid.status).toBe(400);
  });

  it('pages /media with meta.paging: next only while another page exists', async () => {
    const query = new URLSearchParams({
      org_id: orgId,
      sort_by: 'upload_time',
      sort_dir: 'desc',
      per_page: '120',
    });
    const seen: string[] = [];
    let url: string | undefined = `/psapi/v4.0/media?${query.toString()}&page=1`;
    let pages = 0;
    while (url !== undefined) {
      const answer = await sim.get(url);
      pages += 1;
      const paging = answer.body.meta.paging;
      expect(paging).toMatchObject({ total: 300, page: pages });
      expect(paging.first).toContain('page=1');
      expect(paging.last).toContain('page=3');
      if (pages > 1) expect(paging.prev).toContain(`page=${pages - 1}`);
      else expect(paging).not.toHaveProperty('prev');
      seen.push(...answer.body.data.map((item: { id: string }) => item.id));
      url = paging.next;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(300);

    const all = await sim.get(`/psapi/v4.0/media?org_id=${orgId}`);
    expect(all.body.data).toHaveLength(300);
    const created = all.body.data.map(
      (item: { attributes: { created_at: string } }) => item.attributes.created_at,
    );
    expect(created).toEqual([...created].sort());
    expect(created[0]).toMatch(PS_TIME);
    expect(seen[0]).toBe(all.body.data[299].id);

    const stranger = await sim.get('/psapi/v4.0/media?org_id=O0000SomeoneElse');
    expect(stranger.status).toBe(200);
    expect(stranger.body.data).toEqual([]);
  });

  it('lists galleries newest-modified first with permissions (#10); a share moves one to the top', async () => {
    const list = async () =>
      sim.get(
        '/psapi/v4.0/galleries?sort_by=modification_time&sort_direction=descending&include=permissions',
      );
    const before = await list();
    expect(before.status).toBe(200);
    const times = before.body.data.map(
      (g: { attributes: { modified_at: string } }) => g.attributes.modified_at,
    );
    expect(times).toEqual([...times].sort().reverse());
    const shared = before.body.data.find(
      (g: { includes: { permissions: { data: unknown[] } } }) =>
        g.includes.permissions.data.length > 0,
    );
    expect(shared.includes.permissions.data[0]).toMatchObject({
      id: expect.stringMatching(/^AR000[A-Za-z0-9._]{11}$/),
      type: expect.stringMatching(/^(contact|token)$/),
      attributes: expect.any(Object),
    });

    const target = before.body.data[before.body.data.length - 1];
    clock.advance(1000);
    const { permissionId } = sim.server.share({ galleryId: target.id, email: 'x@example.edu' });

    const after = await list();
    const top = after.body.data[0];
    expect(top.id).toBe(target.id);
    expect(top).toMatchObject({
      type: 'gallery',
      attributes: {
        name: target.attributes.name,
        description: expect.any(String),
        mode: expect.any(String),
        created_at: target.attributes.created_at,
        modified_at: '2026-03-14 11:09:27.000000',
      },
    });
    expect(top.includes.permissions.data.map((p: { id: string }) => p.id)).toContain(permissionId);

    const paged = await sim.get(
      '/psapi/v4.0/galleries?sort_by=modification_time&sort_direction=descending&per_page=5&page=1',
    );
    expect(paged.body.data).toHaveLength(5);
    expect(paged.body.data[0].id).toBe(target.id);
    expect(paged.body.data[0]).not.toHaveProperty('includes');
    expect(paged.body.meta.paging.next).toContain('page=2');
  });

  it('names the galleries of an image (#11), several for a reused image', async () => {
    const library = sim.server.library();
    const highlights = library.galleries.find((g) => g.name === 'Best of the Year');
    const reused = highlights?.thumbnails[0]?.imageId ?? '';
    const answer = await sim.get(`/psapi/v4.0/media/${reused}/galleries?include=gallery`);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toHaveLength(2);
    expect(answer.body.data[1]).toEqual({
      id: highlights?.id,
      type: 'gallery',
      includes: {
        gallery: {
          data: {
            id: highlights?.id,
            type: 'gallery',
            attributes: expect.objectContaining({ name: 'Best of the Year' }),
          },
        },
      },
    });

    const plain = await sim.get(`/psapi/v4.0/media/${reused}/galleries`);
    expect(plain.body.data[0]).toEqual({ id: expect.stringMatching(/^G0000/), type: 'gallery' });

    const missing = await sim.get('/psapi/v4.0/media/I0000nonexistent/galleries?include=gallery');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      errors: [
        {
          id: 'ResourceNotFoundException',
          status: '404',
          title: 'Resource not found',
          detail: expect.any(String),
        },
      ],
    });
  });
});
