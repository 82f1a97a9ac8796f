import type { InvocationContext } from '@azure/functions';

import { detectChanges } from '../core/use-cases/detect-changes.js';
import type { ServicesProvider, TimerFunctionDefinition } from './definition.js';

/** Timer: asks PhotoShelter what changed since the cursor and enqueues the events (ARCHITECTURE.md §3.1). */
export function pollPhotoShelter(services: ServicesProvider): TimerFunctionDefinition {
  return {
    trigger: 'timer',
    name: 'pollPhotoShelter',
    scheduleSetting: 'POLL_SCHEDULE',
    handler: async (_timer, context: InvocationContext) => {
      const s = await services();
      const logger = s.logger.child('pollPhotoShelter');
      const result = await detectChanges({ ...s, logger }, s.detectOptions);
      context.log(`pollPhotoShelter: ${result.kind}`);
    },
  };
}
