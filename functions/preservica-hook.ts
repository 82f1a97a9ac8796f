import { createHash } from 'node:crypto';

import { z } from 'zod';

import type { Clock } from '../core/ports/clock.js';
import type { EventQueue } from '../core/ports/event-queue.js';
import type { Logger } from '../core/ports/logger.js';
import type { ApiKeyDeps, HttpFunctionDefinition, Provider } from './definition.js';
import { httpFunction, json } from './http-response.js';
import { rawBody, refused } from './raw-body.js';

// Preservica's webhook (docs/preservica.md). Subscribing makes Preservica post `?challengeCode=…`,
// answered with the code's HMAC under the shared secret. A delivery's `Preservica-Signature` is
// checked over the raw bytes before anything is parsed: a bad or missing one is a 401 and nothing is
// queued. The entities go on the queue and the answer goes back at once; the worker asks Preservica
// how the ingest went (the delivery itself is not trusted for that).

/** A delivery names a few entities (one per ingested asset, or one per ingest); 1 MB is plenty. */
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_CHALLENGE = 512;

/** Preservica's shared secret, held by composition. */
export interface PreservicaDeliveries {
  /** Whether `signature` signs `rawBody` (constant-time). */
  verify(rawBody: Buffer, signature: string | undefined): boolean;
  /** The handshake's answer for `challengeCode`. */
  answer(challengeCode: string): {
    readonly challengeCode: string;
    readonly challengeResponse: string;
  };
}

export interface PreservicaHookDeps extends ApiKeyDeps {
  /** Undefined: Preservica webhooks are not configured here. */
  readonly preservicaHook: PreservicaDeliveries | undefined;
  readonly queue: EventQueue;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * `events[].entityRef` / `entityType` are [OFF SDK]; `trigger` and the other top-level fields come
 * from a third-party receiver [3P], so they are optional here.
 */
const deliverySchema = z.object({
  subscriptionId: z.string().max(200).optional(),
  timestamp: z.union([z.string().max(100), z.number()]).optional(),
  trigger: z.string().max(100).optional(),
  events: z
    .array(
      z
        .object({
          entityRef: z.string().min(1).max(200),
          entityType: z.string().max(10).optional(),
        })
        .loose(),
    )
    .min(1)
    .max(1000),
});

export function preservicaHook(services: Provider<PreservicaHookDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'preservicaHook', route: 'v1/hooks/preservica', methods: ['POST'], auth: 'own' },
    async (deps, request) => {
      const log = deps.logger.child('preservica-hook');
      const hook = deps.preservicaHook;
      if (hook === undefined) {
        return refused(404, 'not_found', 'Preservica webhooks are not configured here');
      }
      const challenge = request.query.get('challengeCode');
      if (challenge !== null) {
        if (challenge === '' || challenge.length > MAX_CHALLENGE) {
          return refused(400, 'validation', `challengeCode must be 1–${MAX_CHALLENGE} characters`);
        }
        log.info('preservica subscription handshake answered');
        return json(200, hook.answer(challenge));
      }
      const body = await rawBody(request, MAX_BODY_BYTES);
      if (body === undefined) {
        return refused(
          413,
          'too_large',
          `A Preservica delivery is at most ${MAX_BODY_BYTES} bytes`,
        );
      }
      if (!hook.verify(body, request.headers.get('preservica-signature') ?? undefined)) {
        log.warn('preservica delivery refused: bad or missing signature', { bytes: body.length });
        return refused(401, 'auth', 'Missing or wrong Preservica-Signature');
      }
      let parsed: z.infer<typeof deliverySchema>;
      try {
        const result = deliverySchema.safeParse(JSON.parse(body.toString('utf8')));
        if (!result.success) throw result.error;
        parsed = result.data;
      } catch {
        log.warn('preservica delivery dropped: not the envelope Preservica sends');
        return refused(400, 'validation', 'Expected {"trigger", "events":[{"entityRef", …}]}');
      }
      // [INF] Deliveries carry no id of their own: the same bytes are the same delivery.
      const digest = createHash('sha256').update(body).digest('hex').slice(0, 40);
      const entityRefs = [...new Set(parsed.events.map((e) => e.entityRef))];
      await deps.queue.enqueue({
        type: 'preservica.event',
        id: `preservica:${digest}`,
        trigger: parsed.trigger ?? 'unknown',
        entityRefs,
        receivedAt: deps.clock.now().toISOString(),
      });
      log.info('preservica delivery queued', {
        trigger: parsed.trigger ?? 'unknown',
        entities: entityRefs.length,
      });
      return json(200, { received: parsed.events.length, queued: 1 });
    },
  );
}
