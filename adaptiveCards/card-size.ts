import type { AdaptiveCard } from './card-types.js';

/**
 * Teams refuses a bot message over 100 KB (413 `MessageSizeTooBig`), counting the payload as UTF-16.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages
 */
export const TEAMS_MESSAGE_LIMIT_BYTES = 100 * 1024;

/** What a card may use: the activity around it (ids, conversation, summary) needs the rest. */
export const CARD_BUDGET_BYTES = 90 * 1024;

/** The card's size as Teams counts it: its JSON text in UTF-16, two bytes a code unit. */
export function cardSizeBytes(card: AdaptiveCard): number {
  return JSON.stringify(card).length * 2;
}
