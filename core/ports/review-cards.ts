import type { Review } from '../model/review.js';
import type { CardJson } from './chat-notifier.js';

export interface CardContext {
  readonly taskUrl: string | undefined;
  readonly thumbnails: readonly {
    readonly assetId: string;
    readonly url: string;
    readonly fileName: string;
  }[];
  /** Teams ids of the reviewers, who get the actionable view when their client refreshes the card. */
  readonly refreshUserIds: readonly string[];
  readonly now: Date;
}

/**
 * Renders reviews as cards (core passes the JSON on unread): `shared` for everyone, `forReviewer`
 * for one assigned reviewer, `readOnly` with the reason for anyone else, `moved` for a card the
 * review left for a newer one. Every card's actions carry the review's `teams.cardInstance`, if
 * any.
 */
export interface ReviewCards {
  shared(review: Review, context: CardContext): CardJson;
  forReviewer(review: Review, context: CardContext): CardJson;
  readOnly(review: Review, context: CardContext, reason: string): CardJson;
  /** Says the review moved to a newer card; no buttons and no refresh, so it stays that way. */
  moved(review: Review, context: CardContext): CardJson;
  error(title: string, message: string, review?: Review): CardJson;
}
