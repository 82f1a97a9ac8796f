import { AuthError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { CardJson, ChatNotifier } from '../../core/ports/chat-notifier.js';

export type RefusalMode = 'notInRoster' | 'writesBlocked';

/** A card posted to a conversation, with every version it has shown (the first is the post). */
export interface PostedCard {
  readonly conversationKey: string;
  readonly activityId: string;
  readonly summary: string;
  readonly versions: readonly CardJson[];
  /** The card as people see it now. */
  readonly card: CardJson;
}

interface Conversation {
  /** Entra object ids of the people in the roster. */
  readonly members: Set<string>;
  refusal: RefusalMode | undefined;
}

interface StoredPost {
  readonly conversationKey: string;
  readonly activityId: string;
  readonly summary: string;
  readonly versions: CardJson[];
}

/** The Teams user id (MRI) this double gives a person: `29:1mri-{aadObjectId}`. */
export const teamsIdOf = (aadObjectId: string): string => `29:1mri-${aadObjectId}`;

/**
 * ChatNotifier kept in memory (the Teams bot in production). Conversations are the ones the bot was
 * "installed" in with `install`; an unknown key is a NotFoundError, as the port says. `refuse` makes
 * Teams turn the bot away there (AuthError, the 403 the real notifier maps) until `allow`.
 */
export class InMemoryChatNotifier implements ChatNotifier {
  /** Makes the next postCard throw without posting, to simulate an outage. */
  failNextPost: Error | undefined;
  /**
   * Makes the next postCard post and then throw this error, as when Teams made the card but its
   * answer (the activity id) never came back.
   */
  loseNextPostAnswer: Error | undefined;
  /**
   * Runs once while the next post is in flight, after Teams made the card and before its answer
   * returns: what another worker does meanwhile.
   */
  whileNextPostInFlight: (() => Promise<void>) | undefined;
  /** Makes the next updateCard throw without updating, to simulate an outage. */
  failNextUpdate: Error | undefined;

  private readonly conversations = new Map<string, Conversation>();
  private readonly posted: StoredPost[] = [];
  private sequence = 0;

  // -------------------------------------------------------------------------------------------------
  // Control surface

  /** The bot is installed in the conversation; `members` (Entra object ids) form its roster. */
  install(conversationKey: string, members: readonly string[] = []): void {
    const existing = this.conversations.get(conversationKey);
    if (existing === undefined) {
      this.conversations.set(conversationKey, { members: new Set(members), refusal: undefined });
    } else {
      for (const member of members) existing.members.add(member);
    }
  }

  /** Teams refuses the bot in that conversation from now on: the bot was removed, or is blocked. */
  refuse(conversationKey: string, mode: RefusalMode): void {
    this.conversation(conversationKey).refusal = mode;
  }

  /** The refusal is lifted (the bot was added back). */
  allow(conversationKey: string): void {
    this.conversation(conversationKey).refusal = undefined;
  }

  /** Cards posted, oldest first; only those of one conversation when a key is given. */
  posts(conversationKey?: string): readonly PostedCard[] {
    return this.posted
      .filter((p) => conversationKey === undefined || p.conversationKey === conversationKey)
      .map((p) => toPostedCard(p));
  }

  /** The posted card with this activity id; NotFoundError when there is none. */
  post(activityId: string): PostedCard {
    const found = this.posted.find((p) => p.activityId === activityId);
    if (found === undefined) throw new NotFoundError('Activity', activityId);
    return toPostedCard(found);
  }

  // -------------------------------------------------------------------------------------------------
  // ChatNotifier

  async postCard(
    conversationKey: string,
    card: CardJson,
    summary: string,
  ): Promise<{ activityId: string }> {
    const meanwhile = this.whileNextPostInFlight;
    this.whileNextPostInFlight = undefined;
    const posted = await this.makePost(conversationKey, card, summary);
    await meanwhile?.();
    return posted;
  }

  private makePost(
    conversationKey: string,
    card: CardJson,
    summary: string,
  ): Promise<{ activityId: string }> {
    return answer(() => {
      if (this.failNextPost !== undefined) {
        const failure = this.failNextPost;
        this.failNextPost = undefined;
        throw failure;
      }
      this.writable(conversationKey);
      this.sequence += 1;
      const activityId = `activity-${this.sequence}`;
      this.posted.push({
        conversationKey,
        activityId,
        summary,
        versions: [structuredClone(card)],
      });
      if (this.loseNextPostAnswer !== undefined) {
        const lost = this.loseNextPostAnswer;
        this.loseNextPostAnswer = undefined;
        throw lost;
      }
      return { activityId };
    });
  }

  updateCard(conversationKey: string, activityId: string, card: CardJson): Promise<void> {
    return answer(() => {
      if (this.failNextUpdate !== undefined) {
        const failure = this.failNextUpdate;
        this.failNextUpdate = undefined;
        throw failure;
      }
      this.writable(conversationKey);
      const post = this.posted.find(
        (p) => p.conversationKey === conversationKey && p.activityId === activityId,
      );
      if (post === undefined) throw new NotFoundError('Activity', activityId);
      post.versions.push(structuredClone(card));
    });
  }

  memberIds(conversationKey: string, aadObjectIds: readonly string[]): Promise<readonly string[]> {
    return answer(() => {
      const conversation = this.writable(conversationKey);
      return aadObjectIds.filter((id) => conversation.members.has(id)).map(teamsIdOf);
    });
  }

  // -------------------------------------------------------------------------------------------------

  private conversation(key: string): Conversation {
    const found = this.conversations.get(key);
    if (found === undefined) throw new NotFoundError('Conversation', key);
    return found;
  }

  private writable(key: string): Conversation {
    const conversation = this.conversation(key);
    if (conversation.refusal !== undefined) {
      throw new AuthError(`Teams refused the bot in ${key} (${conversation.refusal})`, {
        details: { conversation: key, mode: conversation.refusal },
      });
    }
    return conversation;
  }
}

function toPostedCard(post: StoredPost): PostedCard {
  const versions = post.versions.map((v) => structuredClone(v));
  return {
    conversationKey: post.conversationKey,
    activityId: post.activityId,
    summary: post.summary,
    versions,
    card: versions.at(-1) ?? {},
  };
}

function answer<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (e: unknown) {
    return Promise.reject(e instanceof Error ? e : new ValidationError(String(e)));
  }
}
