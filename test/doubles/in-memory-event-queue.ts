import type { LibraryEvent } from '../../core/model/library-event.js';
import { asRecord, type QueueMessage, withoutRetryMarks } from '../../core/model/queue-message.js';
import type { EventQueue, PoisonMessage, QueuedMessage } from '../../core/ports/event-queue.js';

interface Stored {
  messageId: string;
  body: string;
  dequeueCount: number;
  invisibleUntil: number;
  receipt: string;
}

/** A queue with visibility timeouts and dequeue counts, timed by an injected `now`. */
export class InMemoryEventQueue implements EventQueue {
  private readonly active: Stored[] = [];
  private readonly poisoned: PoisonMessage[] = [];
  private sequence = 0;
  /** Makes the next enqueue throw, to simulate a crash or an outage at that point. */
  failNextEnqueue: Error | undefined;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Every message ever enqueued, in order, including ones already consumed. */
  readonly messages: QueueMessage[] = [];

  /** The library events among them. */
  get sent(): LibraryEvent[] {
    return this.messages.filter(
      (m): m is LibraryEvent =>
        m.type === 'asset.uploaded' ||
        m.type === 'asset.replaced' ||
        m.type === 'metadata.changed' ||
        m.type === 'gallery.shared',
    );
  }

  enqueue(event: QueueMessage, options?: { readonly delayMs?: number }): Promise<void> {
    if (this.failNextEnqueue !== undefined) {
      const failure = this.failNextEnqueue;
      this.failNextEnqueue = undefined;
      return Promise.reject(failure);
    }
    this.sequence += 1;
    this.messages.push(event);
    this.active.push({
      messageId: `m${this.sequence}`,
      body: JSON.stringify(event),
      dequeueCount: 0,
      invisibleUntil: options?.delayMs === undefined ? 0 : this.now() + options.delayMs,
      receipt: '',
    });
    return Promise.resolve();
  }

  receive(max: number, visibilityTimeoutMs: number): Promise<readonly QueuedMessage[]> {
    const now = this.now();
    const visible = this.active.filter((m) => m.invisibleUntil <= now).slice(0, max);
    return Promise.resolve(
      visible.map((m) => {
        this.sequence += 1;
        m.dequeueCount += 1;
        m.invisibleUntil = now + visibilityTimeoutMs;
        m.receipt = `r${this.sequence}`;
        return {
          messageId: m.messageId,
          receipt: m.receipt,
          dequeueCount: m.dequeueCount,
          body: m.body,
          insertedAt: undefined,
        };
      }),
    );
  }

  complete(message: QueuedMessage): Promise<void> {
    const index = this.active.findIndex(
      (m) => m.messageId === message.messageId && m.receipt === message.receipt,
    );
    if (index >= 0) this.active.splice(index, 1);
    return Promise.resolve();
  }

  async moveToPoison(message: QueuedMessage): Promise<void> {
    this.poisoned.push({ messageId: message.messageId, body: message.body, insertedAt: undefined });
    await this.complete(message);
  }

  depth(): Promise<{ active: number; poison: number }> {
    return Promise.resolve({ active: this.active.length, poison: this.poisoned.length });
  }

  peekPoison(max: number): Promise<readonly PoisonMessage[]> {
    return Promise.resolve(this.poisoned.slice(0, max));
  }

  poison(message: unknown, reason: string): Promise<void> {
    this.sequence += 1;
    this.poisoned.push({
      messageId: `p${this.sequence}`,
      body: JSON.stringify({ ...asRecord(message), poisonReason: reason }),
      insertedAt: undefined,
    });
    return Promise.resolve();
  }

  replayPoison(max: number): Promise<number> {
    const moved = this.poisoned.splice(0, max);
    for (const message of moved) {
      this.sequence += 1;
      this.active.push({
        messageId: `m${this.sequence}`,
        body: withoutRetryMarks(message.body),
        dequeueCount: 0,
        invisibleUntil: 0,
        receipt: '',
      });
    }
    return Promise.resolve(moved.length);
  }
}
