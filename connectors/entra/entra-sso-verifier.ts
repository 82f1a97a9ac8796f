import { createRemoteJWKSet, errors as joseErrors, type JWTPayload, jwtVerify } from 'jose';

import { AuthError, UpstreamError } from '../../core/errors.js';
import { guidPattern } from '../../core/model/ids.js';
import type { IdentityVerifier, SignedInUser } from '../../core/ports/identity-verifier.js';
import { entraAccessTokenClaimsSchema, openIdMetadataSchema } from './wire.js';

export interface EntraSsoVerifierOptions {
  /** The app (client) id the tab's tokens are for. */
  readonly clientId: string;
  /** api://{host}/{clientId}: v1.0 tokens carry it as their audience, v2.0 tokens the client id. */
  readonly appIdUri: string;
  /**
   * The tenant whose users may sign in, by id or domain name. Undefined: any tenant (a multi-tenant
   * app; the metadata issuer is a `{tenantid}` template), which `tabTenantWarning` announces.
   */
  readonly tenantId: string | undefined;
  readonly openIdMetadataUrl: string;
  readonly fetch?: typeof fetch;
  /** How long the metadata and key fetches may take; a hung Entra must not hold every tab request. */
  readonly timeoutMs?: number;
}

/** jose's own default for the key set fetch, used for the metadata too. */
const DEFAULT_TIMEOUT_MS = 5_000;

/** The delegated scope Teams SSO asks for; the Teams docs have apps expose exactly this name. */
const SSO_SCOPE = 'access_as_user';

type Keys = ReturnType<typeof createRemoteJWKSet>;

interface Metadata {
  readonly issuer: string;
  readonly keys: Keys;
  /** The configured tenant's id (lower case) every token's tid must be; undefined: any tenant. */
  readonly tenant: string | undefined;
}

/**
 * What start-up should log when the tab takes users of any tenant, or undefined when sign-in is off
 * or pinned to one tenant. Composition passes its tab SSO settings (undefined: no Entra app).
 */
export function tabTenantWarning(
  settings: Pick<EntraSsoVerifierOptions, 'tenantId'> | undefined,
): string | undefined {
  if (settings === undefined || settings.tenantId !== undefined) return undefined;
  return (
    'Tab sign-in accepts users of any Entra tenant: no tenant is configured. ' +
    'Set TAB_SSO_TENANT_ID (or MicrosoftAppTenantId) to admit only your organisation'
  );
}

/**
 * Checks a Teams SSO token as Entra documents for resource servers: RS256 by a tenant JWKS key,
 * audience, tenant, issuer for its version, lifetime and the SSO scope.
 * https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens
 */
export class EntraSsoVerifier implements IdentityVerifier {
  private metadata: Promise<Metadata> | undefined;

  constructor(private readonly options: EntraSsoVerifierOptions) {}

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async verify(token: string): Promise<SignedInUser> {
    const { issuer, keys, tenant } = await this.loadMetadata();
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
    const { tid, ver } = claims.data;
    if (ver !== '1.0' && ver !== '2.0') {
      throw new AuthError('The sign-in token does not say its version (ver 1.0 or 2.0)');
    }
    // The issuer alone does not pin the tenant: a v1.0 issuer names the token's own tid, and so does a
    // multi-tenant metadata issuer once its `{tenantid}` is filled. Hence tid against the settings.
    if (tenant !== undefined && tid.toLowerCase() !== tenant) {
      throw new AuthError('The sign-in token was issued by another tenant');
    }
    // Each version has one issuer form, always naming the token's tid: v1.0 https://sts.windows.net/{tid}/,
    // v2.0 the metadata's (https://login.microsoftonline.com/{tid}/v2.0); the two are not interchangeable.
    // https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference (iss, tid, ver)
    const expected =
      ver === '1.0' ? `https://sts.windows.net/${tid}/` : issuer.replace('{tenantid}', tid);
    if (payload.iss !== expected) {
      throw new AuthError("The sign-in token's issuer does not match its tenant and version");
    }
    const scopes = (claims.data.scp ?? '').split(' ');
    if (!scopes.includes(SSO_SCOPE)) {
      throw new AuthError(`The sign-in token does not carry the ${SSO_SCOPE} scope`);
    }
    return {
      id: claims.data.oid,
      name: claims.data.name ?? claims.data.preferred_username ?? claims.data.oid,
      upn: claims.data.preferred_username ?? claims.data.upn ?? '',
      via: 'sso',
    };
  }

  private loadMetadata(): Promise<Metadata> {
    this.metadata ??= this.fetchMetadata().catch((e: unknown) => {
      // A failed fetch is not cached: the next request tries again.
      this.metadata = undefined;
      throw e;
    });
    return this.metadata;
  }

  private async fetchMetadata(): Promise<Metadata> {
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(this.options.openIdMetadataUrl, {
        signal: AbortSignal.timeout(this.timeoutMs),
      });
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
    const { issuer, jwks_uri: jwksUri } = parsed.data;
    const keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: this.timeoutMs });
    const configured = this.options.tenantId;
    if (configured === undefined) return { issuer, keys, tenant: undefined };
    if (issuer.includes('{tenantid}')) {
      throw new UpstreamError(
        'entra',
        'OpenID metadata is multi-tenant although a tenant is configured; point it at the tenant',
      );
    }
    // A tenant's metadata names it by id in its issuer (https://login.microsoftonline.com/{id}/v2.0)
    // even when asked by domain name, and tokens carry that id as tid; so a domain name works too.
    // https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc
    const tenant = URL.canParse(issuer) ? new URL(issuer).pathname.split('/')[1] : undefined;
    if (tenant === undefined || !guidPattern.test(tenant)) {
      throw new UpstreamError('entra', 'OpenID metadata does not name its tenant in its issuer');
    }
    if (guidPattern.test(configured) && configured.toLowerCase() !== tenant.toLowerCase()) {
      throw new UpstreamError(
        'entra',
        'OpenID metadata is for another tenant than the configured one',
      );
    }
    return { issuer, keys, tenant: tenant.toLowerCase() };
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
