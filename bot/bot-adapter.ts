import { readFileSync } from 'node:fs';

import { ConfidentialClientApplication } from '@azure/msal-node';
import {
  CallerIdConstants,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import {
  AuthenticationConstants,
  MsalServiceClientCredentialsFactory,
} from 'botframework-connector';

import { AppError, ensureError } from '../core/errors.js';
import type { Logger } from '../core/ports/logger.js';
import { BotAdapter } from './bot-request.js';
import { ERROR_TYPE } from './invoke-router.js';
import { ReusingAuthentication } from './reusing-authentication.js';

/** The bot's identity and endpoints (composition/bot-config.ts reads them from the environment). */
export interface BotAuthConfig {
  /** Undefined: anonymous (no inbound JWT check, no outbound token). */
  readonly appId: string | undefined;
  readonly appPassword: string | undefined;
  readonly tenantId: string | undefined;
  readonly appType: ConfigurationBotFrameworkAuthenticationOptions['MicrosoftAppType'];
  readonly openIdMetadataUrl: string | undefined;
  readonly loginUrl: string | undefined;
  readonly trustedCaFile: string | undefined;
}

type ConnectorClientApplication = ConstructorParameters<
  typeof MsalServiceClientCredentialsFactory
>[1];

/**
 * Outbound tokens from the simulator's authority: botbuilder's MSAL app has no `knownAuthorities`,
 * so MSAL asks login.microsoftonline.com about it (msal-common
 * Authority.getCloudDiscoveryMetadataFromNetwork), which fails offline
 * (simulators/bot-connector/README.md).
 */
function msalCredentials(
  appId: string,
  password: string,
  loginUrl: string,
  trustedCaFile: string | undefined,
): MsalServiceClientCredentialsFactory {
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
  });
  // One msal-node (2.16.3) at run time, but its ESM and CJS builds declare the class apart, and
  // botframework-connector is typed against the CJS one; it only calls acquireTokenByClientCredential.
  return new MsalServiceClientCredentialsFactory(
    appId,
    clientApplication as unknown as ConnectorClientApplication,
  );
}

/**
 * botbuilder's authentication: none without an app id (local demo), else Azure's or the given
 * endpoints; setting any endpoint makes botbuilder take all as given, so the rest get the defaults.
 */
function authentication(config: BotAuthConfig): ConfigurationBotFrameworkAuthentication {
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

/**
 * The CloudAdapter the bot runs on: botbuilder's authentication for `config` (with the clients it
 * builds per turn kept, ReusingAuthentication) and a turn-error handler that answers the user.
 */
export function createBotAdapter(config: BotAuthConfig, logger: Logger): BotAdapter {
  const adapter = new BotAdapter(new ReusingAuthentication(authentication(config)));
  // A failure inside a turn is answered here, so it never escapes the adapter, where all a caller
  // would learn is a 500. A friendly answer and a log line with the code.
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
              type: ERROR_TYPE,
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

  return adapter;
}
