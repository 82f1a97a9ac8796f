import { type Activity, TurnContext } from 'botbuilder';
import { z } from 'zod';

import type { ConversationRecord } from '../core/ports/conversation-store.js';

// Teams' channelData on install and message activities (learn.microsoft.com/microsoftteams/platform/
// bots/how-to/conversations/subscribe-to-conversation-events): the team and channel names make the
// readable key routing rules name.
const channelDataSchema = z
  .looseObject({
    tenant: z.looseObject({ id: z.string() }).optional(),
    team: z.looseObject({ id: z.string(), name: z.string().optional() }).optional(),
    channel: z.looseObject({ id: z.string(), name: z.string().optional() }).optional(),
  })
  .catch({});

const conversationTypeSchema = z.enum(['personal', 'groupChat', 'channel']);

/** A channel thread is `{channelId};messageid={root}`; cards go to the channel itself. */
const channelOf = (conversationId: string): string =>
  conversationId.split(';')[0] ?? conversationId;

/**
 * The conversation record of an activity (`channel:{team}/{channel}`, `chat:{conversationId}` or
 * `personal:{aadObjectId}`); undefined when the activity cannot be reached again.
 */
export function conversationRecordOf(
  activity: Partial<Activity>,
  now: Date,
): ConversationRecord | undefined {
  const conversation = activity.conversation;
  const serviceUrl = activity.serviceUrl;
  if (conversation?.id === undefined || serviceUrl === undefined || serviceUrl === '') {
    return undefined;
  }
  const channelData = channelDataSchema.parse(activity.channelData);
  const declared = conversationTypeSchema.safeParse(conversation.conversationType);
  const kind = declared.success
    ? declared.data
    : conversation.isGroup === true
      ? channelData.channel === undefined
        ? 'groupChat'
        : 'channel'
      : 'personal';
  const tenantId = channelData.tenant?.id ?? conversation.tenantId;
  const reference = TurnContext.getConversationReference(activity);
  let key: string;
  let name: string;
  let conversationId = conversation.id;
  switch (kind) {
    case 'channel': {
      conversationId = channelOf(conversation.id);
      const team = channelData.team?.name ?? channelData.team?.id ?? 'team';
      // Teams leaves the General channel nameless; its id is the team's id.
      const channel =
        channelData.channel?.name ??
        (conversation.name === undefined || conversation.name === ''
          ? undefined
          : conversation.name) ??
        (channelData.channel?.id === channelData.team?.id ? 'General' : conversationId);
      key = `channel:${team}/${channel}`;
      name = `${team} / ${channel}`;
      break;
    }
    case 'groupChat':
      key = `chat:${conversation.id}`;
      name =
        conversation.name === undefined || conversation.name === ''
          ? 'Group chat'
          : conversation.name;
      break;
    case 'personal': {
      const user = activity.from?.aadObjectId;
      if (user === undefined || user === '') return undefined;
      key = `personal:${user}`;
      name = activity.from?.name ?? 'Personal chat';
      break;
    }
  }
  return {
    key,
    kind,
    name,
    conversationId,
    serviceUrl,
    tenantId,
    // Proactive messages need the reference whole (conversation, bot, serviceUrl, channelId), with
    // a channel thread pointed back at its channel and no activity to reply to.
    reference: JSON.stringify({
      ...reference,
      activityId: undefined,
      conversation: { ...reference.conversation, id: conversationId },
    }),
    status: 'active',
    updatedAt: now.toISOString(),
  };
}
