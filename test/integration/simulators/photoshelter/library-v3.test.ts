import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { extend, PS_TIME, pngSize, SimHarness } from './sim-harness.js';

const IMAGES_EXTEND = extend({
  Image: {
    fields: 'image_id,file_name,file_size,width,height,uploaded_at,updated_at',
    params: {},
  },
  ImageLink: {
    fields: 'link,base,token,auth_link',
    params: { image_size: '300x300', image_mode: 'fit', f_https_link: 't' },
  },
});

const METADATA_EXTEND = extend({
  Iptc: { fields: '*', params: {} },
  License: { fields: 'license_etime', params: {} },
});

interface SimGallery {
  id: string;
  name: string;
  collectionId: string | null;
  imageCount: number;
  thumbnails: { imageId: string }[];
}

describe('FakePhotoShelterServer v3 library calls', () => {
  let sim: SimHarness;
  let galleries: SimGallery[];

  beforeAll(async () => {
    sim = await SimHarness.start({ seed: 42, assets: 240 });
    galleries = (await sim.sim('GET', '/library')).body.galleries as SimGallery[];
  });

  afterAll(async () => {
    await sim.stop();
  });

  beforeEach(async () => {
    await sim.login();
  });

  const nested = () => galleries.find((g) => g.collectionId !== null && g.imageCount >= 7);
  const atRoot = () => galleries.find((g) => g.collectionId === null);

  it('lists the root (#4): collections and galleries with v3 strings and flags', async () => {
    const answer = await sim.get('/psapi/v3/mem/collection/root/children');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('ok');
    const { Collection, Gallery } = answer.body.data.Children;
    expect(Collection.map((c: { name: string }) => c.name)).toEqual([
      'Athletics',
      'Campus Life',
      'Brand Assets',
      'Events',
    ]);
    for (const collection of Collection) {
      expect(collection).toEqual({
        collection_id: expect.stringMatching(/^C0000[A-Za-z0-9._]{11}$/),
        name: expect.any(String),
        description: expect.any(String),
        f_list: expect.stringMatching(/^[tf]$/),
        display_order: expect.stringMatching(/^\d+$/),
        mode: expect.stringMatching(/^(everyone|permission|private)$/),
        effective_mode: expect.stringMatching(/^(everyone|permission|private)$/),
        access_inherit: 'f',
        created_at: expect.stringMatching(PS_TIME),
        modified_at: expect.stringMatching(PS_TIME),
      });
    }
    const rootGallery = atRoot();
    expect(rootGallery).toBeDefined();
    expect(Gallery.map((g: { gallery_id: string }) => g.gallery_id)).toContain(rootGallery?.id);
    expect(Gallery[0]).toMatchObject({
      gallery_id: expect.stringMatching(/^G0000[A-Za-z0-9._]{11}$/),
      f_list: expect.stringMatching(/^[tf]$/),
      modified_at: expect.stringMatching(PS_TIME),
    });
  });

  it('lists a collection’s children, filters fields and answers 404 for an unknown one', async () => {
    const gallery = nested();
    const parent = gallery?.collectionId ?? '';
    const children = await sim.get(`/psapi/v3/mem/collection/${parent}/children`);
    expect(children.status).toBe(200);
    const ids = children.body.data.Children.Gallery.map(
      (g: { gallery_id: string }) => g.gallery_id,
    );
    expect(ids).toContain(gallery?.id);

    const athletics = (await sim.get('/psapi/v3/mem/collection/root/children')).body.data.Children
      .Collection[0].collection_id as string;
    const narrow = await sim.get(
      `/psapi/v3/mem/collection/${athletics}/children?fields=collection_id,name`,
    );
    expect(narrow.body.data.Children.Collection[0]).toEqual({
      collection_id: expect.any(String),
      name: 'Football',
    });

    const missing = await sim.get('/psapi/v3/mem/collection/C0000nonexistent/children');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ status: 'error', error: { message: 'Collection not found' } });
  });

  it('reads one gallery (#5) with Parents, which is absent at the root', async () => {
    const gallery = nested();
    const parents = extend({ Parents: { fields: 'collection_id', params: {} } });
    const answer = await sim.get(`/psapi/v3/mem/gallery/${gallery?.id}?extend=${parents}`);
    expect(answer.status).toBe(200);
    expect(answer.body.data.Gallery).toMatchObject({
      gallery_id: gallery?.id,
      name: gallery?.name,
      mode: expect.any(String),
      effective_mode: expect.any(String),
      created_at: expect.stringMatching(PS_TIME),
      modified_at: expect.stringMatching(PS_TIME),
      Parents: { collection_id: gallery?.collectionId },
    });

    const root = await sim.get(`/psapi/v3/mem/gallery/${atRoot()?.id}?extend=${parents}`);
    expect(root.body.data.Gallery.gallery_id).toBe(atRoot()?.id);
    expect(root.body.data.Gallery).not.toHaveProperty('Parents');

    const missing = await sim.get('/psapi/v3/mem/gallery/G0000nonexistent');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ status: 'error', error: { message: 'Gallery not found' } });
  });

  it('pages a gallery’s media (#6): Paging.next only while another page exists', async () => {
    const gallery = nested();
    const truth = (await sim.sim('GET', `/galleries/${gallery?.id}/images`)).body.images.map(
      (i: { imageId: string }) => i.imageId,
    );
    const perPage = 3;
    const pages = Math.ceil(truth.length / perPage);
    const seen: string[] = [];
    let next: string | undefined =
      `/psapi/v3/mem/gallery/${gallery?.id}/images?page=1&per_page=${perPage}&extend=${IMAGES_EXTEND}`;
    for (let page = 1; next !== undefined; page += 1) {
      const answer = await sim.get(next);
      expect(answer.status).toBe(200);
      const { GalleryImage, Paging } = answer.body.data;
      expect(Paging).toMatchObject({
        page: String(page),
        per_page: String(perPage),
        total: String(truth.length),
        pages: String(pages),
      });
      seen.push(...GalleryImage.map((entry: { image_id: string }) => entry.image_id));
      if (page < pages) {
        expect(Paging.next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/psapi\/v3\/mem\/gallery\//);
        expect(Paging.next).not.toContain('api_key');
      } else {
        expect(Paging).not.toHaveProperty('next');
      }
      next = Paging.next;
    }
    expect(seen).toEqual(truth);

    const beyond = await sim.get(
      `/psapi/v3/mem/gallery/${gallery?.id}/images?page=${pages + 1}&per_page=${perPage}`,
    );
    expect(beyond.body.data.GalleryImage).toEqual([]);
    expect(beyond.body.data.Paging).not.toHaveProperty('next');

    const everything = await sim.get(`/psapi/v3/mem/gallery/${gallery?.id}/images`);
    expect(everything.body.data.GalleryImage).toHaveLength(truth.length);
    expect(everything.body.data.Paging).toEqual({
      page: '1',
      per_page: String(truth.length),
      total: String(truth.length),
      pages: '1',
    });

    const bad = await sim.get(`/psapi/v3/mem/gallery/${gallery?.id}/images?page=0`);
    expect(bad.status).toBe(400);
  });

  it('nests Image and ImageLink in each GalleryImage as asked', async () => {
    const gallery = nested();
    const answer = await sim.get(
      `/psapi/v3/mem/gallery/${gallery?.id}/images?page=1&per_page=1&extend=${IMAGES_EXTEND}`,
    );
    const [entry] = answer.body.data.GalleryImage;
    expect(entry).toEqual({
      image_id: expect.stringMatching(/^I0000[A-Za-z0-9._]{11}$/),
      f_visible: expect.stringMatching(/^[tf]$/),
      Image: {
        image_id: entry.image_id,
        file_name: expect.stringMatching(/\.(JPG|jpg|NEF|ARW|CR2|HEIC)$/),
        file_size: expect.stringMatching(/^\d+$/),
        width: expect.stringMatching(/^\d+$/),
        height: expect.stringMatching(/^\d+$/),
        uploaded_at: expect.stringMatching(PS_TIME),
        updated_at: expect.stringMatching(PS_TIME),
      },
      ImageLink: {
        link: expect.stringMatching(/\/img-get2\/I0000[A-Za-z0-9._]{11}\/fit=300x300$/),
        base: expect.any(String),
        token: expect.any(String),
        auth_link: expect.any(String),
      },
    });

    const withIptc = await sim.get(
      `/psapi/v3/mem/gallery/${gallery?.id}/images?per_page=1&page=1&fields=image_id&extend=${extend(
        { Image: { fields: 'image_id', params: {} }, Iptc: { fields: 'keyword', params: {} } },
      )}`,
    );
    expect(withIptc.body.data.GalleryImage[0]).toEqual({
      image_id: entry.image_id,
      Image: { image_id: entry.image_id, Iptc: { keyword: expect.any(String) } },
    });

    const broken = await sim.get(`/psapi/v3/mem/gallery/${gallery?.id}/images?extend=%7Bnope`);
    expect(broken.status).toBe(400);
  });

  it('reads image metadata (#7): Iptc with a comma-separated keyword and License', async () => {
    const imageId = nested()?.thumbnails[0]?.imageId ?? '';
    await sim.sim('POST', '/metadata', {
      imageId,
      caption: 'Kick-off',
      keywords: ['football', 'night game'],
      licenseExpiresAt: '2031-05-06T07:08:09.000Z',
    });
    const answer = await sim.get(`/psapi/v3/mem/image/${imageId}?extend=${METADATA_EXTEND}`);
    expect(answer.status).toBe(200);
    expect(answer.body.data.Image).toMatchObject({
      image_id: imageId,
      file_name: expect.any(String),
      file_size: expect.stringMatching(/^\d+$/),
      width: expect.stringMatching(/^\d+$/),
      height: expect.stringMatching(/^\d+$/),
      uploaded_at: expect.stringMatching(PS_TIME),
      updated_at: expect.stringMatching(PS_TIME),
      Iptc: {
        caption: 'Kick-off',
        headline: expect.any(String),
        title: expect.any(String),
        author: expect.any(String),
        credit: expect.any(String),
        copyright: expect.any(String),
        keyword: 'football, night game',
      },
      License: { license_etime: '2031-05-06 03:08:09.000000' },
    });

    await sim.sim('POST', '/metadata', { imageId, licenseExpiresAt: null });
    const cleared = await sim.get(`/psapi/v3/mem/image/${imageId}?extend=${METADATA_EXTEND}`);
    expect(cleared.body.data.Image.License).toEqual({ license_etime: null });

    const narrow = await sim.get(`/psapi/v3/mem/image/${imageId}?fields=image_id,file_name`);
    expect(Object.keys(narrow.body.data.Image)).toEqual(['image_id', 'file_name']);

    const missing = await sim.get(`/psapi/v3/mem/image/I0000nonexistent?extend=${METADATA_EXTEND}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ status: 'error', error: { message: 'Image not found' } });
  });

  it('gives a display link (#8) that serves a valid PNG fitted into the box', async () => {
    const imageId = nested()?.thumbnails[0]?.imageId ?? '';
    const { width, height } = (await sim.get(`/psapi/v3/mem/image/${imageId}?fields=width,height`))
      .body.data.Image;
    sim.token = undefined; // a public endpoint: the API key is enough [DOC]
    const answer = await sim.get(
      `/psapi/v3/image/${imageId}/link?image_size=300x300&image_mode=fit&f_https_link=t`,
    );
    expect(answer.status).toBe(200);
    const link = answer.body.data.ImageLink;
    expect(link).toEqual({
      link: `${sim.url}/img-get2/${imageId}/fit=300x300`,
      base: `${sim.url}/img-get2/${imageId}`,
      token: expect.any(String),
      auth_link: expect.stringContaining(`/sec=${link.token}/fit=300x300/`),
    });

    const png = await fetch(link.link);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(png.headers.get('etag')).toBeTruthy();
    const size = pngSize(new Uint8Array(await png.arrayBuffer()));
    const scale = Math.min(300 / Number(width), 300 / Number(height));
    expect(size).toEqual({
      width: Math.round(Number(width) * scale),
      height: Math.round(Number(height) * scale),
    });

    const signed = await fetch(link.auth_link);
    expect(pngSize(new Uint8Array(await signed.arrayBuffer()))).toEqual(size);

    const filled = await fetch(`${sim.url}/img-get2/${imageId}/fill=64x48`);
    expect(pngSize(new Uint8Array(await filled.arrayBuffer()))).toEqual({ width: 64, height: 48 });

    const capped = await fetch(`${sim.url}/img-get2/${imageId}/fill=1200x1200`);
    expect(pngSize(new Uint8Array(await capped.arrayBuffer()))).toEqual({
      width: 320,
      height: 320,
    });

    const missing = await sim.get('/psapi/v3/image/I0000nonexistent/link?image_size=300x300');
    expect(missing.status).toBe(404);
    expect((await fetch(`${sim.url}/img-get2/I0000nonexistent/fit=64x64`)).status).toBe(404);
  });

  it('draws different pictures for different images', async () => {
    const [a, b] = nested()?.thumbnails ?? [];
    const bytes = async (id: string | undefined) =>
      Buffer.from(await (await fetch(`${sim.url}/img-get2/${id}/fill=32x32`)).arrayBuffer());
    expect((await bytes(a?.imageId)).equals(await bytes(b?.imageId))).toBe(false);
  });
});
