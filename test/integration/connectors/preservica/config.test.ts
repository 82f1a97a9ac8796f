import { describe, expect, it } from 'vitest';

import {
  preservicaConfigSchema,
  preservicaConnection,
} from '../../../../connectors/preservica/config.js';

describe('preservicaConfigSchema', () => {
  it('is off with nothing set; polls every 30 s by default; empty values are unset', () => {
    expect(
      preservicaConfigSchema.parse({ PRESERVICA_BASE_URL: '', PRESERVICA_POLL_SECONDS: '' }),
    ).toEqual({ PRESERVICA_POLL_SECONDS: 30 });
  });

  it('reads a whole configuration', () => {
    const env = {
      PRESERVICA_BASE_URL: 'http://127.0.0.1:4030',
      PRESERVICA_USERNAME: 'manager@lightdesk.example',
      PRESERVICA_PASSWORD: 'preservica-demo',
      PRESERVICA_TENANT: 'LIGHTDESK',
      PRESERVICA_WEBHOOK_SECRET: 'a-shared-secret-of-some-length',
      PRESERVICA_FOLDER: '7c1d4c0e-4f1a-4c57-9a3e-5d0e6b1a0002',
      PRESERVICA_POLL_SECONDS: '10',
    };
    const parsed = preservicaConfigSchema.parse(env);
    expect(parsed).toEqual({ ...env, PRESERVICA_POLL_SECONDS: 10 });
    expect(preservicaConnection(parsed)).toEqual({
      baseUrl: 'http://127.0.0.1:4030',
      username: 'manager@lightdesk.example',
      password: 'preservica-demo',
      tenant: 'LIGHTDESK',
    });
    expect(preservicaConnection(preservicaConfigSchema.parse({}))).toBeUndefined();
  });

  it('names the login keys a server needs, never a secret', () => {
    const result = preservicaConfigSchema.safeParse({
      PRESERVICA_BASE_URL: 'https://eu.preservica.com',
      PRESERVICA_PASSWORD: 'a-very-secret-value',
      PRESERVICA_WEBHOOK_SECRET: 'short-secret',
    });
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'PRESERVICA_TENANT',
      'PRESERVICA_USERNAME',
      'PRESERVICA_WEBHOOK_SECRET',
    ]);
    expect(JSON.stringify(result.error?.issues)).not.toContain('a-very-secret-value');
    expect(JSON.stringify(result.error?.issues)).not.toContain('short-secret');
  });
});
