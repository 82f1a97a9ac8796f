import { setTimeout as delay } from 'node:timers/promises';

import { beforeEach, describe, expect, it } from 'vitest';

import { ConflictError } from '../../../../core/errors.js';
import { type LibraryEvent, libraryEventSchema } from '../../../../core/model/library-event.js';
import type { QueuedMessage } from '../../../../core/ports/event-queue.js';
import {
  ensureStorage,
  type StorageClients,
  storageClients,
} from '../../../../connectors/azure-storage/storage-clients.js';
import { StorageEventQueue } from '../../../../connectors/azure-storage/storage-event-queue.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../../../support/azurite.js';

const anUploadEvent = (overrides: { imageId?: string; fileName?: string } = {}): LibraryEvent => {
  const assetId = overrides.imageId ?? 'I0000bbbbbbbbbbb';
  return libraryEventSchema.parse({
    type: 'asset.uploaded',
    id: `asset.uploaded:G0000aaaaaaaaaaa:${assetId}:0abc123def456`,
    galleryId: 'G0000aaaaaaaaaaa',
    assetId,
    detectedAt: '2026-11-23T12:00:05.000Z',
    occurredAt: '2026-11-23T12:00:00.000Z',
    file: { fileName: overrides.fileName ?? 'harbour.jpg', fileSize: 1234, width: 60, height: 40 },
  });
};

const bodyOf = (message: { body: string }): unknown => JSON.parse(message.body);

/** Receives until `count` messages arrived; a visibility timeout has to run out in between. */
async function receiveEventually(
  queue: StorageEventQueue,
  count: number,
  visibilityMs: number,
): Promise<readonly QueuedMessage[]> {
  for (let round = 0; round < 100; round += 1) {
    const messages = await queue.receive(count, visibilityMs);
    if (messages.length >= count) return messages;
    await delay(100);
  }
  return [];
}

describe('StorageEventQueue on Azurite', () => {
  let clients: StorageClients;
  let queue: StorageEventQueue;

  beforeEach(async () => {
    clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
    await ensureStorage(clients);
    queue = new StorageEventQueue(clients.queues);
  });

  it('delivers an event, then forgets it once completed', async () => {
    const event = anUploadEvent();
    await queue.enqueue(event);
    expect(await queue.depth()).toEqual({ active: 1, poison: 0 });

    const [message, ...rest] = await queue.receive(10, 30_000);
    expect(rest).toEqual([]);
    expect(message?.dequeueCount).toBe(1);
    expect(message?.insertedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(bodyOf(message!)).toEqual(event);

    expect(await queue.receive(10, 30_000)).toEqual([]);
    await queue.complete(message!);
    expect(await queue.depth()).toEqual({ active: 0, poison: 0 });
  });

  it('puts base64 of the event JSON on the wire, as the Functions queue trigger expects', async () => {
    const event = anUploadEvent({ fileName: 'Zürich — über.jpg' });
    await queue.enqueue(event);

    const { peekedMessageItems } = await clients.queues.events.peekMessages();
    const raw = peekedMessageItems[0]?.messageText ?? '';
    expect(raw).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(JSON.parse(Buffer.from(raw, 'base64').toString('utf8'))).toEqual(event);
  });

  it('delivers again after the visibility timeout, counting deliveries', async () => {
    await queue.enqueue(anUploadEvent());
    const [first] = await queue.receive(1, 1000);
    expect(first?.dequeueCount).toBe(1);

    const [second] = await receiveEventually(queue, 1, 1000);
    expect(second?.messageId).toBe(first?.messageId);
    expect(second?.dequeueCount).toBe(2);

    // The first delivery's receipt is stale now: completing with it must not delete the message.
    await expect(queue.complete(first!)).rejects.toBeInstanceOf(ConflictError);
    await queue.complete(second!);
    expect(await queue.depth()).toEqual({ active: 0, poison: 0 });
  });

  it('moves a message to the poison queue, and out of the events queue', async () => {
    const event = anUploadEvent();
    await queue.enqueue(event);
    await queue.enqueue(anUploadEvent({ imageId: 'I0000ccccccccccc' }));
    const [message] = await queue.receive(1, 30_000);

    await queue.moveToPoison(message!);
    expect(await queue.depth()).toEqual({ active: 1, poison: 1 });

    const poisoned = await queue.peekPoison(10);
    expect(poisoned).toHaveLength(1);
    expect(poisoned[0]?.messageId).toEqual(expect.any(String));
    expect(bodyOf(poisoned[0]!)).toEqual(event);

    const remaining = await receiveEventually(queue, 1, 30_000);
    expect(remaining.map(bodyOf)).toEqual([anUploadEvent({ imageId: 'I0000ccccccccccc' })]);
    // Peeking leaves the poison queue as it was.
    expect(await queue.peekPoison(10)).toHaveLength(1);
  });

  it('receives more than the service hands out in one call', async () => {
    const events = Array.from({ length: 40 }, (_, i) =>
      anUploadEvent({ imageId: `I0000${String(i).padStart(11, '0')}` }),
    );
    for (const event of events) await queue.enqueue(event);
    expect(await queue.depth()).toEqual({ active: 40, poison: 0 });

    const received = await queue.receive(50, 30_000);
    expect(received).toHaveLength(40);
    expect(new Set(received.map((m) => (bodyOf(m) as LibraryEvent).id)).size).toBe(40);
  });

  it('passes a body that is not base64 through unchanged', async () => {
    await clients.queues.events.sendMessage('{"hand":"written"}');
    const [message] = await queue.receive(1, 30_000);
    expect(message?.body).toBe('{"hand":"written"}');
  });

  it('treats completing an already deleted message as done', async () => {
    await queue.enqueue(anUploadEvent());
    const [message] = await queue.receive(1, 30_000);
    await queue.complete(message!);
    await queue.complete(message!);
    expect(await queue.depth()).toEqual({ active: 0, poison: 0 });
  });
});
