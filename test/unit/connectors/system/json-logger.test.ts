import { describe, expect, it } from 'vitest';

import type { LogFields } from '../../../../core/ports/logger.js';
import { JsonLogger } from '../../../../connectors/system/json-logger.js';

function logged(fields: LogFields): Record<string, unknown> {
  const lines: string[] = [];
  new JsonLogger('test', 'info', (line) => lines.push(line)).info('line', fields);
  return JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
}

describe('JSON logger redaction', () => {
  it('logs the name of the signal that stops the host', () => {
    expect(logged({ signal: 'SIGINT' })).toMatchObject({ signal: 'SIGINT' });
  });

  it('still hides secrets, signed-URL signatures and keys', () => {
    const line = logged({
      sig: 'abc',
      signature: 'def',
      clientSecret: 'ghi',
      apiKey: 'jkl',
      authToken: 'mno',
      password: 'pqr',
      link: 'https://prod.example/workflows/1/triggers/manual/run?api-version=1&sig=abc',
    });
    expect(line).toMatchObject({
      sig: '[redacted]',
      signature: '[redacted]',
      clientSecret: '[redacted]',
      apiKey: '[redacted]',
      authToken: '[redacted]',
      password: '[redacted]',
      link: 'https://prod.example/workflows/1/triggers/manual/run?[redacted]',
    });
  });
});
