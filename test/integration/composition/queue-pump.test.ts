import { describe, expect, it } from 'vitest';

import { QueuePump } from '../../../composition/queue-pump.js';
import {
  ensureStorage,
  storageClients,
} from '../../../connectors/azure-storage/storage-clients.js';
import { StorageEventQueue } from '../../../connectors/azure-storage/storage-event-queue.js';
import { TableAuditLog } from '../../../connectors/azure-storage/table-audit-log.js';
import { TableEffectLedger } from '../../../connectors/azure-storage/table-effect-ledger.js';
import { SystemClock } from '../../../connectors/system/system-clock.js';
import type { LibraryEvent } from '../../../core/model/library-event.js';
import { parseLibraryEvent } from '../../../core/model/library-event.js';
import { recordLibraryEvent } from '../../../core/use-cases/record-library-event.js';
import type { QueueFunctionDefinition } from '../../../functions/definition.js';
import { RecordingLogger } from '../../doubles/recording-logger.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../../support/azurite.js';

const anEvent = (id: string, galleryId = 'G0000abcdefghijk'): LibraryEvent => ({
  type: 'asset.uploaded',
  id,
  galleryId,
  assetId: 'I0000abcdefghijk',
  file: { fileName: 'IMG_1.jpg', fileSize: 10, width: 4, height: 3 },
  detectedAt: '2026-11-23T09:00:00.000Z',
  occurredAt: '2026-11-23T09:00:00.000Z',
});

/** A pump running `handler` as processEvent over `queue`, with the given batch sizes. */
function pumpOf(
  queue: StorageEventQueue,
  handler: QueueFunctionDefinition['handler'],
  options: { batchSize: number; newBatchThreshold: number; visibilityTimeoutMs: number },
): QueuePump {
  const definition: QueueFunctionDefinition = {
    trigger: 'queue',
    name: 'processEvent',
    queueSetting: 'EVENTS_QUEUE',
    handler,
  };
  return new QueuePump(queue, definition, new SystemClock(), new RecordingLogger(), {
    maxDequeueCount: 2,
    idleDelayMs: 50,
    ...options,
  });
}

async function setup() {
  const clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
  await ensureStorage(clients);
  const queue = new StorageEventQueue(clients.queues);
  const audit = new TableAuditLog(clients.tables.audit);
  const clock = new SystemClock();
  const deps = {
    ledger: new TableEffectLedger(clients.tables.effects),
    audit,
    clock,
    logger: new RecordingLogger(),
  };
  const pump = pumpOf(
    queue,
    async (message) => {
      await recordLibraryEvent(deps, parseLibraryEvent(message));
    },
    { batchSize: 16, newBatchThreshold: 8, visibilityTimeoutMs: 1_000 },
  );
  return { queue, audit, pump };
}

describe('QueuePump on Azure Queue Storage (Azurite)', () => {
  it('records good events once, even when the same event is delivered twice', async () => {
    const { queue, audit, pump } = await setup();
    await queue.enqueue(anEvent('dup'));
    await queue.enqueue(anEvent('dup'));
    await queue.enqueue(anEvent('other'));

    // The pump runs a batch side by side, as the Functions host does: the second copy of "dup" meets
    // the first one's ledger entry in progress, fails, and is done once it comes back.
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      if ((await pump.drainOnce()) > 0) continue;
      if ((await queue.depth()).active === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect((await audit.recent(10)).map((e) => e.data.eventId).sort()).toEqual(['dup', 'other']);
    expect(await queue.depth()).toEqual({ active: 0, poison: 0 });
  });

  it('moves a message to the poison queue after the maximum number of deliveries', async () => {
    const { queue, audit, pump } = await setup();
    await queue.enqueue(anEvent('broken', 'not-a-gallery'));

    // The service counts deliveries; a failed message reappears once its visibility timeout passes.
    for (let attempt = 0; attempt < 40 && (await queue.depth()).poison === 0; attempt += 1) {
      await pump.drainOnce();
      await new SystemClock().sleep(100);
    }

    expect(await queue.depth()).toEqual({ active: 0, poison: 1 });
    const [poisoned] = await queue.peekPoison(5);
    expect(poisoned?.body).toContain('not-a-gallery');
    expect(await audit.recent(10)).toEqual([]);
  });

  it('runs the messages of one receive side by side, so one slow message holds up no other', async () => {
    const { queue } = await setup();
    let inFlight = 0;
    let most = 0;
    const handled: string[] = [];
    const pump = pumpOf(
      queue,
      async (message) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 50));
        handled.push((message as { id: string }).id);
        inFlight -= 1;
      },
      { batchSize: 16, newBatchThreshold: 8, visibilityTimeoutMs: 30_000 },
    );
    for (const id of ['a', 'b', 'c']) await queue.enqueue(anEvent(id));

    expect(await pump.drainOnce()).toBe(3);

    expect(most).toBe(3);
    expect(handled.sort()).toEqual(['a', 'b', 'c']);
    expect(await queue.depth()).toEqual({ active: 0, poison: 0 });
  });

  it('fetches the next batch while a slow message of the last one is still running', async () => {
    const { queue } = await setup();
    const handled: string[] = [];
    let cDone: () => void = () => undefined;
    const cHandled = new Promise<void>((resolve) => (cDone = resolve));
    const pump = pumpOf(
      queue,
      async (message) => {
        const id = (message as { id: string }).id;
        // "a" finishes only once "c", which comes in the next batch, is done (or gives up after 5 s).
        if (id === 'a') {
          await Promise.race([cHandled, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        }
        handled.push(id);
        if (id === 'c') cDone();
      },
      { batchSize: 2, newBatchThreshold: 1, visibilityTimeoutMs: 30_000 },
    );
    for (const id of ['a', 'b', 'c']) await queue.enqueue(anEvent(id));

    expect(await pump.drainOnce()).toBe(3);

    expect(handled.indexOf('c')).toBeLessThan(handled.indexOf('a'));
    expect(await queue.depth()).toEqual({ active: 0, poison: 0 });
  });
});
