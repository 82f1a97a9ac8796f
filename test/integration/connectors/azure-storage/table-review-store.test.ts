import { beforeAll, describe, expect, it } from 'vitest';

import {
  ensureStorage,
  type StorageClients,
  storageClients,
} from '../../../../connectors/azure-storage/storage-clients.js';
import { encodeKey } from '../../../../connectors/azure-storage/keys.js';
import {
  galleryIdOfReview,
  TableReviewStore,
} from '../../../../connectors/azure-storage/table-review-store.js';
import { ValidationError } from '../../../../core/errors.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../../../support/azurite.js';
// The contract suite's Object Mother: a fresh gallery per review, so tests never share a partition.
import { aGalleryId, aReview, at } from '../../../contract/review-store.contract.js';

describe('galleryIdOfReview', () => {
  it('takes everything before the first ~', () => {
    expect(galleryIdOfReview('G0000abcdefghijk~mdw3k')).toBe('G0000abcdefghijk');
  });

  it('refuses ids without a gallery or a suffix', () => {
    for (const id of ['nogallery', '~x', 'G0000abcdefghijk~']) {
      expect(() => galleryIdOfReview(id)).toThrow(ValidationError);
    }
  });
});

// What every ReviewStore does is in test/contract/review-store.contract.ts; this file keeps what is
// particular to the table: its keys, rows larger than one property and rows corrupted by hand.
describe('TableReviewStore on Azurite', () => {
  let clients: StorageClients;
  let store: TableReviewStore;

  beforeAll(async () => {
    clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
    await ensureStorage(clients);
    store = new TableReviewStore(clients.tables.reviews);
  });

  it('round-trips a review too large for one table property', async () => {
    const galleryId = aGalleryId();
    // Emoji are surrogate pairs: long enough names make a part boundary fall inside one somewhere.
    const assets = Array.from({ length: 400 }, (_, n) => ({
      assetId: `I0000${n.toString().padStart(11, '0')}`,
      fileName: `${'📷'.repeat(n % 7)}photo-${n}-${'x'.repeat(150)}.jpg`,
      addedAt: at(n),
      thumbnailUrl: `https://cdn.example.com/${n}.jpg?sig=${'s'.repeat(120)}`,
    }));
    const review = aReview({ galleryId, id: `${galleryId}~big`, assets });
    expect(JSON.stringify(review).length).toBeGreaterThan(100_000);

    const opened = await store.open(review);
    expect(await store.get(review.id)).toEqual(opened);
    const fewer = await store.save({ ...review, assets: assets.slice(0, 2) }, opened.version);
    expect(await store.get(review.id)).toEqual(fewer);
  });

  it('reports a hand-corrupted row as a ValidationError naming the review', async () => {
    const review = aReview();
    await store.open(review);
    await clients.tables.reviews.updateEntity(
      {
        partitionKey: encodeKey(review.galleryId),
        rowKey: encodeKey(review.id),
        review0: '{"id":"truncated',
      },
      'Merge',
    );

    const failure = store.get(review.id);
    await expect(failure).rejects.toBeInstanceOf(ValidationError);
    await expect(failure).rejects.toThrow(review.id);
    await expect(store.findOpen(review.galleryId)).rejects.toThrow(review.id);

    await clients.tables.reviews.updateEntity(
      {
        partitionKey: encodeKey(review.galleryId),
        rowKey: encodeKey(review.id),
        review0: JSON.stringify({ ...review, status: 'maybe' }),
      },
      'Merge',
    );
    await expect(store.get(review.id)).rejects.toThrow(
      new RegExp(`Stored review ${review.id}: status`),
    );
  });
});
