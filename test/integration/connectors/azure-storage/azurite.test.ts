import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { startAzurite } from '../../../../composition/azurite.js';
import {
  ensureStorage,
  storageClients,
} from '../../../../connectors/azure-storage/storage-clients.js';
import { StorageEventQueue } from '../../../../connectors/azure-storage/storage-event-queue.js';
import { TableCursorStore } from '../../../../connectors/azure-storage/table-cursor-store.js';
import { UpstreamError } from '../../../../core/errors.js';
import { libraryEventSchema } from '../../../../core/model/library-event.js';

const anEvent = libraryEventSchema.parse({
  type: 'gallery.shared',
  id: 'gallery.shared:G0000aaaaaaaaaaa:0abc123def456',
  galleryId: 'G0000aaaaaaaaaaa',
  galleryName: 'Harbour',
  newShareIds: ['P0000share0001'],
  detectedAt: '2026-11-23T12:00:05.000Z',
  occurredAt: '2026-11-23T12:00:00.000Z',
});

describe('startAzurite', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('keeps tables and queues in dataDir across a stop and a start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-azurite-'));
    dirs.push(dataDir);

    const first = await startAzurite({ dataDir });
    try {
      const clients = storageClients(first.connectionString);
      await ensureStorage(clients);
      await new TableCursorStore(clients.tables.cursors).save('kept', 'across restarts', undefined);
      await new StorageEventQueue(clients.queues).enqueue(anEvent);
    } finally {
      await first.stop();
    }

    const second = await startAzurite({ dataDir });
    try {
      const clients = storageClients(second.connectionString);
      expect(
        (await new TableCursorStore(clients.tables.cursors).get('kept', z.string()))?.state,
      ).toBe('across restarts');
      const [message] = await new StorageEventQueue(clients.queues).receive(1, 30_000);
      expect(JSON.parse(message?.body ?? 'null')).toEqual(anEvent);
    } finally {
      await second.stop();
    }
  });

  it('starts in memory on free ports, with endpoints in the connection string', async () => {
    const azurite = await startAzurite();
    try {
      expect(azurite.tableUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
      expect(azurite.queueUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
      expect(azurite.connectionString).toContain(`TableEndpoint=${azurite.tableUrl}`);
      expect(azurite.connectionString).toContain(`QueueEndpoint=${azurite.queueUrl}`);
      const clients = storageClients(azurite.connectionString);
      await ensureStorage(clients);
      // Creating again is harmless.
      await ensureStorage(clients);
      expect(
        await new TableCursorStore(clients.tables.cursors).get('none', z.string()),
      ).toBeUndefined();
    } finally {
      await azurite.stop();
    }
    // Stopping twice is harmless too.
    await azurite.stop();
  });

  it('refuses a requested port that something else already listens on', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = squatter.address() as AddressInfo;
      await expect(startAzurite({ tablePort: port })).rejects.toBeInstanceOf(UpstreamError);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
