import type { InvocationContext } from '@azure/functions';
import { z } from 'zod';

import { NotFoundError } from '../core/errors.js';
import { galleryIdSchema } from '../core/model/ids.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { CursorStore } from '../core/ports/cursor-store.js';
import type { EffectLedger } from '../core/ports/effect-ledger.js';
import type { Logger } from '../core/ports/logger.js';
import type { PhotoArchive } from '../core/ports/photo-archive.js';
import {
  checkDrift as checkDriftUseCase,
  type DriftPolicy,
  lastDrift,
} from '../core/use-cases/drift.js';
import { restorePreserved } from '../core/use-cases/restore-preserved.js';
import { reviewView as present } from '../core/model/review-view.js';
import type { Clock } from '../core/ports/clock.js';
import type { EventQueue } from '../core/ports/event-queue.js';
import type { ReviewStore } from '../core/ports/review-store.js';
import { type PreservicaDeps, retryPreservation } from '../core/use-cases/preserve-review.js';
import type {
  ApiKeyDeps,
  HttpFunctionDefinition,
  Provider,
  TimerFunctionDefinition,
} from './definition.js';
import { httpFunction, json } from './http-response.js';
import { parse, readJson } from './read-json.js';

// Preservation routes (docs/preservica.md): retry a failed ingest, bring a preserved asset back,
// and the metadata drift between PhotoShelter and Preservica.

export interface PreservedDeps extends ApiKeyDeps {
  readonly preservica?: PreservicaDeps | undefined;
  readonly reviews: ReviewStore;
  readonly queue: EventQueue;
  readonly clock: Clock;
  readonly archive: PhotoArchive;
  readonly ledger: EffectLedger;
  readonly audit: AuditLog;
  readonly cursors: CursorStore;
  readonly logger: Logger;
  readonly driftPolicy: DriftPolicy;
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

const restoreBodySchema = z
  .object({
    galleryId: galleryIdSchema,
    /** Fields to change on the way back; the rest are as Preservica holds them. */
    metadata: z
      .object({
        title: z.string().max(500),
        caption: z.string().max(4000),
        keywords: z.array(z.string().min(1).max(200)).max(200),
        credit: z.string().max(500),
        rights: z.string().max(1000),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

const clientSchema = z.string().trim().min(1).max(100).default('the API');

/**
 * POST /api/v1/preserved/{ref}/restore {"galleryId", "metadata"?}: brings a preserved asset back into
 * a PhotoShelter gallery as a new asset (once per reference and gallery) and queues its review.
 */
export function restorePreservedAsset(services: Provider<PreservedDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    {
      name: 'restorePreservedAsset',
      route: 'v1/preserved/{ref}/restore',
      methods: ['POST'],
      auth: 'apiKey',
    },
    async (s, request) => {
      if (s.preservica === undefined) return notConfigured();
      const body = parse(restoreBodySchema, await readJson(request), 'Restore request');
      const client = parse(
        clientSchema,
        request.headers.get('x-lightdesk-client') ?? undefined,
        'x-lightdesk-client header',
      );
      const result = await restorePreserved(s, {
        reference: request.params.ref ?? '',
        galleryId: body.galleryId,
        metadata: body.metadata,
        requestedBy: client,
      });
      return json(result.fresh ? 201 : 200, {
        outcome: result.fresh ? 'restored' : 'alreadyRestored',
        ...result,
      });
    },
  );
}

/** GET /api/v1/drift: the last comparison of PhotoShelter and Preservica metadata. */
export function getDrift(services: Provider<PreservedDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'getDrift', route: 'v1/drift', methods: ['GET'], auth: 'apiKey' },
    async (s) => {
      if (s.preservica === undefined) return notConfigured();
      const report = await lastDrift(s);
      return report === undefined
        ? json(200, { report: null, message: 'No comparison has run yet (DRIFT_SCHEDULE)' })
        : json(200, { report });
    },
  );
}

/** Timer: compares the core metadata of preserved assets and syncs the fields DRIFT_SYNC names. */
export function checkDrift(services: Provider<PreservedDeps>): TimerFunctionDefinition {
  return {
    trigger: 'timer',
    name: 'checkDrift',
    scheduleSetting: 'DRIFT_SCHEDULE',
    handler: async (_timer, context: InvocationContext) => {
      const s = await services();
      if (s.preservica === undefined) return;
      const report = await checkDriftUseCase(s, s.driftPolicy);
      context.log(
        `checkDrift: ${report.assetsChecked} assets, ${report.differences} differences, ${report.synced} synced`,
      );
    },
  };
}
