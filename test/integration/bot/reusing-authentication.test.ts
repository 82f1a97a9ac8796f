import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';

import { ReusingAuthentication } from '../../../bot/reusing-authentication.js';

// botbuilder's own authentication without an app id (the local demo's): every request is taken as
// anonymous, so the connector clients it builds can be compared without a token service.
const activity = (serviceUrl: string) =>
  ({ type: 'message', serviceUrl, channelId: 'msteams' }) as Activity;

describe('ReusingAuthentication', () => {
  it('hands every turn for a service URL the same connector client', async () => {
    const auth = new ReusingAuthentication(new ConfigurationBotFrameworkAuthentication({}));
    const clientFor = async (serviceUrl: string) => {
      const result = await auth.authenticateRequest(activity(serviceUrl), '');
      return result.connectorFactory?.create(serviceUrl, result.audience);
    };

    const first = await clientFor('https://smba.trafficmanager.net/emea/');
    const second = await clientFor('https://smba.trafficmanager.net/emea/');
    const elsewhere = await clientFor('https://smba.trafficmanager.net/amer/');

    expect(first).toBeDefined();
    expect(second).toBe(first);
    expect(elsewhere).not.toBe(first);
  });

  it('keeps one user token client per app id', async () => {
    const auth = new ReusingAuthentication(new ConfigurationBotFrameworkAuthentication({}));
    const { claimsIdentity } = await auth.authenticateRequest(activity('https://a.example/'), '');

    const first = await auth.createUserTokenClient(claimsIdentity);

    expect(await auth.createUserTokenClient(claimsIdentity)).toBe(first);
  });

  it('still checks the token of every request', async () => {
    const auth = new ReusingAuthentication(
      new ConfigurationBotFrameworkAuthentication({
        MicrosoftAppId: '3e293b55-0bd4-43ee-9993-e68e2c9ac695',
        MicrosoftAppPassword: 'not-used-here',
        MicrosoftAppType: 'MultiTenant',
      }),
    );

    await expect(auth.authenticateRequest(activity('https://a.example/'), '')).rejects.toThrow();
  });
});
