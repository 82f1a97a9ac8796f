import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DevTokens, TabIdentity } from '../../../../connectors/entra/dev-tokens.js';
import { EntraSsoVerifier } from '../../../../connectors/entra/entra-sso-verifier.js';
import { AuthError, UpstreamError } from '../../../../core/errors.js';
import { EntraOpenIdServer } from '../../../support/entra-openid-server.js';

// Teams SSO tokens checked against a loopback Entra (OpenID metadata + JWKS with local keys): the tab
// API accepts exactly the tokens Entra would issue for our app and tenant, and says why it refuses.

const CLIENT_ID = '3f2b8c1e-7a4d-4e6f-9b0a-5c1d2e3f4a5b';
const appIdUri = `api://lightdesk.example.com/${CLIENT_ID}`;
const STRANGER = 'f00dbabe-0000-4000-8000-000000000000';
const MISMATCH = "The sign-in token's issuer does not match its tenant and version";

describe('EntraSsoVerifier', () => {
  const entra = new EntraOpenIdServer();
  let verifier: EntraSsoVerifier;

  beforeAll(async () => {
    await entra.start();
    verifier = new EntraSsoVerifier({
      clientId: CLIENT_ID,
      appIdUri,
      tenantId: entra.tenantId,
      openIdMetadataUrl: entra.metadataUrl,
    });
  });
  afterAll(() => entra.stop());

  const refusal = async (token: string, by: EntraSsoVerifier = verifier): Promise<string> => {
    const error = await by.verify(token).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthError);
    return (error as AuthError).message;
  };

  it('accepts a v2.0 token for the app id and names the user from its claims', async () => {
    const user = await verifier.verify(await entra.token(CLIENT_ID));
    expect(user).toEqual({
      id: 'a6f1c0de-0000-4000-8000-000000000001',
      name: 'Adele Vance',
      upn: 'AdeleV@contoso.onmicrosoft.com',
      via: 'sso',
    });
  });

  it('accepts a v1.0 token (sts.windows.net issuer, Application ID URI audience)', async () => {
    const token = await entra.token(
      appIdUri,
      { ver: '1.0', upn: 'AdeleV@contoso.onmicrosoft.com', preferred_username: undefined },
      { issuer: `https://sts.windows.net/${entra.tenantId}/` },
    );
    expect((await verifier.verify(token)).upn).toBe('AdeleV@contoso.onmicrosoft.com');
  });

  it('refuses a token signed by a key Entra does not publish', async () => {
    expect(await refusal(await entra.token(CLIENT_ID, {}, { forged: true }))).toBe(
      'The sign-in token signature does not verify',
    );
  });

  it('refuses an expired token', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) - 3600;
    expect(await refusal(await entra.token(CLIENT_ID, {}, { expiresAt }))).toBe(
      'The sign-in token has expired',
    );
  });

  it('refuses a token for another app', async () => {
    expect(await refusal(await entra.token('00000003-0000-0000-c000-000000000000'))).toBe(
      'The sign-in token is for another app',
    );
  });

  it('refuses a v2.0 token from another tenant, whichever issuer it names', async () => {
    for (const issuer of [`${entra.url}/${STRANGER}/v2.0`, entra.issuer]) {
      const token = await entra.token(CLIENT_ID, { tid: STRANGER }, { issuer });
      expect(await refusal(token)).toBe('The sign-in token was issued by another tenant');
    }
  });

  it('refuses a v1.0 token from another tenant (issue 13: it used to see every review)', async () => {
    const token = await entra.token(
      appIdUri,
      { ver: '1.0', tid: STRANGER },
      { issuer: `https://sts.windows.net/${STRANGER}/` },
    );
    expect(await refusal(token)).toBe('The sign-in token was issued by another tenant');
  });

  it('refuses an issuer of the other token version, and a token without a version', async () => {
    const v1WithV2Issuer = await entra.token(appIdUri, { ver: '1.0' });
    const v2WithV1Issuer = await entra.token(
      CLIENT_ID,
      {},
      { issuer: `https://sts.windows.net/${entra.tenantId}/` },
    );
    expect(await refusal(v1WithV2Issuer)).toBe(MISMATCH);
    expect(await refusal(v2WithV1Issuer)).toBe(MISMATCH);
    expect(await refusal(await entra.token(CLIENT_ID, { ver: undefined }))).toBe(
      'The sign-in token does not say its version (ver 1.0 or 2.0)',
    );
    expect(await refusal(await entra.token(CLIENT_ID, { ver: '3.0' }))).toBe(
      'The sign-in token does not say its version (ver 1.0 or 2.0)',
    );
  });

  it('takes the tenant by domain name, pinned to the id its metadata names', async () => {
    const byDomain = new EntraSsoVerifier({
      clientId: CLIENT_ID,
      appIdUri,
      tenantId: 'contoso.onmicrosoft.com',
      openIdMetadataUrl: entra.metadataUrl,
    });
    expect((await byDomain.verify(await entra.token(CLIENT_ID))).via).toBe('sso');
    const strangerV1 = await entra.token(
      appIdUri,
      { ver: '1.0', tid: STRANGER },
      { issuer: `https://sts.windows.net/${STRANGER}/` },
    );
    expect(await refusal(strangerV1, byDomain)).toBe(
      'The sign-in token was issued by another tenant',
    );
  });

  it('reports metadata of another tenant than the configured one as a set-up fault', async () => {
    const misdirected = new EntraSsoVerifier({
      clientId: CLIENT_ID,
      appIdUri,
      tenantId: STRANGER,
      openIdMetadataUrl: entra.metadataUrl,
    });
    const error = await misdirected.verify(await entra.token(CLIENT_ID)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).message).toBe(
      'entra: OpenID metadata is for another tenant than the configured one',
    );
  });

  it('compares the tenant id whatever its letter case in the settings', async () => {
    const upper = new EntraSsoVerifier({
      clientId: CLIENT_ID,
      appIdUri,
      tenantId: entra.tenantId.toUpperCase(),
      openIdMetadataUrl: entra.metadataUrl,
    });
    expect((await upper.verify(await entra.token(CLIENT_ID))).via).toBe('sso');
  });

  it('refuses a token without the access_as_user scope (e.g. an app-only token)', async () => {
    expect(await refusal(await entra.token(CLIENT_ID, { scp: undefined, roles: ['x'] }))).toBe(
      'The sign-in token does not carry the access_as_user scope',
    );
  });

  it('refuses an unsigned token and garbage', async () => {
    const [header, payload] = (await entra.token(CLIENT_ID)).split('.');
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    expect(await refusal(`${none}.${payload ?? ''}.`)).toMatch(/refused algorithm|not a valid/);
    expect(await refusal(`${header ?? ''}.${payload ?? ''}`)).toBe(
      'The sign-in token is not a valid token',
    );
    expect(await refusal('not-a-token')).toBe('The sign-in token is not a valid token');
  });

  it('fetches the metadata once for many tokens', async () => {
    const before = entra.metadataRequests;
    const fresh = new EntraSsoVerifier({
      clientId: CLIENT_ID,
      appIdUri,
      tenantId: entra.tenantId,
      openIdMetadataUrl: entra.metadataUrl,
    });
    for (let i = 0; i < 3; i += 1) await fresh.verify(await entra.token(CLIENT_ID));
    expect(entra.metadataRequests - before).toBe(1);
  });

  it('reports an unreachable Entra as an upstream failure, not as a bad token', async () => {
    const offline = new EntraSsoVerifier({
      clientId: CLIENT_ID,
      appIdUri,
      tenantId: entra.tenantId,
      openIdMetadataUrl: `${entra.url}/nowhere/v2.0/.well-known/openid-configuration`,
    });
    await expect(offline.verify(await entra.token(CLIENT_ID))).rejects.toBeInstanceOf(
      UpstreamError,
    );
  });

  it('gives up on an Entra that never answers after its timeout, as an upstream failure', async () => {
    const hung = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const { port } = hung.address() as AddressInfo;
    try {
      const waiting = new EntraSsoVerifier({
        clientId: CLIENT_ID,
        appIdUri,
        tenantId: entra.tenantId,
        openIdMetadataUrl: `http://127.0.0.1:${port}/v2.0/.well-known/openid-configuration`,
        timeoutMs: 200,
      });
      const started = Date.now();
      await expect(waiting.verify(await entra.token(CLIENT_ID))).rejects.toBeInstanceOf(
        UpstreamError,
      );
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      hung.closeAllConnections();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });
});

