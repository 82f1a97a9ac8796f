import { isOpen, type Review } from '../core/model/review.js';
import type { CardJson } from '../core/ports/chat-notifier.js';
import type { CardContext, ReviewCards } from '../core/ports/review-cards.js';
import { buildDecidedCard } from './decided-card.js';
import { buildErrorCard } from './error-card.js';
import { buildReviewCard } from './review-card.js';

/**
 * What a card the review left for a newer one says. Teams gives bots no link to a channel message
 * they can build from what we keep, so it says where to look instead.
 */
export const MOVED_NOTE =
  'This review moved to a newer card. Use the newest card for this gallery in this conversation; this one no longer takes decisions.';

/**
 * Core's ReviewCards port over the pure builders; the open review's shared card carries the buttons
 * (docs/decisions.md "Cards").
 */
export class AdaptiveReviewCards implements ReviewCards {
  shared(review: Review, context: CardContext): CardJson {
    if (!isOpen(review)) return this.decided(review, context);
    return buildReviewCard({ review, ...context, view: 'reviewer' });
  }

  forReviewer(review: Review, context: CardContext): CardJson {
    if (!isOpen(review)) return this.decided(review, context);
    return buildReviewCard({ review, ...context, view: 'reviewer' });
  }

  readOnly(review: Review, context: CardContext, reason: string): CardJson {
    if (!isOpen(review)) return this.decided(review, context);
    return buildReviewCard({ review, ...context, view: 'readOnly', reason });
  }

  moved(review: Review, context: CardContext): CardJson {
    if (!isOpen(review)) return this.decided(review, context, MOVED_NOTE);
    return buildReviewCard({ review, ...context, view: 'moved', reason: MOVED_NOTE });
  }

  error(title: string, message: string, review?: Review): CardJson {
    return buildErrorCard(
      title,
      message,
      review === undefined
        ? {}
        : {
            reviewId: review.id,
            cardVersion: review.cardVersion,
            cardInstance: review.teams.cardInstance,
          },
    );
  }

  private decided(review: Review, context: CardContext, note?: string): CardJson {
    return buildDecidedCard({
      review,
      thumbnails: context.thumbnails,
      taskUrl: context.taskUrl,
      note,
    });
  }
}
