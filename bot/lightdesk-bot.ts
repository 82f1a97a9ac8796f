import {
  type Activity,
  CardFactory,
  type InvokeResponse,
  TeamsActivityHandler,
  TurnContext,
} from 'botbuilder';
import { LRUCache } from 'lru-cache';

import { parseActionData, parseInvokeAction } from '../adaptiveCards/action-data.js';
import type { AdaptiveCard } from '../adaptiveCards/card-types.js';
import {
  buildHelpCard,
  buildPendingCard,
  buildRestoreCard,
  buildStatusCard,
} from '../adaptiveCards/message-card.js';

import { ensureError, NotFoundError, ValidationError } from '../core/errors.js';
import type { CardJson } from '../core/ports/chat-notifier.js';
import type { ConversationStore } from '../core/ports/conversation-store.js';
import type { Logger } from '../core/ports/logger.js';
import { cardContext } from '../core/use-cases/card-context.js';
import type { RestoreRequest, RestoreResult } from '../core/use-cases/restore-preserved.js';
import { findReviews } from '../core/use-cases/review-queue.js';
import { conversationRecordOf } from './conversation-capture.js';
import { ERROR_TYPE, type InvokeRouterDeps, routeCardAction } from './invoke-router.js';

export interface LightdeskBotDeps extends InvokeRouterDeps {
  readonly conversations: ConversationStore;
  /** Tenants whose activities are served; empty: any (local demo). */
  readonly allowedTenantIds?: readonly string[];
  /** Brings a preserved asset back (restore-preserved.ts); undefined without Preservica. */
  readonly restorePreserved?: ((request: RestoreRequest) => Promise<RestoreResult>) | undefined;
}

/** `restore <reference> to <gallery id>` ("to" optional). */
const RESTORE_ARGUMENTS = /^(\S+)\s+(?:to\s+)?(\S+)$/i;

const MAX_PENDING = 10;
/** How many reviews `pending` in a personal chat hands over as cards to decide on. */
const MAX_PENDING_CARDS = 5;
/** A roster lookup for one of those cards may cost a Bot Connector call; the reply waits no longer. */
const PENDING_ROSTER_BUDGET_MS = 1_500;
/** How long an invoke answer waits for a moved card's update for everyone (then it goes on alone). */
const REPLACE_BUDGET_MS = 1_500;
/** Moved cards replaced by this process, remembered so several reviewers' refreshes make one PUT. */
const MAX_REPLACED = 256;
/** How many matches `status` looks through for one named exactly. */
const MAX_STATUS_MATCHES = 50;

/**
 * The Teams bot: remembers where it was installed, answers `help`, `pending` and `status`, and
 * routes `adaptiveCard/action` invokes to the review loop.
 */
export class LightdeskBot extends TeamsActivityHandler {
  private readonly log: Logger;
  private readonly replaced = new LRUCache<string, true>({ max: MAX_REPLACED });

