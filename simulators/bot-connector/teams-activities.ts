import type { Activity, ConversationType } from './teams-types.js';

// Builders for the activities Teams posts to a bot's /api/messages, following the examples in
// learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/subscribe-to-conversation-events
// (installation update: conversationUpdate with the bot in membersAdded and channelData.team/tenant),
// …/conversations/channel-and-group-conversations (an @mention entity for the bot) and
// …/Universal-actions-for-adaptive-cards/Work-with-Universal-Actions-for-Adaptive-Cards
// (invoke `adaptiveCard/action` with `value.action.type = "Action.Execute"`).

export interface TeamsUser {
  /** The MRI Teams puts in `from.id`, e.g. `29:1…`; `refresh.userIds` lists these. */
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
}

export interface ActivityContext {
  readonly serviceUrl: string;
  readonly tenantId: string;
  readonly bot: { readonly id: string; readonly name: string };
  readonly conversation: {
    readonly id: string;
    readonly conversationType: ConversationType;
    readonly name?: string;
  };
  readonly team?: { readonly id: string; readonly name: string; readonly aadGroupId?: string };
  readonly channel?: { readonly id: string; readonly name?: string };
  /** ISO time stamped on the activity; the sender fills it in when absent. */
  readonly timestamp?: string;
}

function base(ctx: ActivityContext, from: TeamsUser | undefined): Activity {
  const isGroup = ctx.conversation.conversationType !== 'personal';
  return {
    type: 'message',
    ...(ctx.timestamp === undefined ? {} : { timestamp: ctx.timestamp }),
    serviceUrl: ctx.serviceUrl,
    channelId: 'msteams',
    ...(from === undefined
      ? {}
      : { from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId } }),
    recipient: { id: ctx.bot.id, name: ctx.bot.name },
    conversation: {
      id: ctx.conversation.id,
      conversationType: ctx.conversation.conversationType,
      tenantId: ctx.tenantId,
      ...(isGroup ? { isGroup: true } : {}),
      ...(ctx.conversation.name === undefined ? {} : { name: ctx.conversation.name }),
    },
    channelData: {
      tenant: { id: ctx.tenantId },
      ...(ctx.team === undefined ? {} : { team: { ...ctx.team } }),
      ...(ctx.channel === undefined ? {} : { channel: { ...ctx.channel } }),
    },
    locale: 'en-US',
    entities: [{ type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web' }],
  };
}

/** The bot was added to a personal chat, a group chat or a team (`installationUpdate`'s sibling). */
export function botInstalledActivity(ctx: ActivityContext, installedBy: TeamsUser): Activity {
  const activity = base(ctx, installedBy);
  return {
    ...activity,
    type: 'conversationUpdate',
    membersAdded: [{ id: ctx.bot.id }],
    channelData: {
      ...activity.channelData,
      ...(ctx.team === undefined ? {} : { eventType: 'teamMemberAdded' }),
      ...(ctx.channel === undefined
        ? {}
        : { settings: { selectedChannel: { id: ctx.channel.id } } }),
    },
  };
}

export interface MessageOptions {
  /** Teams delivers group and channel messages to a bot only when they @mention it. */
  readonly mentionBot?: boolean;
  readonly replyToId?: string;
}

export function userMessageActivity(
  ctx: ActivityContext,
  from: TeamsUser,
  text: string,
  options: MessageOptions = {},
): Activity {
  const activity = base(ctx, from);
  const mentionBot = options.mentionBot ?? ctx.conversation.conversationType !== 'personal';
  const mentionText = `<at>${ctx.bot.name}</at>`;
  const entities: unknown[] = Array.isArray(activity['entities'])
    ? (activity['entities'] as unknown[])
    : [];
  return {
    ...activity,
    type: 'message',
    text: mentionBot ? `${mentionText} ${text}` : text,
    textFormat: 'plain',
    ...(options.replyToId === undefined ? {} : { replyToId: options.replyToId }),
    entities: mentionBot
      ? [
          { type: 'mention', text: mentionText, mentioned: { id: ctx.bot.id, name: ctx.bot.name } },
          ...entities,
        ]
      : entities,
  };
}

export interface CardActionOptions {
  readonly verb: string;
  readonly data?: Readonly<Record<string, unknown>>;
  /** The id of the activity that carries the card: Teams sends it as `replyToId`. */
  readonly replyToId: string;
  readonly actionId?: string;
  readonly trigger?: 'manual' | 'automatic';
}

export function adaptiveCardActionActivity(
  ctx: ActivityContext,
  from: TeamsUser,
  options: CardActionOptions,
): Activity {
  const activity = base(ctx, from);
  return {
    ...activity,
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: options.replyToId,
    value: {
      action: {
        type: 'Action.Execute',
        ...(options.actionId === undefined ? {} : { id: options.actionId }),
        verb: options.verb,
        data: { ...(options.data ?? {}) },
      },
      trigger: options.trigger ?? 'manual',
    },
    channelData: { ...activity.channelData, source: { name: 'message' } },
  };
}
