import type { AdaptiveCard } from './card-types.js';

/**
 * A card's budget, as `cardSizeBytes` counts it (the card's JSON, not the activity around it): the
 * 28 KB Teams allows a webhook's card, far under the 100 KB of a bot message (format-your-bot-messages).
 * https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook
 */
export const CARD_BUDGET_BYTES = 28 * 1024;

/** The card's size as Teams counts it: its JSON text in UTF-16, two bytes a code unit. */
export function cardSizeBytes(card: AdaptiveCard): number {
  return JSON.stringify(card).length * 2;
}

/**
 * Renders with each option in turn, the most generous first, and keeps the first card within the
 * budget; the last option is the smallest card and is kept whatever its size.
 */
export function firstThatFits<T>(
  options: readonly [T, ...T[]],
  render: (option: T) => AdaptiveCard,
): AdaptiveCard {
  const [first, ...rest] = options;
  let card = render(first);
  for (const option of rest) {
    if (cardSizeBytes(card) <= CARD_BUDGET_BYTES) break;
    card = render(option);
  }
  return card;
}
