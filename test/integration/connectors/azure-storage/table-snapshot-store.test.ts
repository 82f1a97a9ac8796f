import { beforeAll, describe, expect, it } from 'vitest';

import { ValidationError } from '../../../../core/errors.js';
import type { AssetSnapshot, GallerySnapshot } from '../../../../core/ports/snapshot-store.js';
import {
  ensureStorage,
  storageClients,
} from '../../../../connectors/azure-storage/storage-clients.js';
import { TableSnapshotStore } from '../../../../connectors/azure-storage/table-snapshot-store.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../../../support/azurite.js';

const anAssetSnapshot = (overrides: Partial<AssetSnapshot> = {}): AssetSnapshot => ({
  assetId: 'I0000abcdefghijk',
  galleryIds: ['G0000aaaaaaaaaaa', 'G0000bbbbbbbbbbb'],
  file: { fileName: 'harbour at dawn.jpg', fileSize: 3_456_789_012, width: 6000, height: 4000 },
  fileFingerprint: '0abc123def456',
  modifiedAt: '2026-11-20T10:15:00.000Z',
  ...overrides,
});

const aGallerySnapshot = (overrides: Partial<GallerySnapshot> = {}): GallerySnapshot => ({
  galleryId: 'G0000aaaaaaaaaaa',
  shareIds: ['P0000share0001', 'P0000share0002'],
  modifiedAt: '2026-11-21T08:00:00.000Z',
  ...overrides,
});

describe('TableSnapshotStore on Azurite', () => {
  let store: TableSnapshotStore;
  let clients: ReturnType<typeof storageClients>;

  beforeAll(async () => {
    clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
    await ensureStorage(clients);
    store = new TableSnapshotStore(clients.tables.snapshots);
  });

  it('knows nothing it was not told', async () => {
    expect(await store.getAsset('I0000nothinghere')).toBeUndefined();
    expect(await store.getGallery('G0000nothinghere')).toBeUndefined();
  });

  it('round-trips an asset snapshot, arrays and file included', async () => {
    const snapshot = anAssetSnapshot();
    await store.putAsset(snapshot);
    expect(await store.getAsset(snapshot.assetId)).toEqual(snapshot);
  });

  it('replaces an asset snapshot on the next put', async () => {
    const first = anAssetSnapshot({ assetId: 'I0000replacedxxx' });
    await store.putAsset(first);
    const second = anAssetSnapshot({
      assetId: 'I0000replacedxxx',
      galleryIds: [],
      file: { fileName: 'v2.jpg', fileSize: 1, width: 1, height: 1 },
      fileFingerprint: 'other',
    });
    await store.putAsset(second);
    expect(await store.getAsset('I0000replacedxxx')).toEqual(second);
  });

  it('round-trips a gallery snapshot, kept apart from an asset with the same id text', async () => {
    const gallery = aGallerySnapshot({ galleryId: 'I0000abcdefghijk' });
    await store.putGallery(gallery);
    await store.putAsset(anAssetSnapshot());
    expect(await store.getGallery('I0000abcdefghijk')).toEqual(gallery);
    expect((await store.getAsset('I0000abcdefghijk'))?.file.fileName).toBe('harbour at dawn.jpg');
  });

  it('reports a row that does not match the snapshot shape', async () => {
    await clients.tables.snapshots.upsertEntity({
      partitionKey: 'asset:I0000brokenrowxx',
      rowKey: '',
      galleryIds: 'not json',
      file: '{}',
      fileFingerprint: 'x',
      modifiedAt: 'y',
    });
    await expect(store.getAsset('I0000brokenrowxx')).rejects.toBeInstanceOf(ValidationError);
  });
});
