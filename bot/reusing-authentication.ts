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

/** Distinct channel service URLs kept; one bot talks to a handful (a Teams region or two). */
const maxClients = 32;

/** The bot's app id in a channel token (botframework-connector's own claim names). */
function appIdOf(identity: ClaimsIdentity): string {
  return (
    identity.getClaimValue(AuthenticationConstants.AudienceClaim) ??
    identity.getClaimValue(AuthenticationConstants.AppIdClaim) ??
    ''
  );
}

/** A small map that forgets the least recently used key once full. */
class Recent<T> {
  private readonly entries = new Map<string, T>();

  getOrAdd(key: string, create: () => T): T {
    const found = this.entries.get(key);
    if (found !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, found);
      return found;
    }
    const made = create();
    this.entries.set(key, made);
    if (this.entries.size > maxClients) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    return made;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** Hands out one ConnectorClient per app id, service URL and audience. */
class ReusingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly appId: string,
    private readonly clients: Recent<Promise<ConnectorClient>>,
  ) {
    super();
  }

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    const key = JSON.stringify([this.appId, serviceUrl, audience ?? null]);
    const client = this.clients.getOrAdd(key, () => this.inner.create(serviceUrl, audience));
    // A failed build (credentials unavailable, say) is not kept: the next turn tries again.
    client.catch(() => this.clients.delete(key));
    return client;
  }
}

/**
 * botbuilder's authentication, with the clients it builds for every turn kept instead. CloudAdapter
 * asks for a new ConnectorClient and UserTokenClient on each activity (botbuilder-core
 * cloudAdapterBase.ts processActivity), and each builds an HTTP pipeline of a dozen policies, though
 * a card action's answer goes back on the HTTP response and uses neither. The clients hold no state
 * of a turn (their credentials cache tokens per app id and audience), so one per service URL serves
 * every turn. Authentication itself, the channel's JWT, is still checked on every request by the
 * wrapped object.
 */
export class ReusingAuthentication extends BotFrameworkAuthentication {
  private readonly connectors = new Recent<Promise<ConnectorClient>>();
  private readonly tokenClients = new Recent<Promise<UserTokenClient>>();

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
    const key = appIdOf(claimsIdentity);
    const client = this.tokenClients.getOrAdd(key, () =>
      this.inner.createUserTokenClient(claimsIdentity),
    );
    client.catch(() => this.tokenClients.delete(key));
    return client;
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
