import { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { afterEach, describe, expect, it } from 'vitest';

import { type Harness, startHarness, StaticTokenCredential, TOKEN } from './graph-harness.js';

// Why the Graph connector puts the bearer token on its requests itself rather than through the
// Graph client's TokenCredentialAuthenticationProvider (docs/decisions.md): the client's
// AuthenticationHandler asks the provider for a token only for https URLs of Graph hosts or
// `customHosts` (GraphRequestUtil.isValidEndpoint), so against the loopback simulator it sends none.

let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the Graph client with TokenCredentialAuthenticationProvider, against the simulator', () => {
  it('sends no token to an http host, even one named in customHosts, and is refused with 401', async () => {
    h = await startHarness();
    const credential = new StaticTokenCredential(TOKEN, () => Date.now() + 60 * 60_000);
    const authProvider = new TokenCredentialAuthenticationProvider(credential, {
      scopes: ['https://graph.microsoft.com/.default'],
    });
    const root = new URL(h.server.graphUrl);
    const client = Client.initWithMiddleware({
      authProvider,
      baseUrl: root.origin,
      defaultVersion: 'v1.0',
      customHosts: new Set([root.host]),
    });

    const read = client.api(`/planner/plans/${h.planId}/tasks`).get();

    await expect(read).rejects.toBeInstanceOf(GraphError);
    await expect(read).rejects.toMatchObject({ statusCode: 401 });
    expect(credential.calls).toBe(0); // the provider was never asked for a token
    expect(await h.calls()).toEqual({ 'GET /planner/plans/:id/tasks': 1 });

    // The connector, with the same kind of credential, is let in.
    expect(await h.board.listPlanTasks(h.planId)).toEqual([]);
  });
});