  constructor(private readonly deps: LightdeskBotDeps) {
    super();
    this.log = deps.logger.child('bot');
    this.onConversationUpdate(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const added = context.activity.membersAdded ?? [];
      const removed = context.activity.membersRemoved ?? [];
      if (added.some((m) => m.id === botId)) await this.installed(context, { isGreeting: true });
      if (removed.some((m) => m.id === botId)) await this.uninstalled(context);
      await next();
    });
    // Teams sends installationUpdate next to (or, for some scopes, instead of) conversationUpdate.
    this.onInstallationUpdate(async (context, next) => {
      const action = String(context.activity.action ?? '');
      // Captured only: the greeting comes with conversationUpdate, which clients send at the same
      // moment, and two concurrent greetings would both see a conversation not yet stored.
      if (action.startsWith('add')) await this.installed(context, { isGreeting: false });
      if (action.startsWith('remove')) await this.uninstalled(context);
      await next();
    });
    this.onMessage(async (context, next) => {
      if (isCardSubmit(context.activity)) await this.submitted(context);
      else await this.command(context);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    const allowed = this.deps.allowedTenantIds ?? [];
    const tenant = tenantOf(context);
    if (allowed.length > 0 && (tenant === undefined || !allowed.includes(tenant))) {
      this.log.warn('activity from another tenant ignored', {
        activityId: context.activity.id,
        type: context.activity.type,
      });
      if (context.activity.type === 'invoke') {
        await sendInvokeResponse(context, {
          status: 403,
          body: {
            statusCode: 403,
            type: ERROR_TYPE,
            value: { code: 'auth', message: 'This tenant is not served here.' },
          },
        });
      }
      return;
    }
    await super.run(context);
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    // Parsed here, not by ActivityHandler.getAdaptiveCardInvokeValue, which throws on a value
    // without `action` instead of answering.
    const routed = await routeCardAction(this.deps, {
      action: parseInvokeAction(context.activity.value),
      actor: { id: context.activity.from?.id, aadObjectId: context.activity.from?.aadObjectId },
      activityId: context.activity.replyToId,
      conversationId: context.activity.conversation?.id,
    });
    const body = routed.answer;
    if (routed.isMovedCard && body.statusCode === 200) {
      await this.replaceForEveryone(context, body.value);
    }
    // ActivityHandler answers adaptiveCard/action with HTTP status = statusCode and the body as is.
    return { status: body.statusCode, body };
  }

  /**
   * A card the review moved away from is replaced for everyone too (PUT of the pressed activity),
   * once per card per process, within `replaceBudgetMs`: Teams retries an invoke answered late.
   * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards
   */
  private async replaceForEveryone(context: TurnContext, card: CardJson): Promise<void> {
    const activityId = context.activity.replyToId;
    if (activityId === undefined || activityId === '' || this.replaced.get(activityId)) return;
    this.replaced.set(activityId, true);
    const replacing = context
      .updateActivity({
        type: 'message',
        id: activityId,
        attachments: [CardFactory.adaptiveCard(card)],
      })
      .then(() => {
        this.log.info('moved card replaced for everyone', { activityId });
      })
      .catch((e: unknown) => {
        // The next press or refresh on that card tries again.
        this.replaced.delete(activityId);
        this.log.warn('could not replace a moved card', {
          activityId,
          error: ensureError(e).name,
        });
      });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, REPLACE_BUDGET_MS);
    });
    try {
      await Promise.race([replacing, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The Action.Submit fallback of a client too old for Action.Execute: a message cannot be answered
   * with a card, so the pressed card is replaced in place.
   * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards
   */
  private async submitted(context: TurnContext): Promise<void> {
    const { answer: body } = await routeCardAction(this.deps, {
      action: parseActionData(undefined, context.activity.value),
      actor: { id: context.activity.from?.id, aadObjectId: context.activity.from?.aadObjectId },
      activityId: context.activity.replyToId,
      conversationId: context.activity.conversation?.id,
    });
    if (body.statusCode !== 200) {
      await context.sendActivity('Lightdesk could not handle this action. Try again.');
      return;
    }
    const attachments = [CardFactory.adaptiveCard(body.value)];
    const replyToId = context.activity.replyToId;
    if (replyToId === undefined) {
      await context.sendActivity({ type: 'message', attachments });
      return;
    }
    await context.updateActivity({ type: 'message', id: replyToId, attachments });
  }

  private async installed(context: TurnContext, options: { isGreeting: boolean }): Promise<void> {
    const record = conversationRecordOf(context.activity, this.deps.clock.now());
    if (record === undefined) {
      this.log.warn('install without a usable conversation', { activityId: context.activity.id });
      return;
    }
    const previous = await this.deps.conversations.get(record.key);
    await this.deps.conversations.save(record);
    this.log.info('conversation captured', {
      conversation: record.key,
      conversationId: record.conversationId,
      activityId: context.activity.id,
    });
    // Teams may announce one install twice (conversationUpdate and installationUpdate) and retries
    // activities it got no answer to: greet once.
    if (options.isGreeting && previous?.status !== 'active') {
      await context.sendActivity(cardMessage(buildHelpCard(), 'Lightdesk: what I do'));
    }
  }

  private async uninstalled(context: TurnContext): Promise<void> {
    const record = conversationRecordOf(context.activity, this.deps.clock.now());
    if (record === undefined) return;
    try {
      await this.deps.conversations.setStatus(record.key, 'uninstalled', this.deps.clock.now());
      this.log.info('bot removed from conversation', { conversation: record.key });
    } catch (e: unknown) {
      if (!(ensureError(e) instanceof NotFoundError)) throw e;
    }
  }

  private async command(context: TurnContext): Promise<void> {
    // In channels and group chats Teams delivers only messages that @mention the bot; the mention
    // is part of the text (learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/
    // channel-and-group-conversations).
    const text = (
      TurnContext.removeRecipientMention(context.activity) ??
      context.activity.text ??
      ''
    )
      .replace(/&nbsp;/g, ' ')
      .trim();
    const [word = '', ...rest] = text.split(/\s+/);
    const argument = rest.join(' ').trim();
    const command = word.toLowerCase();
    this.log.info('command', {
      command: ['help', 'pending', 'status', 'restore'].includes(command) ? command : 'other',
      activityId: context.activity.id,
      conversationId: context.activity.conversation?.id,
    });
    switch (command) {
      case 'pending':
        await context.sendActivities(await this.pending(context.activity));
        return;
      case 'status':
        await context.sendActivity(cardMessage(await this.status(argument), 'Gallery status'));
        return;
      case 'restore':
        await context.sendActivity(
          cardMessage(
            await this.restore(argument, context.activity.from?.name),
            'Restore from Preservica',
          ),
        );
        return;
      default:
        await context.sendActivity(cardMessage(buildHelpCard(), 'Lightdesk: what I do'));
    }
  }

  /**
   * The open reviews, newest first; in a personal chat, also a card to decide on for each of them
   * the user is assigned to review (the channel card's verbs and checks: its presses go through
   * routeCardAction like any other).
   */
  private async pending(activity: Activity): Promise<Partial<Activity>[]> {
    const now = this.deps.clock.now();
    const open = await findReviews(
      this.deps,
      undefined,
      { view: 'open', order: 'newest', limit: MAX_PENDING },
      now,
    );
    const summary = cardMessage(buildPendingCard(open.reviews, now, open.matched), 'Open reviews');
    const me = activity.from?.aadObjectId;
    if (activity.conversation?.conversationType !== 'personal' || me === undefined || me === '') {
      return [summary];
    }
    const mine = await findReviews(
      this.deps,
      { id: me },
      { view: 'open', mine: true, order: 'newest', limit: MAX_PENDING_CARDS },
      now,
    );
    const cards = await Promise.all(
      mine.reviews.map(async (review) => {
        const context = await cardContext({ ...this.deps, archive: undefined }, review, {
          rosterBudgetMs: PENDING_ROSTER_BUDGET_MS,
        });
        return cardMessage(this.deps.cards.forReviewer(review, context), review.galleryName);
      }),
    );
    return [summary, ...cards];
  }

  /** `restore <reference> to <gallery id>`: a friendly card for every way it can go wrong. */
  private async restore(argument: string, who: string | undefined): Promise<AdaptiveCard> {
    const restore = this.deps.restorePreserved;
    if (restore === undefined) {
      return buildRestoreCard({ kind: 'refused', message: 'Preservica is not set up here.' });
    }
    const parts = RESTORE_ARGUMENTS.exec(argument);
    if (parts === null) {
      return buildRestoreCard({
        kind: 'refused',
        message: 'Which asset, and into which gallery?',
      });
    }
    try {
      const result = await restore({
        reference: parts[1] ?? '',
        galleryId: parts[2] ?? '',
        requestedBy: who === undefined || who === '' ? 'someone in Teams' : `${who} in Teams`,
      });
      return buildRestoreCard({
        kind: result.fresh ? 'restored' : 'alreadyRestored',
        assetId: result.assetId,
        galleryName: result.galleryName,
      });
    } catch (e: unknown) {
      const error = ensureError(e);
      if (error instanceof NotFoundError || error instanceof ValidationError) {
        return buildRestoreCard({ kind: 'refused', message: error.message });
      }
      this.log.error('restore failed', { error: error.name });
      return buildRestoreCard({
        kind: 'refused',
        message: 'Preservica or PhotoShelter did not answer; try again in a few minutes.',
      });
    }
  }

  private async status(query: string): Promise<AdaptiveCard> {
    if (query === '') return buildStatusCard(undefined, '');
    const wanted = query.toLowerCase();
    const found = await findReviews(
      this.deps,
      undefined,
      { view: 'all', text: query, order: 'newest', limit: MAX_STATUS_MATCHES },
      this.deps.clock.now(),
    );
    const exact = found.reviews.find(
      (r) => r.galleryId.toLowerCase() === wanted || r.galleryName.toLowerCase() === wanted,
    );
    return buildStatusCard(exact ?? found.reviews[0], query);
  }
}

/** A message carrying card data and no text: an Action.Submit press, not a command. */
function isCardSubmit(activity: Activity): boolean {
  const value: unknown = activity.value;
  const text = (activity.text ?? '').trim();
  return typeof value === 'object' && value !== null && 'reviewId' in value && text === '';
}

/** A card as a message; `summary` is what notifications and the chat list show. */
function cardMessage(card: AdaptiveCard | CardJson, summary: string): Partial<Activity> {
  return { type: 'message', attachments: [CardFactory.adaptiveCard(card)], summary };
}

function tenantOf(context: TurnContext): string | undefined {
  const channelData: unknown = context.activity.channelData;
  const fromChannelData =
    typeof channelData === 'object' &&
    channelData !== null &&
    'tenant' in channelData &&
    typeof channelData.tenant === 'object' &&
    channelData.tenant !== null &&
    'id' in channelData.tenant &&
    typeof channelData.tenant.id === 'string'
      ? channelData.tenant.id
      : undefined;
  return fromChannelData ?? context.activity.conversation?.tenantId;
}

/** How ActivityHandler itself hands an invoke's answer to the adapter (the `invokeResponse` activity). */
async function sendInvokeResponse(context: TurnContext, response: InvokeResponse): Promise<void> {
  await context.sendActivity({ type: 'invokeResponse', value: response });
}
