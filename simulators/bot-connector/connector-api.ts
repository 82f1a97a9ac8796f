import type { ZodType } from 'zod';

import type { ConversationStore, SimConversation } from './conversation-store.js';
import { parseJson } from '../kit/body.js';
import { SimError } from '../kit/errors.js';
import type { Reply } from '../kit/http.js';
import type { BotConnectorSeed } from './seed.js';
import type { ConnectorRoute, RequestContext } from './http-context.js';
import {
  type Activity,
  activitySchema,
  type ConversationParameters,
  conversationParametersSchema,
  type TeamsMember,
} from './teams-types.js';

// The Bot Connector REST routes botbuilder's ConnectorClient calls (botframework-connector
// src/connectorApi/operations/conversations.ts), plus the Teams routes TeamsInfo uses
// (botbuilder src/teamsInfo.ts → teams/v3/teams/{teamId}…).

/** Bot message limit: 100 KB counted as UTF-16, base64 images excluded (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages). */
export const MESSAGE_SIZE_LIMIT_BYTES = 100 * 1024;

export function messageSizeInBytes(activity: unknown): number {
  const json = JSON.stringify(activity) ?? '';
  const withoutInlineImages = json.replace(/data:image\/[\w.+-]+;base64,[A-Za-z0-9+/=]*/g, '');
  return withoutInlineImages.length * 2;
}

export interface ConnectorApiDeps {
  readonly store: ConversationStore;
  readonly seed: BotConnectorSeed;
}

const INVALID_JSON = new SimError(400, 'BadArgument', 'The request body is not valid JSON.');

function parse<T>(schema: ZodType<T>, raw: string, what: string): T {
  const result = schema.safeParse(parseJson(raw, INVALID_JSON));
  if (!result.success) {
    const issue = result.error.issues[0];
    const where =
      issue === undefined ? '' : ` (${issue.path.join('.') || 'body'}: ${issue.message})`;
    throw new SimError(400, 'BadArgument', `Invalid ${what}${where}.`);
  }
  return result.data;
}

function checkSize(activity: Activity): void {
  const size = messageSizeInBytes(activity);
  if (size > MESSAGE_SIZE_LIMIT_BYTES) {
    throw new SimError(
      413,
      'MessageSizeTooBig',
      `Message size ${size} bytes exceeds the limit of ${MESSAGE_SIZE_LIMIT_BYTES} bytes.`,
    );
  }
}

export class ConnectorApi {
  constructor(private readonly deps: ConnectorApiDeps) {}

  private get store(): ConversationStore {
    return this.deps.store;
  }

  /** 403s of proactive messaging (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages). */
  private guard(c: SimConversation, isWrite: boolean): void {
    const mode = this.store.effectiveMode(c);
    if (mode === 'notInRoster') {
      throw new SimError(
        403,
        'BotNotInConversationRoster',
        'The bot is not part of the conversation roster.',
      );
    }
    if (mode === 'writesBlocked' && isWrite) {
      throw new SimError(
        403,
        'MessageWritesBlocked',
        'The bot is blocked or uninstalled in this conversation; message writes are blocked.',
      );
    }
  }

  private stamp(c: SimConversation, activity: Activity, serviceUrl: string): Activity {
    return {
      ...activity,
      from: activity.from ?? { id: this.deps.seed.bot.id, name: this.deps.seed.bot.name },
      conversation: { ...activity.conversation, id: c.id },
      channelId: activity.channelId ?? 'msteams',
      serviceUrl,
    };
  }

  private post(c: SimConversation, activity: Activity, serviceUrl: string): string {
    checkSize(activity);
    const { id: _ignored, ...rest } = activity;
    const entry = this.store.append(
      c,
      { ...this.stamp(c, rest, serviceUrl), id: this.store.nextActivityId() },
      'fromBot',
    );
    return entry.activityId;
  }

  private conversationFor(ctx: RequestContext, isWrite: boolean): SimConversation {
    const c = this.store.require(ctx.params['conversationId'] ?? '');
    this.guard(c, isWrite);
    return c;
  }

  private findMember(c: SimConversation, memberId: string): TeamsMember | undefined {
    const wanted = memberId.toLowerCase();
    // TeamsInfo.getMember accepts the MRI or the AAD object id; Teams resolves both.
    return this.store
      .rosterOf(c)
      .find((m) => m.id.toLowerCase() === wanted || m.aadObjectId.toLowerCase() === wanted);
  }

