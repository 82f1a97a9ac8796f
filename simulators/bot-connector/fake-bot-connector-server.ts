import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

import { z } from 'zod';

import { parseJson, readBody } from '../kit/body.js';
import { type ControlRoute, parseInput, trafficControlRoutes } from '../kit/control.js';
import { asSimError, SimError } from '../kit/errors.js';
import { delay, type Listening, listen, type Reply, reply, sendJson } from '../kit/http.js';
import { Router } from '../kit/router.js';
import { JsonStateFile } from '../kit/state-file.js';
import { faultEffect, TrafficControls } from '../kit/traffic.js';
import { ConnectorApi } from './connector-api.js';
import {
  type ConversationDetail,
  type ConversationsSnapshot,
  ConversationStore,
  type ConversationSummary,
} from './conversation-store.js';
import { TeamsDriver } from './driver.js';
import {
  botFrameworkError,
  type ConnectorRoute,
  CORS_HEADERS,
  codeForStatus,
  type RequestContext,
} from './http-context.js';
import { entraError, type IdentityRoute, identityRoutes } from './identity-provider.js';
import {
  type BotConnectorSeed,
  createSeed,
  DEFAULT_BOT_APP_ID,
  DEFAULT_TENANT_ID,
} from './seed.js';
import {
  conversationModeSchema,
  type ConversationMode,
  type TeamsMember,
  teamsMemberSchema,
} from './teams-types.js';
import { TokenAuthority, type TokenTamper } from './token-authority.js';

const STATE_FORMAT = 'lightdesk-teams-simulator/1';

// A loopback Bot Connector (the Teams side of a bot): connector-api.ts, identity-provider.ts and
// the Teams-client driver.ts. README.md here lists the routes and the CloudAdapter configuration.

export interface FakeBotConnectorServerOptions {
  readonly now?: () => Date;
  /** Keep the conversations and their cards in this file across restarts (the local demo). */
  readonly stateFile?: string;
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

export interface StartedBotConnector {
  readonly url: string;
  readonly openIdMetadataUrl: string;
  readonly httpsUrl?: string;
  readonly authorityUrl: string;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const TOO_LARGE = new SimError(413, 'MessageSizeTooBig', 'Request body too large.');
const MALFORMED_SEGMENT = new SimError(400, 'BadArgument', 'Malformed path segment.');
const INVALID_JSON = new SimError(400, 'BadArgument', 'The request body is not valid JSON.');

const newConversationSchema = z.object({
  id: z.string().min(1),
  conversationType: z.enum(['personal', 'groupChat', 'channel']),
  name: z.string().optional(),
  teamId: z.string().optional(),
  members: z.array(teamsMemberSchema).optional(),
});

type AnyRoute =
  | (ConnectorRoute & { readonly family: 'connector' })
  | IdentityRoute
  | (ControlRoute & { readonly family: 'control' });

export class FakeBotConnectorServer extends TrafficControls {
  private readonly now: () => Date;
  private readonly requireBotToken: boolean;
  private readonly seedData: BotConnectorSeed;
  private readonly store: ConversationStore;
  private readonly saved: JsonStateFile<ConversationsSnapshot>;
  private readonly tokens: TokenAuthority;
  private readonly driver: TeamsDriver;
  private readonly router: Router<AnyRoute>;
  private http: Listening | undefined;
  private https: Listening | undefined;
  private defaultBotEndpoint: string | undefined;

