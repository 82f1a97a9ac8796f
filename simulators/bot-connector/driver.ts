import { z } from 'zod';

import { type ControlRoute, parseInput } from '../kit/control.js';
import { SimError } from '../kit/errors.js';
import { reply } from '../kit/http.js';
import type { ConversationStore } from './conversation-store.js';
import { type BotConnectorSeed, seedUsers } from './seed.js';
import {
  type ActivityContext,
  adaptiveCardActionActivity,
  botInstalledActivity,
  type TeamsUser,
  userMessageActivity,
} from './teams-activities.js';
import { type Activity, activitySchema } from './teams-types.js';
import type { TokenAuthority, TokenTamper } from './token-authority.js';

// The Teams-client stand-in: posts signed activities to the bot's `/api/messages` as Teams would
// (an install, a message, a card button press), for tests, the console and load generators.

export interface SendToBotOptions {
  /** false: no Authorization header at all. Default true. */
  readonly sign?: boolean;
  readonly tamper?: TokenTamper;
}

export interface BotAnswer {
  readonly status: number;
  readonly body: unknown;
  /** The id the stand-in gave the activity it sent. */
  readonly activityId: string;
}

/** An activity ready to post to the bot: where, with which headers (the signed token) and body. */
export interface PreparedDelivery {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly activityId: string;
}

export interface CardAction {
  readonly replyToId: string;
  readonly verb: string;
  readonly data?: Record<string, unknown>;
  readonly actionId?: string;
}

export interface TeamsDriverDeps {
  readonly now: () => Date;
  readonly store: ConversationStore;
  readonly seed: BotConnectorSeed;
  readonly tokens: TokenAuthority;
  /** The connector's `serviceUrl`, once listening. */
  readonly serviceUrl: () => string;
  /** The bot's `/api/messages` when a call names none. */
  readonly botEndpoint: () => string | undefined;
}

export class TeamsDriver {
  constructor(private readonly deps: TeamsDriverDeps) {}

  /**
   * What Teams would post to the bot for `activity` (defaults filled in, signed unless `sign:
   * false`, recorded), without sending it: for load generators posting from another process.
   * `sendToBot` also sends it.
   */
  async prepareForBot(
    botEndpoint: string | undefined,
    activity: Activity,
    options: SendToBotOptions = {},
  ): Promise<PreparedDelivery> {
    const { store, seed } = this.deps;
    const endpoint = botEndpoint ?? this.deps.botEndpoint();
    if (endpoint === undefined) {
      throw new SimError(400, 'BadArgument', 'No bot endpoint given or configured.');
    }
    const serviceUrl = this.deps.serviceUrl();
    const full: Activity = {
      ...activity,
      id: activity.id ?? store.nextActivityId(),
      timestamp: activity.timestamp ?? this.deps.now().toISOString(),
      serviceUrl: activity.serviceUrl ?? serviceUrl,
      channelId: activity.channelId ?? 'msteams',
      recipient: activity.recipient ?? { id: seed.bot.id, name: seed.bot.name },
    };
    const conversationId = full.conversation?.id;
    const conversation = conversationId === undefined ? undefined : store.find(conversationId);
    if (conversation !== undefined) store.append(conversation, full, 'toBot');
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (options.sign !== false) {
      const token = await this.deps.tokens.channelToken(
        full.serviceUrl ?? serviceUrl,
        options.tamper,
      );
      headers['Authorization'] = `Bearer ${token}`;
    }
    return { endpoint, headers, body: JSON.stringify(full), activityId: full.id ?? '' };
  }

