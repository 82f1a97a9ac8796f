import { randomUUID } from 'node:crypto';

import { SimError } from '../kit/errors.js';

// The Access Token API's tokens (reference: developers.preservica.com "Access Token API"): a login
// gives an access token valid `validFor` minutes on the injected clock and a refresh token that works
// once and lives as long as it. Tokens are not kept in the state file [INF]: after a restart clients
// get a 401 and log in again, as they do when a token expires.

export const MANAGER_ROLE = 'ROLE_SDB_MANAGER_USER';

export interface PreservicaUser {
  readonly username: string;
  readonly password: string;
  readonly fullName: string;
  readonly email: string;
  readonly roles: readonly string[];
}

export const DEFAULT_TENANT = 'LIGHTDESK';

export const DEFAULT_USERS: readonly PreservicaUser[] = [
  {
    username: 'manager@lightdesk.example',
    password: 'preservica-demo',
    fullName: 'Lightdesk Archivist',
    email: 'manager@lightdesk.example',
    roles: ['ROLE_SDB_ACCESS_USER', 'ROLE_SDB_INGEST_USER', MANAGER_ROLE],
  },
  {
    username: 'viewer@lightdesk.example',
    password: 'preservica-view',
    fullName: 'Lightdesk Viewer',
    email: 'viewer@lightdesk.example',
    roles: ['ROLE_SDB_ACCESS_USER'],
  },
];

interface Issued {
  readonly user: PreservicaUser;
  readonly expiresAt: number;
  readonly refreshToken: string;
}

export interface LoginReply {
  readonly success: true;
  readonly token: string;
  readonly 'refresh-token': string;
  readonly validFor: number;
  readonly user: string;
}

export class Tokens {
  private readonly issued = new Map<string, Issued>();
  /** Refresh token → the access token it was issued with; removed once used. */
  private readonly refreshes = new Map<string, string>();

  constructor(
    private readonly users: readonly PreservicaUser[],
    readonly tenant: string,
    private readonly now: () => Date,
    readonly validForMinutes: number,
  ) {}

  login(username: string, password: string, tenant: string | undefined): LoginReply {
    const user = this.users.find((u) => u.username === username && u.password === password);
    // [INF] the message; the 401 with a JSON message is documented.
    if (user === undefined || (tenant !== undefined && tenant !== '' && tenant !== this.tenant)) {
      throw new SimError(401, 'Unauthorized', 'Authentication failed: bad credentials');
    }
    return this.issue(user);
  }

  refresh(refreshToken: string, token: string | undefined): LoginReply {
    const paired = this.refreshes.get(refreshToken);
    const issued = paired === undefined ? undefined : this.issued.get(paired);
    if (
      paired === undefined ||
      issued === undefined ||
      paired !== token ||
      issued.expiresAt <= this.now().getTime()
    ) {
      throw new SimError(401, 'Unauthorized', 'Invalid or expired refresh token');
    }
    this.refreshes.delete(refreshToken);
    return this.issue(issued.user);
  }

  /** The user a token belongs to, or a 401 (missing, unknown or expired). */
  check(token: string | undefined): PreservicaUser {
    if (token === undefined || token === '') {
      throw new SimError(401, 'Unauthorized', 'No access token was given');
    }
    const issued = this.issued.get(token);
    if (issued === undefined) throw new SimError(401, 'Unauthorized', 'Invalid access token');
    if (issued.expiresAt <= this.now().getTime()) {
      throw new SimError(401, 'Unauthorized', 'The access token has expired');
    }
    return issued.user;
  }

  /** Every token stops working now (the driver `POST /_sim/expire-tokens`). */
  expireAll(): number {
    const count = this.issued.size;
    this.issued.clear();
    this.refreshes.clear();
    return count;
  }

  private issue(user: PreservicaUser): LoginReply {
    const token = randomUUID();
    const refreshToken = randomUUID();
    this.issued.set(token, {
      user,
      expiresAt: this.now().getTime() + this.validForMinutes * 60_000,
      refreshToken,
    });
    this.refreshes.set(refreshToken, token);
    return {
      success: true,
      token,
      'refresh-token': refreshToken,
      validFor: this.validForMinutes,
      user: user.username,
    };
  }
}
