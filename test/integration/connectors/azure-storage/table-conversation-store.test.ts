import { beforeAll, describe, expect, it } from 'vitest';

import { splitKey } from '../../../../connectors/azure-storage/keys.js';
import {
  ensureStorage,
  type StorageClients,
  storageClients,
} from '../../../../connectors/azure-storage/storage-clients.js';
import { TableConversationStore } from '../../../../connectors/azure-storage/table-conversation-store.js';
import { NotFoundError, ValidationError } from '../../../../core/errors.js';
import type { ConversationRecord } from '../../../../core/ports/conversation-store.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../../../support/azurite.js';

const t0 = Date.parse('2026-11-23T12:00:00.000Z');
const at = (minutes: number) => new Date(t0 + minutes * 60_000);

function aConversation(overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    key: 'channel:Marketing/Photo reviews',
    kind: 'channel',
    name: 'Marketing / Photo reviews',
    conversationId: '19:abc@thread.tacv2;messageid=1',
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    tenantId: 'tenant-1',
    reference: JSON.stringify({ conversation: { id: '19:abc@thread.tacv2' } }),
    status: 'active',
    updatedAt: at(0).toISOString(),
    ...overrides,
  };
}

describe('TableConversationStore on Azurite', () => {
  let clients: StorageClients;
  let store: TableConversationStore;

  beforeAll(async () => {
    clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
    await ensureStorage(clients);
    store = new TableConversationStore(clients.tables.conversations);
  });

  it('has nothing under a key never saved', async () => {
    expect(await store.get('chat:never')).toBeUndefined();
  });

  it('saves and gets records whose keys hold characters Table Storage forbids', async () => {
    const channel = aConversation();
    const chat = aConversation({
      key: 'chat:19:abc@thread.v2',
      kind: 'groupChat',
      name: 'Launch crew',
      conversationId: '19:abc@thread.v2',
      tenantId: undefined,
    });
    await store.save(channel);
    await store.save(chat);

    expect(await store.get(channel.key)).toEqual(channel);
    expect(await store.get(chat.key)).toEqual(chat);
    expect(await store.get('channel:Marketing')).toBeUndefined();
    expect(await store.get('chat:19:abc@thread')).toBeUndefined();
  });

  it('replaces the whole record on save, dropping a tenant no longer given', async () => {
    const key = 'personal:aad-replace';
    await store.save(aConversation({ key, kind: 'personal', name: 'Ada' }));
    const again = aConversation({
      key,
      kind: 'personal',
      name: 'Ada Lovelace',
      tenantId: undefined,
      updatedAt: at(1).toISOString(),
    });
    await store.save(again);
    expect(await store.get(key)).toEqual(again);
  });

  it('sets the status, and ignores a change older than the stored record', async () => {
    const key = 'channel:Sales/Status ✓';
    await store.save(aConversation({ key, name: 'Sales' }));

    await store.setStatus(key, 'writesBlocked', at(5));
    expect(await store.get(key)).toMatchObject({
      status: 'writesBlocked',
      updatedAt: at(5).toISOString(),
      name: 'Sales',
    });

    // Reinstalled at minute 10; a "not in roster" observed at minute 7 arrives late.
    await store.save(aConversation({ key, name: 'Sales', updatedAt: at(10).toISOString() }));
    await store.setStatus(key, 'notInRoster', at(7));
    expect(await store.get(key)).toMatchObject({
      status: 'active',
      updatedAt: at(10).toISOString(),
    });
  });

  it('applies concurrent status changes without losing the record', async () => {
    const key = 'chat:19:race@thread.v2';
    const record = aConversation({ key, kind: 'groupChat', name: 'Race' });
    await store.save(record);

    await Promise.all([
      store.setStatus(key, 'uninstalled', at(3)),
      store.setStatus(key, 'writesBlocked', at(2)),
      store.setStatus(key, 'notInRoster', at(1)),
    ]);

    // Whatever order they land in, the newest change is the one left standing.
    expect(await store.get(key)).toEqual({
      ...record,
      status: 'uninstalled',
      updatedAt: at(3).toISOString(),
    });
  });

  it('refuses to set the status of an unknown conversation', async () => {
    await expect(store.setStatus('chat:unknown', 'uninstalled', at(1))).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('reports a hand-corrupted row as a ValidationError naming the key', async () => {
    const key = 'channel:Broken/Row';
    await store.save(aConversation({ key, name: 'Broken' }));
    await clients.tables.conversations.updateEntity({ ...splitKey(key), status: 'odd' }, 'Merge');

    await expect(store.get(key)).rejects.toBeInstanceOf(ValidationError);
    await expect(store.get(key)).rejects.toThrow(`Stored conversation ${key}: status`);
    await clients.tables.conversations.deleteEntity(
      splitKey(key).partitionKey,
      splitKey(key).rowKey,
    );
  });
});

describe('TableConversationStore.list on Azurite', () => {
  it('lists every conversation sorted by name', async () => {
    const clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
    await ensureStorage(clients);
    const store = new TableConversationStore(clients.tables.conversations);
    expect(await store.list()).toEqual([]);

    const records = [
      aConversation({ key: 'personal:aad-zoe', kind: 'personal', name: 'Zoë' }),
      aConversation({ key: 'channel:Marketing/Photo reviews', name: 'marketing / Photo reviews' }),
      aConversation({ key: 'chat:19:abc@thread.v2', kind: 'groupChat', name: 'Archive crew' }),
      aConversation({ key: 'personal:aad-eve', kind: 'personal', name: 'Éve' }),
    ];
    for (const record of records) await store.save(record);

    const listed = await store.list();
    expect(listed.map((r) => r.name)).toEqual([
      'Archive crew',
      'Éve',
      'marketing / Photo reviews',
      'Zoë',
    ]);
    expect(listed.find((r) => r.key === 'chat:19:abc@thread.v2')).toEqual(records[2]);
  });
});