  /**
   * Posts `activity` to the bot as Teams does (see `prepareForBot`) and returns the bot's HTTP answer
   * (for an invoke: `{statusCode, type, value}`), which the transcript keeps with the activity.
   */
  async sendToBot(
    botEndpoint: string | undefined,
    activity: Activity,
    options: SendToBotOptions = {},
  ): Promise<BotAnswer> {
    const prepared = await this.prepareForBot(botEndpoint, activity, options);
    const response = await fetch(prepared.endpoint, {
      method: 'POST',
      headers: prepared.headers,
      body: prepared.body,
    });
    const text = await response.text();
    let body: unknown = text;
    if (text === '') body = undefined;
    else {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
    }
    const answer = { status: response.status, body };
    const conversationId = activity.conversation?.id;
    const conversation =
      conversationId === undefined ? undefined : this.deps.store.find(conversationId);
    const entry = conversation?.entries.get(prepared.activityId);
    if (entry !== undefined) entry.botAnswer = answer;
    return { ...answer, activityId: prepared.activityId };
  }

  /** The activity context Teams would use for `conversationId` (team and channel for channels). */
  activityContext(conversationId: string): ActivityContext {
    const { store, seed } = this.deps;
    const c = store.require(conversationId);
    const channelConversation = store.parentOf(c) ?? c;
    const team = seed.team;
    const isTeamChannel = c.conversationType === 'channel' && c.teamId === team.id;
    return {
      serviceUrl: this.deps.serviceUrl(),
      tenantId: c.tenantId,
      bot: { id: seed.bot.id, name: seed.bot.name },
      conversation: {
        id: c.id,
        conversationType: c.conversationType,
        ...(c.name === undefined ? {} : { name: c.name }),
      },
      ...(isTeamChannel
        ? {
            team: { id: team.id, name: team.name, aadGroupId: team.aadGroupId },
            channel: {
              id: channelConversation.id,
              ...(channelConversation.name === undefined ? {} : { name: channelConversation.name }),
            },
          }
        : {}),
    };
  }

  /** A seeded user, or a roster member of the conversation, by AAD object id or MRI. */
  user(idOrAadObjectId: string, conversationId?: string): TeamsUser {
    const { store, seed } = this.deps;
    const wanted = idOrAadObjectId.toLowerCase();
    const seeded = seedUsers(seed).find(
      (u) => u.aadObjectId === wanted || u.mri.toLowerCase() === wanted,
    );
    if (seeded !== undefined) {
      return { id: seeded.mri, name: seeded.name, aadObjectId: seeded.aadObjectId };
    }
    const c = conversationId === undefined ? undefined : store.find(conversationId);
    const member =
      c === undefined
        ? undefined
        : store
            .rosterOf(c)
            .find((m) => m.aadObjectId.toLowerCase() === wanted || m.id.toLowerCase() === wanted);
    if (member === undefined) {
      throw new SimError(404, 'NotFound', `Unknown user ${idOrAadObjectId}.`);
    }
    return { id: member.id, name: member.name, aadObjectId: member.aadObjectId };
  }

  private defaultUser(conversationId: string): TeamsUser {
    const c = this.deps.store.require(conversationId);
    const first = this.deps.store.rosterOf(c)[0];
    return first === undefined
      ? this.user(this.deps.seed.users.adele.aadObjectId)
      : { id: first.id, name: first.name, aadObjectId: first.aadObjectId };
  }

  /** Teams' conversationUpdate announcing that the bot was added to the conversation. */
  installBot(conversationId: string, byUser?: string, botEndpoint?: string): Promise<BotAnswer> {
    const from =
      byUser === undefined ? this.defaultUser(conversationId) : this.user(byUser, conversationId);
    return this.sendToBot(
      botEndpoint,
      botInstalledActivity(this.activityContext(conversationId), from),
    );
  }

  sendMessage(
    conversationId: string,
    user: string,
    text: string,
    options: { mentionBot?: boolean; replyToId?: string; botEndpoint?: string } = {},
  ): Promise<BotAnswer> {
    const from = this.user(user, conversationId);
    const { botEndpoint, ...messageOptions } = options;
    return this.sendToBot(
      botEndpoint,
      userMessageActivity(this.activityContext(conversationId), from, text, messageOptions),
    );
  }

  /** A user pressed an `Action.Execute` button on the card carried by activity `replyToId`. */
  actOnCard(
    conversationId: string,
    user: string,
    action: CardAction,
    botEndpoint?: string,
  ): Promise<BotAnswer> {
    return this.sendToBot(botEndpoint, this.cardActionActivity(conversationId, user, action));
  }

