import type { InvocationContext } from '@azure/functions';

import {
  type ReconcileDeps,
  reconcileReviews as reconcile,
} from '../core/use-cases/reconcile-reviews.js';
import type { Provider, TimerFunctionDefinition } from './definition.js';

/** Timer: queues a sync for every recent review whose task, card or PhotoShelter status lags it. */
export function reconcileReviews(services: Provider<ReconcileDeps>): TimerFunctionDefinition {
  return {
    trigger: 'timer',
    name: 'reconcileReviews',
    scheduleSetting: 'RECONCILE_SCHEDULE',
    handler: async (_timer, context: InvocationContext) => {
      const s = await services();
      const result = await reconcile({ ...s, logger: s.logger.child('reconcileReviews') });
      context.log(
        `reconcileReviews: ${result.checked} checked, ${result.lagging} lagging, ${result.queued} syncs queued`,
      );
    },
  };
}
