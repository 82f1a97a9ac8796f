import { inspectQueues, listActivity, pollNow, replayPoison } from './activity.js';
import type { FunctionDefinition, ServicesProvider } from './definition.js';
import { deliverWebhook } from './deliver-webhook.js';
import { health } from './health.js';
import { pollPhotoShelter } from './poll-photoshelter.js';
import { messages } from './messages.js';
import { processEvent } from './process-event.js';
import { reconcileReviews } from './reconcile-reviews.js';
import { getReview, listReviews, recordDecision, requestReview } from './reviews.js';
import {
  createSubscription,
  createTriggerSubscription,
  deleteSubscription,
  getSubscription,
} from './subscriptions.js';
import { sweepOverdue } from './sweep-overdue.js';
import { syncPlanner } from './sync-planner.js';
import { tabDevToken, tabDevUsers, tabPage, tabQueue } from './tab.js';

/** The one list of functions: Azure registers it (index.ts), the local host serves it. */
export function allFunctions(services: ServicesProvider): readonly FunctionDefinition[] {
  return [
    health(services),
    listActivity(services),
    inspectQueues(services),
    replayPoison(services),
    pollNow(services),
    pollPhotoShelter(services),
    processEvent(services),
    listReviews(services),
    getReview(services),
    recordDecision(services),
    requestReview(services),
    createSubscription(services),
    createTriggerSubscription(services),
    getSubscription(services),
    deleteSubscription(services),
    sweepOverdue(services),
    reconcileReviews(services),
    deliverWebhook(services),
    syncPlanner(services),
    tabPage(),
    tabQueue(services),
    tabDevToken(services),
    tabDevUsers(services),
    messages(() => services().then((s) => s.bot)),
  ];
}
