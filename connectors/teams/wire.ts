import { z } from 'zod';

// Shapes the Teams connector reads from botbuilder and the Bot Connector service. Loose on purpose:
// only the fields we act on are named, everything else passes through untouched.

/**
 * A conversation reference as captured on install (`TurnContext.getConversationReference`); a
 * proactive message needs `serviceUrl` and `conversation.id`
 * (learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages).
 */
export const storedReferenceSchema = z.looseObject({
  channelId: z.string().optional(),
  serviceUrl: z.string().min(1),
  conversation: z.looseObject({
    id: z.string().min(1),
    isGroup: z.boolean().default(false),
    conversationType: z.string().default(''),
    name: z.string().default(''),
  }),
  bot: z.looseObject({ id: z.string(), name: z.string().default('') }).optional(),
});

/**
 * What a failed connector call throws: @azure/core-rest-pipeline's RestError, whose `code` is the
 * Bot Connector's `error.code` (`BotNotInConversationRoster`, `MessageWritesBlocked`, …).
 */
export const connectorFailureSchema = z.looseObject({
  statusCode: z.number().int(),
  code: z.string().optional(),
  details: z
    .looseObject({ error: z.looseObject({ code: z.string().optional() }).optional() })
    .optional(),
});

/** A Teams roster entry (`GET /v3/conversations/{id}/pagedmembers`), as much of it as we read. */
export const rosterMemberSchema = z.looseObject({
  id: z.string().min(1),
  aadObjectId: z.string().optional(),
});
