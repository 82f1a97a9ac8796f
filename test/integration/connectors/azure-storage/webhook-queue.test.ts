import { describe, expect, it } from 'vitest';

import {
  ensureStorage,
  storageClients,
} from '../../../../connectors/azure-storage/storage-clients.js';
import { StorageEventQueue } from '../../../../connectors/azure-storage/storage-event-queue.js';
import type { WebhookDeliver } from '../../../../core/model/queue-message.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../../../support/azurite.js';

const anAttempt = (attempt: number): WebhookDeliver => ({
  type: 'webhook.deliver',
  id: `review.opened:G0000aaaaaaaaaaa~1>sub-1#${attempt}`,
  eventId: 'review.opened:G0000aaaaaaaaaaa~1',
  subscriptionId: 'sub-1',
  attempt,
  body: '{"id":"review.opened:G0000aaaaaaaaaaa~1"}',
});

describe('the webhooks queue on Azurite', () => {
  it('is a queue of its own, beside the events queue, with its own poison queue', async () => {
    const prefix = uniqueStoragePrefix();
    const clients = storageClients(azuriteConnectionString(), {
      prefix,
      webhooksQueue: 'hooks',
    });
    await ensureStorage(clients);
    expect(clients.webhookQueues.events.name).toBe(`${prefix}hooks`);
    expect(clients.webhookQueues.poison.name).toBe(`${prefix}hooks-poison`);
    const events = new StorageEventQueue(clients.queues);
    const webhooks = new StorageEventQueue(clients.webhookQueues);

    await webhooks.enqueue(anAttempt(1));
    expect(await events.depth()).toEqual({ active: 0, poison: 0 });
    const [message] = await webhooks.receive(1, 30_000);
    expect(JSON.parse(message?.body ?? '{}')).toEqual(anAttempt(1));
    if (message !== undefined) await webhooks.moveToPoison(message);
    expect(await webhooks.depth()).toEqual({ active: 0, poison: 1 });
    expect(await events.depth()).toEqual({ active: 0, poison: 0 });
  });

  it('keeps a retry out of sight for its backoff', async () => {
    const clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
    await ensureStorage(clients);
    const webhooks = new StorageEventQueue(clients.webhookQueues);
    await webhooks.enqueue(anAttempt(2), { delayMs: 60_000 });
    expect(await webhooks.receive(1, 30_000)).toEqual([]);
    expect((await webhooks.depth()).active).toBe(1);
  });
});
