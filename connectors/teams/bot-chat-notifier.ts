import {
  CardFactory,
  type CloudAdapter,
  type ConversationReference,
  TeamsInfo,
  type TurnContext,
} from 'botbuilder';
import type { LRUCache } from 'lru-cache';

import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { CardJson, ChatNotifier } from '../../core/ports/chat-notifier.js';
import type { Clock } from '../../core/ports/clock.js';
import type { ConversationRecord, ConversationStore } from '../../core/ports/conversation-store.js';
import type { Logger } from '../../core/ports/logger.js';
import { ttlCache } from '../http/ttl-cache.js';
import { connectorFailure, refusalOf, toChatError } from './errors.js';
import { rosterMemberSchema, storedReferenceSchema } from './wire.js';

export interface BotChatNotifierOptions {
  /** The adapter the bot runs on: proactive calls borrow its credentials and connector client. */
  readonly adapter: CloudAdapter;
  /** The bot's Microsoft app id; '' when the bot runs anonymously (local demo). */
  readonly appId: string;
  readonly conversations: ConversationStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * How long a roster is reused (default ten minutes); it only picks who gets the refresh view, and
   * someone added since still acts with the shared card.
   */
  readonly rosterTtlMs?: number;
}

/** Pages of 500 are the most Teams hands out per call (TeamsInfo.getPagedMembers). */
const ROSTER_PAGE_SIZE = 500;
/** Conversations whose roster is remembered; the least recently used is read again when asked. */
const MAX_CACHED_ROSTERS = 500;

/**
 * Posts and updates review cards in Teams through the Bot Connector, proactively, with the
 * conversation references the bot captured on install (docs/architecture.md).
 */
export class BotChatNotifier implements ChatNotifier {
  /** conversation key → Entra object id (lower case) → Teams user id (MRI). */
  private readonly rosters: LRUCache<string, ReadonlyMap<string, string>>;
  private readonly log: Logger;

  constructor(private readonly options: BotChatNotifierOptions) {
    this.rosters = ttlCache({
      ttlMs: options.rosterTtlMs ?? 10 * 60_000,
      max: MAX_CACHED_ROSTERS,
      clock: options.clock,
    });
    this.log = options.logger.child('teams');
  }

  /**
   * One POST of a new activity, never repeated by the connector client (bot/post-once.ts): when its
   * answer is lost the card may be there or not, and only the caller knows which card it meant.
   */
  async postCard(
    conversationKey: string,
    card: CardJson,
    summary: string,
  ): Promise<{ activityId: string }> {
    let activityId: string | undefined;
    await this.inConversation(conversationKey, undefined, async (context) => {
      const sent = await context.sendActivity({
        type: 'message',
        attachments: [CardFactory.adaptiveCard(card)],
        summary,
      });
      activityId = sent?.id;
    });
    if (activityId === undefined || activityId === '') {
      throw toChatError(undefined, { conversationKey });
    }
    this.log.info('card posted', { conversation: conversationKey, activityId });
    return { activityId };
  }

  async updateCard(conversationKey: string, activityId: string, card: CardJson): Promise<void> {
    await this.inConversation(conversationKey, activityId, async (context) => {
      // PUT /v3/conversations/{id}/activities/{activityId}: everyone's copy of the card changes
      // (learn.microsoft.com/microsoftteams/platform/bots/how-to/update-and-delete-bot-messages).
      await context.updateActivity({
        type: 'message',
        id: activityId,
        attachments: [CardFactory.adaptiveCard(card)],
      });
    });
    this.log.info('card updated', { conversation: conversationKey, activityId });
  }

  async memberIds(
    conversationKey: string,
    aadObjectIds: readonly string[],
  ): Promise<readonly string[]> {
    const roster = await this.roster(conversationKey);
    return aadObjectIds.flatMap((id) => {
      const mri = roster.get(id.toLowerCase());
      return mri === undefined ? [] : [mri];
    });
  }

  private async roster(conversationKey: string): Promise<ReadonlyMap<string, string>> {
    const cached = this.rosters.get(conversationKey);
    if (cached !== undefined) return cached;
    const byAadObjectId = new Map<string, string>();
    await this.inConversation(conversationKey, undefined, async (context) => {
      let continuationToken: string | undefined;
      do {
        const page = await TeamsInfo.getPagedMembers(context, ROSTER_PAGE_SIZE, continuationToken);
        for (const raw of page.members) {
          const member = rosterMemberSchema.safeParse(raw);
          if (member.success && member.data.aadObjectId !== undefined) {
            byAadObjectId.set(member.data.aadObjectId.toLowerCase(), member.data.id);
          }
        }
        continuationToken = page.continuationToken === '' ? undefined : page.continuationToken;
      } while (continuationToken !== undefined);
    });
    this.rosters.set(conversationKey, byAadObjectId);
    return byAadObjectId;
  }

  /**
   * Runs `logic` in a proactive turn of the stored conversation, with domain errors. A 403 refusal
   * marks the conversation (so people see why cards stopped); a later success marks it active.
   */
  private async inConversation(
    conversationKey: string,
    activityId: string | undefined,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    const record = await this.options.conversations.get(conversationKey);
    if (record === undefined) throw new NotFoundError('Conversation', conversationKey);
    const reference = readReference(record);
    try {
      // A failure inside the turn would go to the adapter's onTurnError, which answers users, and
      // never reach us: keep it and throw it here, where the caller (syncReview) can act on it.
      let failure: { readonly error: unknown } | undefined;
      await this.options.adapter.continueConversationAsync(
        this.options.appId,
        reference,
        async (context) => {
          try {
            await logic(context);
          } catch (e: unknown) {
            failure = { error: e };
          }
        },
      );
      if (failure !== undefined) throw failure.error;
    } catch (e: unknown) {
      const failure = connectorFailure(e);
      const refusal = refusalOf(failure);
      this.log.warn('Teams call failed', {
        conversation: conversationKey,
        activityId,
        status: failure?.status,
        code: failure?.code,
        requestId: failure?.requestId,
      });
      if (refusal !== undefined) {
        await this.options.conversations.setStatus(
          conversationKey,
          refusal.status,
          this.options.clock.now(),
        );
        this.rosters.delete(conversationKey);
      }
      throw toChatError(e, {
        conversationKey,
        ...(activityId === undefined ? {} : { activityId }),
      });
    }
    if (record.status !== 'active') {
      await this.options.conversations.setStatus(
        conversationKey,
        'active',
        this.options.clock.now(),
      );
    }
  }
}

function readReference(record: ConversationRecord): Partial<ConversationReference> {
  let json: unknown;
  try {
    json = JSON.parse(record.reference);
  } catch (e: unknown) {
    throw new ValidationError(`Stored reference of ${record.key} is not JSON`, [], { cause: e });
  }
  const parsed = storedReferenceSchema.safeParse(json);
  if (!parsed.success) {
    throw ValidationError.fromZod(`Stored reference of ${record.key}`, parsed.error);
  }
  // The stored JSON came from botbuilder's own getConversationReference; it goes back as it came.
  return parsed.data;
}
