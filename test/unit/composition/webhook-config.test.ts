import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../../composition/config.js';
import { ConfigError } from '../../../core/errors.js';

describe('webhook settings', () => {
  it('deliver on their own queue, signed per subscription, unless told otherwise', () => {
    expect(loadConfig({}).webhooks).toEqual({
      retryBaseMs: 30_000,
      maxConsecutiveFailures: 5,
      queue: 'webhooks',
      signingSecret: undefined,
      allowPrivateTargets: true,
      maxSubscriptions: 100,
    });
    expect(
      loadConfig({
        WEBHOOKS_QUEUE: 'lightdesk-hooks',
        WEBHOOK_SIGNING_SECRET: 'a-shared-key-of-some-length',
        WEBHOOK_MAX_FAILURES: '3',
      }).webhooks,
    ).toMatchObject({
      queue: 'lightdesk-hooks',
      signingSecret: 'a-shared-key-of-some-length',
      maxConsecutiveFailures: 3,
    });
  });

  it('refuse a short signing key by name, never echoing it', () => {
    let error: unknown;
    try {
      loadConfig({ WEBHOOK_SIGNING_SECRET: 'short-key' });
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).keys).toEqual(['WEBHOOK_SIGNING_SECRET']);
    expect((error as ConfigError).message).not.toContain('short-key');
  });

  it('refuse a webhooks queue that is the events queue or no queue name at all', () => {
    expect(() => loadConfig({ WEBHOOKS_QUEUE: 'events' })).toThrow(
      /WEBHOOKS_QUEUE: must differ from EVENTS_QUEUE/,
    );
    expect(() => loadConfig({ WEBHOOKS_QUEUE: 'Web_Hooks' })).toThrow(/WEBHOOKS_QUEUE/);
  });
});
