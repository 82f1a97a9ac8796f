import { beforeAll, describe, expect, it } from 'vitest';

import {
  ensureStorage,
  type StorageClients,
  storageClients,
} from '../../../../connectors/azure-storage/storage-clients.js';
import { TableSubscriptionStore } from '../../../../connectors/azure-storage/table-subscription-store.js';
import { ConflictError, ValidationError } from '../../../../core/errors.js';
import type { Subscription } from '../../../../core/model/subscription.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../../../support/azurite.js';

function aSubscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: 'sub-1',
    event: 'review.opened',
    callbackUrl: 'https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual?sig=x',
    secret: 'sixteen-chars-at-least-0000',
    status: 'active',
    consecutiveFailures: 0,
    createdAt: '2026-11-23T12:00:00.000Z',
    ...overrides,
  };
}

describe('TableSubscriptionStore on Azurite', () => {
  let clients: StorageClients;
  let store: TableSubscriptionStore;

  beforeAll(async () => {
    clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
    await ensureStorage(clients);
    store = new TableSubscriptionStore(clients.tables.subscriptions);
  });

  it('creates, reads back exactly and refuses a second create of the same id', async () => {
    const created = await store.create(aSubscription({ id: 'sub-create', rule: 'Athletics' }));
    const read = await store.get('sub-create');
    expect(read?.subscription).toEqual(aSubscription({ id: 'sub-create', rule: 'Athletics' }));
    expect(read?.version).toBe(created.version);
    await expect(store.create(aSubscription({ id: 'sub-create' }))).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('keeps the filters, and a subscription signed with the shared key has no key of its own', async () => {
    const { secret: _, ...keyless } = aSubscription({
      id: 'sub-filtered',
      rule: 'Athletics',
      galleryId: 'G0000aBcDeFgHiJk',
    });
    await store.create(keyless);
    const read = (await store.get('sub-filtered'))?.subscription;
    expect(read).toEqual(keyless);
    expect(read).not.toHaveProperty('secret');
    expect((await store.list()).find((s) => s.id === 'sub-filtered')).toEqual(keyless);
  });

  it('saves only on the version it read', async () => {
    const { version } = await store.create(aSubscription({ id: 'sub-save' }));
    const saved = await store.save(
      aSubscription({ id: 'sub-save', consecutiveFailures: 1 }),
      version,
    );
    expect(saved.version).not.toBe(version);
    await expect(
      store.save(aSubscription({ id: 'sub-save', consecutiveFailures: 2 }), version),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await store.get('sub-save'))?.subscription.consecutiveFailures).toBe(1);
  });

  it('deletes once, lists oldest first, and answers nothing for an unknown id', async () => {
    await store.create(aSubscription({ id: 'sub-b', createdAt: '2026-11-23T13:00:00.000Z' }));
    await store.create(aSubscription({ id: 'sub-a', createdAt: '2026-11-23T11:00:00.000Z' }));
    const ids = (await store.list()).map((s) => s.id);
    expect(ids.indexOf('sub-a')).toBeLessThan(ids.indexOf('sub-b'));
    expect(await store.delete('sub-b')).toBe(true);
    expect(await store.delete('sub-b')).toBe(false);
    expect(await store.get('sub-b')).toBeUndefined();
  });

  it('takes any id as a key: one with a slash is stored, read and deleted like any other', async () => {
    // The local host decodes %2F into the id of GET /subscriptions/a%2Fb: it must reach no other row.
    expect(await store.get('a/b')).toBeUndefined();
    expect(await store.delete('a/b')).toBe(false);
    for (const id of ['a/b', 'c\\d', 'e#f?g', "h'i"]) {
      await store.create(aSubscription({ id }));
      expect((await store.get(id))?.subscription.id).toBe(id);
      expect((await store.list()).map((s) => s.id)).toContain(id);
      expect(await store.delete(id)).toBe(true);
    }
  });

  it('keeps the last delivery outcome, and reads rows from before it was kept', async () => {
    await store.create(
      aSubscription({ id: 'sub-outcome', lastOutcome: 'failed', lastStatus: 503 }),
    );
    expect((await store.get('sub-outcome'))?.subscription).toMatchObject({
      lastOutcome: 'failed',
      lastStatus: 503,
    });
    expect((await store.get('sub-create'))?.subscription).not.toHaveProperty('lastOutcome');
  });

  it('counts the active subscriptions, not the disabled ones', async () => {
    const own = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
    await ensureStorage(own);
    const counting = new TableSubscriptionStore(own.tables.subscriptions);
    expect(await counting.countActive()).toBe(0);
    await counting.create(aSubscription({ id: 'one' }));
    await counting.create(aSubscription({ id: 'two' }));
    await counting.create(aSubscription({ id: 'off', status: 'disabled' }));
    expect(await counting.countActive()).toBe(2);
  });

  it('refuses a stored row that no longer matches the schema, naming it', async () => {
    await clients.tables.subscriptions.createEntity({
      partitionKey: 'subscription',
      rowKey: 'sub-broken',
      json: JSON.stringify({ id: 'sub-broken', event: 'review.exploded' }),
    });
    await expect(store.get('sub-broken')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.get('sub-broken')).rejects.toThrow(/Stored subscription sub-broken/);
  });
});
