import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import { z } from 'zod';

import { ConnectorApi } from './connector-api.js';
import {
  type ConversationDetail,
  ConversationStore,
  type ConversationSummary,
} from './conversation-store.js';
import {
  codeForStatus,
  type Fault,
  FaultInjector,
  faultSchema,
  throttleSchema,
} from './fault-injector.js';
import {
  botFrameworkError,
  delay,
  type JsonAnswer,
  matchRoute,
  parseJsonBody,
  readBody,
  type RequestContext,
  type Route,
  sendJson,
  splitPath,
} from './http-kit.js';
import {
  type BotConnectorSeed,
  createSeed,
  DEFAULT_BOT_APP_ID,
  DEFAULT_TENANT_ID,
  seedUsers,
} from './seed.js';
import { ensureError, SimHttpError } from './sim-http-error.js';
import {
  type ActivityContext,
  adaptiveCardActionActivity,
  botInstalledActivity,
  type TeamsUser,
  userMessageActivity,
} from './teams-activities.js';
import {
  type Activity,
  activitySchema,
  conversationModeSchema,
  type ConversationMode,
  type TeamsMember,
  teamsMemberSchema,
} from './teams-types.js';
import { BOT_FRAMEWORK_ISSUER, TokenAuthority, type TokenTamper } from './token-authority.js';

// A loopback fake of the Bot Connector service — the Teams side of a bot — and a Teams-client
// stand-in that posts signed activities to the bot. See README.md in this folder for the routes and
// for what a botbuilder CloudAdapter must be configured with to talk to it.

export interface FakeBotConnectorServerOptions {
  readonly now?: () => Date;
  readonly botAppId?: string;
  readonly tenantId?: string;
  /** Connector calls must carry a bearer token from this simulator's token endpoint. */
  readonly requireBotToken?: boolean;
  /** When set, the token endpoint checks the client secret too. */
  readonly botAppPassword?: string;
  /** Default `/api/messages` URL for `sendToBot` and the `/_sim/send|install|message|invoke` routes. */
  readonly botEndpoint?: string;
  /**
   * MSAL refuses non-https authorities (msal-common UrlString.validateAsUri: authorityUriInsecure),
   * so the token endpoint and its discovery documents are also served over TLS when this is given.
   */
  readonly https?: {
    readonly key: string | Buffer;
    readonly cert: string | Buffer;
    readonly port?: number;
  };
}

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

export interface StartedBotConnector {
  readonly url: string;
  readonly openIdMetadataUrl: string;
  readonly httpsUrl?: string;
  readonly authorityUrl: string;
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

/** A press of an `Action.Execute` button: `/_sim/invoke` sends it, `/_sim/invoke/prepare` returns it. */
const invokeSchema = actorSchema.extend({
  user: z.string().min(1),
  replyToId: z.string().min(1),
  verb: z.string().min(1),
  data: z.record(z.string(), z.unknown()).optional(),
  actionId: z.string().optional(),
});

const cardAction = (input: z.infer<typeof invokeSchema>) => ({
  replyToId: input.replyToId,
  verb: input.verb,
  ...(input.data === undefined ? {} : { data: input.data }),
  ...(input.actionId === undefined ? {} : { actionId: input.actionId }),
});

const newConversationSchema = z.object({
  id: z.string().min(1),
  conversationType: z.enum(['personal', 'groupChat', 'channel']),
  name: z.string().optional(),
  teamId: z.string().optional(),
  members: z.array(teamsMemberSchema).optional(),
});

function ok(body?: unknown, status = 200): JsonAnswer {
  return body === undefined ? { status } : { status, body };
}

function parseControl<T>(schema: z.ZodType<T>, raw: string): T {
  const result = schema.safeParse(parseJsonBody(raw));
  if (!result.success) {
    throw new SimHttpError(400, 'BadArgument', z.prettifyError(result.error));
  }
  return result.data;
}

type Family = 'connector' | 'entra' | 'openid' | 'control';

interface FamilyRoute extends Route {
  readonly family: Family;
}

export class FakeBotConnectorServer {
  private readonly now: () => Date;
  private readonly requireBotToken: boolean;
  private readonly seedData: BotConnectorSeed;
  private readonly store: ConversationStore;
  private readonly faults: FaultInjector;
  private readonly tokens: TokenAuthority;
  private readonly routes: FamilyRoute[];
  private httpServer: Server | undefined;
  private httpsServer: Server | undefined;
  private baseUrl: string | undefined;
  private httpsBaseUrl: string | undefined;
  private defaultBotEndpoint: string | undefined;

