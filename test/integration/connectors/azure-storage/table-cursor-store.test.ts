import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { ConflictError, ValidationError } from '../../../../core/errors.js';
import {
  ensureStorage,
  type StorageClients,
  storageClients,
} from '../../../../connectors/azure-storage/storage-clients.js';
import { TableCursorStore } from '../../../../connectors/azure-storage/table-cursor-store.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../../../support/azurite.js';

const atSchema = z.object({ at: z.number() });

describe('TableCursorStore on Azurite', () => {
  let clients: StorageClients;
  let store: TableCursorStore;

  beforeAll(async () => {
    clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
    await ensureStorage(clients);
    store = new TableCursorStore(clients.tables.cursors);
  });

  it('has no cursor before the first save', async () => {
    expect(await store.get('never.saved', z.string())).toBeUndefined();
  });

  it('creates, reads and replaces a cursor, changing its version each time', async () => {
    const created = await store.save('photoshelter.library', { at: 1 }, undefined);
    expect(await store.get('photoshelter.library', atSchema)).toEqual(created);

    const replaced = await store.save('photoshelter.library', { at: 2 }, created.version);
    expect(replaced.state).toEqual({ at: 2 });
    expect(replaced.version).not.toBe(created.version);
    expect(await store.get('photoshelter.library', atSchema)).toEqual(replaced);
  });

  it("refuses stored state that does not fit the reader's schema, naming the field", async () => {
    await store.save('other.shape', { at: 'noon' }, undefined);
    await expect(store.get('other.shape', atSchema)).rejects.toThrow(ValidationError);
    await expect(store.get('other.shape', atSchema)).rejects.toThrow(
      /cursor other\.shape is malformed.*at/,
    );
  });

  it('refuses a second create of the same name', async () => {
    await store.save('created.twice', 'first', undefined);
    await expect(store.save('created.twice', 'second', undefined)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await store.get('created.twice', z.string()))?.state).toBe('first');
  });

  it('refuses a replace with a stale version and keeps the stored value', async () => {
    const first = await store.save('stale', 'v1', undefined);
    const second = await store.save('stale', 'v2', first.version);

    await expect(store.save('stale', 'v3', first.version)).rejects.toBeInstanceOf(ConflictError);
    expect(await store.get('stale', z.string())).toEqual(second);
  });

  it('refuses a replace of a cursor that does not exist', async () => {
    const other = await store.save('elsewhere', 'x', undefined);
    await expect(store.save('missing', 'y', other.version)).rejects.toBeInstanceOf(ConflictError);
    expect(await store.get('missing', z.string())).toBeUndefined();
  });

  it('round-trips names with characters Table Storage forbids in keys', async () => {
    const name = "odd/name\\with#all?the\u0001bad~chars%and'quotes é";
    const saved = await store.save(name, 'value', undefined);
    expect(await store.get(name, z.string())).toEqual(saved);
    expect(await store.get('odd/name', z.string())).toBeUndefined();
  });
});
