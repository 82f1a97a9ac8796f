import { z } from 'zod';

import type { BotAuthConfig } from '../bot/bot-adapter.js';
import { ConfigError } from '../core/errors.js';

// t3-env's rationale: an empty string in an env file means "not set", not "set to nothing".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/**
 * The bot's slice of the environment. The first four keys are the names botbuilder reads; the BOT_*
 * keys point authentication at the Bot Connector simulator for tests and the local demo.
 */
export const botConfigSchema = z.object({
  MicrosoftAppId: optional(z.string().min(1)).describe(
    "The bot's Entra app (client) id. Set: inbound activities must carry a valid channel JWT for it. Unset: the bot runs anonymously (local demo only).",
  ),
  MicrosoftAppPassword: optional(z.string().min(1)).describe(
    "Client secret of the bot's app registration (secret). Required with MicrosoftAppId unless MicrosoftAppType is UserAssignedMSI.",
  ),
  MicrosoftAppTenantId: optional(z.string().min(1)).describe(
    'Tenant of a SingleTenant bot; also the only tenant whose activities are served.',
  ),
  MicrosoftAppType: z
    .preprocess(
      (value) => (value === '' || value === undefined ? 'SingleTenant' : value),
      z.enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI']),
    )
    .describe(
      'SingleTenant (default; new registrations since July 2025), MultiTenant or UserAssignedMSI.',
    ),
  BOT_OPENID_METADATA_URL: optional(z.url()).describe(
    'Test override: OpenID metadata document whose keys sign inbound channel tokens (default https://login.botframework.com/v1/.well-known/openidconfiguration).',
  ),
  BOT_LOGIN_URL: optional(
    z.url().refine((url) => url.startsWith('https://'), 'must be an https URL (MSAL refuses http)'),
  ).describe(
    'Test override: the authority the bot gets its outbound tokens from, e.g. https://127.0.0.1:PORT/{tenant} of the simulator.',
  ),
  BOT_TRUSTED_CA_FILE: optional(z.string().min(1)).describe(
    'Test override: PEM file of a certificate to trust for BOT_LOGIN_URL (a self-signed simulator).',
  ),
});

export type BotEnvironment = z.infer<typeof botConfigSchema>;

export interface BotConfig extends BotAuthConfig {
  readonly appType: BotEnvironment['MicrosoftAppType'];
}

/**
 * Parses the bot's keys once. Every bad or missing key is reported together, by name only: values
 * may be secrets, so they never appear in the message.
 */
export function loadBotConfig(env: Readonly<Record<string, string | undefined>>): BotConfig {
  const parsed = botConfigSchema.safeParse(env);
  const keys: string[] = [];
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.map(String).join('.') || '(environment)';
      keys.push(key);
      problems.push(`${key}: ${issue.message}`);
    }
  }
  const values = parsed.success ? parsed.data : undefined;
  if (values?.MicrosoftAppId !== undefined) {
    if (
      values.MicrosoftAppType !== 'UserAssignedMSI' &&
      values.MicrosoftAppPassword === undefined
    ) {
      keys.push('MicrosoftAppPassword');
      problems.push('MicrosoftAppPassword: required when MicrosoftAppId is set');
    }
    if (values.MicrosoftAppType !== 'MultiTenant' && values.MicrosoftAppTenantId === undefined) {
      keys.push('MicrosoftAppTenantId');
      problems.push(`MicrosoftAppTenantId: required for a ${values.MicrosoftAppType} bot`);
    }
  }
  if (
    values !== undefined &&
    values.BOT_TRUSTED_CA_FILE !== undefined &&
    values.BOT_LOGIN_URL === undefined
  ) {
    keys.push('BOT_LOGIN_URL');
    problems.push('BOT_LOGIN_URL: required when BOT_TRUSTED_CA_FILE is set');
  }
  if (values === undefined || problems.length > 0) throw new ConfigError(keys, problems);
  return Object.freeze({
    appId: values.MicrosoftAppId,
    appPassword: values.MicrosoftAppPassword,
    tenantId: values.MicrosoftAppTenantId,
    appType: values.MicrosoftAppType,
    openIdMetadataUrl: values.BOT_OPENID_METADATA_URL,
    loginUrl: values.BOT_LOGIN_URL,
    trustedCaFile: values.BOT_TRUSTED_CA_FILE,
  });
}
