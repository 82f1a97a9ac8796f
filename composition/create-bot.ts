import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import {
  CallerIdConstants,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import {
  AuthenticationConstants,
  MsalServiceClientCredentialsFactory,
} from 'botframework-connector';

import {
  BotAdapter,
  type BotHttpAnswer,
  type BotHttpRequest,
  processBotRequest,
} from '../bot/bot-request.js';
import { errorType } from '../bot/invoke-router.js';
import { LightdeskBot } from '../bot/lightdesk-bot.js';
import { ReusingAuthentication } from '../bot/reusing-authentication.js';
import { AppError, ensureError } from '../core/errors.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { ChatNotifier } from '../core/ports/chat-notifier.js';
import type { Clock } from '../core/ports/clock.js';
import type { ConversationStore } from '../core/ports/conversation-store.js';
import type { EventQueue } from '../core/ports/event-queue.js';
import type { Logger } from '../core/ports/logger.js';
import type { ReviewCards } from '../core/ports/review-cards.js';
import type { ReviewStore } from '../core/ports/review-store.js';
import type { TaskBoard } from '../core/ports/task-board.js';
import { RecentReviewStore } from '../connectors/system/recent-review-store.js';
import { BotChatNotifier } from '../connectors/teams/bot-chat-notifier.js';
import { type BotEndpoint, serveBotRequest } from '../functions/messages.js';
import type { BotConfig } from './bot-config.js';

/** What the bot works with; a `Services` object with these fields will do. */
export interface BotServices {
  readonly reviews: ReviewStore;
  readonly conversations: ConversationStore;
  readonly cards: ReviewCards;
  readonly queue: EventQueue;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly logger: Logger;
  /** For the task link on cards (`taskUrl` builds it without calling Planner). */
  readonly board?: Pick<TaskBoard, 'taskUrl'>;
  /** Roster lookups for invoke answers; default: the notifier built here. */
  readonly chat?: Pick<ChatNotifier, 'memberIds'>;
}

export interface CreateBotOptions {
  readonly botConfig: BotConfig;
  readonly services: BotServices;
}

export interface CreatedBot extends BotEndpoint {
  readonly adapter: BotAdapter;
  readonly bot: LightdeskBot;
  /** The ChatNotifier for syncReview: posts and updates cards through this adapter. */
  readonly notifier: BotChatNotifier;
  /** One /api/messages request, already read (what `functions/messages.ts` hands over). */
  process(request: BotHttpRequest): Promise<BotHttpAnswer>;
  /** One /api/messages request as the Functions host delivers it. */
  handle(request: HttpRequest): Promise<HttpResponseInit>;
}

// The MSAL copy botframework-connector itself resolves (2.x): its ConfidentialClientApplication is
// the one MsalServiceClientCredentialsFactory expects, while the project's top-level
// @azure/msal-node is another major (brought by @azure/identity). Only the options used are typed.
interface MsalNode {
  ConfidentialClientApplication: new (configuration: {
    auth: { clientId: string; clientSecret: string; authority: string; knownAuthorities: string[] };
    system?: { customAgentOptions: { ca: string } };
  }) => unknown;
}
type ClientApplication = ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1];

function loadMsal(): MsalNode {
  const connector = createRequire(import.meta.url).resolve('botframework-connector');
  return createRequire(connector)('@azure/msal-node') as MsalNode;
}

/**
 * Outbound tokens from an overridden authority (the simulator's). botbuilder's own credentials
 * build an MSAL app without `knownAuthorities`, and MSAL then asks login.microsoftonline.com about
 * any authority it does not know (msal-common Authority.getCloudDiscoveryMetadataFromNetwork):
 * offline that fails (simulators/bot-connector/README.md).
 */
function msalCredentials(
  appId: string,
  password: string,
  loginUrl: string,
  trustedCaFile: string | undefined,
): MsalServiceClientCredentialsFactory {
  const { ConfidentialClientApplication } = loadMsal();
  const clientApplication = new ConfidentialClientApplication({
    auth: {
      clientId: appId,
      clientSecret: password,
      authority: loginUrl,
      knownAuthorities: [new URL(loginUrl).host],
    },
    ...(trustedCaFile === undefined
      ? {}
      : { system: { customAgentOptions: { ca: readFileSync(trustedCaFile, 'utf8') } } }),
  }) as ClientApplication;
  return new MsalServiceClientCredentialsFactory(appId, clientApplication);
}