  /** The signed `adaptiveCard/action` invoke `actOnCard` would send, for posting from elsewhere. */
  prepareCardAction(
    conversationId: string,
    user: string,
    action: CardAction,
    botEndpoint?: string,
  ): Promise<PreparedDelivery> {
    return this.prepareForBot(botEndpoint, this.cardActionActivity(conversationId, user, action));
  }

  private cardActionActivity(conversationId: string, user: string, action: CardAction): Activity {
    const from = this.user(user, conversationId);
    return adaptiveCardActionActivity(this.activityContext(conversationId), from, action);
  }

  /** `/_sim/send|install|message|invoke|invoke/prepare`: the same, over HTTP (console, bench). */
  controlRoutes(): ControlRoute[] {
    return [
      {
        method: 'POST',
        template: '/_sim/send',
        handler: async ({ json }) => {
          const input = parseInput(sendSchema, json);
          return reply(
            200,
            await this.sendToBot(input.botEndpoint, input.activity, {
              ...(input.sign === undefined ? {} : { sign: input.sign }),
              ...(input.tamper === undefined ? {} : { tamper: input.tamper }),
            }),
          );
        },
      },
      {
        method: 'POST',
        template: '/_sim/install',
        handler: async ({ json }) => {
          const input = parseInput(actorSchema, json);
          return reply(
            200,
            await this.installBot(input.conversationId, input.user, input.botEndpoint),
          );
        },
      },
      {
        method: 'POST',
        template: '/_sim/message',
        handler: async ({ json }) => {
          const input = parseInput(messageSchema, json);
          return reply(
            200,
            await this.sendMessage(input.conversationId, input.user, input.text, {
              ...(input.mentionBot === undefined ? {} : { mentionBot: input.mentionBot }),
              ...(input.replyToId === undefined ? {} : { replyToId: input.replyToId }),
              ...(input.botEndpoint === undefined ? {} : { botEndpoint: input.botEndpoint }),
            }),
          );
        },
      },
      {
        method: 'POST',
        template: '/_sim/invoke',
        handler: async ({ json }) => {
          const input = parseInput(invokeSchema, json);
          return reply(
            200,
            await this.actOnCard(
              input.conversationId,
              input.user,
              cardAction(input),
              input.botEndpoint,
            ),
          );
        },
      },
      {
        method: 'POST',
        template: '/_sim/invoke/prepare',
        handler: async ({ json }) => {
          const input = parseInput(invokeSchema, json);
          return reply(
            200,
            await this.prepareCardAction(
              input.conversationId,
              input.user,
              cardAction(input),
              input.botEndpoint,
            ),
          );
        },
      },
    ];
  }
}

const sendSchema = z.object({
  botEndpoint: z.url().optional(),
  activity: activitySchema,
  sign: z.boolean().optional(),
  tamper: z.enum(['forged', 'expired', 'wrongAudience', 'unsigned']).optional(),
});

const actorSchema = z.object({
  botEndpoint: z.url().optional(),
  conversationId: z.string().min(1),
  /** AAD object id or MRI of the acting user. */
  user: z.string().min(1).optional(),
});

const messageSchema = actorSchema.extend({
  user: z.string().min(1),
  text: z.string(),
  mentionBot: z.boolean().optional(),
  replyToId: z.string().optional(),
});

/** A press of an `Action.Execute` button: `/_sim/invoke` sends it, `/_sim/invoke/prepare` returns it. */
const invokeSchema = actorSchema.extend({
  user: z.string().min(1),
  replyToId: z.string().min(1),
  verb: z.string().min(1),
  data: z.record(z.string(), z.unknown()).optional(),
  actionId: z.string().optional(),
});

const cardAction = (input: z.infer<typeof invokeSchema>): CardAction => ({
  replyToId: input.replyToId,
  verb: input.verb,
  ...(input.data === undefined ? {} : { data: input.data }),
  ...(input.actionId === undefined ? {} : { actionId: input.actionId }),
});
