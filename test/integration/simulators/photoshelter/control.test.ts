import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ManualClock, SimHarness } from './sim-harness.js';

interface SimImage {
  imageId: string;
  fileName: string;
  fileSize: number;
  width: number;
  height: number;
  uploadedAt: string;
  modifiedAt: string;
  url: string;
}

describe('FakePhotoShelterServer /_sim control endpoints', () => {
  let sim: SimHarness;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock();
    sim = await SimHarness.start({ seed: 5, assets: 120, now: clock.now });
  });

  afterEach(async () => {
    await sim.stop();
  });

  const gallery = async () => {
    const { galleries } = (await sim.sim('GET', '/library')).body;
    return galleries.find((g: { imageCount: number }) => g.imageCount >= 2);
  };

  const imagesOf = async (galleryId: string): Promise<SimImage[]> =>
    (await sim.sim('GET', `/galleries/${galleryId}/images`)).body.images;

  const v3Gallery = async (galleryId: string) => {
    await sim.login();
    return (await sim.get(`/psapi/v3/mem/gallery/${galleryId}`)).body.data.Gallery;
  };

  it('GET /_sim/library lists collections, galleries with up to 12 thumbnails, and the asset count', async () => {
    const answer = await sim.sim('GET', '/library');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    const { collections, galleries, assets } = answer.body;
    expect(assets).toBe(120);
    expect(collections[0]).toEqual({ id: expect.any(String), name: 'Athletics', parentId: null });
    expect(collections[1]).toMatchObject({ parentId: collections[0].id });
    const total = galleries.reduce((n: number, g: { imageCount: number }) => n + g.imageCount, 0);
    expect(total).toBe(120);
    for (const g of galleries) {
      expect(g).toEqual({
        id: expect.stringMatching(/^G0000/),
        name: expect.any(String),
        collectionId: g.collectionId === null ? null : expect.stringMatching(/^C0000/),
        collectionIds: g.collectionId === null ? [] : [g.collectionId],
        mode: expect.stringMatching(/^(everyone|permission|private)$/),
        nativeMode: expect.stringMatching(/^(everyone|permission|private)$/),
        imageCount: expect.any(Number),
        thumbnails: expect.any(Array),
      });
      expect(g.thumbnails.length).toBe(Math.min(12, g.imageCount));
    }
    const thumb = galleries[0].thumbnails[0];
    expect(thumb).toEqual({
      imageId: expect.any(String),
      fileName: expect.any(String),
      url: expect.any(String),
      reviewStatus: null,
    });
    expect((await fetch(thumb.url)).headers.get('content-type')).toBe('image/png');
  });

  it('GET /_sim/library shows the newest images of a gallery of more than 12, an upload last', async () => {
    const big = (await sim.sim('GET', '/library')).body.galleries.find(
      (g: { imageCount: number }) => g.imageCount > 12,
    );
    expect(big).toBeDefined();
    const uploaded = await sim.sim('POST', '/upload', { galleryId: big.id });
    expect(uploaded.status).toBe(201);
    const after = (await sim.sim('GET', '/library')).body.galleries.find(
      (g: { id: string }) => g.id === big.id,
    );
    expect(after.imageCount).toBe(big.imageCount + 1);
    expect(after.thumbnails).toHaveLength(12);
    expect(after.thumbnails.at(-1).imageId).toBe(uploaded.body.imageId);
  });

  it('GET /_sim/galleries/{id}/images pages a gallery', async () => {
    const g = await gallery();
    const all = await sim.sim('GET', `/galleries/${g.id}/images`);
    expect(all.body.total).toBe(g.imageCount);
    expect(all.body.images[0]).toEqual({
      imageId: expect.stringMatching(/^I0000/),
      fileName: expect.any(String),
      fileSize: expect.any(Number),
      width: expect.any(Number),
      height: expect.any(Number),
      uploadedAt: expect.stringMatching(/Z$/),
      modifiedAt: expect.stringMatching(/Z$/),
      url: expect.stringContaining('/img-get2/'),
      reviewStatus: null,
    });
    const second = await sim.sim('GET', `/galleries/${g.id}/images?page=2&per_page=1`);
    expect(second.body).toEqual({ images: [all.body.images[1]], total: g.imageCount });
    expect((await sim.sim('GET', '/galleries/G0000nonexistent/images')).status).toBe(404);
  });

  it('POST /_sim/upload adds an image now and bumps the gallery', async () => {
    const g = await gallery();
    clock.advance(5_000);
    const answer = await sim.sim('POST', '/upload', {
      galleryId: g.id,
      fileName: 'DSC_0042.NEF',
      width: 4000,
      height: 6000,
      keywords: ['new', 'upload'],
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ imageId: expect.stringMatching(/^I0000[A-Za-z0-9._]{11}$/) });
    const images = await imagesOf(g.id);
    const added = images[images.length - 1];
    expect(added).toMatchObject({
      imageId: answer.body.imageId,
      fileName: 'DSC_0042.NEF',
      width: 4000,
      height: 6000,
      uploadedAt: '2026-03-14T15:09:31.000Z',
      modifiedAt: '2026-03-14T15:09:31.000Z',
    });
    expect((await v3Gallery(g.id)).modified_at).toBe('2026-03-14 11:09:31.000000');

    expect((await sim.sim('POST', '/upload', { galleryId: 'G0000nonexistent' })).status).toBe(404);
    const bad = await sim.sim('POST', '/upload', { galleryId: g.id, width: -3 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('width');
  });

  it('POST /_sim/replace brings new bytes: size and dimensions change, upload time stays', async () => {
    const g = await gallery();
    const [before] = await imagesOf(g.id);
    clock.advance(1_000);
    const answer = await sim.sim('POST', '/replace', { imageId: before?.imageId });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ imageId: before?.imageId, fileSize: expect.any(Number) });
    const [after] = await imagesOf(g.id);
    expect(after?.fileSize).toBe(answer.body.fileSize);
    expect(after?.fileSize).not.toBe(before?.fileSize);
    expect([after?.width, after?.height]).not.toEqual([before?.width, before?.height]);
    expect(after?.uploadedAt).toBe(before?.uploadedAt);
    expect(after?.modifiedAt).toBe('2026-03-14T15:09:27.000Z');
    expect(after?.url).not.toBe(before?.url);
    expect((await v3Gallery(g.id)).modified_at).toBe('2026-03-14 11:09:27.000000');
    expect((await sim.sim('POST', '/replace', { imageId: 'I0000nonexistent' })).status).toBe(404);
  });

  it('POST /_sim/share adds an AR000 permission and bumps the gallery', async () => {
    const g = await gallery();
    clock.advance(2_000);
    const answer = await sim.sim('POST', '/share', {
      galleryId: g.id,
      type: 'contact',
      email: 'reviewer@example.edu',
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      permissionId: expect.stringMatching(/^AR000[A-Za-z0-9._]{11}$/),
    });
    const token = await sim.sim('POST', '/share', { galleryId: g.id, type: 'token' });
    expect(token.status).toBe(201);

    const v3 = await v3Gallery(g.id);
    expect(v3.modified_at).toBe('2026-03-14 11:09:28.000001');
    const v4 = await sim.get(`/psapi/v4.0/galleries/${g.id}?include=permissions`);
    const permissions = v4.body.data.includes.permissions.data;
    expect(permissions.slice(-2)).toEqual([
      {
        id: answer.body.permissionId,
        type: 'contact',
        attributes: expect.objectContaining({ email: 'reviewer@example.edu' }),
      },
      {
        id: token.body.permissionId,
        type: 'token',
        attributes: expect.objectContaining({ token: expect.any(String) }),
      },
    ]);
    expect((await sim.sim('POST', '/share', { galleryId: g.id, type: 'fax' })).status).toBe(400);
  });

  it('POST /_sim/metadata edits IPTC and the licence, and moves modified_at', async () => {
    const g = await gallery();
    const [image] = await imagesOf(g.id);
    clock.advance(3_000);
    const answer = await sim.sim('POST', '/metadata', {
      imageId: image?.imageId,
      caption: 'Caption',
      headline: 'Headline',
      title: 'Title',
      credit: 'Credit',
      copyright: '© Someone',
      keywords: [' a ', 'b', ''],
      licenseExpiresAt: '2030-01-02T03:04:05.678Z',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      imageId: image?.imageId,
      modifiedAt: '2026-03-14T15:09:29.000Z',
    });
    await sim.login();
    const read = await sim.get(
      `/psapi/v3/mem/image/${image?.imageId}?extend=${encodeURIComponent(
        '{"Iptc":{"fields":"*","params":{}},"License":{"fields":"license_etime","params":{}}}',
      )}`,
    );
    expect(read.body.data.Image).toMatchObject({
      updated_at: '2026-03-14 11:09:29.000000',
      uploaded_at: expect.not.stringContaining('2026-03-14 11:09:29'),
      Iptc: {
        caption: 'Caption',
        headline: 'Headline',
        title: 'Title',
        credit: 'Credit',
        copyright: '© Someone',
        keyword: 'a, b',
      },
      License: { license_etime: '2030-01-01 22:04:05.678000' },
    });
    const bad = await sim.sim('POST', '/metadata', {
      imageId: image?.imageId,
      licenseExpiresAt: 'soon',
    });
    expect(bad.status).toBe(400);
  });

  it('keeps modification times strictly increasing when the clock stands still', async () => {
    const g = await gallery();
    const [a, b] = await imagesOf(g.id);
    const first = sim.server.editMetadata({ imageId: a?.imageId ?? '', caption: '1' });
    const second = sim.server.editMetadata({ imageId: b?.imageId ?? '', caption: '2' });
    await sim.login();
    const times = await Promise.all(
      [a, b].map(
        async (img) =>
          (await sim.get(`/psapi/v3/mem/image/${img?.imageId}?fields=updated_at`)).body.data.Image
            .updated_at,
      ),
    );
    expect(first.modifiedAt).toBe('2026-03-14T15:09:26.000Z');
    expect(times).toEqual(['2026-03-14 11:09:26.000000', '2026-03-14 11:09:26.000001']);
    expect(second.modifiedAt).toBe(first.modifiedAt); // same millisecond, one microsecond later
  });

  it('POST, GET and DELETE /_sim/faults', async () => {
    const added = await sim.sim('POST', '/faults', {
      path: '/psapi/v4.0/media',
      status: 503,
      times: 2,
    });
    expect(added.status).toBe(201);
    expect(added.body.faults).toMatchObject([
      { id: expect.any(Number), status: 503, remaining: 2 },
    ]);
    await sim.sim('POST', '/faults', { drop: true });
    expect((await sim.sim('GET', '/faults')).body.faults).toHaveLength(2);
    const cleared = await sim.sim('DELETE', '/faults');
    expect(cleared.status).toBe(204);
    expect((await sim.sim('GET', '/faults')).body.faults).toEqual([]);
    expect((await sim.sim('POST', '/faults', { status: 42 })).status).toBe(400);
  });

  it('GET and DELETE /_sim/calls', async () => {
    await sim.login();
    const calls = await sim.sim('GET', '/calls');
    expect(calls.body).toEqual({
      total: 2,
      byEndpoint: {
        'POST /psapi/v3/mem/authenticate': 1,
        'POST /psapi/v3/mem/organization/:id/authenticate': 1,
      },
      throttled: 0,
      firstAt: '2026-03-14T15:09:26.000Z',
      lastAt: '2026-03-14T15:09:26.000Z',
    });
    const reset = await sim.sim('DELETE', '/calls');
    expect(reset.status).toBe(204);
    const zero = { total: 0, byEndpoint: {}, throttled: 0, firstAt: null, lastAt: null };
    expect((await sim.sim('GET', '/calls')).body).toEqual(zero);
    expect(sim.server.calls()).toEqual(zero);
  });

  it('POST /_sim/reset builds a fresh library', async () => {
    const before = (await sim.sim('GET', '/library')).body;
    const same = await sim.sim('POST', '/reset', { seed: 5, assets: 120 });
    expect(same.body).toEqual({ seed: 5, assets: 120 });
    expect((await sim.sim('GET', '/library')).body).toEqual(before);

    sim.server.upload({ galleryId: before.galleries[0].id });
    const other = await sim.sim('POST', '/reset', { seed: 6, assets: 30 });
    expect(other.body).toEqual({ seed: 6, assets: 30 });
    const after = (await sim.sim('GET', '/library')).body;
    expect(after.assets).toBe(30);
    expect(after.galleries[0].id).not.toBe(before.galleries[0].id);
  });

  it('answers CORS preflights and 404 for unknown control paths', async () => {
    const preflight = await fetch(`${sim.url}/_sim/upload`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:7071', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect((await sim.sim('GET', '/nothing')).status).toBe(404);
    expect((await sim.sim('POST', '/upload')).status).toBe(400);
  });

  it('serves a web-UI gallery page at the documented web-UI URL form', async () => {
    const g = await gallery();
    const page = await fetch(`${sim.url}/gallery/Some-Slug/${g.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/img-get2/');
  });
});
