import type { AccessToken, TokenCredential } from '@azure/identity';

/**
 * The credential the local host gives the Graph connector when Graph is the embedded simulator: the
 * simulator wants a bearer token (so a missing one is caught) but checks no signature.
 */
export class LocalTokenCredential implements TokenCredential {
  getToken(): Promise<AccessToken> {
    return Promise.resolve({
      token: 'local-simulator-token',
      expiresOnTimestamp: Date.now() + 3_600_000,
    });
  }
}
