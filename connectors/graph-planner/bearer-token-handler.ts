import type { AccessToken, TokenCredential } from '@azure/identity';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';

import { AppError, AuthError, ensureError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import { CallTag } from './call-tag.js';
import { setRequestHeader } from './request-headers.js';

export interface BearerTokenHandlerOptions {
  readonly credential: TokenCredential;
  readonly scopes: readonly string[];
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Renew this long before the token says it expires, so a request never leaves with a dying one. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

/**
 * Puts `Authorization: Bearer <token>` on every request, whatever its host. The library's own
 * AuthenticationHandler only does so for https Graph hosts or `customHosts`
 * (GraphRequestUtil.isValidEndpoint), so against an http simulator it would send nothing
 * (shared/reference/toolchain.md "Quirks met on loopback").
 *
 * The token is cached until shortly before it expires (or its `refreshAfterTimestamp`), one fetch
 * shared by concurrent callers. A 401 drops the cached token and repeats the request once with a
 * fresh one: a token can be revoked or rotated before its stated expiry.
 * https://learn.microsoft.com/graph/auth-v2-service
 */
export class BearerTokenHandler implements Middleware {
  private next: Middleware | undefined;
  private cached: AccessToken | undefined;
  private pending: Promise<AccessToken> | undefined;

  constructor(private readonly options: BearerTokenHandlerOptions) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const next = this.requireNext();
    const tag = CallTag.of(context);
    const first = await this.token(tag);
    setRequestHeader(context, 'Authorization', `Bearer ${first.token}`);
    await next.execute(context);
    if (context.response?.status !== 401) return;

    this.forget(first);
    const fresh = await this.token(tag);
    if (fresh.token === first.token) return; // the credential has nothing better: let the 401 stand
    this.options.logger.info('graph refused our token; retrying once with a fresh one', {
      endpoint: tag?.endpoint,
    });
    setRequestHeader(context, 'Authorization', `Bearer ${fresh.token}`);
    await next.execute(context);
  }

  private requireNext(): Middleware {
    if (this.next === undefined) {
      throw new AppError(
        'internal',
        'BearerTokenHandler has no next middleware to pass requests to',
      );
    }
    return this.next;
  }

  private isFresh(token: AccessToken): boolean {
    const now = this.options.clock.now().getTime();
    if (token.refreshAfterTimestamp !== undefined && now >= token.refreshAfterTimestamp) {
      return false;
    }
    return now < token.expiresOnTimestamp - EXPIRY_MARGIN_MS;
  }

  private forget(token: AccessToken): void {
    // Only the caller whose token failed drops it; concurrent callers then share one new fetch.
    if (this.cached?.token === token.token) this.cached = undefined;
  }

  private async token(tag: CallTag | undefined): Promise<AccessToken> {
    if (this.cached !== undefined && this.isFresh(this.cached)) return this.cached;
    if (this.pending === undefined) {
      this.pending = this.fetchToken().finally(() => {
        this.pending = undefined;
      });
    }
    try {
      return await this.pending;
    } catch (e: unknown) {
      const error =
        e instanceof AuthError
          ? e
          : new AuthError('Could not get a Microsoft Graph token from the credential', {
              cause: ensureError(e),
              details: { endpoint: tag?.endpoint },
            });
      throw tag === undefined ? error : tag.fail(error);
    }
  }

  private async fetchToken(): Promise<AccessToken> {
    const token = await this.options.credential.getToken([...this.options.scopes]);
    if (token === null || token.token === '') {
      // A credential may answer null instead of throwing; there is nothing to send, so do not.
      throw new AuthError('The credential gave no Microsoft Graph token');
    }
    this.cached = token;
    return token;
  }
}
