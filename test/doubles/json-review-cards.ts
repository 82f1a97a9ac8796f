import type { Review } from '../../core/model/review.js';
import type { CardJson } from '../../core/ports/chat-notifier.js';
import type { CardContext, ReviewCards } from '../../core/ports/review-cards.js';

export type CardView = 'shared' | 'reviewer' | 'readOnly' | 'moved' | 'error';

/** What a card built by JsonReviewCards says: which view of which review, at which version. */
export interface ReviewCardView {
  readonly kind: CardView;
  readonly reviewId: string | undefined;
  readonly cardVersion: number | undefined;
  readonly status: Review['status'] | undefined;
  readonly reason: string | undefined;
  /** The card instance its actions carry (the review's `teams.cardInstance`). */
  readonly cardInstance?: string | undefined;
  readonly round?: number;
  readonly assetIds?: readonly string[];
  readonly taskUrl?: string | undefined;
  readonly refreshUserIds?: readonly string[];
  readonly title?: string;
  readonly message?: string;
}

/**
 * ReviewCards as plain JSON describing the view, a stand-in for adaptiveCards/ (whose builders are
 * tested on their own): core hands cards on without reading them, so tests read these instead.
 */
export class JsonReviewCards implements ReviewCards {
  shared(review: Review, context: CardContext): CardJson {
    return view('shared', review, context, undefined);
  }

  forReviewer(review: Review, context: CardContext): CardJson {
    return view('reviewer', review, context, undefined);
  }

  readOnly(review: Review, context: CardContext, reason: string): CardJson {
    return view('readOnly', review, context, reason);
  }

  moved(review: Review, context: CardContext): CardJson {
    return view('moved', review, context, 'moved to a newer card');
  }

  error(title: string, message: string, review?: Review): CardJson {
    const card: ReviewCardView = {
      kind: 'error',
      reviewId: review?.id,
      cardVersion: review?.cardVersion,
      status: review?.status,
      reason: undefined,
      cardInstance: review?.teams.cardInstance,
      title,
      message,
    };
    return { ...card };
  }
}

function view(
  kind: CardView,
  review: Review,
  context: CardContext,
  reason: string | undefined,
): CardJson {
  const card: ReviewCardView = {
    kind,
    reviewId: review.id,
    cardVersion: review.cardVersion,
    status: review.status,
    reason,
    cardInstance: review.teams.cardInstance,
    round: review.round,
    assetIds: review.assets.map((a) => a.assetId),
    taskUrl: context.taskUrl,
    refreshUserIds: [...context.refreshUserIds],
  };
  return { ...card };
}

/** Reads a card built by JsonReviewCards back as its view. */
export function cardView(card: CardJson): ReviewCardView {
  return card as unknown as ReviewCardView;
}
