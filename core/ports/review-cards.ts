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
 * assigned reviewer; `readOnly` what anyone else gets, with the reason.
 */
export interface ReviewCards {
  shared(review: Review, context: CardContext): CardJson;
  forReviewer(review: Review, context: CardContext): CardJson;
  readOnly(review: Review, context: CardContext, reason: string): CardJson;
  error(title: string, message: string, review?: Review): CardJson;
}
