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
 * Renders reviews as cards (adaptiveCards/ in production); core hands the JSON on without reading it.
 * `shared` is the card everyone in the conversation sees; `forReviewer` the actionable view of one
 * assigned reviewer; `readOnly` what anyone else gets, with the reason; `moved` what a card the
 * review has left for a newer one (`teams.cardInstance`) shows from then on. The actions of every
 * card carry the review's `teams.cardInstance`, when it has one.
 */
export interface ReviewCards {
  shared(review: Review, context: CardContext): CardJson;
  forReviewer(review: Review, context: CardContext): CardJson;
  readOnly(review: Review, context: CardContext, reason: string): CardJson;
  /** Says the review moved to a newer card; no buttons and no refresh, so it stays that way. */
  moved(review: Review, context: CardContext): CardJson;
  error(title: string, message: string, review?: Review): CardJson;
}
