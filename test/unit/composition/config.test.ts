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
