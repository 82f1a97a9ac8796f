import { z } from 'zod';

// Wire shapes the simulator reads, kept loose on purpose: the Bot Connector accepts any extra
// activity fields and echoes them back, so only the fields it acts on are named here
// (botframework-schema Activity, ConversationParameters; Teams TeamsChannelAccount).

export const channelAccountSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  aadObjectId: z.string().optional(),
  role: z.string().optional(),
});

export const activitySchema = z.looseObject({
  type: z.string().min(1),
  id: z.string().optional(),
  timestamp: z.string().optional(),
  serviceUrl: z.string().optional(),
  channelId: z.string().optional(),
  from: channelAccountSchema.optional(),
  recipient: channelAccountSchema.optional(),
  conversation: z.looseObject({ id: z.string() }).optional(),
  replyToId: z.string().optional(),
  text: z.string().optional(),
  name: z.string().optional(),
  value: z.unknown().optional(),
  channelData: z.record(z.string(), z.unknown()).optional(),
});
export type Activity = z.infer<typeof activitySchema>;

export const conversationParametersSchema = z.looseObject({
  isGroup: z.boolean().optional(),
  bot: channelAccountSchema.optional(),
  members: z.array(channelAccountSchema).optional(),
  topicName: z.string().optional(),
  tenantId: z.string().optional(),
  activity: activitySchema.optional(),
  channelData: z
    .looseObject({
      channel: z.looseObject({ id: z.string() }).optional(),
      tenant: z.looseObject({ id: z.string() }).optional(),
    })
    .optional(),
});
export type ConversationParameters = z.infer<typeof conversationParametersSchema>;

/** A roster entry as Teams returns it from `GET /v3/conversations/{id}/members`. */
export const teamsMemberSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  aadObjectId: z.string(),
  givenName: z.string().optional(),
  surname: z.string().optional(),
  email: z.string().optional(),
  userPrincipalName: z.string(),
  tenantId: z.string().optional(),
  userRole: z.string().optional(),
});
export type TeamsMember = z.infer<typeof teamsMemberSchema>;

export type ConversationType = 'personal' | 'groupChat' | 'channel';

export const conversationModeSchema = z.enum(['ok', 'notInRoster', 'writesBlocked']);
export type ConversationMode = z.infer<typeof conversationModeSchema>;
