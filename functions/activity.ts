import { z } from 'zod';

import { ValidationError } from '../core/errors.js';
import { detectChanges } from '../core/use-cases/detect-changes.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { EventQueue } from '../core/ports/event-queue.js';
import type { ApiKeyDeps, HttpFunctionDefinition, Provider } from './definition.js';
import type { PollDeps } from './poll-photoshelter.js';
import { httpFunction, json } from './http-response.js';
import { parse } from './read-json.js';

/** What the operator routes use: the audit log, both queues and the poll. */
export interface ActivityDeps extends ApiKeyDeps, PollDeps {
  readonly audit: AuditLog;
  readonly webhookQueue: EventQueue;
  /** The queue names, as operators see them in the storage account. */
  readonly eventsQueueName: string;
  readonly webhooksQueueName: string;
}

const limitSchema = z.coerce.number().int().min(1).max(200).default(50);

function parseLimit(raw: string | null): number {
  const parsed = limitSchema.safeParse(raw ?? undefined);
  if (!parsed.success) throw ValidationError.fromZod('Query parameter limit', parsed.error);
  return parsed.data;
}

/** GET /api/v1/activity?limit=N: the newest audit entries (detected events and what was done). */
export function listActivity(services: Provider<ActivityDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'listActivity', route: 'v1/activity', methods: ['GET'], auth: 'apiKey' },
    async (s, request) => {
      const limit = parseLimit(request.query.get('limit'));
      return json(200, { entries: await s.audit.recent(limit) });
    },
  );
}

/**
 * GET /api/v1/queues: depth of the events queue and the poison messages, for people to inspect; the
 * same for the webhooks queue under `webhooks`.
 */
export function inspectQueues(services: Provider<ActivityDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'inspectQueues', route: 'v1/queues', methods: ['GET'], auth: 'apiKey' },
    async (s) => {
      const [depth, poison, webhookDepth, webhookPoison] = await Promise.all([
        s.queue.depth(),
        s.queue.peekPoison(32),
        s.webhookQueue.depth(),
        s.webhookQueue.peekPoison(32),
      ]);
      return json(200, {
        queue: s.eventsQueueName,
        depth,
        poison,
        webhooks: { queue: s.webhooksQueueName, depth: webhookDepth, poison: webhookPoison },
      });
    },
  );
}

const replayQuerySchema = z.object({
  max: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * POST /api/v1/queues/poison/replay?max=100: puts poisoned messages (events and webhooks) back on
 * their queues, as they were first queued, once whatever poisoned them is fixed.
 */
export function replayPoison(services: Provider<ActivityDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'replayPoison', route: 'v1/queues/poison/replay', methods: ['POST'], auth: 'apiKey' },
    async (s, request) => {
      const { max } = parse(
        replayQuerySchema,
        Object.fromEntries(request.query.entries()),
        'Query parameters',
      );
      const events = await s.queue.replayPoison(max);
      const webhooks = await s.webhookQueue.replayPoison(max);
      s.logger.child('replayPoison').info('poison messages replayed', { events, webhooks });
      await s.audit.append({
        at: s.clock.now().toISOString(),
        kind: 'queue.poison.replayed',
        subject: s.eventsQueueName,
        summary: `Replayed ${events} poisoned event${events === 1 ? '' : 's'} and ${webhooks} webhook deliver${webhooks === 1 ? 'y' : 'ies'}`,
        data: { events, webhooks },
      });
      return json(200, { replayed: { events, webhooks } });
    },
  );
}

/** POST /api/v1/poll: run change detection now instead of waiting for the timer. */
export function pollNow(services: Provider<ActivityDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'pollNow', route: 'v1/poll', methods: ['POST'], auth: 'apiKey' },
    async (s) => {
      const result = await detectChanges(
        { ...s, logger: s.logger.child('pollNow') },
        s.detectOptions,
      );
      return json(200, result);
    },
  );
}
