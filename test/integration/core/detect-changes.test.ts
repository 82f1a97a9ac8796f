import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { StorageEventQueue } from '../../../connectors/azure-storage/storage-event-queue.js';
import {
  ensureStorage,
  storageClients,
} from '../../../connectors/azure-storage/storage-clients.js';
import { TableCursorStore } from '../../../connectors/azure-storage/table-cursor-store.js';
import { TableSnapshotStore } from '../../../connectors/azure-storage/table-snapshot-store.js';
import { PhotoShelterArchive } from '../../../connectors/photoshelter/photoshelter-archive.js';
import { SystemClock } from '../../../connectors/system/system-clock.js';
import { ValidationError } from '../../../core/errors.js';
import { libraryEventSchema } from '../../../core/model/library-event.js';
import {
  type DetectChangesDeps,
  detectChanges,
  libraryCursorSchema,
  PHOTOSHELTER_CURSOR,
} from '../../../core/use-cases/detect-changes.js';
import { FakePhotoShelterServer } from '../../../simulators/photoshelter/fake-photoshelter-server.js';
import { RecordingLogger } from '../../doubles/recording-logger.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../../support/azurite.js';
import { SimClient } from '../../support/photoshelter-sim-client.js';

const options = { overlapMs: 120_000, maxPages: 50 };

describe('detectChanges on PhotoShelter (simulator) and Azure Storage (Azurite)', () => {
  const simulator = new FakePhotoShelterServer({ seed: 11, assets: 120 });
  let sim: SimClient;
  let deps: DetectChangesDeps;
  let queue: StorageEventQueue;
  let cursors: TableCursorStore;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    const { url } = await simulator.start(0);
    sim = new SimClient(url);
    const clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
    await ensureStorage(clients);
    queue = new StorageEventQueue(clients.queues);
    cursors = new TableCursorStore(clients.tables.cursors);
    const clock = new SystemClock();
    const credentials = simulator.credentials;
    deps = {
      archive: new PhotoShelterArchive({
        baseUrl: url,
        webBaseUrl: url,
        apiKey: credentials.apiKey,
        email: credentials.email,
        password: credentials.password,
        clock,
        logger,
        retry: { baseDelayMs: 5, maxDelayMs: 50 },
      }),
      cursors,
      snapshots: new TableSnapshotStore(clients.tables.snapshots),
      queue,
      clock,
      logger,
    };
    expect((await detectChanges(deps, options)).kind).toBe('baseline');
  });

  afterAll(async () => {
    await simulator.stop();
  });

  async function drain() {
    const messages = await queue.receive(32, 30_000);
    for (const message of messages) await queue.complete(message);
    return messages.map((m) => libraryEventSchema.parse(JSON.parse(m.body)));
  }

  it('costs two PhotoShelter calls when nothing changed', async () => {
    await sim.resetCalls();
    const result = await detectChanges(deps, options);
    expect(result).toMatchObject({ kind: 'polled', enqueued: 0 });
    expect((await sim.calls()).total).toBe(2);
  });

  it('puts exactly one asset.uploaded on the queue for one upload, across repeated polls', async () => {
    const { galleries } = await sim.library();
    const galleryId = galleries[0]?.id ?? '';
    const assetId = await sim.upload(galleryId, 'UPLOAD_0001.jpg');

    await detectChanges(deps, options);
    await detectChanges(deps, options);

    const events = await drain();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'asset.uploaded', galleryId, assetId });
  });

  it('reports replace, metadata edit and share, each once', async () => {
    const { galleries } = await sim.library();
    const control = sim.control();
    const galleryId = galleries[1]?.id ?? '';
    const [first, second] = await control.assetIdsIn(galleryId);
    await control.replace(first ?? '');
    await control.editMetadata(second ?? '', { caption: 'Changed in a test' });
    await control.share(galleries[2]?.id ?? '');

    await detectChanges(deps, options);
    await detectChanges(deps, options);

    const events = await drain();
    // Assets seen for the first time since the baseline cannot be told replaced from edited.
    expect(events.map((e) => e.type).sort()).toEqual([
      'gallery.shared',
      'metadata.changed',
      'metadata.changed',
    ]);
    await control.replace(first ?? '');
    await detectChanges(deps, options);
    expect((await drain()).map((e) => e.type)).toEqual(['asset.replaced']);
  });

  it('on a malformed answer fails with a validation error and moves neither cursor nor queue', async () => {
    const { galleries } = await sim.library();
    await sim.upload(galleries[0]?.id ?? '');
    const before = await cursors.get(PHOTOSHELTER_CURSOR, libraryCursorSchema);
    await sim.fault({ path: '/psapi/v4.0/media', malformed: true, times: 1 });

    await expect(detectChanges(deps, options)).rejects.toThrow(ValidationError);

    expect(await cursors.get(PHOTOSHELTER_CURSOR, libraryCursorSchema)).toEqual(before);
    expect(await queue.depth()).toEqual({ active: 0, poison: 0 });
    // The next poll picks the upload up: nothing was lost.
    await detectChanges(deps, options);
    expect((await drain()).map((e) => e.type)).toEqual(['asset.uploaded']);
  });

  it('rides out a 503 and a 429 with Retry-After', async () => {
    const { galleries } = await sim.library();
    await sim.upload(galleries[0]?.id ?? '');
    await sim.fault({ path: '/psapi/v4.0/media', status: 503, retryAfterSeconds: 0, times: 1 });
    await sim.fault({ path: '/psapi/v4.0/galleries', status: 429, retryAfterSeconds: 0, times: 1 });

    const result = await detectChanges(deps, options);

    expect(result).toMatchObject({ kind: 'polled', enqueued: 1 });
    expect(await drain()).toHaveLength(1);
  });

  it('never logs the PhotoShelter password or API key', () => {
    const text = logger.text();
    expect(text).not.toContain(simulator.credentials.password);
    expect(text).not.toContain(simulator.credentials.apiKey);
  });
});
