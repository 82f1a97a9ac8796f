import type { HttpFunctionDefinition, ServicesProvider } from './definition.js';
import { json, toHttpResponse } from './http-response.js';

/** GET /api/v1/health: 200 when storage and PhotoShelter both answer, 503 (with which one) otherwise. */
export function health(services: ServicesProvider): HttpFunctionDefinition {
  return {
    trigger: 'http',
    name: 'health',
    route: 'v1/health',
    methods: ['GET'],
    handler: async (_request, context) => {
      try {
        const s = await services();
        const [storage, photoShelter] = await Promise.all([
          s.checkStorage(),
          s.archive.checkHealth(),
        ]);
        const isHealthy = storage.ok && photoShelter.ok;
        return json(isHealthy ? 200 : 503, {
          status: isHealthy ? 'ok' : 'degraded',
          storage,
          photoShelter,
          embedded: s.embedded,
        });
      } catch (e: unknown) {
        return toHttpResponse(e, context);
      }
    },
  };
}
