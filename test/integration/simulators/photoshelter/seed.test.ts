import { describe, expect, it } from 'vitest';

import { FakePhotoShelterServer } from '../../../../simulators/photoshelter/fake-photoshelter-server.js';
import { anchorFor, generateLibrary } from '../../../../simulators/photoshelter/seed.js';
import { ManualClock } from './sim-harness.js';

const anchor = anchorFor(new Date(Date.UTC(2026, 2, 14, 15, 0, 0)));

const ids = (seed: number, assets: number) => {
  const data = generateLibrary(seed, assets, anchor);
  return [
    ...data.collections.map((c) => c.id),
    ...data.galleries.map((g) => g.id),
    ...data.images.map((i) => i.id),
  ];
};

describe('seeded PhotoShelter library', () => {
  it('is identical for the same seed and different for another', () => {
    expect(generateLibrary(42, 500, anchor)).toEqual(generateLibrary(42, 500, anchor));
    const other = ids(43, 500);
    const same = ids(42, 500);
    expect(other).not.toEqual(same);
    expect(other.filter((id) => same.includes(id))).toEqual([]);
  });

  it('gives two servers with the same seed and clock the same library', async () => {
    const clock = new ManualClock();
    const a = new FakePhotoShelterServer({ seed: 11, assets: 300, now: clock.now });
    const b = new FakePhotoShelterServer({ seed: 11, assets: 300, now: clock.now });
    const c = new FakePhotoShelterServer({ seed: 12, assets: 300, now: clock.now });
    await Promise.all([a.start(0), b.start(0)]);
    try {
      const strip = (view: ReturnType<FakePhotoShelterServer['library']>) =>
        view.galleries.map((g) => ({ ...g, thumbnails: g.thumbnails.map((t) => t.imageId) }));
      expect(strip(a.library())).toEqual(strip(b.library()));
      expect(a.library().galleries[0]?.id).not.toBe(c.library().galleries[0]?.id);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('uses PhotoShelter id formats, unique ids and believable records, all in the past', () => {
    const data = generateLibrary(7, 2000, anchor);
    const all = ids(7, 2000);
    expect(new Set(all).size).toBe(all.length);
    for (const c of data.collections) expect(c.id).toMatch(/^C0000[A-Za-z0-9._]{11}$/);
    for (const g of data.galleries) {
      expect(g.id).toMatch(/^G0000[A-Za-z0-9._]{11}$/);
      expect(g.modifiedAt).toBeLessThan(anchor);
      expect(g.createdAt).toBeLessThanOrEqual(g.modifiedAt);
      for (const p of g.permissions) {
        expect(p.id).toMatch(/^AR000[A-Za-z0-9._]{11}$/);
        expect(p.createdAt).toBeLessThan(anchor);
      }
    }
    for (const i of data.images) {
      expect(i.id).toMatch(/^I0000[A-Za-z0-9._]{11}$/);
      expect(i.fileName).toMatch(/^(IMG_|DSC_|DSC0|_MG_)\d{4}\.(JPG|jpg|NEF|ARW|CR2|HEIC)$/);
      expect(i.uploadedAt).toBeLessThanOrEqual(i.modifiedAt);
      expect(i.modifiedAt).toBeLessThan(anchor);
      expect(i.fileSize).toBeGreaterThan(0);
    }
    const sizes = data.galleries.map((g) => g.imageIds.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(200);
    expect(data.galleries.some((g) => g.permissions.length > 0)).toBe(true);
    expect(data.images.some((i) => i.licenseExpiresAt !== null)).toBe(true);
    expect(data.images.some((i) => i.galleryIds.length > 1)).toBe(true);
    expect(data.collections.map((c) => c.name)).toEqual(
      expect.arrayContaining(['Athletics', 'Campus Life', 'Brand Assets', 'Events']),
    );
  });

  it('seeds 100,000 assets', () => {
    const data = generateLibrary(7, 100_000, anchor);
    expect(data.images).toHaveLength(100_000);
    expect(new Set(data.images.map((i) => i.id)).size).toBe(100_000);
    const server = new FakePhotoShelterServer({ seed: 7, assets: 100_000 });
    expect(server.library().assets).toBe(100_000);
  });

  it('handles tiny and empty libraries', () => {
    expect(generateLibrary(1, 0, anchor).images).toEqual([]);
    expect(generateLibrary(1, 0, anchor).galleries).toHaveLength(1);
    expect(generateLibrary(1, 1, anchor).images).toHaveLength(1);
  });
});
