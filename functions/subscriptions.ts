import { randomBytes, randomUUID } from 'node:crypto';

import { z } from 'zod';

import { NotFoundError } from '../core/errors.js';
import { type ReviewEventType, type Subscription } from '../core/model/subscription.js';
import { subscribe, unsubscribe } from '../core/use-cases/webhooks.js';
import type { HttpFunctionDefinition, ServicesProvider } from './definition.js';
import { httpFunction, json } from './http-response.js';
import { parse, readJson } from './read-json.js';

// Webhook subscriptions, shaped for Power Automate triggers (connector/apiDefinition.swagger.json):
// a flow subscribes with POST and gets 201 + Location; Power Automate DELETEs that Location when the
// flow is turned off or deleted.
// https://learn.microsoft.com/connectors/custom-connectors/create-webhook-trigger

/** The path segment of each event: `/subscriptions/review-opened` … */
const eventByPath: Record<string, ReviewEventType> = {
  'review-opened': 'review.opened',
  'review-decided': 'review.decided',
  'review-overdue': 'review.overdue',
};

const subscribeBodySchema = z
  .object({
    callbackUrl: z.url(),
    /** Only reviews of this routing rule. */
    rule: z.string().min(1).max(200).optional(),
    /** The signing key to use; omitted, one is generated and returned in this answer only. */
    secret: z.string().min(16).max(200).optional(),
  })
  .strict();

/** What a caller sees of a subscription; the secret only when `withSecret` (the creating answer). */
function present(s: Subscription, withSecret: boolean) {
  return {
    id: s.id,
    event: s.event,
    callbackUrl: s.callbackUrl,
    rule: s.rule ?? null,
    status: s.status,
    consecutiveFailures: s.consecutiveFailures,
    disabledReason: s.disabledReason ?? null,
    createdAt: s.createdAt,
    lastDeliveryAt: s.lastDeliveryAt ?? null,
    ...(withSecret ? { secret: s.secret } : {}),
  };
}

/** POST /api/v1/subscriptions/{event}: 201, Location of the new subscription, its signing secret. */
export function createSubscription(services: ServicesProvider): HttpFunctionDefinition {
  return httpFunction(
    services,
    {
      name: 'createSubscription',
      route: 'v1/subscriptions/{event}',
      methods: ['POST'],
      auth: 'apiKey',
    },
    async (s, request) => {
      const event = eventByPath[request.params.event ?? ''];
      if (event === undefined) {
        throw new NotFoundError('Subscription event', request.params.event ?? '');
      }
      const body = parse(subscribeBodySchema, await readJson(request), 'Subscription');
      const created = await subscribe(
        {
          subscriptions: s.subscriptions,
          clock: s.clock,
          audit: s.audit,
          newId: randomUUID,
          newSecret: () => randomBytes(32).toString('base64url'),
        },
        { event, callbackUrl: body.callbackUrl, rule: body.rule, secret: body.secret },
      );
      // Absolute, on the host the caller reached: Power Automate DELETEs exactly this URL later.
      const location = `${new URL(request.url).origin}/api/v1/subscriptions/${created.id}`;
      return {
        ...json(201, present(created, true)),
        headers: { 'cache-control': 'no-store', location },
      };
    },
  );
}

/** GET /api/v1/subscriptions/{id}: the subscription and how its deliveries go (no secret). */
export function getSubscription(services: ServicesProvider): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'getSubscription', route: 'v1/subscriptions/{id}', methods: ['GET'], auth: 'apiKey' },
    async (s, request) => {
      const id = request.params.id ?? '';
      const stored = await s.subscriptions.get(id);
      if (stored === undefined) throw new NotFoundError('Subscription', id);
      return json(200, present(stored.subscription, false));
    },
  );
}

/** DELETE /api/v1/subscriptions/{id}: 204; no more deliveries, queued ones are dropped. */
export function deleteSubscription(services: ServicesProvider): HttpFunctionDefinition {
  return httpFunction(
    services,
    {
      name: 'deleteSubscription',
      route: 'v1/subscriptions/{id}',
      methods: ['DELETE'],
      auth: 'apiKey',
    },
    async (s, request) => {
      await unsubscribe(s, request.params.id ?? '');
      return { status: 204, headers: { 'cache-control': 'no-store' } };
    },
  );
}
