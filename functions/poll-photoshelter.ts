import type { InvocationContext } from '@azure/functions';

import {
  detectChanges,
  type DetectChangesDeps,
  type DetectChangesOptions,
} from '../core/use-cases/detect-changes.js';
import type { Provider, TimerFunctionDefinition } from './definition.js';

/** Only what watching PhotoShelter needs: a poll's cold start builds no Graph client and no bot. */
export interface PollDeps extends DetectChangesDeps {
  readonly detectOptions: DetectChangesOptions;
}

/** Timer: asks PhotoShelter what changed since the cursor and enqueues the events (docs/architecture.md). */
export function pollPhotoShelter(services: Provider<PollDeps>): TimerFunctionDefinition {
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
