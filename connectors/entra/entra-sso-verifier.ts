import { createRemoteJWKSet, errors as joseErrors, type JWTPayload, jwtVerify } from 'jose';

import { AuthError, UpstreamError } from '../../core/errors.js';
import type { IdentityVerifier, SignedInUser } from '../../core/ports/identity-verifier.js';
import { entraAccessTokenClaimsSchema, openIdMetadataSchema } from './wire.js';

export interface EntraSsoVerifierOptions {
  /** The app (client) id the tab's tokens are for. */
  readonly clientId: string;
  /** api://{host}/{clientId}: v1.0 tokens carry it as their audience, v2.0 tokens the client id. */
  readonly appIdUri: string;
  /** Undefined: any tenant (the metadata issuer is a `{tenantid}` template). */
  readonly tenantId: string | undefined;
  readonly openIdMetadataUrl: string;
  readonly fetch?: typeof fetch;
}

/** The delegated scope Teams SSO asks for; the Teams docs have apps expose exactly this name. */
const ssoScope = 'access_as_user';

type Keys = ReturnType<typeof createRemoteJWKSet>;

/**
 * Checks a Teams SSO token the way Entra documents for resource servers: RS256 signature by a key
 * from the tenant's JWKS, our audience, an issuer of the tenant, lifetime, and the SSO scope.
 * https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens
 */
export class EntraSsoVerifier implements IdentityVerifier {
  private metadata: Promise<{ issuer: string; keys: Keys }> | undefined;

  constructor(private readonly options: EntraSsoVerifierOptions) {}

  async verify(token: string): Promise<SignedInUser> {
    const { issuer, keys } = await this.loadMetadata();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ['RS256'],
        audience: [this.options.clientId, this.options.appIdUri],
        clockTolerance: 120,
        requiredClaims: ['exp', 'iat', 'iss', 'aud'],
      }));
    } catch (e: unknown) {
      throw new AuthError(describeJoseFailure(e), { cause: e });
    }
    const claims = entraAccessTokenClaimsSchema.safeParse(payload);
    if (!claims.success)
      throw new AuthError('The sign-in token lacks the user (oid) or tenant (tid)');
    const { tid } = claims.data;
    // Entra's common/organizations metadata has `{tenantid}` in its issuer; the token's own tid fills it.
    // v1.0 tokens (an app manifest with accessTokenAcceptedVersion null) come from sts.windows.net.
    const expected = [issuer.replace('{tenantid}', tid), `https://sts.windows.net/${tid}/`];
    if (typeof payload.iss !== 'string' || !expected.includes(payload.iss)) {
      throw new AuthError('The sign-in token was issued by another tenant');
    }
    const scopes = (claims.data.scp ?? '').split(' ');
    if (!scopes.includes(ssoScope)) {
      throw new AuthError(`The sign-in token does not carry the ${ssoScope} scope`);
    }
    return {
      id: claims.data.oid,
      name: claims.data.name ?? claims.data.preferred_username ?? claims.data.oid,
      upn: claims.data.preferred_username ?? claims.data.upn ?? '',
      via: 'sso',
    };
  }

  private loadMetadata(): Promise<{ issuer: string; keys: Keys }> {
    this.metadata ??= this.fetchMetadata().catch((e: unknown) => {
      // A failed fetch is not cached: the next request tries again.
      this.metadata = undefined;
      throw e;
    });
    return this.metadata;
  }

  private async fetchMetadata(): Promise<{ issuer: string; keys: Keys }> {
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(this.options.openIdMetadataUrl);
    } catch (e: unknown) {
      throw new UpstreamError('entra', 'OpenID metadata could not be fetched', { cause: e });
    }
    if (!response.ok) {
      throw new UpstreamError('entra', `OpenID metadata answered ${response.status}`, {
        status: response.status,
      });
    }
    const parsed = openIdMetadataSchema.safeParse(await response.json());
    if (!parsed.success)
      throw new UpstreamError('entra', 'OpenID metadata is not a metadata document');
    const tenantIssuer = parsed.data.issuer;
    if (this.options.tenantId !== undefined && tenantIssuer.includes('{tenantid}')) {
      throw new UpstreamError(
        'entra',
        'OpenID metadata is multi-tenant although a tenant is configured; point it at the tenant',
      );
    }
    return { issuer: tenantIssuer, keys: createRemoteJWKSet(new URL(parsed.data.jwks_uri)) };
  }
}

/** A reason a person can act on, never the token or its claims. */
function describeJoseFailure(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return 'The sign-in token has expired';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    return e.claim === 'aud'
      ? 'The sign-in token is for another app'
      : `The sign-in token's ${e.claim} claim is not acceptable`;
  }
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) {
    return 'The sign-in token signature does not verify';
  }
  if (e instanceof joseErrors.JWKSNoMatchingKey)
    return 'The sign-in token was signed by an unknown key';
  if (e instanceof joseErrors.JOSEAlgNotAllowed)
    return 'The sign-in token uses a refused algorithm';
  return 'The sign-in token is not a valid token';
}
