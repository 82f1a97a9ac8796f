import type { QueueClient } from '@azure/storage-queue';

import { ConflictError, ValidationError } from '../../core/errors.js';
import { asRecord, type QueueMessage, withoutRetryMarks } from '../../core/model/queue-message.js';
import type { EventQueue, PoisonMessage, QueuedMessage } from '../../core/ports/event-queue.js';
import type { StorageQueues } from './storage-clients.js';
import { describeFailure, toStorageError } from './errors.js';

/** The service hands out and shows at most 32 messages per call. */
const MAX_PER_CALL = 32;

/** A queue message may be 64 KiB, counted after encoding. */
const MAX_MESSAGE_LENGTH = 64 * 1024;

// -1: never expire. The default (7 days) would silently drop events nobody processed during an outage
// and poison messages nobody looked at (https://learn.microsoft.com/rest/api/storageservices/put-message).
const NEVER_EXPIRES = -1;

/**
 * Library events on an Azure Storage queue, with `<queue>-poison` beside it. Bodies are base64
 * JSON, which the Functions queue trigger decodes by default (`messageEncoding`,
 * https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#host-json).
 */
export class StorageEventQueue implements EventQueue {
  private readonly events: QueueClient;
  private readonly poisonQueue: QueueClient;

  constructor(queues: StorageQueues) {
    this.events = queues.events;
    this.poisonQueue = queues.poison;
  }

  async enqueue(event: QueueMessage, options?: { readonly delayMs?: number }): Promise<void> {
    const text = encodeBody(JSON.stringify(event));
    if (text.length > MAX_MESSAGE_LENGTH) {
      throw new ValidationError('Queue message too large', [
        `event ${event.id}: ${text.length} bytes encoded, limit ${MAX_MESSAGE_LENGTH}`,
      ]);
    }
    try {
      // visibilityTimeout on send delays the first delivery (whole seconds, up to 7 days).
      // https://learn.microsoft.com/rest/api/storageservices/put-message
      const delaySeconds = Math.min(7 * 24 * 3600, Math.ceil((options?.delayMs ?? 0) / 1000));
      await this.events.sendMessage(text, {
        messageTimeToLive: NEVER_EXPIRES,
        ...(delaySeconds > 0 ? { visibilityTimeout: delaySeconds } : {}),
      });
    } catch (e: unknown) {
      throw toStorageError('azure-queue', e, { what: 'queue', id: this.events.name });
    }
  }

  async receive(max: number, visibilityTimeoutMs: number): Promise<readonly QueuedMessage[]> {
    // The service counts visibility in whole seconds, at least one when receiving.
    const visibilityTimeout = Math.max(1, Math.ceil(visibilityTimeoutMs / 1000));
    const received: QueuedMessage[] = [];
    while (received.length < max) {
      const asked = Math.min(MAX_PER_CALL, max - received.length);
      const items = await this.receiveBatch(asked, visibilityTimeout);
      for (const item of items) {
        received.push({
          messageId: item.messageId,
          receipt: item.popReceipt,
          dequeueCount: item.dequeueCount,
          body: decodeBody(item.messageText),
          insertedAt: item.insertedOn.toISOString(),
        });
      }
      if (items.length < asked) break;
    }
    return received;
  }

  private async receiveBatch(numberOfMessages: number, visibilityTimeout: number) {
    try {
      const response = await this.events.receiveMessages({ numberOfMessages, visibilityTimeout });
      return response.receivedMessageItems;
    } catch (e: unknown) {
      throw toStorageError('azure-queue', e, { what: 'queue', id: this.events.name });
    }
  }

