import { describe, expect, it } from 'vitest';

import { loadConfig, requireHostedServices } from '../../../composition/config.js';
import { ConfigError } from '../../../core/errors.js';

const realPhotoShelter = {
  PHOTOSHELTER_BASE_URL: 'https://www.photoshelter.com',
  PHOTOSHELTER_API_KEY: 'k3y.AbCdEf1',
  PHOTOSHELTER_EMAIL: 'ops@example.com',
  PHOTOSHELTER_PASSWORD: 'hunter2-very-secret',
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e: unknown) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new ConfigError([], ['expected loadConfig to fail']);
}

describe('loadConfig', () => {
  it('runs on the embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(7071);
    expect(config.dataDir).toBe('.lightdesk');
    expect(config.storageConnectionString).toBeUndefined();
    expect(config.photoShelter).toBeUndefined();
    expect(config.pollSchedule).toBe('*/10 * * * * *');
    expect(config.eventsQueue).toBe('events');
    expect(config.maxDequeueCount).toBe(5);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats empty strings as unset, as env files write them', () => {
    const config = loadConfig({ PORT: '', PHOTOSHELTER_BASE_URL: '', API_KEY: '' });
    expect(config.port).toBe(7071);
    expect(config.photoShelter).toBeUndefined();
    expect(config.apiKey).toBeUndefined();
  });

  it('uses a real PhotoShelter when its URL and credentials are given, polling every minute', () => {
    const config = loadConfig({
      ...realPhotoShelter,
      PHOTOSHELTER_WEB_URL: 'https://acme.photoshelter.com',
    });
    expect(config.photoShelter).toMatchObject({
      baseUrl: 'https://www.photoshelter.com',
      webBaseUrl: 'https://acme.photoshelter.com',
      email: 'ops@example.com',
    });
    expect(config.pollSchedule).toBe('0 * * * * *');
  });

  it('lists every bad key by name in one error and never echoes a value', () => {
    const error = configError({
      PORT: 'seventy',
      PHOTOSHELTER_BASE_URL: 'https://www.photoshelter.com',
      PHOTOSHELTER_PASSWORD: 'hunter2-very-secret',
      PHOTOSHELTER_ORG_ID: 'not-an-org',
      POLL_SCHEDULE: '* * *',
    });
    expect(error.keys).toEqual(
      expect.arrayContaining([
        'PORT',
        'PHOTOSHELTER_ORG_ID',
        'POLL_SCHEDULE',
        'PHOTOSHELTER_API_KEY',
        'PHOTOSHELTER_EMAIL',
      ]),
    );
    expect(error.message).toContain(
      'PHOTOSHELTER_API_KEY: required when PHOTOSHELTER_BASE_URL is set',
    );
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('seventy');
    expect(error.message).not.toContain('not-an-org');
  });

  it('takes PHOTOSHELTER_TIME_ZONE when Intl knows the zone, and names the key when not', () => {
    expect(loadConfig({}).photoShelterTimeZone).toBeUndefined();
    const config = loadConfig({ ...realPhotoShelter, PHOTOSHELTER_TIME_ZONE: 'America/Chicago' });
    expect(config.photoShelterTimeZone).toBe('America/Chicago');

    const error = configError({ PHOTOSHELTER_TIME_ZONE: 'Eastern Standard Time' });
    expect(error.keys).toEqual(['PHOTOSHELTER_TIME_ZONE']);
    expect(error.message).toContain(
      'PHOTOSHELTER_TIME_ZONE: must be an IANA time zone name Node knows, e.g. America/New_York',
    );
  });

  it('refuses a short API key', () => {
    expect(configError({ API_KEY: 'short' }).keys).toEqual(['API_KEY']);
  });

  it('requires storage and PhotoShelter in Azure, naming both', () => {
    const config = loadConfig({});
    expect(() => requireHostedServices(config)).toThrow(
      /AzureWebJobsStorage: required.*PHOTOSHELTER_BASE_URL: required.*GRAPH_BASE_URL: required/,
    );
  });
});

describe('loadConfig on Azure', () => {
  const bot = {
    MicrosoftAppId: '8a0e4f5c-2d5b-4a53-9f0f-1c7b7e0e2a11',
    MicrosoftAppPassword: 'bot-secret-value',
    MicrosoftAppTenantId: '4c9a7e2d-6f1b-4e8a-b3d5-0a2f6c8e1b37',
  };

  it('refuses to start an open API or an unauthenticated bot, naming both keys', () => {
    for (const load of [
      () => loadConfig({}, 'azure'),
      () => loadConfig({ WEBSITE_INSTANCE_ID: 'a1b2' }),
    ]) {
      let failure: unknown;
      try {
        load();
      } catch (e: unknown) {
        failure = e;
      }
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as ConfigError).keys).toEqual(
        expect.arrayContaining(['API_KEY', 'MicrosoftAppId']),
      );
      expect((failure as ConfigError).message).toContain('API_KEY: required on Azure');
    }
    expect(configError({ WEBSITE_INSTANCE_ID: 'a1b2', ...bot }).keys).toEqual(['API_KEY']);
  });

  it('starts with both, with the console off and webhooks to public https targets only', () => {
    const config = loadConfig({ ...bot, API_KEY: 'a-key-of-sixteen-or-more' }, 'azure');
    expect(config.host).toBe('azure');
    expect(config.console).toBe(false);
    expect(config.webhooks.allowPrivateTargets).toBe(false);
  });

  it('keeps the local defaults on the local host', () => {
    const config = loadConfig({});
    expect(config.host).toBe('local');
    expect(config.console).toBe(true);
    expect(config.webhooks.allowPrivateTargets).toBe(true);
    const withEntra = loadConfig({ TAB_SSO_CLIENT_ID: bot.MicrosoftAppId });
    expect(withEntra.console).toBe(false);
    expect(withEntra.webhooks.allowPrivateTargets).toBe(false);
    expect(
      loadConfig({ TAB_SSO_CLIENT_ID: bot.MicrosoftAppId, LIGHTDESK_CONSOLE: 'on' }).console,
    ).toBe(true);
  });
});