// A multi-tenant app (no tenant configured) reads Entra's `organizations` metadata, whose issuer is a
// `{tenantid}` template: any tenant may sign in, but each token's issuer must be its own tenant's.
describe('EntraSsoVerifier without a tenant (multi-tenant)', () => {
  const entra = new EntraOpenIdServer();
  let anyTenant: EntraSsoVerifier;

  beforeAll(async () => {
    await entra.start();
    anyTenant = new EntraSsoVerifier({
      clientId: CLIENT_ID,
      appIdUri,
      tenantId: undefined,
      openIdMetadataUrl: entra.organizationsMetadataUrl,
    });
  });
  afterAll(() => entra.stop());

  const refusal = async (token: string): Promise<string> => {
    const error = await anyTenant.verify(token).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthError);
    return (error as AuthError).message;
  };

  it('accepts v1.0 and v2.0 tokens of any tenant whose issuer is that tenant', async () => {
    for (const tid of [entra.tenantId, STRANGER]) {
      const v2 = await entra.token(CLIENT_ID, { tid }, { issuer: `${entra.url}/${tid}/v2.0` });
      const v1 = await entra.token(
        appIdUri,
        { ver: '1.0', tid },
        { issuer: `https://sts.windows.net/${tid}/` },
      );
      expect((await anyTenant.verify(v2)).via).toBe('sso');
      expect((await anyTenant.verify(v1)).via).toBe('sso');
    }
  });

  it('refuses a token whose issuer is another tenant than its tid, or of the other version', async () => {
    const tokens = [
      await entra.token(
        CLIENT_ID,
        { tid: STRANGER },
        { issuer: entra.issuer.replace('v2.0', 'x') },
      ),
      await entra.token(
        CLIENT_ID,
        { tid: STRANGER },
        { issuer: `${entra.url}/${entra.tenantId}/v2.0` },
      ),
      await entra.token(
        appIdUri,
        { ver: '1.0', tid: STRANGER },
        { issuer: `https://sts.windows.net/${entra.tenantId}/` },
      ),
      await entra.token(
        appIdUri,
        { ver: '1.0', tid: STRANGER },
        { issuer: `${entra.url}/${STRANGER}/v2.0` },
      ),
      await entra.token(
        CLIENT_ID,
        { tid: STRANGER },
        { issuer: `https://sts.windows.net/${STRANGER}/` },
      ),
    ];
    for (const token of tokens) expect(await refusal(token)).toBe(MISMATCH);
  });
});

