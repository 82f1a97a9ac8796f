import { describe, expect, it } from 'vitest';

import { QueuePump } from '../../../composition/queue-pump.js';
import type { LibraryEvent } from '../../../core/model/library-event.js';
import { parseLibraryEvent } from '../../../core/model/library-event.js';
import { recordLibraryEvent } from '../../../core/use-cases/record-library-event.js';
import type { QueueFunctionDefinition } from '../../../functions/definition.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../doubles/in-memory-audit-log.js';
import { InMemoryEffectLedger } from '../../doubles/in-memory-effect-ledger.js';
import { InMemoryEventQueue } from '../../doubles/in-memory-event-queue.js';
import { RecordingLogger } from '../../doubles/recording-logger.js';

const VISIBILITY_TIMEOUT_MS = 30_000;

function setup() {
  const clock = new FixedClock();
  const queue = new InMemoryEventQueue(() => clock.now().getTime());
  const audit = new InMemoryAuditLog();
  const deps = { ledger: new InMemoryEffectLedger(), audit, clock, logger: new RecordingLogger() };
  const definition: QueueFunctionDefinition = {
    trigger: 'queue',
    name: 'processEvent',
    queueSetting: 'EVENTS_QUEUE',
    handler: async (message) => {
      await recordLibraryEvent(deps, parseLibraryEvent(message));
    },
  };
  const logger = new RecordingLogger();
  const pump = new QueuePump(queue, definition, clock, logger, {
    maxDequeueCount: 3,
    batchSize: 8,
    newBatchThreshold: 4,
    visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
    idleDelayMs: 10,
  });
  return { clock, queue, audit, pump, logger };
}

const anEvent = (id: string): LibraryEvent => ({
  type: 'asset.uploaded',
  id,
  galleryId: 'G0000abcdefghijk',
  assetId: 'I0000abcdefghijk',
  file: { fileName: 'IMG_1.jpg', fileSize: 10, width: 4, height: 3 },
  detectedAt: '2026-11-23T09:00:00.000Z',
  occurredAt: '2026-11-23T09:00:00.000Z',
});

describe('QueuePump', () => {
  it('delivers each message to the function and deletes it on success', async () => {
    const { queue, audit, pump } = setup();
    await queue.enqueue(anEvent('e1'));
    await queue.enqueue(anEvent('e2'));

    expect(await pump.drainOnce()).toBe(2);

    expect(audit.entries).toHaveLength(2);
    expect(await queue.depth()).toEqual({ active: 0, poison: 0 });
  });

  it('redelivers a failing message and moves it to poison after the maximum deliveries', async () => {
    const { clock, queue, audit, pump, logger } = setup();
    await queue.enqueue({ ...anEvent('bad'), galleryId: 'not-a-gallery' });

    for (let delivery = 1; delivery <= 3; delivery += 1) {
      expect(await pump.drainOnce()).toBe(1);
      clock.advance(VISIBILITY_TIMEOUT_MS);
    }

    expect(await queue.depth()).toEqual({ active: 0, poison: 1 });
    const [poisoned] = await queue.peekPoison(10);
    expect(poisoned?.body).toContain('not-a-gallery');
    expect(audit.entries).toHaveLength(0);
    expect(logger.records.map((r) => r.message)).toEqual([
      'message failed; it will be delivered again',
      'message failed; it will be delivered again',
      'message moved to poison queue',
    ]);
  });
});