  constructor(private readonly options: FakeBotConnectorServerOptions = {}) {
    const now = options.now ?? (() => new Date());
    super(now);
    this.now = now;
    this.requireBotToken = options.requireBotToken ?? false;
    const tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
    const botAppId = options.botAppId ?? DEFAULT_BOT_APP_ID;
    this.seedData = createSeed(tenantId, botAppId);
    this.store = new ConversationStore(this.seedData, this.now);
    this.saved = new JsonStateFile(options.stateFile, STATE_FORMAT, () => this.store.snapshot());
    const loaded = this.saved.load();
    if (loaded !== undefined) this.store.restore(loaded);
    this.tokens = new TokenAuthority({
      now: this.now,
      botAppId,
      tenantId,
      ...(options.botAppPassword === undefined ? {} : { botAppPassword: options.botAppPassword }),
    });
    this.defaultBotEndpoint = options.botEndpoint;
    this.driver = new TeamsDriver({
      now: this.now,
      store: this.store,
      seed: this.seedData,
      tokens: this.tokens,
      serviceUrl: () => this.url,
      botEndpoint: () => this.defaultBotEndpoint,
    });
    const connector = new ConnectorApi({ store: this.store, seed: this.seedData });
    const control = (route: ControlRoute): AnyRoute => ({ ...route, family: 'control' });
    this.router = new Router<AnyRoute>([
      ...connector.routes().map((r): AnyRoute => ({ ...r, family: 'connector' })),
      ...identityRoutes(this.tokens),
      ...this.controlRoutes().map(control),
      ...this.driver.controlRoutes().map(control),
      ...trafficControlRoutes(this.traffic, () => {
        this.reset();
        return this.seedData;
      }).map(control),
    ]);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<StartedBotConnector> {
    this.http = await listen(
      createServer((req, res) => this.handle(req, res, 'http')),
      port,
      host,
    );
    if (this.options.https !== undefined) {
      const { key, cert } = this.options.https;
      const https = createHttpsServer({ key, cert }, (req, res) => this.handle(req, res, 'https'));
      this.https = await listen(https, this.options.https.port ?? 0, host);
    }
    return {
      url: this.url,
      openIdMetadataUrl: this.openIdMetadataUrl,
      ...(this.httpsUrl === undefined ? {} : { httpsUrl: this.httpsUrl }),
      authorityUrl: this.authorityUrl,
    };
  }

  async stop(): Promise<void> {
    const closing = [this.http, this.https].map((l) => l?.close() ?? Promise.resolve());
    this.http = undefined;
    this.https = undefined;
    await Promise.all(closing);
    await this.saved.flush();
  }

  /** The `serviceUrl` the bot calls (no trailing slash; the router also accepts `//v3/…`). */
  get url(): string {
    if (this.http === undefined) {
      throw new SimError(500, 'NotStarted', 'FakeBotConnectorServer is not started.');
    }
    return this.http.url;
  }

  get httpsUrl(): string | undefined {
    return this.https?.url.replace(/^http:/, 'https:');
  }

  /** `ToBotFromChannelOpenIdMetadataUrl` for botbuilder. */
  get openIdMetadataUrl(): string {
    return `${this.url}/v1/.well-known/openidconfiguration`;
  }

  /** `ToChannelFromBotLoginUrl` for botbuilder: `{https base}/{tenantId}` (http when no TLS). */
  get authorityUrl(): string {
    return `${this.httpsUrl ?? this.url}/${this.seedData.tenantId}`;
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

  /** Back to the seeded conversations, no faults, no throttle, zero counters. */
  reset(): void {
    this.store.reset();
    this.traffic.reset();
  }

  /** A channel token as the Bot Framework would send it, for tests of other validators. */
  channelToken(serviceUrl: string = this.url, tamper?: TokenTamper): Promise<string> {
    return this.tokens.channelToken(serviceUrl, tamper);
  }

  // The Teams-client driver (driver.ts), kept on the server for its callers.
  readonly prepareForBot: TeamsDriver['prepareForBot'] = (...a) => this.driver.prepareForBot(...a);
  readonly sendToBot: TeamsDriver['sendToBot'] = (...a) => this.driver.sendToBot(...a);
  readonly activityContext: TeamsDriver['activityContext'] = (id) =>
    this.driver.activityContext(id);
  readonly user: TeamsDriver['user'] = (...a) => this.driver.user(...a);
  readonly installBot: TeamsDriver['installBot'] = (...a) => this.driver.installBot(...a);
  readonly sendMessage: TeamsDriver['sendMessage'] = (...a) => this.driver.sendMessage(...a);
  readonly actOnCard: TeamsDriver['actOnCard'] = (...a) => this.driver.actOnCard(...a);
  readonly prepareCardAction: TeamsDriver['prepareCardAction'] = (...a) =>
    this.driver.prepareCardAction(...a);

  private controlRoutes(): ControlRoute[] {
    const conversationId = (params: Readonly<Record<string, string>>): string =>
      params['conversationId'] ?? '';
    return [
      { method: 'GET', template: '/_sim/seed', handler: () => reply(200, this.seedData) },
      {
        method: 'GET',
        template: '/_sim/conversations',
        handler: () => reply(200, { conversations: this.conversations() }),
      },
      {
        method: 'POST',
        template: '/_sim/conversations',
        handler: ({ json }) => {
          const input = parseInput(newConversationSchema, json);
          if (this.store.find(input.id) !== undefined) {
            throw new SimError(409, 'Conflict', `Conversation ${input.id} exists.`);
          }
          return reply(201, this.store.summary(this.store.add(input)));
        },
      },
      {
        method: 'GET',
        template: '/_sim/conversations/:conversationId',
        handler: ({ params }) =>
          reply(200, this.store.detail(this.store.require(conversationId(params)))),
      },
      {
        method: 'POST',
        template: '/_sim/conversations/:conversationId/mode',
        handler: ({ json, params }) => {
          const { mode } = parseInput(z.object({ mode: conversationModeSchema }), json);
          this.setMode(conversationId(params), mode);
          return reply(200, { id: conversationId(params), mode });
        },
      },
      {
        method: 'PUT',
        template: '/_sim/conversations/:conversationId/members',
        handler: ({ json, params }) => {
          const members = parseInput(z.array(teamsMemberSchema), json);
          this.setRoster(conversationId(params), members);
          return reply(200, members);
        },
      },
    ];
  }

  private handle(req: IncomingMessage, res: ServerResponse, listener: 'http' | 'https'): void {
    // Whatever may have changed a conversation (a post, an update, a press) is saved soon.
    if (req.method !== 'GET' && req.method !== 'HEAD')
      res.once('finish', () => this.saved.schedule());
    this.dispatch(req, res, listener).catch((e: unknown) => {
      this.send(res, botFrameworkError(asSimError(e, 'InternalServerError')));
    });
  }

  private send(res: ServerResponse, answer: Reply): void {
    sendJson(res, answer, CORS_HEADERS);
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
      this.send(res, reply(204));
      return;
    }
    const { match, methodMismatch } = this.router.find(method, url.pathname, MALFORMED_SEGMENT);
    const rawBody = (await readBody(req, MAX_BODY_BYTES, TOO_LARGE)).toString('utf8');
    if (match === undefined) {
      this.send(
        res,
        botFrameworkError(
          methodMismatch
            ? new SimError(405, 'MethodNotAllowed', `${method} is not allowed here.`)
            : new SimError(404, 'NotFound', `No route for ${method} ${url.pathname}.`),
        ),
      );
      return;
    }
    const route = match.route;
    const render = (error: SimError): Reply =>
      route.family === 'entra' ? entraError(error, this.now()) : botFrameworkError(error);
    const run = async (): Promise<Reply> => {
      try {
        if (route.family === 'control') {
          const json = parseJson(rawBody, INVALID_JSON);
          return await route.handler({ params: match.params, query: url.searchParams, json });
        }
        return await route.handler({
          method,
          params: match.params,
          query: url.searchParams,
          headers: req.headers,
          rawBody,
          baseUrl: listener === 'https' ? (this.httpsUrl ?? this.url) : this.url,
        } satisfies RequestContext);
      } catch (e: unknown) {
        const error = asSimError(e, 'InternalServerError');
        if (error.status === 500 && !(e instanceof SimError)) throw e;
        return render(error);
      }
    };

    if (route.family === 'control') {
      this.send(res, await run());
      return;
    }

    this.traffic.calls.record(`${method} ${route.template}`);
    // A fault may name the raw path, the decoded one (ids as Teams writes them) or the template.
    const decodedPath = url.pathname.split('/').map(safeDecode).join('/');
    const fault = this.traffic.faults.take(method, [url.pathname, decodedPath, route.template]);
    if (fault?.latencyMs !== undefined) await delay(fault.latencyMs);
    const effect = faultEffect(fault, codeForStatus);
    if (effect.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (effect.kind === 'error') {
      this.send(res, render(effect.error));
      return;
    }
    if (effect.kind === 'malformed') {
      this.send(res, reply(200, effect.body));
      return;
    }

    if (route.family === 'connector') {
      try {
        if (this.requireBotToken) await this.tokens.verifyBotToken(req.headers.authorization);
        const retryAfter = this.traffic.admit();
        if (retryAfter !== undefined) {
          // Teams rate limits answer 429; clients honour Retry-After (learn …/bots/how-to/rate-limit).
          throw new SimError(429, 'Throttled', 'Too many requests.', {
            'Retry-After': String(retryAfter),
          });
        }
      } catch (e: unknown) {
        if (!(e instanceof SimError)) throw e;
        this.send(res, render(e));
        return;
      }
    }

    const answer = await run();
    if (effect.lostResponse) {
      // The change is applied; the answer is lost on the way back.
      req.socket.destroy();
      return;
    }
    this.send(res, answer);
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
