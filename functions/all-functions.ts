import {
  type ActivityDeps,
  inspectQueues,
  listActivity,
  pollNow,
  replayPoison,
} from './activity.js';
import type { FunctionDefinition, Provider } from './definition.js';
import { deliverWebhook } from './deliver-webhook.js';
import { health, type HealthDeps } from './health.js';
import { type BotEndpoint, messages } from './messages.js';
import { pollPhotoShelter, type PollDeps } from './poll-photoshelter.js';
import { processEvent } from './process-event.js';
import { reconcileReviews } from './reconcile-reviews.js';
import {
  getReview,
  listReviews,
  recordDecision,
  requestReview,
  type ReviewsDeps,
} from './reviews.js';
import {
  createSubscription,
  createTriggerSubscription,
  deleteSubscription,
  getSubscription,
  type SubscriptionDeps,
} from './subscriptions.js';
import { sweepOverdue } from './sweep-overdue.js';
import { syncPlanner } from './sync-planner.js';
import { tabDevToken, tabDevUsers, tabPage, tabQueue, type TabDeps } from './tab.js';
import { preservicaHook, type PreservicaHookDeps } from './preservica-hook.js';
import {
  checkDrift,
  getDrift,
  type PreservedDeps,
  restorePreservedAsset,
  retryReviewPreservation,
} from './preserved.js';
import { ziflowHook, type ZiflowHookDeps } from './ziflow-hook.js';

type DepsOf<F> = F extends (deps: Provider<infer D>) => FunctionDefinition ? D : never;

/** What the sweeps over stored reviews use: storage only, no Graph client and no bot. */
export type StoredReviewsDeps = DepsOf<typeof sweepOverdue> & DepsOf<typeof reconcileReviews>;

/** Everything the review loop's functions use, as one object (composition builds it once). */
export type ReviewLoopDeps = ActivityDeps &
  HealthDeps &
  ReviewsDeps &
  SubscriptionDeps &
  TabDeps &
  ZiflowHookDeps &
  PreservicaHookDeps &
  PreservedDeps &
  DepsOf<typeof processEvent> &
  DepsOf<typeof deliverWebhook> &
  DepsOf<typeof syncPlanner> &
  DepsOf<typeof sweepOverdue> &
  DepsOf<typeof reconcileReviews>;

/** What a host hands the functions: each provider builds (once) only what its functions use. */
export interface FunctionProviders {
  /** The poll timer's: PhotoShelter and storage only, so its cold start builds no Graph client or bot. */
  readonly polling: Provider<PollDeps>;
  readonly storedReviews: Provider<StoredReviewsDeps>;
  readonly reviewLoop: Provider<ReviewLoopDeps>;
  readonly bot: Provider<BotEndpoint>;
}

/** The one list of functions: composition/azure-host.ts registers it, composition/local-host.ts serves it. */
export function allFunctions(providers: FunctionProviders): readonly FunctionDefinition[] {
  const { polling, reviewLoop } = providers;
  return [
    health(reviewLoop),
    listActivity(reviewLoop),
    inspectQueues(reviewLoop),
    replayPoison(reviewLoop),
    pollNow(reviewLoop),
    pollPhotoShelter(polling),
    processEvent(reviewLoop),
    listReviews(reviewLoop),
    getReview(reviewLoop),
    recordDecision(reviewLoop),
    requestReview(reviewLoop),
    createSubscription(reviewLoop),
    createTriggerSubscription(reviewLoop),
    getSubscription(reviewLoop),
    deleteSubscription(reviewLoop),
    sweepOverdue(providers.storedReviews),
    reconcileReviews(providers.storedReviews),
    deliverWebhook(reviewLoop),
    ziflowHook(reviewLoop),
    preservicaHook(reviewLoop),
    retryReviewPreservation(reviewLoop),
    restorePreservedAsset(reviewLoop),
    getDrift(reviewLoop),
    checkDrift(reviewLoop),
    syncPlanner(reviewLoop),
    tabPage(),
    tabQueue(reviewLoop),
    tabDevToken(reviewLoop),
    tabDevUsers(reviewLoop),
    messages(providers.bot),
  ];
}
