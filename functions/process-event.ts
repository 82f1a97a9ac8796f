import type { InvocationContext } from '@azure/functions';

import { handleQueueMessage } from '../core/use-cases/handle-queue-message.js';
import type { QueueFunctionDefinition, ServicesProvider } from './definition.js';

/**
 * Queue trigger on the events queue. Throwing leaves the message to be delivered again; after
 * QUEUE_MAX_DEQUEUE deliveries the host moves it to the poison queue.
 */
export function processEvent(services: ServicesProvider): QueueFunctionDefinition {
  return {
    trigger: 'queue',
    name: 'processEvent',
    queueSetting: 'EVENTS_QUEUE',
    handler: async (message: unknown, context: InvocationContext) => {
      const s = await services();
      const result = await handleQueueMessage(
        { ...s, logger: s.logger.child('processEvent') },
        message,
      );
      context.log(`processEvent: ${result.kind} ${'id' in result ? result.id : result.reviewId}`);
    },
  };
}
