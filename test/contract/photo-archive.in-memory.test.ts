import { SystemClock } from '../../connectors/system/system-clock.js';
import { InMemoryPhotoArchive } from '../doubles/in-memory-photo-archive.js';
import { describePhotoArchiveContract, type LibraryControl } from './photo-archive.contract.js';

describePhotoArchiveContract('InMemoryPhotoArchive', () => {
  // Real time, as the simulator uses: the suite measures windows with the wall clock.
  const archive = new InMemoryPhotoArchive(new SystemClock(), { pageSize: 3 });
  const collection = archive.addCollection({ name: 'Athletics' });
  const gallery = archive.addGallery({ name: 'Media Day 2026', collectionId: collection });
  const football = archive.addCollection({ name: 'Football', parentId: collection });
  archive.addGallery({ name: 'Football vs. State', collectionId: football });
  archive.addCollection({ name: 'Archive' });
  archive.addGallery({ name: 'Campus Life' });
  for (let i = 0; i < 4; i += 1) archive.upload(gallery);

  const library: LibraryControl = {
    galleryWithAssets: (count) => {
      for (let i = archive.assetIdsIn(gallery).length; i < count; i += 1) archive.upload(gallery);
      return Promise.resolve(gallery);
    },
    assetIdsIn: (galleryId) => Promise.resolve(archive.assetIdsIn(galleryId)),
    upload: (galleryId, fileName) =>
      Promise.resolve(archive.upload(galleryId, fileName === undefined ? {} : { fileName })),
    replace: (assetId) => Promise.resolve({ fileSize: archive.replace(assetId).fileSize }),
    editMetadata: (assetId, edit) => Promise.resolve(archive.editMetadata(assetId, edit)),
    share: (galleryId) => Promise.resolve(archive.share(galleryId)),
    originalBytes: (assetId) => Promise.resolve(archive.originalBytes(assetId)),
    workflowFieldsOf: (assetId) => Promise.resolve(archive.workflowFieldsOf(assetId)),
    reviewStatusOf: (assetId) => Promise.resolve(archive.reviewStatusOf(assetId)),
    galleryState: (galleryId) => Promise.resolve(archive.galleryState(galleryId)),
  };
  return Promise.resolve({ archive, library, close: () => Promise.resolve() });
});
