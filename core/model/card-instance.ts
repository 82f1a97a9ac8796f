import type { Review } from './review.js';

// One actionable card per review. A card post whose answer was lost (or whose poster died) may have
// reached the chat, and posting again makes a second card. Each post therefore carries its own card
// instance in every action's data, and only the instance the review records takes presses.

/**
 * The instance of the card that attempt `attempt` of the review's post (ledger key
 * `teams.card:{reviewId}`) makes. Attempts are numbered by the ledger and each posts at most once
 * (the Teams client never repeats a post by itself), so no two cards share an instance.
 */
export const cardInstanceOf = (reviewId: string, attempt: number): string =>
  `${reviewId}#${attempt}`;

/** A pressed card as the press names it: the instance in its data, and its activity when known. */
export interface PressedCard {
  readonly instance: string | undefined;
  /** The activity carrying the card (Teams' `replyToId` on the press), when Teams sent it. */
  readonly activityId?: string | undefined;
}

/**
 * Whether a pressed card takes presses: the review's current card does (its recorded activity, or
 * the instance it records), and so does any card while the review records none (reviews from before
 * instances; the first post until its answer is recorded, when no other card can exist). A card
 * without an instance (posted before them, or data made by hand) counts as the first post's: only
 * a first post can have made it alone, and a later attempt's instance leaves it behind.
 */
export function takesPresses(review: Review, card: PressedCard): boolean {
  if (card.activityId !== undefined && card.activityId === review.teams.activityId) return true;
  const current = review.teams.cardInstance;
  return current === undefined || current === (card.instance ?? cardInstanceOf(review.id, 1));
}

/**
 * The review as the card carrying `instance` goes on showing it: a card answered before the review
 * recorded its instance keeps that instance in its buttons, so its next press is still taken.
 */
export function shownOn(review: Review, instance: string | undefined): Review {
  if (review.teams.cardInstance !== undefined || instance === undefined) return review;
  return { ...review, teams: { ...review.teams, cardInstance: instance } };
}
