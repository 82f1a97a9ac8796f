import type { InvocationContext } from '@azure/functions';

import { handleWebhookMessage, type WebhookDeps } from '../core/use-cases/webhooks.js';
import type { Provider, QueueFunctionDefinition } from './definition.js';

/**
 * Queue trigger on the webhooks queue: one delivery attempt per message, apart from the events queue
 * so a slow subscriber never holds up reviews. A failed attempt queues its own retry with a backoff;
 * throwing (storage trouble) leaves the message to come back, and QUEUE_MAX_DEQUEUE deliveries move it
 * to "<queue>-poison".
 */
export function deliverWebhook(services: Provider<WebhookDeps>): QueueFunctionDefinition {
  return {
    trigger: 'queue',
    name: 'deliverWebhook',
    queueSetting: 'WEBHOOKS_QUEUE',
    handler: async (message: unknown, context: InvocationContext) => {
      const s = await services();
      const result = await handleWebhookMessage(
        { ...s, logger: s.logger.child('deliverWebhook') },
        message,
      );
      context.log(`deliverWebhook: ${result.outcome} ${result.id}`);
    },
  };
}