  constructor(private readonly options: FakeBotConnectorServerOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.requireBotToken = options.requireBotToken ?? false;
    const tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
    const botAppId = options.botAppId ?? DEFAULT_BOT_APP_ID;
    this.seedData = createSeed(tenantId, botAppId);
    this.store = new ConversationStore(this.seedData, this.now);
    this.faults = new FaultInjector(this.now);
    this.tokens = new TokenAuthority({
      now: this.now,
      botAppId,
      tenantId,
      ...(options.botAppPassword === undefined ? {} : { botAppPassword: options.botAppPassword }),
    });
    this.defaultBotEndpoint = options.botEndpoint;
    const connector = new ConnectorApi({ store: this.store, seed: this.seedData });
    this.routes = [
      ...connector.routes().map((r): FamilyRoute => ({ ...r, family: 'connector' })),
      ...this.identityRoutes(),
      ...this.controlRoutes(),
    ];
  }

  async start(port = 0, host = '127.0.0.1'): Promise<StartedBotConnector> {
    const http = createServer((req, res) => this.handle(req, res, 'http'));
    this.baseUrl = await listen(http, port, host);
    this.httpServer = http;
    if (this.options.https !== undefined) {
      const { key, cert } = this.options.https;
      const https = createHttpsServer({ key, cert }, (req, res) => this.handle(req, res, 'https'));
      this.httpsBaseUrl = (await listen(https, this.options.https.port ?? 0, host)).replace(
        /^http:/,
        'https:',
      );
      this.httpsServer = https;
    }
    return {
      url: this.url,
      openIdMetadataUrl: this.openIdMetadataUrl,
      ...(this.httpsBaseUrl === undefined ? {} : { httpsUrl: this.httpsBaseUrl }),
      authorityUrl: this.authorityUrl,
    };
  }

  async stop(): Promise<void> {
    await Promise.all([close(this.httpServer), close(this.httpsServer)]);
    this.httpServer = undefined;
    this.httpsServer = undefined;
  }

  /** The `serviceUrl` the bot calls (no trailing slash; the router also accepts `//v3/…`). */
  get url(): string {
    if (this.baseUrl === undefined) {
      throw new SimHttpError(500, 'NotStarted', 'FakeBotConnectorServer is not started.');
    }
    return this.baseUrl;
  }

  get httpsUrl(): string | undefined {
    return this.httpsBaseUrl;
  }

  /** `ToBotFromChannelOpenIdMetadataUrl` for botbuilder. */
  get openIdMetadataUrl(): string {
    return `${this.url}/v1/.well-known/openidconfiguration`;
  }

  /** `ToChannelFromBotLoginUrl` for botbuilder: `{https base}/{tenantId}` (http when no TLS). */
  get authorityUrl(): string {
    return `${this.httpsBaseUrl ?? this.url}/${this.seedData.tenantId}`;
  }

  get seed(): BotConnectorSeed {
    return this.seedData;
  }

  get botEndpoint(): string | undefined {
    return this.defaultBotEndpoint;
  }

  set botEndpoint(endpoint: string | undefined) {
    this.defaultBotEndpoint = endpoint;
  }

  conversations(): readonly ConversationSummary[] {
    return this.store.all().map((c) => this.store.summary(c));
  }

  conversation(id: string): ConversationDetail | undefined {
    const c = this.store.find(id);
    return c === undefined ? undefined : this.store.detail(c);
  }

  setMode(conversationId: string, mode: ConversationMode): void {
    this.store.require(conversationId).mode = mode;
  }

  setRoster(conversationId: string, members: readonly TeamsMember[]): void {
    this.store.require(conversationId).members = [...members];
  }

