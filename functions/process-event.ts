import type { InvocationContext } from '@azure/functions';

import {
  processEvent as processQueuedEvent,
  type ProcessEventDeps,
} from '../core/use-cases/process-event.js';
import { settleQueueWork } from '../core/use-cases/queue-failures.js';
import type { Provider, QueueFunctionDefinition } from './definition.js';

/**
 * Queue trigger for the events queue; failures are settled by core/use-cases/queue-failures.ts
 * (transient: queued again; hopeless: poisoned with a reason; unknown: thrown for the host).
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
