import type { InvocationContext } from '@azure/functions';

import { handleWebhookMessage, type WebhookDeps } from '../core/use-cases/webhooks.js';
import type { Provider, QueueFunctionDefinition } from './definition.js';

/**
 * Queue trigger for the webhooks queue (apart, so a slow subscriber never holds up reviews): one
 * attempt per message; a failure queues its own backoff retry, a throw leaves it to the host.
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
