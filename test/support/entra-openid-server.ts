import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/**
 * A loopback stand-in for Entra's OpenID endpoints: tenant metadata and a JWKS of locally generated
 * RSA keys, and a way to sign tokens as Entra would for a Teams SSO tab. Tests that need a forged
 * token sign with `untrustedKey`, whose public half is published nowhere.
 */
export class EntraOpenIdServer {
  readonly tenantId = randomUUID();
  private server: Server | undefined;
  private signingKey: { kid: string; key: PrivateKey } | undefined;
  private untrusted: { kid: string; key: PrivateKey } | undefined;
  private jwks: unknown[] = [];
  url = '';
  metadataRequests = 0;

  get metadataUrl(): string {
    return `${this.url}/${this.tenantId}/v2.0/.well-known/openid-configuration`;
  }

  get issuer(): string {
    return `${this.url}/${this.tenantId}/v2.0`;
  }

  /** Entra's multi-tenant (`organizations`) metadata: its issuer is a `{tenantid}` template. */
  get organizationsMetadataUrl(): string {
    return `${this.url}/organizations/v2.0/.well-known/openid-configuration`;
  }

  async start(): Promise<void> {
    const trusted = await generateKeyPair('RS256', { extractable: true });
    const other = await generateKeyPair('RS256', { extractable: true });
    this.signingKey = { kid: 'trusted-key', key: trusted.privateKey };
    this.untrusted = { kid: 'trusted-key', key: other.privateKey };
    this.jwks = [{ ...(await exportJWK(trusted.publicKey)), kid: 'trusted-key', use: 'sig' }];
    this.server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      const authority = [this.tenantId, 'organizations'].find((a) => path.startsWith(`/${a}/`));
      if (
        authority !== undefined &&
        path === `/${authority}/v2.0/.well-known/openid-configuration`
      ) {
        this.metadataRequests += 1;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            issuer: authority === 'organizations' ? `${this.url}/{tenantid}/v2.0` : this.issuer,
            jwks_uri: `${this.url}/${authority}/discovery/v2.0/keys`,
          }),
        );
        return;
      }
      if (authority !== undefined && path === `/${authority}/discovery/v2.0/keys`) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ keys: this.jwks }));
        return;
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /**
   * A v2.0 access token for `audience` with the SSO scope, valid for an hour unless overridden. Like
   * Entra's, it names its format in `ver` (v1.0 tokens: pass `ver: '1.0'` and the sts.windows.net issuer).
   */
  async token(
    audience: string,
    claims: JWTPayload = {},
    options: {
      readonly forged?: boolean;
      readonly expiresAt?: number;
      readonly issuer?: string;
    } = {},
  ): Promise<string> {
    const key = options.forged === true ? this.untrusted : this.signingKey;
    if (key === undefined) throw new TypeError('start() the server first');
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      oid: 'a6f1c0de-0000-4000-8000-000000000001',
      tid: this.tenantId,
      ver: '2.0',
      scp: 'access_as_user',
      name: 'Adele Vance',
      preferred_username: 'AdeleV@contoso.onmicrosoft.com',
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(audience)
      .setIssuedAt(now - 60)
      .setNotBefore(now - 60)
      .setExpirationTime(options.expiresAt ?? now + 3600)
      .sign(key.key);
  }
}
