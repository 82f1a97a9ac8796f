import type { Review } from '../core/model/review.js';

/** One image shown on a card: a display link, not the original file. */
export type CardThumbnail = {
  readonly assetId: string;
  readonly url: string;
  readonly fileName: string;
};

/**
 * `reviewer`: the actionable view of an assigned reviewer; `readOnly`: what anyone else sees;
 * `moved`: a card the review left for a newer one, read-only for good (no refresh either).
 */
export type ReviewCardView = 'reviewer' | 'readOnly' | 'moved';

/**
 * What the review card shows. Built from the Review plus core's `CardContext`
 * (core/ports/review-cards.ts), whose fields it shares, so `{ review, ...context, view }` fits.
 */
export type ReviewCardModel = {
  readonly review: Review;
  /** Usually the newest few assets; the card shows at most `maxThumbnails` of them. */
  readonly thumbnails: readonly CardThumbnail[];
  readonly taskUrl?: string | undefined;
  readonly view: ReviewCardView;
  /** Why this view is read-only or was refreshed, e.g. "You are not a reviewer of this batch". */
  readonly reason?: string | undefined;
  readonly now: Date;
  /** Default 8, never more than 12. */
  readonly maxThumbnails?: number | undefined;
  /**
   * Teams user ids (MRIs) whose clients refresh the card automatically into their own view; the
   * first 60 are used. Empty: nobody refreshes automatically, everyone can from the card's menu.
   */
  readonly refreshUserIds: readonly string[];
};

/** The closed review: outcome, who decided, when, with what comment. */
export type DecidedCardModel = {
  readonly review: Review;
  readonly thumbnails?: readonly CardThumbnail[] | undefined;
  readonly taskUrl?: string | undefined;
  /** Default 4, never more than 12. */
  readonly maxThumbnails?: number | undefined;
  /** A line of ours shown under the outcome, e.g. that the review moved to a newer card. */
  readonly note?: string | undefined;
};
