import { z } from 'zod';

import type { Clock } from '../core/ports/clock.js';
import type { EventQueue } from '../core/ports/event-queue.js';
import type { Logger } from '../core/ports/logger.js';
import type { ApiKeyDeps, HttpFunctionDefinition, Provider } from './definition.js';
import { httpFunction, json } from './http-response.js';
import { rawBody, refused } from './raw-body.js';

// Ziflow's webhook (docs/ziflow.md): the signature is checked over the raw bytes before anything is
// parsed; a bad or missing one is a 401 and nothing is stored. Each event goes on the queue under
// its event id and the answer goes back at once, as Ziflow asks; the worker reads the proof.

/** Ziflow's deliveries are small JSON envelopes; anything much bigger is not one. */
const MAX_BODY_BYTES = 256 * 1024;

/** Checks a delivery's signature over its raw bytes (composition hands Ziflow's rule in). */
export interface SignedDeliveries {
  /** How the signature was valid (for the log), or undefined: missing or wrong. */
  verify(rawBody: Buffer, signature: string | undefined): string | undefined;
}

export interface ZiflowHookDeps extends ApiKeyDeps {
  /** Undefined: Ziflow webhooks are not configured here. */
  readonly ziflowHook: SignedDeliveries | undefined;
  readonly queue: EventQueue;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** [OFF] `{"events":[{"event_id","webhook_id",…}]}`; the proof's id field is [INF] `proof_id`. */
const deliverySchema = z.object({
  events: z
    .array(
      z
        .object({
          event_id: z.string().min(1).max(200),
          proof_id: z.union([z.string().min(1).max(200), z.number().transform(String)]).optional(),
          type: z.string().max(100).optional(),
          event: z.string().max(100).optional(),
        })
        .loose(),
    )
    .max(100),
});

export function ziflowHook(services: Provider<ZiflowHookDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'ziflowHook', route: 'v1/hooks/ziflow', methods: ['POST'], auth: 'own' },
    async (deps, request) => {
      const log = deps.logger.child('ziflow-hook');
      const hook = deps.ziflowHook;
      if (hook === undefined) {
        return refused(404, 'not_found', 'Ziflow webhooks are not configured here');
      }
      const body = await rawBody(request, MAX_BODY_BYTES);
      if (body === undefined) {
        return refused(413, 'too_large', `A Ziflow delivery is at most ${MAX_BODY_BYTES} bytes`);
      }
      const mode = hook.verify(body, request.headers.get('x-ziflow-signature') ?? undefined);
      if (mode === undefined) {
        log.warn('ziflow delivery refused: bad or missing signature', { bytes: body.length });
        return refused(401, 'auth', 'Missing or wrong x-ziflow-signature');
      }
      let parsed: z.infer<typeof deliverySchema>;
      try {
        const result = deliverySchema.safeParse(JSON.parse(body.toString('utf8')));
        if (!result.success) throw result.error;
        parsed = result.data;
      } catch {
        log.warn('ziflow delivery dropped: not the envelope Ziflow sends', { signatureMode: mode });
        return refused(400, 'validation', 'Expected {"events":[{"event_id", "proof_id", …}]}');
      }
      const receivedAt = deps.clock.now().toISOString();
      let queued = 0;
      for (const event of parsed.events) {
        if (event.proof_id === undefined) continue;
        await deps.queue.enqueue({
          type: 'ziflow.event',
          id: `ziflow:${event.event_id}`,
          proofId: event.proof_id,
          event: event.type ?? event.event ?? 'unknown',
          receivedAt,
        });
        queued += 1;
      }
      log.info('ziflow delivery queued', {
        events: parsed.events.length,
        queued,
        signatureMode: mode,
      });
      return json(200, { received: parsed.events.length, queued });
    },
  );
}
