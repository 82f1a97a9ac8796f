import { createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';

// RS256 JSON Web Tokens with node:crypto only. botbuilder verifies channel tokens with jsonwebtoken
// against the JWKS named by the OpenID metadata document (botframework-connector
// src/auth/openIdMetadata.ts reads `kid`, `n`, `e` and `endorsements` of each key).

export type JwtClaims = Readonly<Record<string, unknown>>;

export interface JwtHeader {
  readonly alg: string;
  readonly typ?: string;
  readonly kid?: string;
  readonly x5t?: string;
}

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

export function generateSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

export function toJwk(key: SigningKey, endorsements?: readonly string[]): Jwk {
  const exported = key.publicKey.export({ format: 'jwk' });
  return {
    kty: 'RSA',
    use: 'sig',
    alg: 'RS256',
    kid: key.kid,
    n: exported.n ?? '',
    e: exported.e ?? '',
    ...(endorsements === undefined ? {} : { endorsements }),
  };
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function signJwt(header: JwtHeader, claims: JwtClaims, privateKey: KeyObject): string {
  const signingInput = `${base64UrlJson(header)}.${base64UrlJson(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput, 'utf8'), privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** An `alg: none` token: what an attacker sends when hoping the validator skips the signature. */
export function unsignedJwt(header: Omit<JwtHeader, 'alg'>, claims: JwtClaims): string {
  return `${base64UrlJson({ ...header, alg: 'none' })}.${base64UrlJson(claims)}.`;
}

export interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

function parseJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, c, s] = parts as [string, string, string];
  const header = parseJsonObject(h);
  const claims = parseJsonObject(c);
  if (header === undefined || claims === undefined) return undefined;
  return { header, claims, signingInput: `${h}.${c}`, signature: Buffer.from(s, 'base64url') };
}

/** True when `token` is RS256 and signed by `publicKey` (a KeyObject or a JWK). */
export function hasValidSignature(token: string, publicKey: KeyObject | Jwk): boolean {
  const decoded = decodeJwt(token);
  if (decoded?.header.alg !== 'RS256' || decoded.signature.length === 0) return false;
  const key =
    'kty' in publicKey
      ? createPublicKey({
          key: { kty: publicKey.kty, n: publicKey.n, e: publicKey.e },
          format: 'jwk',
        })
      : publicKey;
  return verify('sha256', Buffer.from(decoded.signingInput, 'utf8'), key, decoded.signature);
}
