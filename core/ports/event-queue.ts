import type { QueueMessage } from '../model/queue-message.js';

/** A message as the queue hands it over: the raw body is parsed by whoever consumes it. */
export interface QueuedMessage {
  readonly messageId: string;
  readonly receipt: string;
  readonly dequeueCount: number;
  readonly body: string;
  readonly insertedAt: string | undefined;
}

export interface PoisonMessage {
  readonly messageId: string;
  readonly body: string;
  readonly insertedAt: string | undefined;
}

/** Durable at-least-once delivery of library events and review work, with a poison queue for messages that keep failing. */
export interface EventQueue {
  /** `delayMs`: the message stays invisible that long first (a retry's backoff). */
  enqueue(message: QueueMessage, options?: { readonly delayMs?: number }): Promise<void>;
  receive(max: number, visibilityTimeoutMs: number): Promise<readonly QueuedMessage[]>;
  complete(message: QueuedMessage): Promise<void>;
  /** Moves a message that failed too often aside, where people can see it. */
  moveToPoison(message: QueuedMessage): Promise<void>;
  depth(): Promise<{ readonly active: number; readonly poison: number }>;
  peekPoison(max: number): Promise<readonly PoisonMessage[]>;
  /**
   * Puts a message that can never succeed (invalid, refused for good) on the poison queue with the
   * reason, instead of letting it fail until the host gives up on it.
   */
  poison(message: unknown, reason: string): Promise<void>;
  /**
   * Moves up to `max` poisoned messages back onto the queue, without their reasons and retry counts,
   * for another go once the cause is fixed. Returns how many moved.
   */
  replayPoison(max: number): Promise<number>;
}
