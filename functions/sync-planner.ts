import type { InvocationContext } from '@azure/functions';

import {
  type SyncPlannerDeps,
  syncPlanner as syncPlannerUseCase,
} from '../core/use-cases/sync-planner.js';
import type { Provider, TimerFunctionDefinition } from './definition.js';

/** Timer: turns tasks completed or moved in Planner into review decisions (docs/architecture.md). */
export function syncPlanner(services: Provider<SyncPlannerDeps>): TimerFunctionDefinition {
  return {
    trigger: 'timer',
    name: 'syncPlanner',
    scheduleSetting: 'SYNC_PLANNER_SCHEDULE',
    handler: async (_timer, context: InvocationContext) => {
      const s = await services();
      const result = await syncPlannerUseCase({ ...s, logger: s.logger.child('syncPlanner') });
      context.log(
        `syncPlanner: ${result.reviewsChecked} checked, ${result.decided.length} decided`,
      );
    },
  };
}
