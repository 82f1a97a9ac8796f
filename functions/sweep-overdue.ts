import type { InvocationContext } from '@azure/functions';

import { sweepOverdue as sweepOverdueUseCase } from '../core/use-cases/sweep-overdue.js';
import type { Provider, TimerFunctionDefinition } from './definition.js';

type SweepOverdueDeps = Parameters<typeof sweepOverdueUseCase>[0];

/** Timer: announces reviews past their due date to `review.overdue` subscribers, once per due date. */
export function sweepOverdue(services: Provider<SweepOverdueDeps>): TimerFunctionDefinition {
  return {
    trigger: 'timer',
    name: 'sweepOverdue',
    scheduleSetting: 'OVERDUE_SCHEDULE',
    handler: async (_timer, context: InvocationContext) => {
      const s = await services();
      const result = await sweepOverdueUseCase({ ...s, logger: s.logger.child('sweepOverdue') });
      context.log(`sweepOverdue: ${result.overdue} overdue, ${result.published} announced`);
    },
  };
}
