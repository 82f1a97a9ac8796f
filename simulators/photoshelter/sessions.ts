import { randomBytes } from 'node:crypto';

import type { SimRequest } from './http-util.js';

// Accounts and log-in sessions. A token starts in the user's own context; the organization switch
// (v3 #2, v4 organization/authenticate) flips the same token to the organization [3P].

export interface SimUser {
  readonly email: string;
  readonly password: string;
  /** `U0000` + 11 characters [OFF]. */
  readonly userId: string;
  /** Organizations the user is a member of. */
  readonly orgIds: readonly string[];
  readonly firstName?: string;
  readonly lastName?: string;
}

export interface SimOrg {
  /** `O0000` + 11 characters [OFF]. */
  readonly id: string;
  readonly name: string;
}

export interface Session {
  readonly token: string;
  readonly user: SimUser;
  orgId: string | null;
  lastUsedMs: number;
}

export class Sessions {
  private readonly byToken = new Map<string, Session>();

  constructor(
    private readonly now: () => Date,
    private readonly idleTimeoutMs: number,
  ) {}

  create(user: SimUser): Session {
    const session: Session = {
      token: randomBytes(18).toString('base64url'),
      user,
      orgId: null,
      lastUsedMs: this.now().getTime(),
    };
    this.byToken.set(session.token, session);
    return session;
  }

  /** The live session for a token, its idle timer reset; undefined when unknown or idle too long. */
  use(token: string | undefined): Session | undefined {
    if (token === undefined || token === '') return undefined;
    const session = this.byToken.get(token);
    if (session === undefined) return undefined;
    const now = this.now().getTime();
    // [INF] sessions time out after idle time, 2 h by default [V2], reset on each call (docs/photoshelter-wire.md).
    if (now - session.lastUsedMs > this.idleTimeoutMs) {
      this.byToken.delete(token);
      return undefined;
    }
    session.lastUsedMs = now;
    return session;
  }

  drop(token: string): void {
    this.byToken.delete(token);
  }

  /** Every token becomes invalid; answers how many there were. */
  expireAll(): number {
    const count = this.byToken.size;
    this.byToken.clear();
    return count;
  }

  get size(): number {
    return this.byToken.size;
  }
}

/** `X-PS-Auth-Token` [3P], `auth_token=` [3P Drupal] or `Authorization: Bearer` [OFF]. */
export function tokenOf(request: SimRequest): string | undefined {
  const header = request.headers['x-ps-auth-token'];
  if (typeof header === 'string' && header !== '') return header;
  const param = request.params.get('auth_token');
  if (param !== undefined && param !== '') return param;
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return bearer?.[1];
}

/** `X-PS-Api-Key` or `api_key=` [DOC]. */
export function apiKeyOf(request: SimRequest): string | undefined {
  const header = request.headers['x-ps-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  return request.params.get('api_key');
}
