import { ensureError } from '../core/errors.js';
import type { Clock } from '../core/ports/clock.js';
import type { EventQueue, QueuedMessage } from '../core/ports/event-queue.js';
import type { Logger } from '../core/ports/logger.js';
import type { QueueFunctionDefinition } from '../functions/definition.js';
import { invocationContext } from './http-adapter.js';

export interface QueuePumpOptions {
  readonly maxDequeueCount: number;
  readonly batchSize: number;
  /** Fetch the next batch once no more than this many are running (host.json; the host's default is batchSize / 2). */
  readonly newBatchThreshold: number;
  readonly visibilityTimeoutMs: number;
  readonly idleDelayMs: number;
}

/**
 * The Functions host's queue trigger, for the local host: delete on success, redeliver on failure,
 * poison after maxDequeueCount deliveries (host.json).
 */
export class QueuePump {
  private running = false;
  /** Set by stop(): drains take no further batch, so stopping waits only for messages in hand. */
  private isHalted = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly queue: EventQueue,
    private readonly definition: QueueFunctionDefinition,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: QueuePumpOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.isHalted = true;
    await this.loop;
  }

  /**
   * Drains what is visible with the Functions host's concurrency (`batchSize` side by side, the
   * next batch at `newBatchThreshold`) and returns how many messages it took.
   * https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#host-json
   */
  async drainOnce(): Promise<number> {
    const running = new Set<Promise<void>>();
    let taken = 0;
    for (;;) {
      const messages = this.isHalted
        ? []
        : await this.queue.receive(this.options.batchSize, this.options.visibilityTimeoutMs);
      if (messages.length === 0 && running.size === 0) break;
      taken += messages.length;
      for (const message of messages) {
        const handling: Promise<void> = this.handle(message).finally(() =>
          running.delete(handling),
        );
        running.add(handling);
      }
      // Nothing visible but work still running: wait for some of it, which may queue more.
      const threshold = messages.length === 0 ? running.size - 1 : this.options.newBatchThreshold;
      while (running.size > threshold) await Promise.race(running);
    }
    return taken;
  }

  private async handle(message: QueuedMessage): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(message.body);
    } catch {
      body = message.body; // the function's own schema check reports it
    }
    try {
      await this.definition.handler(body, invocationContext(this.definition.name, this.logger));
      await this.queue.complete(message);
    } catch (e: unknown) {
      const error = ensureError(e);
      try {
        if (message.dequeueCount >= this.options.maxDequeueCount) {
          await this.queue.moveToPoison(message);
          this.logger.error('message moved to poison queue', {
            messageId: message.messageId,
            dequeueCount: message.dequeueCount,
            error: error.message,
          });
        } else {
          this.logger.warn('message failed; it will be delivered again', {
            messageId: message.messageId,
            dequeueCount: message.dequeueCount,
            error: error.message,
          });
        }
      } catch (poison: unknown) {
        // Left where it is, the message reappears after its visibility timeout and is judged again.
        this.logger.error('could not move a failed message to the poison queue', {
          messageId: message.messageId,
          error: ensureError(poison).message,
        });
      }
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let handled = 0;
      try {
        handled = await this.drainOnce();
      } catch (e: unknown) {
        this.logger.error('queue receive failed', { error: ensureError(e).message });
      }
      if (handled === 0 && this.running) await this.clock.sleep(this.options.idleDelayMs);
    }
  }
}