  async complete(message: QueuedMessage): Promise<void> {
    try {
      await this.events.deleteMessage(message.messageId, message.receipt);
    } catch (e: unknown) {
      // Already gone (deleted by an earlier attempt, or expired): what we wanted anyway. A receipt
      // mismatch (400/404 PopReceiptMismatch) means another consumer received it since; that one
      // now owns it, so it stays and the caller learns of the conflict.
      const failure = describeFailure(e);
      if (failure.status === 404 && failure.code === 'MessageNotFound') return;
      if (failure.code === 'PopReceiptMismatch') {
        throw new ConflictError(`message ${message.messageId} was received again meanwhile`, {
          cause: e,
          details: { requestId: failure.requestId },
        });
      }
      throw toStorageError('azure-queue', e, { what: 'message', id: message.messageId });
    }
  }

  async moveToPoison(message: QueuedMessage): Promise<void> {
    // Copy first, delete second: a crash in between leaves the message in both queues (seen twice),
    // never in neither.
    try {
      await this.poisonQueue.sendMessage(encodeBody(message.body), {
        messageTimeToLive: NEVER_EXPIRES,
      });
    } catch (e: unknown) {
      throw toStorageError('azure-queue', e, { what: 'queue', id: this.poisonQueue.name });
    }
    await this.complete(message);
  }

  async poison(message: unknown, reason: string): Promise<void> {
    const body = JSON.stringify({ ...asRecord(message), poisonReason: reason.slice(0, 500) });
    try {
      await this.poisonQueue.sendMessage(encodeBody(body), { messageTimeToLive: NEVER_EXPIRES });
    } catch (e: unknown) {
      throw toStorageError('azure-queue', e, { what: 'queue', id: this.poisonQueue.name });
    }
  }

  async replayPoison(max: number): Promise<number> {
    let moved = 0;
    while (moved < max) {
      let items;
      try {
        // Hidden while they are moved, so two replays at once do not move one message twice.
        const response = await this.poisonQueue.receiveMessages({
          numberOfMessages: Math.min(MAX_PER_CALL, max - moved),
          visibilityTimeout: 60,
        });
        items = response.receivedMessageItems;
      } catch (e: unknown) {
        throw toStorageError('azure-queue', e, { what: 'queue', id: this.poisonQueue.name });
      }
      if (items.length === 0) break;
      for (const item of items) {
        // Back first, delete second: a crash in between replays it twice, never loses it.
        try {
          await this.events.sendMessage(
            encodeBody(withoutRetryMarks(decodeBody(item.messageText))),
            {
              messageTimeToLive: NEVER_EXPIRES,
            },
          );
          await this.poisonQueue.deleteMessage(item.messageId, item.popReceipt);
        } catch (e: unknown) {
          throw toStorageError('azure-queue', e, { what: 'message', id: item.messageId });
        }
        moved += 1;
      }
    }
    return moved;
  }

  async depth(): Promise<{ readonly active: number; readonly poison: number }> {
    const [active, poison] = await Promise.all([count(this.events), count(this.poisonQueue)]);
    return { active, poison };
  }

  async peekPoison(max: number): Promise<readonly PoisonMessage[]> {
    if (max <= 0) return [];
    try {
      // Peeking cannot page past the first 32 messages; that is what people look at first anyway.
      const { peekedMessageItems } = await this.poisonQueue.peekMessages({
        numberOfMessages: Math.min(max, MAX_PER_CALL),
      });
      return peekedMessageItems.map((item) => ({
        messageId: item.messageId,
        body: decodeBody(item.messageText),
        insertedAt: item.insertedOn.toISOString(),
      }));
    } catch (e: unknown) {
      throw toStorageError('azure-queue', e, { what: 'queue', id: this.poisonQueue.name });
    }
  }
}

async function count(queue: QueueClient): Promise<number> {
  try {
    // Approximate by design: it includes messages currently invisible (being processed).
    return (await queue.getProperties()).approximateMessagesCount ?? 0;
  } catch (e: unknown) {
    throw toStorageError('azure-queue', e, { what: 'queue', id: queue.name });
  }
}

function encodeBody(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * Decodes base64; a body that is not canonical base64 (someone put plain JSON on the queue by hand)
 * is passed on as it is, so the consumer reports it as a bad message instead of reading garbage.
 */
function decodeBody(text: string): string {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes.toString('utf8') : text;
}
