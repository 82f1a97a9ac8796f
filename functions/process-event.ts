import type { InvocationContext } from '@azure/functions';

import {
  processEvent as processQueuedEvent,
  type ProcessEventDeps,
} from '../core/use-cases/process-event.js';
import { settleQueueWork } from '../core/use-cases/queue-failures.js';
import type { Provider, QueueFunctionDefinition } from './definition.js';

/**
 * Queue trigger on the events queue. A transient failure (throttling, an upstream's 5xx, no answer, a
 * lost race) queues the message again as a new one after a growing delay, so an outage never uses up
 * its QUEUE_MAX_DEQUEUE deliveries; a message that can never succeed goes to the poison queue at once
 * with its reason (core/use-cases/queue-failures.ts). Anything else is thrown, and the host delivers
 * it again as before.
 */
export function processEvent(services: Provider<ProcessEventDeps>): QueueFunctionDefinition {
  return {
    trigger: 'queue',
    name: 'processEvent',
    queueSetting: 'EVENTS_QUEUE',
    handler: async (message: unknown, context: InvocationContext) => {
      const s = await services();
      const logger = s.logger.child('processEvent');
      const outcome = await settleQueueWork({ queue: s.queue, logger }, message, (parsed) =>
        processQueuedEvent({ ...s, logger }, parsed),
      );
      if (outcome.kind === 'done') {
        const { result } = outcome;
        context.log(`processEvent: ${result.kind} ${'id' in result ? result.id : result.reviewId}`);
      } else {
        context.log(`processEvent: ${outcome.kind}`);
      }
    },
  };
}