describe('TabIdentity', () => {
  const entra = new EntraOpenIdServer();
  beforeAll(() => entra.start());
  afterAll(() => entra.stop());

  it('takes development tokens only where the host issues them', async () => {
    const dev = new DevTokens();
    const { token } = await dev.issue({ id: 'u-1', name: 'Megan Bowen', upn: 'meganb@contoso' });
    const local = new TabIdentity(undefined, dev);
    expect(await local.verify(token)).toEqual({
      id: 'u-1',
      name: 'Megan Bowen',
      upn: 'meganb@contoso',
      via: 'dev',
    });
    // Another process (another key) or a host without development sign-in refuses it.
    await expect(new TabIdentity(undefined, new DevTokens()).verify(token)).rejects.toThrow(
      /not one this host issued/,
    );
    const sso = new EntraSsoVerifier({
      clientId: CLIENT_ID,
      appIdUri,
      tenantId: entra.tenantId,
      openIdMetadataUrl: entra.metadataUrl,
    });
    await expect(new TabIdentity(sso, undefined).verify(token)).rejects.toBeInstanceOf(AuthError);
    await expect(new TabIdentity(undefined, undefined).verify(token)).rejects.toThrow(
      /Sign-in is not configured/,
    );
  });

  it('routes Entra tokens to the SSO check even when development tokens are on', async () => {
    const sso = new EntraSsoVerifier({
      clientId: CLIENT_ID,
      appIdUri,
      tenantId: entra.tenantId,
      openIdMetadataUrl: entra.metadataUrl,
    });
    const both = new TabIdentity(sso, new DevTokens());
    expect((await both.verify(await entra.token(CLIENT_ID))).via).toBe('sso');
  });
});
