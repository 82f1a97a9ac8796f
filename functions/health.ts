import { lastReconcile } from '../core/use-cases/reconcile-reviews.js';
import type { HttpFunctionDefinition, ServicesProvider } from './definition.js';
import { json, toHttpResponse } from './http-response.js';

/**
 * GET /api/v1/health: 200 when storage and PhotoShelter both answer, 503 otherwise, naming what is
 * down in `down`; with how many reviews lag their effects (the last reconcile sweep) and how many
 * messages wait in the poison queues. No key is needed, so it says what is wrong in our words, never an upstream's text.
 */
export function health(services: ServicesProvider): HttpFunctionDefinition {
  return {
    trigger: 'http',
    name: 'health',
    route: 'v1/health',
    methods: ['GET'],
    handler: async (_request, context) => {
      try {
        const s = await services();
        const [storage, photoShelter, reconciled, webhookDepth] = await Promise.all([
          s.checkStorage(),
          s.archive.checkHealth(),
          // Work that needs a person or is still catching up: counts only, no ids (no key here).
          lastReconcile(s).catch(() => undefined),
          s.webhookQueue.depth().catch(() => undefined),
        ]);
        const down = [
          ...(storage.ok ? [] : ['storage']),
          ...(photoShelter.ok ? [] : ['photoShelter']),
        ];
        return json(down.length === 0 ? 200 : 503, {
          status: down.length === 0 ? 'ok' : 'degraded',
          down,
          storage,
          photoShelter,
          lagging:
            reconciled === undefined
              ? null
              : { reviews: reconciled.lagging, checked: reconciled.checked, at: reconciled.at },
          poison: {
            events: storage.queue?.poison ?? null,
            webhooks: webhookDepth?.poison ?? null,
          },
          embedded: s.embedded,
        });
      } catch (e: unknown) {
        return toHttpResponse(e, context);
      }
    },
  };
}
