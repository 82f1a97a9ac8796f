import { NotFoundError } from '../core/errors.js';
import { reviewView as present } from '../core/model/review-view.js';
import type { Clock } from '../core/ports/clock.js';
import type { EventQueue } from '../core/ports/event-queue.js';
import type { ReviewStore } from '../core/ports/review-store.js';
import { type PreservicaDeps, retryPreservation } from '../core/use-cases/preserve-review.js';
import type { ApiKeyDeps, HttpFunctionDefinition, Provider } from './definition.js';
import { httpFunction, json } from './http-response.js';

// Preservation routes (docs/preservica.md): retry a failed ingest.

export interface PreservedDeps extends ApiKeyDeps {
  readonly preservica?: PreservicaDeps | undefined;
  readonly reviews: ReviewStore;
  readonly queue: EventQueue;
  readonly clock: Clock;
}

const notConfigured = () =>
  json(404, { error: { code: 'not_found', message: 'Preservica is not configured here' } });

/**
 * POST /api/v1/reviews/{id}/preservation/retry: the next attempt of a failed ingest, continuing the
 * same package (Preservica skips what the failed attempt made). 202: the sync is queued.
 */
export function retryReviewPreservation(services: Provider<PreservedDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    {
      name: 'retryReviewPreservation',
      route: 'v1/reviews/{id}/preservation/retry',
      methods: ['POST'],
      auth: 'apiKey',
    },
    async (s, request) => {
      if (s.preservica === undefined) return notConfigured();
      const id = request.params.id ?? '';
      const before = await s.reviews.get(id);
      if (before === undefined) throw new NotFoundError('Review', id);
      const outcome = await retryPreservation(s, id);
      const after = (await s.reviews.get(id))?.review ?? before.review;
      if (outcome === 'notFailed') {
        const status = after.preservation?.status;
        return json(409, {
          error: {
            code: 'conflict',
            message:
              status === undefined
                ? 'this review has no preservation to retry'
                : `the review's preservation is ${status}, not failed`,
          },
          review: present(after),
        });
      }
      await s.queue.enqueue({
        type: 'review.sync',
        id: `review.sync:${id}:v${after.cardVersion}`,
        reviewId: id,
        reason: 'preservation retry',
      });
      return json(202, { outcome: 'retrying', review: present(after) });
    },
  );
}
