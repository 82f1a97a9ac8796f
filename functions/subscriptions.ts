import { randomBytes, randomUUID } from 'node:crypto';

import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import { NotFoundError, ValidationError } from '../core/errors.js';
import {
  redactedUrl,
  type ReviewEventType,
  reviewEventTypeSchema,
  type Subscription,
  subscriptionFilterSchema,
  subscriptionIdSchema,
} from '../core/model/subscription.js';
import { subscribe, unsubscribe } from '../core/use-cases/webhooks.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { Clock } from '../core/ports/clock.js';
import type { SubscriptionStore } from '../core/ports/subscription-store.js';
import type { WebhookTargets } from '../core/ports/webhook-sender.js';
import type { ApiKeyDeps, HttpFunctionDefinition, Provider } from './definition.js';
import { httpFunction, json } from './http-response.js';
import { parse, readJson } from './read-json.js';

// Webhook subscriptions for Power Automate triggers (connector/apiDefinition.swagger.json): POST
// answers 201 + Location, which Power Automate DELETEs when the flow is off or deleted.
// https://learn.microsoft.com/connectors/custom-connectors/create-webhook-trigger

/** What the subscription routes use (the WEBHOOK_* settings as subscribe checks them). */
export interface SubscriptionDeps extends ApiKeyDeps {
  readonly subscriptions: SubscriptionStore;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly webhookSigningSecret: string | undefined;
  readonly webhookTargets: WebhookTargets;
  readonly webhookMaxSubscriptions: number;
}

/**
 * The path segment of each event: `/subscriptions/review-opened` … Swagger 2.0 allows one operation per
 * path and method, and each Power Automate trigger is an operation, so each event has its own path.
 */
const eventByPath: Record<string, ReviewEventType> = {
  'review-opened': 'review.opened',
  'review-decided': 'review.decided',
  'review-overdue': 'review.overdue',
};

const subscribeBodySchema = z
  .object({
    /** Required on POST /subscriptions; on /subscriptions/{event} it may repeat the path's event. */
    event: reviewEventTypeSchema.optional(),
    callbackUrl: z.url(),
    filter: subscriptionFilterSchema.optional(),
    /** The signing key to use; omitted, the shared key or a generated one (returned once) signs. */
    secret: z.string().min(16).max(200).optional(),
  })
  .strict();

/**
 * Rows disabled before deliveries stopped telling why no answer came end in "(last: timed out)" or
 * "(last: unreachable)": shown without it, as the caller would otherwise learn how a port answers.
 */
const withoutConnectDetail = (reason: string): string =>
  reason.replace(/ \(last: (?!HTTP \d{3}\)|refused\))[^)]*\)$/, '');

/**
 * A subscription as callers see it: the callback without its query (a Power Automate `sig` starts
 * the flow), the secret only when created, the last delivery's outcome.
 */
function present(s: Subscription, withSecret: boolean) {
  return {
    id: s.id,
    event: s.event,
    callbackUrl: redactedUrl(s.callbackUrl),
    filter: { rule: s.rule ?? null, galleryId: s.galleryId ?? null },
    status: s.status,
    consecutiveFailures: s.consecutiveFailures,
    disabledReason: s.disabledReason === undefined ? null : withoutConnectDetail(s.disabledReason),
    createdAt: s.createdAt,
    lastDeliveryAt: s.lastDeliveryAt ?? null,
    lastOutcome: s.lastOutcome ?? null,
    lastStatus: s.lastStatus ?? null,
    ...(withSecret && s.secret !== undefined ? { secret: s.secret } : {}),
  };
}

/** The {id} of the path: ids are UUIDs, so anything else (`a/b` after decoding) is simply not found. */
function subscriptionId(request: HttpRequest): string {
  const id = request.params.id ?? '';
  if (!subscriptionIdSchema.safeParse(id).success) throw new NotFoundError('Subscription', id);
  return id;
}

async function create(
  s: SubscriptionDeps,
  request: HttpRequest,
  pathEvent: ReviewEventType | undefined,
): Promise<HttpResponseInit> {
  const body = parse(subscribeBodySchema, await readJson(request), 'Subscription');
  if (pathEvent !== undefined && body.event !== undefined && body.event !== pathEvent) {
    throw new ValidationError('Subscription', [`event: the path subscribes to ${pathEvent}`]);
  }
  const event = pathEvent ?? body.event;
  if (event === undefined) {
    throw new ValidationError('Subscription', [
      `event: required, one of ${reviewEventTypeSchema.options.join(', ')}`,
    ]);
  }
  const created = await subscribe(
    {
      subscriptions: s.subscriptions,
      clock: s.clock,
      audit: s.audit,
      newId: randomUUID,
      newSecret: () => randomBytes(32).toString('base64url'),
      webhookSigningSecret: s.webhookSigningSecret,
      targets: s.webhookTargets,
      maxSubscriptions: s.webhookMaxSubscriptions,
    },
    { event, callbackUrl: body.callbackUrl, filter: body.filter, secret: body.secret },
  );
  // Absolute, on the host the caller reached: Power Automate DELETEs exactly this URL later.
  const location = `${new URL(request.url).origin}/api/v1/subscriptions/${created.id}`;
  return {
    ...json(201, present(created, true)),
    headers: { 'cache-control': 'no-store', location },
  };
}

/** POST /api/v1/subscriptions {"event","callbackUrl","filter"?}: 201 and Location, for any caller. */
export function createSubscription(services: Provider<SubscriptionDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'createSubscription', route: 'v1/subscriptions', methods: ['POST'], auth: 'apiKey' },
    (s, request) => create(s, request, undefined),
  );
}

/** POST /api/v1/subscriptions/{event}: the Power Automate triggers, one path per event. */
export function createTriggerSubscription(
  services: Provider<SubscriptionDeps>,
): HttpFunctionDefinition {
  return httpFunction(
    services,
    {
      name: 'createTriggerSubscription',
      route: 'v1/subscriptions/{event}',
      methods: ['POST'],
      auth: 'apiKey',
    },
    (s, request) => {
      const event = eventByPath[request.params.event ?? ''];
      if (event === undefined) {
        throw new NotFoundError('Subscription event', request.params.event ?? '');
      }
      return create(s, request, event);
    },
  );
}

/** GET /api/v1/subscriptions/{id}: the subscription and how its deliveries go (no secret). */
export function getSubscription(services: Provider<SubscriptionDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'getSubscription', route: 'v1/subscriptions/{id}', methods: ['GET'], auth: 'apiKey' },
    async (s, request) => {
      const id = subscriptionId(request);
      const stored = await s.subscriptions.get(id);
      if (stored === undefined) throw new NotFoundError('Subscription', id);
      return json(200, present(stored.subscription, false));
    },
  );
}

/** DELETE /api/v1/subscriptions/{id}: 204; no more deliveries, queued ones are dropped. */
export function deleteSubscription(services: Provider<SubscriptionDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    {
      name: 'deleteSubscription',
      route: 'v1/subscriptions/{id}',
      methods: ['DELETE'],
      auth: 'apiKey',
    },
    async (s, request) => {
      await unsubscribe(s, subscriptionId(request));
      return { status: 204, headers: { 'cache-control': 'no-store' } };
    },
  );
}
