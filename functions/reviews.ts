import { z } from 'zod';

import { randomUUID } from 'node:crypto';

import { NotFoundError } from '../core/errors.js';
import {
  decisionVerbSchema,
  decisionViaSchema,
  type Reviewer,
  reviewStatusSchema,
} from '../core/model/review.js';
import type { Directory } from '../core/ports/directory.js';
import type { PhotoArchive } from '../core/ports/photo-archive.js';
import { reviewView as present } from '../core/model/review-view.js';
import { galleryIdSchema } from '../core/model/ids.js';
import { decideReview, type DecideReviewDeps } from '../core/use-cases/decide-review.js';
import { requestReview as requestReviewUseCase } from '../core/use-cases/request-review.js';
import { findReviews } from '../core/use-cases/review-queue.js';
import type { ApiKeyDeps, HttpFunctionDefinition, Provider } from './definition.js';
import { httpFunction, json } from './http-response.js';
import { parse, readJson } from './read-json.js';

const listQuerySchema = z.object({
  status: z
    .string()
    .transform((s) => s.split(',').filter((part) => part !== ''))
    .pipe(z.array(reviewStatusSchema).min(1))
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const decisionBodySchema = z
  .object({
    /** Entra object id or user principal name of the reviewer the caller acts for. */
    reviewerId: z.string().min(1).max(256),
    verb: decisionVerbSchema,
    comment: z.string().max(2000).optional(),
    /** The card version the decision was made on; omit to decide on whatever is current. */
    cardVersion: z.number().int().positive().optional(),
  })
  .strict();

/**
 * `x-lightdesk-client`: the application recording decisions, shown as "via …" (blank: "the API").
 * Headers travel as Latin-1, so printable ASCII only.
 */
const clientHeaderSchema = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? value : undefined),
  z
    .string()
    .trim()
    .max(40)
    .regex(/^[\x20-\x7E]+$/, 'printable ASCII only')
    .pipe(decisionViaSchema)
    .optional(),
);

/** A user principal name is a sign-in name (`megan@contoso.com`); an Entra object id has no `@`. */
const isUpn = (reviewerId: string): boolean => reviewerId.includes('@');

/** What the review routes use. */
export interface ReviewsDeps extends ApiKeyDeps, DecideReviewDeps {
  readonly directory: Directory;
  readonly archive: PhotoArchive;
}

/**
 * The reviewer the caller names, by object id as given or by user principal name through the
 * directory; undefined when the directory knows no such user.
 */
async function reviewerIdOf(directory: Directory, reviewerId: string): Promise<string | undefined> {
  if (!isUpn(reviewerId)) return reviewerId;
  let person: Reviewer | undefined;
  try {
    [person] = await directory.resolveUsers([reviewerId]);
  } catch (e: unknown) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
  return person?.id;
}

/** GET /api/v1/reviews?status=pending,rereview&limit=50 */
export function listReviews(services: Provider<ReviewsDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'listReviews', route: 'v1/reviews', methods: ['GET'], auth: 'apiKey' },
    async (s, request) => {
      const query = parse(
        listQuerySchema,
        Object.fromEntries(request.query.entries()),
        'Query parameters',
      );
      // Every status unless asked (superseded ones too), most recently changed first, as the
      // connector's callers have always had them.
      const found = await findReviews(
        s,
        undefined,
        {
          view: 'all',
          statuses: query.status ?? reviewStatusSchema.options,
          order: 'updated',
          limit: query.limit,
        },
        s.clock.now(),
      );
      return json(200, { reviews: found.reviews.map((review) => present(review)) });
    },
  );
}

/** GET /api/v1/reviews/{id} */
export function getReview(services: Provider<ReviewsDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'getReview', route: 'v1/reviews/{id}', methods: ['GET'], auth: 'apiKey' },
    async (s, request) => {
      const id = request.params.id ?? '';
      const stored = await s.reviews.get(id);
      if (stored === undefined) throw new NotFoundError('Review', id);
      return json(200, present(stored.review));
    },
  );
}

/** POST /api/v1/reviews/{id}/decisions: the same decision a reviewer makes on the card. */
export function recordDecision(services: Provider<ReviewsDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    {
      name: 'recordDecision',
      route: 'v1/reviews/{id}/decisions',
      methods: ['POST'],
      auth: 'apiKey',
    },
    async (s, request) => {
      const body = parse(decisionBodySchema, await readJson(request), 'Decision');
      const client = parse(
        clientHeaderSchema,
        request.headers.get('x-lightdesk-client') ?? undefined,
        'x-lightdesk-client header',
      );
      const reviewerId = await reviewerIdOf(s.directory, body.reviewerId);
      if (reviewerId === undefined) {
        return json(404, {
          error: {
            code: 'not_found',
            message: `reviewerId: no such user in the directory: ${body.reviewerId}`,
          },
        });
      }
      // The key speaks for an application, not for the reviewer: the decision is recorded as made
      // on their behalf, via the caller, and every card, task and audit entry says so.
      const result = await decideReview(s, request.params.id ?? '', {
        reviewerId,
        verb: body.verb,
        comment: body.comment,
        cardVersion: body.cardVersion,
        source: 'api',
        via: client,
      });
      const review = present(result.current);
      switch (result.kind) {
        case 'decided':
          return json(201, { outcome: 'decided', review });
        case 'recorded':
          return json(201, { outcome: 'recorded', waitingFor: result.waitingFor, review });
        case 'alreadyDecided':
          return json(200, { outcome: 'alreadyDecided', review });
        case 'notReviewer':
          return json(403, {
            error: {
              code: 'forbidden',
              message: `${body.reviewerId} is not a reviewer of this batch`,
            },
          });
        case 'staleCard':
          return json(409, {
            error: {
              code: 'conflict',
              message: `cardVersion ${body.cardVersion ?? ''} is out of date; the review is at ${result.currentVersion}`,
            },
            review,
          });
        case 'closed':
          return json(409, {
            error: { code: 'conflict', message: `the review is already ${result.status}` },
            review,
          });
        case 'commentRequired':
          return json(400, {
            error: { code: 'validation', message: 'comment: a re-review needs a comment' },
          });
      }
    },
  );
}

const requestBodySchema = z
  .object({
    galleryId: galleryIdSchema,
    /** Why the review is asked for; kept with the request (up to 500 characters). */
    note: z.string().max(500).optional(),
  })
  .strict();

/**
 * POST /api/v1/reviews {"galleryId": "G0000…"}: review a gallery now. Answers 202 once the request is
 * queued; the review opens (or the gallery's open review takes the images) moments later.
 */
export function requestReview(services: Provider<ReviewsDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'requestReview', route: 'v1/reviews', methods: ['POST'], auth: 'apiKey' },
    async (s, request) => {
      const body = parse(requestBodySchema, await readJson(request), 'Review request');
      const queued = await requestReviewUseCase(
        { archive: s.archive, queue: s.queue, clock: s.clock, newId: randomUUID },
        body,
      );
      return json(202, {
        requestId: queued.requestId,
        galleryId: body.galleryId,
        galleryName: queued.galleryName,
        assetCount: queued.assetCount,
        status: 'queued',
      });
    },
  );
}
