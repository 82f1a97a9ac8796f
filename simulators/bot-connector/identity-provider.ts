import type { SimError } from '../kit/errors.js';
import { type Reply, reply } from '../kit/http.js';
import type { RequestContext } from './http-context.js';
import { BOT_FRAMEWORK_ISSUER, type TokenAuthority } from './token-authority.js';

// The identity side of the simulator: the Bot Framework's OpenID metadata and JWKS (what botbuilder
// checks channel tokens against) and the Entra ID tenant a bot gets its connector token from (what
// MSAL reads, then the client-credentials token endpoint).

export interface IdentityRoute {
  /** `openid`: Bot Framework documents; `entra`: the tenant's, whose errors are in Entra's shape. */
  readonly family: 'openid' | 'entra';
  readonly method: string;
  readonly template: string;
  readonly handler: (ctx: RequestContext) => Reply | Promise<Reply>;
}

export function identityRoutes(tokens: TokenAuthority): IdentityRoute[] {
  const entraMetadata = (ctx: RequestContext): Reply => {
    const tenant = ctx.params['tenantId'] ?? '';
    if (!tokens.isKnownTenant(tenant)) {
      throw tokens.tenantNotFound(tenant);
    }
    const authority = `${ctx.baseUrl}/${tenant}`;
    // What MSAL reads from `{authority}/v2.0/.well-known/openid-configuration`
    // (msal-common authority/OpenIdConfigResponse.ts: the four endpoints below are required).
    return reply(200, {
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
        reply(200, {
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
      handler: async () => reply(200, await tokens.channelJwks()),
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
      handler: async () => reply(200, await tokens.entraJwks()),
    },
    {
      family: 'entra',
      method: 'POST',
      template: '/:tenantId/oauth2/v2.0/token',
      handler: async (ctx) => {
        const form = new URLSearchParams(ctx.rawBody);
        const value = (name: string): string | undefined => form.get(name) ?? undefined;
        return reply(
          200,
          await tokens.issueBotToken({
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

/** Entra's error body (learn.microsoft.com/entra/identity-platform/reference-error-codes). */
export function entraError(error: SimError, now: Date): Reply {
  const match = /AADSTS(\d+)/.exec(error.message);
  return reply(
    error.status,
    {
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
    error.headers,
  );
}