  private createConversation(ctx: RequestContext): Reply {
    const params: ConversationParameters = parse(
      conversationParametersSchema,
      ctx.rawBody,
      'ConversationParameters',
    );
    const serviceUrl = ctx.baseUrl;
    const channelId = params.channelData?.channel?.id;
    if (channelId !== undefined) {
      // Posting to a channel starts a new reply chain whose id is `{channel};messageid={root}`
      // (botbuilder TeamsInfo.sendMessageToTeamsChannel → createConversation).
      const channel = this.store.require(channelId);
      this.guard(channel, true);
      if (params.activity === undefined) {
        throw new SimError(400, 'BadArgument', 'A channel conversation needs an activity.');
      }
      checkSize(params.activity);
      const rootId = this.store.nextActivityId();
      const thread = this.store.require(`${channel.id};messageid=${rootId}`);
      const { id: _ignored, ...rest } = params.activity;
      this.store.append(thread, { ...this.stamp(thread, rest, serviceUrl), id: rootId }, 'fromBot');
      return { status: 201, body: { id: thread.id, activityId: rootId, serviceUrl } };
    }
    const members = params.members ?? [];
    const first = members[0];
    if (params.isGroup === true || members.length !== 1 || first === undefined) {
      throw new SimError(
        400,
        'BadArgument',
        'A bot can create only a one-on-one conversation or a channel post; it cannot create a group chat.',
      );
    }
    const personal = this.store
      .all()
      .find(
        (c) =>
          c.conversationType === 'personal' &&
          c.members.some(
            (m) =>
              m.id.toLowerCase() === first.id.toLowerCase() ||
              m.aadObjectId.toLowerCase() === first.id.toLowerCase(),
          ),
      );
    if (personal === undefined) {
      // The app must already be installed for the user (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages).
      throw new SimError(
        403,
        'BotNotInConversationRoster',
        `The app is not installed for user ${first.id}.`,
      );
    }
    this.guard(personal, params.activity !== undefined);
    const activityId =
      params.activity === undefined ? undefined : this.post(personal, params.activity, serviceUrl);
    return {
      status: 201,
      body: { id: personal.id, ...(activityId === undefined ? {} : { activityId }), serviceUrl },
    };
  }

  private teamOf(teamId: string): BotConnectorSeed['team'] {
    const team = this.deps.seed.team;
    if (team.id !== teamId) {
      throw new SimError(404, 'NotFound', `Team ${teamId} not found.`);
    }
    return team;
  }

  routes(): ConnectorRoute[] {
    return [
      {
        method: 'POST',
        template: '/v3/conversations',
        handler: (ctx) => this.createConversation(ctx),
      },
      {
        method: 'POST',
        template: '/v3/conversations/:conversationId/activities',
        handler: (ctx) => {
          const c = this.conversationFor(ctx, true);
          const activity = parse(activitySchema, ctx.rawBody, 'activity');
          return { status: 201, body: { id: this.post(c, activity, ctx.baseUrl) } };
        },
      },
      {
        method: 'POST',
        template: '/v3/conversations/:conversationId/activities/:activityId',
        handler: (ctx) => {
          const c = this.conversationFor(ctx, true);
          const activity = parse(activitySchema, ctx.rawBody, 'activity');
          const replyToId = ctx.params['activityId'] ?? '';
          return {
            status: 201,
            body: { id: this.post(c, { ...activity, replyToId }, ctx.baseUrl) },
          };
        },
      },
      {
        method: 'PUT',
        template: '/v3/conversations/:conversationId/activities/:activityId',
        handler: (ctx) => {
          const c = this.conversationFor(ctx, true);
          const activityId = ctx.params['activityId'] ?? '';
          const activity = parse(activitySchema, ctx.rawBody, 'activity');
          checkSize(activity);
          this.store.update(c, activityId, this.stamp(c, activity, ctx.baseUrl));
          return { status: 200, body: { id: activityId } };
        },
      },
      {
        method: 'DELETE',
        template: '/v3/conversations/:conversationId/activities/:activityId',
        handler: (ctx) => {
          const c = this.conversationFor(ctx, true);
          this.store.remove(c, ctx.params['activityId'] ?? '');
          return { status: 200 };
        },
      },
      {
        method: 'GET',
        template: '/v3/conversations/:conversationId/members',
        handler: (ctx) => ({
          status: 200,
          body: this.store.rosterOf(this.conversationFor(ctx, false)),
        }),
      },
      {
        method: 'GET',
        template: '/v3/conversations/:conversationId/pagedmembers',
        handler: (ctx) => {
          const roster = this.store.rosterOf(this.conversationFor(ctx, false));
          const pageSize = Math.max(1, Number(ctx.query.get('pageSize') ?? '') || 200);
          const start = Number(ctx.query.get('continuationToken') ?? '0') || 0;
          const next = start + pageSize;
          return {
            status: 200,
            body: {
              members: roster.slice(start, next),
              ...(next < roster.length ? { continuationToken: String(next) } : {}),
            },
          };
        },
      },
      {
        method: 'GET',
        template: '/v3/conversations/:conversationId/members/:memberId',
        handler: (ctx) => {
          const c = this.conversationFor(ctx, false);
          const member = this.findMember(c, ctx.params['memberId'] ?? '');
          if (member === undefined) {
            throw new SimError(
              404,
              'MemberNotFoundInConversation',
              'The member was not found in the conversation.',
            );
          }
          return { status: 200, body: member };
        },
      },
      {
        method: 'GET',
        template: '/v3/teams/:teamId',
        handler: (ctx) => {
          const team = this.teamOf(ctx.params['teamId'] ?? '');
          const channels = this.store.all().filter((c) => c.teamId === team.id && !c.parentId);
          return {
            status: 200,
            body: {
              id: team.id,
              name: team.name,
              aadGroupId: team.aadGroupId,
              channelCount: channels.length,
              memberCount: this.store.rosterOf(channels[0] ?? this.store.require(team.id)).length,
              type: 'standard',
            },
          };
        },
      },
      {
        method: 'GET',
        template: '/v3/teams/:teamId/conversations',
        handler: (ctx) => {
          const team = this.teamOf(ctx.params['teamId'] ?? '');
          const conversations = this.store
            .all()
            .filter((c) => c.teamId === team.id && !c.parentId)
            // Teams leaves the General channel's name out (botbuilder TeamsInfo docs).
            .map((c) => ({ id: c.id, ...(c.id === team.id ? {} : { name: c.name }) }));
          return { status: 200, body: { conversations } };
        },
      },
    ];
  }
}
