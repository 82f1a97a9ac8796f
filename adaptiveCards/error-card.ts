import {
  adaptiveCard,
  actionSet,
  executeAction,
  plainHeading,
  plainLine,
  text,
} from './card-parts.js';
import type { AdaptiveCard } from './card-types.js';
import { verbs } from './verbs.js';

export type ErrorCardOptions = {
  /** When known, the card offers Refresh, which answers with the review's current card. */
  readonly reviewId?: string | undefined;
  readonly cardVersion?: number | undefined;
  /** The card instance the review records, so the Refresh is known to come from its current card. */
  readonly cardInstance?: string | undefined;
};

const MAX_MESSAGE = 1000;

/**
 * A friendly error in place of the card the user pressed: what went wrong in words, no codes (those
 * go to the log), and a way back to the current card when we know the review.
 */
export function buildErrorCard(
  title: string,
  message: string,
  options: ErrorCardOptions = {},
): AdaptiveCard {
  const { reviewId, cardVersion, cardInstance } = options;
  const refresh =
    reviewId === undefined || reviewId === ''
      ? []
      : [
          executeAction('Refresh', verbs.refresh, {
            reviewId,
            ...(cardVersion === undefined ? {} : { cardVersion }),
            ...(cardInstance === undefined ? {} : { cardInstance }),
          }),
        ];
  return adaptiveCard([
    {
      type: 'Container',
      style: 'attention',
      items: [plainHeading(title)],
    },
    text(plainLine(message, MAX_MESSAGE)),
    ...actionSet(refresh),
  ]);
}
