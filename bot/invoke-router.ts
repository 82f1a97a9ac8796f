import { parseActionData } from '../adaptiveCards/action-data.js';
import { verbs } from '../adaptiveCards/verbs.js';
import { AppError, ensureError, NotFoundError } from '../core/errors.js';
import { type Review } from '../core/model/review.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { CardJson } from '../core/ports/chat-notifier.js';
import type { Clock } from '../core/ports/clock.js';
import type { EventQueue } from '../core/ports/event-queue.js';
import type { Logger } from '../core/ports/logger.js';
import type { CardContext, ReviewCards } from '../core/ports/review-cards.js';
import type { ReviewStore } from '../core/ports/review-store.js';
import { decideReview, type DecideReviewResult } from '../core/use-cases/decide-review.js';
import { type InvokeCardContextDeps, invokeCardContext } from './card-context.js';

export interface InvokeRouterDeps extends InvokeCardContextDeps {
  readonly reviews: ReviewStore;
  readonly queue: EventQueue;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly cards: ReviewCards;
}

/** An `adaptiveCard/action` invoke, as much of it as the router reads (no SDK types). */
export interface CardAction {
  readonly verb: unknown;
  readonly data: unknown;
  readonly actor: {
    /** The Teams user id (MRI). */
    readonly id: string | undefined;
    /** Entra object id: what reviewers are assigned by. */
    readonly aadObjectId: string | undefined;
  };
  /** Correlation ids for the log. */
  readonly activityId: string | undefined;
  readonly conversationId: string | undefined;
}

export const adaptiveCardType = 'application/vnd.microsoft.card.adaptive';
export const errorType = 'application/vnd.microsoft.error';

/**
 * The invoke response body (reference microsoft-365.md §2): a card that replaces the one the user
 * pressed, or an error Teams shows as "Something went wrong".
 */
export type CardActionAnswer =
  | { readonly statusCode: 200; readonly type: typeof adaptiveCardType; readonly value: CardJson }
  | {
      readonly statusCode: 500;
      readonly type: typeof errorType;
      readonly value: { readonly code: string; readonly message: string };
    };

export const reasons = {
  notReviewer: 'Only assigned reviewers can decide',
  staleCard: 'This card was out of date; here is the current one.',
  commentRequired: 'Add a comment to ask for a re-review.',
  closed: 'This review is already closed.',
} as const;

const answer = (card: CardJson): CardActionAnswer => ({
  statusCode: 200,
  type: adaptiveCardType,
  value: card,
});

/**
 * Routes a card action to the review loop and answers with the card the user should now see
 * (ARCHITECTURE.md §3.5). Only the decision is recorded here; `decideReview` queues `review.sync`,
 * which updates the card for everyone (`updateActivity`), Planner and PhotoShelter. Calling
 * `updateActivity` here as well would put a Bot Connector round trip inside the invoke, which Teams
 * retries when it is not answered within seconds.
 */
export async function routeCardAction(
  deps: InvokeRouterDeps,
  action: CardAction,
): Promise<CardActionAnswer> {
  const log = deps.logger.child('invoke');
  const ids = { activityId: action.activityId, conversationId: action.conversationId };
  const parsed = parseActionData(action.verb, action.data);
  if (!parsed.ok) {
    // Card data is ours, so this is an old or tampered card: say so kindly, log what was wrong
    // (the problems name fields, never values).
    log.warn('card action data refused', {
      ...ids,
      code: 'validation',
      issues: parsed.problems.join('; '),
    });
    return answer(
      deps.cards.error(
        'This card cannot do that',
        'The button sent something Lightdesk does not understand. Open the review again from the latest card.',
      ),
    );
  }
  const request = parsed.value;
  const { reviewId } = request;
  try {
    if (request.verb === verbs.refresh) {
      return await refresh(deps, reviewId, action.actor.aadObjectId);
    }
    const result = await decideReview(deps, reviewId, {
      reviewerId: action.actor.aadObjectId ?? '',
      verb: request.verb,
      comment: request.comment,
      cardVersion: request.cardVersion,
      source: 'teams',
    });
    log.info('card action', { ...ids, reviewId, verb: request.verb, outcome: result.kind });
    return answer(await cardFor(deps, result, action.actor.aadObjectId));
  } catch (e: unknown) {
    const error = ensureError(e);
    if (error instanceof NotFoundError) {
      log.warn('card action on a missing review', { ...ids, reviewId, code: error.code });
      return answer(
        deps.cards.error('Review not found', 'This review no longer exists in Lightdesk.'),
      );
    }
    log.error('card action failed', {
      ...ids,
      reviewId,
      verb: request.verb,
      code: error instanceof AppError ? error.code : 'internal',
      error: error.name,
    });
    return {
      statusCode: 500,
      type: errorType,
      value: { code: 'internal', message: 'Lightdesk could not handle this action. Try again.' },
    };
  }
}

const isReviewer = (review: Review, aadObjectId: string | undefined): boolean =>
  aadObjectId !== undefined && review.reviewers.some((r) => r.id === aadObjectId);

/** Refresh (automatic for `refresh.userIds`, or the card's menu): the view this user may have. */
async function refresh(
  deps: InvokeRouterDeps,
  reviewId: string,
  aadObjectId: string | undefined,
): Promise<CardActionAnswer> {
  const stored = await deps.reviews.get(reviewId);
  if (stored === undefined) throw new NotFoundError('Review', reviewId);
  const review = stored.review;
  const context = await invokeCardContext(deps, review);
  return answer(
    isReviewer(review, aadObjectId)
      ? deps.cards.forReviewer(review, context)
      : deps.cards.readOnly(review, context, reasons.notReviewer),
  );
}

/** Every outcome of a decision becomes a card; none is an error to the user. */
async function cardFor(
  deps: InvokeRouterDeps,
  result: DecideReviewResult,
  aadObjectId: string | undefined,
): Promise<CardJson> {
  const review = result.current;
  const context: CardContext = await invokeCardContext(deps, review);
  const reviewerView = () =>
    isReviewer(review, aadObjectId)
      ? deps.cards.forReviewer(review, context)
      : deps.cards.readOnly(review, context, reasons.notReviewer);
  switch (result.kind) {
    case 'decided':
    case 'recorded':
    case 'alreadyDecided':
      return reviewerView();
    case 'closed':
      return isReviewer(review, aadObjectId)
        ? deps.cards.forReviewer(review, context)
        : deps.cards.readOnly(review, context, reasons.closed);
    case 'notReviewer':
      return deps.cards.readOnly(review, context, reasons.notReviewer);
    case 'staleCard':
      return deps.cards.readOnly(review, context, reasons.staleCard);
    case 'commentRequired':
      return deps.cards.error('Comment required', reasons.commentRequired, review);
  }
}
