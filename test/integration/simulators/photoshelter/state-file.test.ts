import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FakePhotoShelterServer } from '../../../../simulators/photoshelter/fake-photoshelter-server.js';

describe('FakePhotoShelterServer stateFile', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ps-sim-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the library, uploads and shares included, across a restart', async () => {
    const stateFile = join(dir, 'library.json');
    const first = new FakePhotoShelterServer({ seed: 4, assets: 40, stateFile });
    await first.start(0);
    const galleryId = first.library().galleries[0]?.id ?? '';
    const { imageId } = first.upload({ galleryId, fileName: 'kept.jpg' });
    const { permissionId } = first.share({ galleryId });
    await first.stop();
    expect(existsSync(stateFile)).toBe(true);

    const second = new FakePhotoShelterServer({ seed: 4, assets: 40, stateFile });
    const images = second.galleryImages(galleryId).images;
    expect(images.map((i) => i.imageId)).toContain(imageId);
    expect(images.find((i) => i.imageId === imageId)?.fileName).toBe('kept.jpg');
    expect(second.library().assets).toBe(41);
    // New ids carry on from the saved generator state rather than repeating.
    expect(second.share({ galleryId }).permissionId).not.toBe(permissionId);

    const reseeded = new FakePhotoShelterServer({ seed: 5, assets: 40, stateFile });
    expect(reseeded.library().assets).toBe(40);
  });
});