/**
 * botbuilder's authentication: none without an app id (local demo), Azure's Bot Framework endpoints
 * with one, or the given endpoints. Setting any endpoint makes botbuilder take all of them as given
 * (botframework-connector BotFrameworkAuthenticationFactory.create), so the rest get the defaults.
 */
function authentication(config: BotConfig): ConfigurationBotFrameworkAuthentication {
  if (config.appId === undefined) return new ConfigurationBotFrameworkAuthentication({});
  const credentials: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: config.appId,
    MicrosoftAppPassword: config.appPassword,
    MicrosoftAppType: config.appType,
    MicrosoftAppTenantId: config.tenantId,
  };
  if (config.openIdMetadataUrl === undefined && config.loginUrl === undefined) {
    return new ConfigurationBotFrameworkAuthentication(credentials);
  }
  const endpoints: ConfigurationBotFrameworkAuthenticationOptions = {
    ...credentials,
    ToBotFromChannelOpenIdMetadataUrl:
      config.openIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl:
      config.openIdMetadataUrl ?? AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    ToChannelFromBotLoginUrl: config.loginUrl ?? AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    CallerId: CallerIdConstants.PublicAzureChannel,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ValidateAuthority: true,
  };
  const factory =
    config.loginUrl === undefined || config.appPassword === undefined
      ? undefined
      : msalCredentials(config.appId, config.appPassword, config.loginUrl, config.trustedCaFile);
  return new ConfigurationBotFrameworkAuthentication(endpoints, factory);
}

/** Builds the adapter (a CloudAdapter), its authentication, the bot and the Teams ChatNotifier. */
export function createBot(options: CreateBotOptions): CreatedBot {
  const { botConfig, services } = options;
  const logger = services.logger.child('bot');
  const adapter = new BotAdapter(new ReusingAuthentication(authentication(botConfig)));
  const notifier = new BotChatNotifier({
    adapter,
    appId: botConfig.appId ?? '',
    conversations: services.conversations,
    clock: services.clock,
    logger: services.logger,
  });
  const bot = new LightdeskBot({
    ...services,
    // Presses usually follow the card's Refresh by moments; the bot keeps what it read for them.
    reviews: new RecentReviewStore(services.reviews, { clock: services.clock }),
    chat: services.chat ?? notifier,
    allowedTenantIds: botConfig.tenantId === undefined ? [] : [botConfig.tenantId],
  });

  // A failure inside a turn is answered here, so it never escapes the adapter, where all a caller
  // would learn is a 500. STYLE.md rule 16: a friendly answer and a log line with the code.
  adapter.onTurnError = async (context, thrown) => {
    const error = ensureError(thrown);
    logger.error('turn failed', {
      activityId: context.activity.id,
      conversationId: context.activity.conversation?.id,
      type: context.activity.type,
      code: error instanceof AppError ? error.code : 'internal',
      error: error.name,
    });
    try {
      if (context.activity.type === 'invoke') {
        await context.sendActivity({
          type: 'invokeResponse',
          value: {
            status: 500,
            body: {
              statusCode: 500,
              type: errorType,
              value: { code: 'internal', message: 'Lightdesk could not handle this. Try again.' },
            },
          },
        });
      } else if (context.activity.type === 'message') {
        await context.sendActivity(
          'Sorry, something went wrong on my side. Try again in a minute.',
        );
      }
    } catch (e: unknown) {
      logger.warn('could not tell the user about a failed turn', {
        activityId: context.activity.id,
        error: ensureError(e).name,
      });
    }
  };

  const httpLogger = logger.child('http');
  const process = (request: BotHttpRequest) =>
    processBotRequest(adapter, (context) => bot.run(context), request, httpLogger);
  return {
    adapter,
    bot,
    notifier,
    process,
    handle: (request) => serveBotRequest({ process }, request),
  };
}
