import type { Review } from './review.js';

// One actionable card per review. A card post whose answer was lost (or whose poster died) may have
// reached the chat, and posting again makes a second card. Each post therefore carries its own card
// instance in every action's data, and only the instance the review records takes presses.

/**
 * The card instance attempt `attempt` of the review's post (`teams.card:{reviewId}`) makes; each
 * ledger attempt posts at most once, so no two cards share an instance.
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
 * Whether a pressed card takes presses: the review's current card does, and so does any card while
 * the review records none (older reviews, or the first post before its answer). A card without an
 * instance counts as the first post's, which a later attempt's instance leaves behind.
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
