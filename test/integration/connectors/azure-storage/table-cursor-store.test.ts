import { beforeAll, describe, expect, it } from 'vitest';

import { ConflictError } from '../../../../core/errors.js';
import {
  ensureStorage,
  type StorageClients,
  storageClients,
} from '../../../../connectors/azure-storage/storage-clients.js';
import { TableCursorStore } from '../../../../connectors/azure-storage/table-cursor-store.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../../../support/azurite.js';

describe('TableCursorStore on Azurite', () => {
  let clients: StorageClients;
  let store: TableCursorStore;

  beforeAll(async () => {
    clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
    await ensureStorage(clients);
    store = new TableCursorStore(clients.tables.cursors);
  });

  it('has no cursor before the first save', async () => {
    expect(await store.get('never.saved')).toBeUndefined();
  });

  it('creates, reads and replaces a cursor, changing its version each time', async () => {
    const created = await store.save('photoshelter.library', '{"at":1}', undefined);
    expect(await store.get('photoshelter.library')).toEqual(created);

    const replaced = await store.save('photoshelter.library', '{"at":2}', created.version);
    expect(replaced.value).toBe('{"at":2}');
    expect(replaced.version).not.toBe(created.version);
    expect(await store.get('photoshelter.library')).toEqual(replaced);
  });

  it('refuses a second create of the same name', async () => {
    await store.save('created.twice', 'first', undefined);
    await expect(store.save('created.twice', 'second', undefined)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await store.get('created.twice'))?.value).toBe('first');
  });

  it('refuses a replace with a stale version and keeps the stored value', async () => {
    const first = await store.save('stale', 'v1', undefined);
    const second = await store.save('stale', 'v2', first.version);

    await expect(store.save('stale', 'v3', first.version)).rejects.toBeInstanceOf(ConflictError);
    expect(await store.get('stale')).toEqual(second);
  });

  it('refuses a replace of a cursor that does not exist', async () => {
    const other = await store.save('elsewhere', 'x', undefined);
    await expect(store.save('missing', 'y', other.version)).rejects.toBeInstanceOf(ConflictError);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('round-trips names with characters Table Storage forbids in keys', async () => {
    const name = "odd/name\\with#all?the\u0001bad~chars%and'quotes é";
    const saved = await store.save(name, 'value', undefined);
    expect(await store.get(name)).toEqual(saved);
    expect(await store.get('odd/name')).toBeUndefined();
  });
});
