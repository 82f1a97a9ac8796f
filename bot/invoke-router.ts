import type { ParseActionDataResult, ParsedCardAction } from '../adaptiveCards/action-data.js';
import type { Verb } from '../adaptiveCards/verbs.js';
import { AppError, ensureError, NotFoundError } from '../core/errors.js';
import { type PressedCard, shownOn, takesPresses } from '../core/model/card-instance.js';
import { type Review } from '../core/model/review.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { CardJson } from '../core/ports/chat-notifier.js';
import type { Clock } from '../core/ports/clock.js';
import type { EventQueue } from '../core/ports/event-queue.js';
import type { Logger } from '../core/ports/logger.js';
import type { CardContext, ReviewCards } from '../core/ports/review-cards.js';
import { cardContext, type CardContextDeps } from '../core/use-cases/card-context.js';
import { decideReview, type DecideReviewResult } from '../core/use-cases/decide-review.js';
import {
  CardMovedError,
  leftBehind,
  PressedCardReviews,
  type ReviewsWithRecentCopies,
} from './pressed-card.js';

export interface InvokeRouterDeps extends Omit<CardContextDeps, 'archive'> {
  readonly reviews: ReviewsWithRecentCopies;
  readonly queue: EventQueue;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly cards: ReviewCards;
}

/** An `adaptiveCard/action` invoke (or its Submit fallback), as much of it as the router reads. */
export interface CardAction {
  /** The action as parsed once from the activity (action-data.ts `parseInvokeAction`). */
  readonly action: ParseActionDataResult;
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

export const ADAPTIVE_CARD_TYPE = 'application/vnd.microsoft.card.adaptive';
export const ERROR_TYPE = 'application/vnd.microsoft.error';

/**
 * The invoke response body: a card that replaces the one the user
 * pressed, or an error Teams shows as "Something went wrong".
 */
export type CardActionAnswer =
  | { readonly statusCode: 200; readonly type: typeof ADAPTIVE_CARD_TYPE; readonly value: CardJson }
  | {
      readonly statusCode: 500;
      readonly type: typeof ERROR_TYPE;
      readonly value: { readonly code: string; readonly message: string };
    };

/**
 * What the bot does with a card action: answer the user, and, when the pressed card is one the
 * review left for a newer card, show that answer to everyone on it too (`isMovedCard`).
 */
export interface RoutedCardAction {
  readonly answer: CardActionAnswer;
  readonly isMovedCard: boolean;
}

export const reasons = {
  notReviewer: 'Only assigned reviewers can decide',
  staleCard: 'This card was out of date; here is the current one.',
  commentRequired: 'Add a comment to ask for a re-review.',
  closed: 'This review is already closed.',
} as const;

const answer = (card: CardJson): RoutedCardAction => ({
  answer: { statusCode: 200, type: ADAPTIVE_CARD_TYPE, value: card },
  isMovedCard: false,
});

/**
 * Routes a card action and answers with the card the user should now see. Only the decision is
 * recorded; its queued `review.sync` updates everyone's card, keeping the invoke within Teams'
 * timeout.
 */
export async function routeCardAction(
  deps: InvokeRouterDeps,
  action: CardAction,
): Promise<RoutedCardAction> {
  const log = deps.logger.child('invoke');
  const ids = { activityId: action.activityId, conversationId: action.conversationId };
  const parsed = action.action;
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
  const press: Press = {
    deps,
    log,
    action,
    pressed: { instance: request.cardInstance, activityId: action.activityId },
  };
  try {
    return await dispatch(press, request);
  } catch (e: unknown) {
    const error = ensureError(e);
    if (error instanceof CardMovedError) return moved(press, request, error.review);
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
      answer: {
        statusCode: 500,
        type: ERROR_TYPE,
        value: { code: 'internal', message: 'Lightdesk could not handle this action. Try again.' },
      },
      isMovedCard: false,
    };
  }
}

/** One press being answered: who pressed which card, and what the router works with. */
interface Press {
  readonly deps: InvokeRouterDeps;
  readonly log: Logger;
  readonly action: CardAction;
  readonly pressed: PressedCard;
}

/** The parsed action of one verb, with that verb's data. */
export type CardActionOf<V extends Verb> = Extract<ParsedCardAction, { readonly verb: V }>;

type Route<V extends Verb> = (press: Press, request: CardActionOf<V>) => Promise<RoutedCardAction>;

