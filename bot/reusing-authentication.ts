import type { Activity } from 'botbuilder';
import {
  type AuthenticateRequestResult,
  AuthenticationConstants,
  BotFrameworkAuthentication,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClient,
  ConnectorFactory,
  type UserTokenClient,
} from 'botframework-connector';
import { LRUCache } from 'lru-cache';

import { sendPostsOnce } from './post-once.js';

/** Distinct channel service URLs kept; one bot talks to a handful (a Teams region or two). */
const MAX_CLIENTS = 32;

/** The bot's app id in a channel token (botframework-connector's own claim names). */
function appIdOf(identity: ClaimsIdentity): string {
  return (
    identity.getClaimValue(AuthenticationConstants.AudienceClaim) ??
    identity.getClaimValue(AuthenticationConstants.AppIdClaim) ??
    ''
  );
}

type Clients<T> = LRUCache<string, Promise<T>>;

/** The client kept under `key`, or a new one from `create`; a failed build is not kept. */
function reuse<T>(clients: Clients<T>, key: string, create: () => Promise<T>): Promise<T> {
  const kept = clients.get(key);
  if (kept !== undefined) return kept;
  const made = create();
  clients.set(key, made);
  // Credentials unavailable, say: the next turn tries again.
  made.catch(() => {
    if (clients.get(key) === made) clients.delete(key);
  });
  return made;
}

/**
 * Hands out one ConnectorClient per app id, service URL and audience, each sending a POST (a new
 * card) exactly once (post-once.ts).
 */
class ReusingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly appId: string,
    private readonly clients: Clients<ConnectorClient>,
  ) {
    super();
  }

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    const key = JSON.stringify([this.appId, serviceUrl, audience ?? null]);
    return reuse(this.clients, key, async () =>
      sendPostsOnce(await this.inner.create(serviceUrl, audience)),
    );
  }
}

/**
 * botbuilder's authentication, keeping the ConnectorClient and UserTokenClient it builds per turn
 * (one per service URL; they hold no turn state: docs/decisions.md). The channel's JWT is still
 * checked on every request by the wrapped object.
 */
export class ReusingAuthentication extends BotFrameworkAuthentication {
  private readonly connectors: Clients<ConnectorClient> = new LRUCache({ max: MAX_CLIENTS });
  private readonly tokenClients: Clients<UserTokenClient> = new LRUCache({ max: MAX_CLIENTS });

  constructor(private readonly inner: BotFrameworkAuthentication) {
    super();
  }

  async authenticateRequest(
    activity: Activity,
    authHeader: string,
  ): Promise<AuthenticateRequestResult> {
    return this.reusing(await this.inner.authenticateRequest(activity, authHeader));
  }

  async authenticateStreamingRequest(
    authHeader: string,
    channelIdHeader: string,
  ): Promise<AuthenticateRequestResult> {
    return this.reusing(await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader));
  }

  createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new ReusingConnectorFactory(
      this.inner.createConnectorFactory(claimsIdentity),
      appIdOf(claimsIdentity),
      this.connectors,
    );
  }

  createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return reuse(this.tokenClients, appIdOf(claimsIdentity), () =>
      this.inner.createUserTokenClient(claimsIdentity),
    );
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }

  private reusing(result: AuthenticateRequestResult): AuthenticateRequestResult {
    const factory = result.connectorFactory;
    if (factory === undefined) return result;
    return {
      ...result,
      connectorFactory: new ReusingConnectorFactory(
        factory,
        appIdOf(result.claimsIdentity),
        this.connectors,
      ),
    };
  }
}
