import { randomBytes } from 'node:crypto';

import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

import { AuthError } from '../../core/errors.js';
import type { IdentityVerifier, SignedInUser } from '../../core/ports/identity-verifier.js';

const ISSUER = 'lightdesk-local-host';
const AUDIENCE = 'lightdesk-tab';
const lifetimeSeconds = 8 * 60 * 60;

const devClaimsSchema = z.object({
  sub: z.string().min(1),
  name: z.string(),
  upn: z.string(),
});

/**
 * Tokens the local host issues so the tab works outside Teams; the key is random per process, so
 * they are worthless elsewhere or after a restart. The Functions host never creates these.
 */
export class DevTokens implements IdentityVerifier {
  private readonly key = new Uint8Array(randomBytes(32));

  async issue(user: Omit<SignedInUser, 'via'>): Promise<{ token: string; expiresIn: number }> {
    const token = await new SignJWT({ name: user.name, upn: user.upn })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${lifetimeSeconds}s`)
      .sign(this.key);
    return { token, expiresIn: lifetimeSeconds };
  }

  async verify(token: string): Promise<SignedInUser> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      const claims = devClaimsSchema.parse(payload);
      return { id: claims.sub, name: claims.name, upn: claims.upn, via: 'dev' };
    } catch (e: unknown) {
      throw new AuthError(
        e instanceof joseErrors.JWTExpired
          ? 'The development token has expired; pick the user again'
          : 'The development token is not one this host issued (it restarted?); pick the user again',
        { cause: e },
      );
    }
  }
}

/**
 * One verifier for the tab's API: SSO tokens when an Entra app is configured, development tokens
 * when the local host offers them, told apart by their signing algorithm.
 */
export class TabIdentity implements IdentityVerifier {
  constructor(
    private readonly sso: IdentityVerifier | undefined,
    private readonly dev: DevTokens | undefined,
  ) {}

  async verify(token: string): Promise<SignedInUser> {
    const algorithm = headerAlgorithm(token);
    if (algorithm === 'HS256' && this.dev !== undefined) return this.dev.verify(token);
    if (this.sso !== undefined) return this.sso.verify(token);
    throw new AuthError(
      this.dev === undefined
        ? 'Sign-in is not configured: set TAB_SSO_CLIENT_ID (or MicrosoftAppId)'
        : 'Only development tokens are accepted here: no Entra app is configured',
    );
  }
}

function headerAlgorithm(token: string): string | undefined {
  const [header] = token.split('.');
  if (header === undefined || header === '') return undefined;
  try {
    const parsed = z
      .object({ alg: z.string() })
      .safeParse(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data.alg : undefined;
  } catch {
    return undefined;
  }
}
