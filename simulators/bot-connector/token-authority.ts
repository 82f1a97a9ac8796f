import { randomUUID } from 'node:crypto';

import { SimError } from '../kit/errors.js';
import {
  generateSigningKey,
  type Jwk,
  type SigningKey,
  signJwt,
  toJwk,
  unsignedJwt,
  verifiedClaims,
} from './jwt.js';

// Both Bot Framework token issuers:
// - channel → bot, checked by botbuilder against `ToBotFromChannelOpenIdMetadataUrl` (iss
//   https://api.botframework.com, aud = app id, `serviceurl` claim, 300 s tolerance, key endorsed
//   for the channel: botframework-connector src/auth/channelValidation.ts);
// - bot → connector, the client-credentials token for https://api.botframework.com/.default
//   (botframework-connector src/auth/msalAppCredentials.ts).

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
export const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';
export const CHANNEL_TOKEN_LIFETIME_SECONDS = 3600;
export const BOT_TOKEN_LIFETIME_SECONDS = 3599;

export type TokenTamper = 'forged' | 'expired' | 'wrongAudience' | 'unsigned';

export const WRONG_AUDIENCE = '00000000-0000-0000-0000-0000000000ff';

export interface ClientCredentialsRequest {
  readonly tenant: string;
  readonly grantType: string | undefined;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly scope: string | undefined;
}

export interface AccessTokenResponse {
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly ext_expires_in: number;
  readonly access_token: string;
}

export interface TokenAuthorityOptions {
  readonly now: () => Date;
  readonly botAppId: string;
  readonly tenantId: string;
  /** When set, the token endpoint also checks the secret; otherwise any non-empty one passes. */
  readonly botAppPassword?: string;
}

function aadError(status: number, error: string, description: string): SimError {
  // Entra answers `{error, error_description, error_codes, …}`; the server renders `code` as
  // `error` for the token route (learn.microsoft.com/entra/identity-platform/reference-error-codes).
  return new SimError(status, error, description);
}

export class TokenAuthority {
  // A fresh kid per instance: botbuilder caches keys per metadata URL and looks an unknown kid up
  // again (botframework-connector src/auth/openIdMetadata.ts), but never re-checks a known one.
  readonly channelKey: SigningKey = generateSigningKey(`sim-channel-${randomUUID()}`);
  readonly entraKey: SigningKey = generateSigningKey(`sim-entra-${randomUUID()}`);

  constructor(private readonly options: TokenAuthorityOptions) {}

  private seconds(): number {
    return Math.floor(this.options.now().getTime() / 1000);
  }

  /** JWKS for channel tokens; `endorsements` lets botbuilder's EndorsementsValidator pass `msteams`. */
  async channelJwks(): Promise<{ keys: Jwk[] }> {
    return { keys: [await toJwk(this.channelKey, ['msteams'])] };
  }

  async entraJwks(): Promise<{ keys: Jwk[] }> {
    return { keys: [await toJwk(this.entraKey)] };
  }

  channelToken(serviceUrl: string, tamper?: TokenTamper): Promise<string> {
    const now = this.seconds();
    const expired = tamper === 'expired';
    // Beyond botbuilder's 300 s clock tolerance, so an expired token is really refused.
    const issuedAt = expired ? now - 2 * CHANNEL_TOKEN_LIFETIME_SECONDS : now;
    const claims = {
      serviceurl: serviceUrl,
      nbf: issuedAt - 5,
      iat: issuedAt,
      exp: issuedAt + CHANNEL_TOKEN_LIFETIME_SECONDS,
      iss: BOT_FRAMEWORK_ISSUER,
      aud: tamper === 'wrongAudience' ? WRONG_AUDIENCE : this.options.botAppId,
    };
    switch (tamper) {
      case 'unsigned':
        return Promise.resolve(unsignedJwt(claims, this.channelKey.kid));
      case 'forged':
        // Same kid, different private key: the signature cannot verify with the served JWKS.
        return signJwt(claims, generateSigningKey(this.channelKey.kid));
      case 'expired':
      case 'wrongAudience':
      case undefined:
        return signJwt(claims, this.channelKey);
    }
  }

  /** Entra's answer for a tenant it does not know. */
  tenantNotFound(tenant: string): SimError {
    return aadError(400, 'invalid_tenant', `AADSTS90002: Tenant '${tenant}' not found.`);
  }

  isKnownTenant(tenant: string): boolean {
    const t = tenant.toLowerCase();
    return t === this.options.tenantId.toLowerCase() || t === 'botframework.com';
  }

  async issueBotToken(request: ClientCredentialsRequest): Promise<AccessTokenResponse> {
    if (!this.isKnownTenant(request.tenant)) {
      throw aadError(400, 'invalid_request', `AADSTS90002: Tenant '${request.tenant}' not found.`);
    }
    if (request.grantType !== 'client_credentials') {
      throw aadError(
        400,
        'unsupported_grant_type',
        'AADSTS70003: The grant type is not supported.',
      );
    }
    if (request.clientId !== this.options.botAppId) {
      throw aadError(
        400,
        'unauthorized_client',
        `AADSTS700016: Application with identifier '${request.clientId ?? ''}' was not found.`,
      );
    }
    const secret = request.clientSecret ?? '';
    const expected = this.options.botAppPassword;
    if (secret === '' || (expected !== undefined && secret !== expected)) {
      throw aadError(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    }
    const scopes = (request.scope ?? '').split(' ');
    if (!scopes.includes(`${BOT_FRAMEWORK_AUDIENCE}/.default`)) {
      throw aadError(
        400,
        'invalid_scope',
        `AADSTS1002012: The provided value for scope ${request.scope ?? ''} is not valid.`,
      );
    }
    const now = this.seconds();
    const access_token = await signJwt(
      {
        aud: BOT_FRAMEWORK_AUDIENCE,
        iss: `https://sts.windows.net/${this.options.tenantId}/`,
        iat: now,
        nbf: now,
        exp: now + BOT_TOKEN_LIFETIME_SECONDS,
        appid: this.options.botAppId,
        appidacr: '1',
        tid: this.options.tenantId,
        ver: '1.0',
      },
      this.entraKey,
    );
    return {
      token_type: 'Bearer',
      expires_in: BOT_TOKEN_LIFETIME_SECONDS,
      ext_expires_in: BOT_TOKEN_LIFETIME_SECONDS,
      access_token,
    };
  }

  /** Checks the bearer token a bot sends to the connector; throws a 401 SimError otherwise. */
  async verifyBotToken(authorization: string | undefined): Promise<void> {
    const deny = (why: string): SimError =>
      new SimError(401, 'Unauthorized', `Authorization has been denied for this request. ${why}`, {
        'WWW-Authenticate': 'Bearer',
      });
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const token = match?.[1];
    if (token === undefined) throw deny('No bearer token.');
    const claims = await verifiedClaims(token, this.entraKey.publicKey);
    if (claims === undefined) throw deny('Invalid token signature.');
    const { aud, exp, nbf, appid } = claims;
    const now = this.seconds();
    if (aud !== BOT_FRAMEWORK_AUDIENCE) throw deny('Wrong audience.');
    if (typeof exp !== 'number' || exp <= now) throw deny('Token expired.');
    if (typeof nbf === 'number' && nbf > now + 300) throw deny('Token not yet valid.');
    if (appid !== this.options.botAppId) throw deny('Token issued to another app.');
  }
}
