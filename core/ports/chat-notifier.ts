/** An Adaptive Card as JSON: built outside core (adaptiveCards/), carried through as data. */
export type CardJson = Readonly<Record<string, unknown>>;

/**
 * Posts and updates cards in the bot's Teams conversations, named by their capture key. Errors:
 * NotFoundError (unknown key), AuthError (bot uninstalled or blocked; the conversation is marked
 * so), RateLimitedError.
 */
export interface ChatNotifier {
  /**
   * Posts a new card, exactly once: a failure whose outcome is unknown (no answer) is thrown, not
   * retried, since the card may already be in the conversation.
   */
  postCard(
    conversationKey: string,
    card: CardJson,
    summary: string,
  ): Promise<{ activityId: string }>;
  updateCard(conversationKey: string, activityId: string, card: CardJson): Promise<void>;
  /**
   * Teams user ids (MRIs, what `refresh.userIds` takes) of the given Entra object ids in that
   * conversation's roster; people not in it are left out.
   */
  memberIds(conversationKey: string, aadObjectIds: readonly string[]): Promise<readonly string[]>;
}