/** Every card verb and what answers it; a verb added to the cards fails to compile until routed. */
const routes: { readonly [V in Verb]: Route<V> } = {
  approve: decideOnCard,
  rereview: decideOnCard,
  archive: decideOnCard,
  refresh: refreshCard,
};

function dispatch<V extends Verb>(
  press: Press,
  request: CardActionOf<V>,
): Promise<RoutedCardAction> {
  const route: Route<V> = routes[request.verb];
  return route(press, request);
}

/** The card the review moved to says so, to the user and (`isMovedCard`) to everyone on this card. */
async function moved(
  press: Press,
  request: ParsedCardAction,
  review: Review,
): Promise<RoutedCardAction> {
  const { deps, log, action } = press;
  log.info('card action on a card the review moved from', {
    activityId: action.activityId,
    conversationId: action.conversationId,
    reviewId: request.reviewId,
    verb: request.verb,
  });
  // No roster lookup: the moved card has no refresh, so it needs nobody's Teams id.
  const context = await cardContext({ ...deps, chat: undefined, archive: undefined }, review);
  return { ...answer(deps.cards.moved(review, context)), isMovedCard: true };
}

/** Refresh (automatic for `refresh.userIds`, or the card's menu): the view this user may have. */
async function refreshCard(
  press: Press,
  request: CardActionOf<'refresh'>,
): Promise<RoutedCardAction> {
  const { deps } = press;
  const stored = await deps.reviews.get(request.reviewId);
  if (stored === undefined) throw new NotFoundError('Review', request.reviewId);
  if (!takesPresses(stored.review, press.pressed)) return moved(press, request, stored.review);
  const review = shownOn(stored.review, request.cardInstance);
  const context = await invokeContext(deps, review);
  return answer(
    isReviewer(review, press.action.actor.aadObjectId)
      ? deps.cards.forReviewer(review, context)
      : deps.cards.readOnly(review, context, reasons.notReviewer),
  );
}

/** Approve, Re-review or Archive: the decision is recorded, and the card answers its outcome. */
async function decideOnCard(
  press: Press,
  request: CardActionOf<'approve' | 'rereview' | 'archive'>,
): Promise<RoutedCardAction> {
  const { deps, log, action, pressed } = press;
  const { reviewId, cardInstance } = request;
  // Most presses on a card the review left are told here; the store below catches one that
  // raced with the move.
  const recent = deps.reviews.peek(reviewId);
  const left = await leftBehind(deps.reviews, reviewId, pressed, recent);
  if (left !== undefined) return moved(press, request, left);
  const result = await decideReview(
    { ...deps, reviews: new PressedCardReviews(deps.reviews, pressed) },
    reviewId,
    {
      reviewerId: action.actor.aadObjectId ?? '',
      verb: request.verb,
      comment: request.comment,
      cardVersion: request.cardVersion,
      source: 'teams',
    },
    recent,
  );
  log.info('card action', {
    activityId: action.activityId,
    conversationId: action.conversationId,
    reviewId,
    verb: request.verb,
    outcome: result.kind,
  });
  // A refusal is drawn on the stored review, which may have moved to a newer card since: the
  // answer must not hand this card the newer card's buttons.
  if (!takesPresses(result.current, pressed)) return moved(press, request, result.current);
  const current = shownOn(result.current, cardInstance);
  return answer(await cardFor(deps, { ...result, current }, action.actor.aadObjectId));
}

/** A roster lookup may cost one Bot Connector call; the invoke answer must not wait longer. */
const ROSTER_BUDGET_MS = 1_500;

/**
 * The card context of an invoke answer: no PhotoShelter (Teams retries an invoke it gets no answer
 * to within seconds), and the roster only as long as the answer can wait.
 */
const invokeContext = (deps: InvokeRouterDeps, review: Review): Promise<CardContext> =>
  cardContext({ ...deps, archive: undefined }, review, { rosterBudgetMs: ROSTER_BUDGET_MS });

const isReviewer = (review: Review, aadObjectId: string | undefined): boolean =>
  aadObjectId !== undefined && review.reviewers.some((r) => r.id === aadObjectId);

/** Every outcome of a decision becomes a card; none is an error to the user. */
async function cardFor(
  deps: InvokeRouterDeps,
  result: DecideReviewResult,
  aadObjectId: string | undefined,
): Promise<CardJson> {
  const review = result.current;
  const context: CardContext = await invokeContext(deps, review);
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
