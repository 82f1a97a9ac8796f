import { generateKeyPairSync, type KeyObject } from 'node:crypto';

import { base64url, compactVerify, exportJWK, type JWTPayload, SignJWT } from 'jose';

// RS256 JSON Web Tokens with jose. botbuilder verifies channel tokens against the JWKS named by the
// OpenID metadata document (botframework-connector src/auth/openIdMetadata.ts reads `kid`, `n`, `e`
// and `endorsements` of each key).

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export interface Jwk {
  readonly kty: string;
  readonly use: string;
  readonly alg: string;
  readonly kid: string;
  readonly n: string;
  readonly e: string;
  readonly endorsements?: readonly string[];
}

// Synchronous, so a simulator's keys exist from its constructor on.
export function generateSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

export async function toJwk(key: SigningKey, endorsements?: readonly string[]): Promise<Jwk> {
  const { n, e } = await exportJWK(key.publicKey);
  return {
    kty: 'RSA',
    use: 'sig',
    alg: 'RS256',
    kid: key.kid,
    n: n ?? '',
    e: e ?? '',
    ...(endorsements === undefined ? {} : { endorsements }),
  };
}

export function signJwt(claims: JWTPayload, key: SigningKey): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
    .sign(key.privateKey);
}

/**
 * An `alg: none` token: what an attacker sends when hoping the validator skips the signature. It
 * names a served `kid`, as a forger would (jose's UnsecuredJWT cannot carry one).
 */
export function unsignedJwt(claims: JWTPayload, kid: string): string {
  const part = (value: unknown): string => base64url.encode(JSON.stringify(value));
  return `${part({ typ: 'JWT', kid, alg: 'none' })}.${part(claims)}.`;
}

/**
 * The claims of `token` when it is RS256 and signed by `key`, else undefined. The claims are left
 * to the caller, which checks them against its own (injectable) clock.
 */
export async function verifiedClaims(
  token: string,
  key: KeyObject,
): Promise<JWTPayload | undefined> {
  try {
    const { payload } = await compactVerify(token, key, { algorithms: ['RS256'] });
    const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as JWTPayload)
      : undefined;
  } catch {
    return undefined;
  }
}