  addFault(fault: Fault): void {
    this.faults.arm(faultSchema.parse(fault));
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setThrottle(requestsPerSecond: number | null): void {
    this.faults.setThrottle(requestsPerSecond);
  }

  calls(): { total: number; byEndpoint: Record<string, number> } {
    return this.faults.callCounts();
  }

  resetCalls(): void {
    this.faults.resetCalls();
  }

  /** Back to the seeded conversations, no faults, no throttle, zero counters. */
  reset(): void {
    this.store.reset();
    this.faults.reset();
  }

  /** A channel token as the Bot Framework would send it, for tests of other validators. */
  channelToken(serviceUrl: string = this.url, tamper?: TokenTamper): string {
    return this.tokens.channelToken(serviceUrl, tamper);
  }

  /**
   * What Teams would post to the bot for `activity`: fills in id, timestamp, serviceUrl, channelId and
   * recipient when absent, signs it (unless `sign: false`) and records it in the transcript, without
   * sending it. For load generators that post from elsewhere (the bench's invoke client, in its own
   * process so its work is not counted against the bot's); `sendToBot` also sends it.
   */
  prepareForBot(
    botEndpoint: string | undefined,
    activity: Activity,
    options: SendToBotOptions = {},
  ): PreparedDelivery {
    const endpoint = botEndpoint ?? this.defaultBotEndpoint;
    if (endpoint === undefined) {
      throw new SimHttpError(400, 'BadArgument', 'No bot endpoint given or configured.');
    }
    const full: Activity = {
      ...activity,
      id: activity.id ?? this.store.nextActivityId(),
      timestamp: activity.timestamp ?? this.now().toISOString(),
      serviceUrl: activity.serviceUrl ?? this.url,
      channelId: activity.channelId ?? 'msteams',
      recipient: activity.recipient ?? { id: this.seedData.bot.id, name: this.seedData.bot.name },
    };
    const conversationId = full.conversation?.id;
    const conversation = conversationId === undefined ? undefined : this.store.find(conversationId);
    if (conversation !== undefined) this.store.append(conversation, full, 'toBot');
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (options.sign !== false) {
      const token = this.tokens.channelToken(full.serviceUrl ?? this.url, options.tamper);
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
    const prepared = this.prepareForBot(botEndpoint, activity, options);
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
    const conversation = conversationId === undefined ? undefined : this.store.find(conversationId);
    const entry = conversation?.entries.get(prepared.activityId);
    if (entry !== undefined) entry.botAnswer = answer;
    return { ...answer, activityId: prepared.activityId };
  }

  /** The activity context Teams would use for `conversationId` (team and channel for channels). */
  activityContext(conversationId: string): ActivityContext {
    const c = this.store.require(conversationId);
    const channelConversation = this.store.parentOf(c) ?? c;
    const team = this.seedData.team;
    const isTeamChannel = c.conversationType === 'channel' && c.teamId === team.id;
    return {
      serviceUrl: this.url,
      tenantId: c.tenantId,
      bot: { id: this.seedData.bot.id, name: this.seedData.bot.name },
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
    const wanted = idOrAadObjectId.toLowerCase();
    const seeded = seedUsers(this.seedData).find(
      (u) => u.aadObjectId === wanted || u.mri.toLowerCase() === wanted,
    );
    if (seeded !== undefined) {
      return { id: seeded.mri, name: seeded.name, aadObjectId: seeded.aadObjectId };
    }
    const c = conversationId === undefined ? undefined : this.store.find(conversationId);
    const member =
      c === undefined
        ? undefined
        : this.store
            .rosterOf(c)
            .find((m) => m.aadObjectId.toLowerCase() === wanted || m.id.toLowerCase() === wanted);
    if (member === undefined) {
      throw new SimHttpError(404, 'NotFound', `Unknown user ${idOrAadObjectId}.`);
    }
    return { id: member.id, name: member.name, aadObjectId: member.aadObjectId };
  }

  private defaultUser(conversationId: string): TeamsUser {
    const c = this.store.require(conversationId);
    const first = this.store.rosterOf(c)[0];
    return first === undefined
      ? this.user(this.seedData.users.adele.aadObjectId)
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
    action: { replyToId: string; verb: string; data?: Record<string, unknown>; actionId?: string },
    botEndpoint?: string,
  ): Promise<BotAnswer> {
    const from = this.user(user, conversationId);
    return this.sendToBot(
      botEndpoint,
      adaptiveCardActionActivity(this.activityContext(conversationId), from, action),
    );
  }

  /** The signed `adaptiveCard/action` invoke `actOnCard` would send, for posting from elsewhere. */
  prepareCardAction(
    conversationId: string,
    user: string,
    action: { replyToId: string; verb: string; data?: Record<string, unknown>; actionId?: string },
    botEndpoint?: string,
  ): PreparedDelivery {
    const from = this.user(user, conversationId);
    return this.prepareForBot(
      botEndpoint,
      adaptiveCardActionActivity(this.activityContext(conversationId), from, action),
    );
  }

  private identityRoutes(): FamilyRoute[] {
    const entraMetadata = (ctx: RequestContext): JsonAnswer => {
      const tenant = ctx.params['tenantId'] ?? '';
      if (!this.tokens.isKnownTenant(tenant)) {
        throw new SimHttpError(400, 'invalid_tenant', `AADSTS90002: Tenant '${tenant}' not found.`);
      }
      const authority = `${ctx.baseUrl}/${tenant}`;
      // What MSAL reads from `{authority}/v2.0/.well-known/openid-configuration`
      // (msal-common authority/OpenIdConfigResponse.ts: the four endpoints below are required).
      return ok({
        token_endpoint: `${authority}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
        jwks_uri: `${ctx.baseUrl}/${tenant}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${authority}/v2.0`,
        authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
        tenant_region_scope: 'NA',
        cloud_instance_name: 'microsoftonline.com',
      });
    };
    return [
      {
        family: 'openid',
        method: 'GET',
        template: '/v1/.well-known/openidconfiguration',
        // The document botbuilder's OpenIdMetadata fetches, then follows `jwks_uri`
        // (shape of https://login.botframework.com/v1/.well-known/openidconfiguration).
        handler: (ctx) =>
          ok({
            issuer: BOT_FRAMEWORK_ISSUER,
            authorization_endpoint: `${ctx.baseUrl}/v1/.well-known/authorize`,
            jwks_uri: `${ctx.baseUrl}/.well-known/keys`,
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: ['private_key_jwt'],
          }),
      },
      {
        family: 'openid',
        method: 'GET',
        template: '/.well-known/keys',
        handler: () => ok(this.tokens.channelJwks()),
      },
      {
        family: 'entra',
        method: 'GET',
        template: '/:tenantId/v2.0/.well-known/openid-configuration',
        handler: entraMetadata,
      },
      {
        family: 'entra',
        method: 'GET',
        template: '/:tenantId/discovery/v2.0/keys',
        handler: () => ok(this.tokens.entraJwks()),
      },
      {
        family: 'entra',
        method: 'POST',
        template: '/:tenantId/oauth2/v2.0/token',
        handler: (ctx) => {
          const form = new URLSearchParams(ctx.rawBody);
          const value = (name: string): string | undefined => form.get(name) ?? undefined;
          return ok(
            this.tokens.issueBotToken({
              tenant: ctx.params['tenantId'] ?? '',
              grantType: value('grant_type'),
              clientId: value('client_id'),
              clientSecret: value('client_secret'),
              scope: value('scope'),
            }),
          );
        },
      },
    ];
  }

  private controlRoutes(): FamilyRoute[] {
    const control = (method: string, template: string, handler: Route['handler']): FamilyRoute => ({
      family: 'control',
      method,
      template: `/_sim${template}`,
      handler,
    });
    const conversationId = (ctx: RequestContext): string => ctx.params['conversationId'] ?? '';
    return [
      control('GET', '/seed', () => ok(this.seedData)),
      control('POST', '/reset', () => {
        this.reset();
        return ok(undefined, 204);
      }),
      control('GET', '/conversations', () => ok({ conversations: this.conversations() })),
      control('POST', '/conversations', (ctx) => {
        const input = parseControl(newConversationSchema, ctx.rawBody);
        if (this.store.find(input.id) !== undefined) {
          throw new SimHttpError(409, 'Conflict', `Conversation ${input.id} exists.`);
        }
        return ok(this.store.summary(this.store.add(input)), 201);
      }),
      control('GET', '/conversations/:conversationId', (ctx) =>
        ok(this.store.detail(this.store.require(conversationId(ctx)))),
      ),
      control('POST', '/conversations/:conversationId/mode', (ctx) => {
        const { mode } = parseControl(z.object({ mode: conversationModeSchema }), ctx.rawBody);
        this.setMode(conversationId(ctx), mode);
        return ok({ id: conversationId(ctx), mode });
      }),
      control('PUT', '/conversations/:conversationId/members', (ctx) => {
        const members = parseControl(z.array(teamsMemberSchema), ctx.rawBody);
        this.setRoster(conversationId(ctx), members);
        return ok(members);
      }),
      control('POST', '/throttle', (ctx) => {
        const { requestsPerSecond } = parseControl(throttleSchema, ctx.rawBody);
        this.setThrottle(requestsPerSecond);
        return ok({ requestsPerSecond });
      }),
      control('GET', '/faults', () => ok({ faults: this.faults.armed() })),
      control('POST', '/faults', (ctx) => {
        this.faults.arm(parseControl(faultSchema, ctx.rawBody));
        return ok(undefined, 201);
      }),
      control('DELETE', '/faults', () => {
        this.clearFaults();
        return ok(undefined, 204);
      }),
      control('GET', '/calls', () => ok(this.calls())),
      control('DELETE', '/calls', () => {
        this.resetCalls();
        return ok(undefined, 204);
      }),
      control('POST', '/send', async (ctx) => {
        const input = parseControl(sendSchema, ctx.rawBody);
        return ok(
          await this.sendToBot(input.botEndpoint, input.activity, {
            ...(input.sign === undefined ? {} : { sign: input.sign }),
            ...(input.tamper === undefined ? {} : { tamper: input.tamper }),
          }),
        );
      }),
      control('POST', '/install', async (ctx) => {
        const input = parseControl(actorSchema, ctx.rawBody);
        return ok(await this.installBot(input.conversationId, input.user, input.botEndpoint));
      }),
      control('POST', '/message', async (ctx) => {
        const input = parseControl(
          actorSchema.extend({
            user: z.string().min(1),
            text: z.string(),
            mentionBot: z.boolean().optional(),
            replyToId: z.string().optional(),
          }),
          ctx.rawBody,
        );
        return ok(
          await this.sendMessage(input.conversationId, input.user, input.text, {
            ...(input.mentionBot === undefined ? {} : { mentionBot: input.mentionBot }),
            ...(input.replyToId === undefined ? {} : { replyToId: input.replyToId }),
            ...(input.botEndpoint === undefined ? {} : { botEndpoint: input.botEndpoint }),
          }),
        );
      }),
      control('POST', '/invoke', async (ctx) => {
        const input = parseControl(invokeSchema, ctx.rawBody);
        return ok(
          await this.actOnCard(
            input.conversationId,
            input.user,
            cardAction(input),
            input.botEndpoint,
          ),
        );
      }),
      control('POST', '/invoke/prepare', (ctx) => {
        const input = parseControl(invokeSchema, ctx.rawBody);
        return ok(
          this.prepareCardAction(
            input.conversationId,
            input.user,
            cardAction(input),
            input.botEndpoint,
          ),
        );
      }),
    ];
  }

  private handle(req: IncomingMessage, res: ServerResponse, listener: 'http' | 'https'): void {
    this.dispatch(req, res, listener).catch((e: unknown) => {
      const error = ensureError(e);
      if (!res.headersSent && !res.destroyed) {
        sendJson(
          res,
          botFrameworkError(
            error instanceof SimHttpError
              ? error
              : new SimHttpError(500, 'InternalServerError', error.message),
          ),
        );
      }
    });
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    listener: 'http' | 'https',
  ): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    // Prefix rather than resolve: a path starting `//` would otherwise be read as a host.
    const url = new URL(`http://sim.invalid${req.url ?? '/'}`);
    if (method === 'OPTIONS') {
      sendJson(res, { status: 204 });
      return;
    }
    const segments = splitPath(url.pathname);
    const { match, methodMismatch } = matchRoute(this.routes, method, segments);
    const rawBody = await readBody(req);
    if (match === undefined) {
      sendJson(
        res,
        botFrameworkError(
          methodMismatch
            ? new SimHttpError(405, 'MethodNotAllowed', `${method} is not allowed here.`)
            : new SimHttpError(404, 'NotFound', `No route for ${method} ${url.pathname}.`),
        ),
      );
      return;
    }
    const route = match.route as FamilyRoute;
    const ctx: RequestContext = {
      method,
      params: match.params,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      baseUrl: listener === 'https' ? (this.httpsBaseUrl ?? this.url) : this.url,
    };
    const render = (error: SimHttpError): JsonAnswer =>
      route.family === 'entra' ? entraError(error, this.now()) : botFrameworkError(error);

    if (route.family === 'control') {
      await this.answer(res, route, ctx, render);
      return;
    }

    this.faults.count(`${method} ${route.template}`);
    const decodedPath = `/${segments.map((s) => safeDecode(s)).join('/')}`;
    const fault = this.faults.take(method, [url.pathname, decodedPath, route.template]);
    if (fault?.latencyMs !== undefined) await delay(fault.latencyMs);
    if (fault?.drop === true) {
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined
          ? {}
          : { 'Retry-After': String(fault.retryAfterSeconds) };
      sendJson(
        res,
        render(
          new SimHttpError(
            fault.status,
            codeForStatus(fault.status),
            `Injected fault ${fault.status}.`,
            headers,
          ),
        ),
      );
      return;
    }
    if (fault?.malformed === true) {
      sendJson(res, ok({ unexpected: 'not the documented shape' }));
      return;
    }

    if (route.family === 'connector') {
      try {
        if (this.requireBotToken) this.tokens.verifyBotToken(req.headers.authorization);
        const retryAfter = this.faults.overLimit();
        if (retryAfter !== undefined) {
          // Teams rate limits answer 429; clients honour Retry-After (learn …/bots/how-to/rate-limit).
          throw new SimHttpError(429, 'Throttled', 'Too many requests.', {
            'Retry-After': String(retryAfter),
          });
        }
      } catch (e: unknown) {
        const error = ensureError(e);
        if (error instanceof SimHttpError) {
          sendJson(res, render(error));
          return;
        }
        throw error;
      }
    }

    if (fault?.lostResponse === true) {
      // Apply the change, then lose the answer on the way back.
      try {
        await route.handler(ctx);
      } finally {
        req.socket.destroy();
      }
      return;
    }
    await this.answer(res, route, ctx, render);
  }

  private async answer(
    res: ServerResponse,
    route: FamilyRoute,
    ctx: RequestContext,
    render: (error: SimHttpError) => JsonAnswer,
  ): Promise<void> {
    try {
      sendJson(res, await route.handler(ctx));
    } catch (e: unknown) {
      const error = ensureError(e);
      if (error instanceof SimHttpError) {
        sendJson(res, render(error));
        return;
      }
      throw error;
    }
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Entra's error body (learn.microsoft.com/entra/identity-platform/reference-error-codes). */
function entraError(error: SimHttpError, now: Date): JsonAnswer {
  const match = /AADSTS(\d+)/.exec(error.message);
  return {
    status: error.status,
    headers: error.headers,
    body: {
      error: error.code,
      error_description: error.message,
      error_codes: match?.[1] === undefined ? [] : [Number(match[1])],
      timestamp: now
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z'),
      trace_id: '00000000-0000-0000-0000-000000000000',
      correlation_id: '00000000-0000-0000-0000-000000000000',
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${hostPart}:${address.port}`);
    });
  });
}

function close(server: Server | undefined): Promise<void> {
  if (server === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
