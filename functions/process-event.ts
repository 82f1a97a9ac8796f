import type { InvocationContext } from '@azure/functions';

import { RateLimitedError } from '../core/errors.js';
import { queueMessageSchema } from '../core/model/queue-message.js';
import { handleQueueMessage } from '../core/use-cases/handle-queue-message.js';
import type { QueueFunctionDefinition, ServicesProvider } from './definition.js';

/**
 * Queue trigger on the events queue. Throwing leaves the message to be delivered again; after
 * QUEUE_MAX_DEQUEUE deliveries the host moves it to the poison queue. A throttled message is queued
 * again instead, delayed as the service asked.
 */
/** Azure Queue Storage hides a new message for at most 7 days; throttling asks for far less. */
const maxThrottleDelayMs = 15 * 60_000;

export function processEvent(services: ServicesProvider): QueueFunctionDefinition {
  return {
    trigger: 'queue',
    name: 'processEvent',
    queueSetting: 'EVENTS_QUEUE',
    handler: async (message: unknown, context: InvocationContext) => {
      const s = await services();
      try {
        const result = await handleQueueMessage(
          { ...s, logger: s.logger.child('processEvent') },
          message,
        );
        context.log(`processEvent: ${result.kind} ${'id' in result ? result.id : result.reviewId}`);
      } catch (e: unknown) {
        // Throttled (Graph, Teams, PhotoShelter): come back when the service said, as a new message.
        // Failing instead would wait the host's visibility timeout, and a long spell of throttling
        // would send good work to the poison queue after QUEUE_MAX_DEQUEUE deliveries.
        const parsed = queueMessageSchema.safeParse(message);
        if (!(e instanceof RateLimitedError) || !parsed.success) throw e;
        const delayMs = Math.min(maxThrottleDelayMs, Math.max(1_000, e.retryAfterMs));
        await s.queue.enqueue(parsed.data, { delayMs });
        context.log(`processEvent: throttled; queued again in ${delayMs} ms`);
      }
    },
  };
}
