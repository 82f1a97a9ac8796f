import { describe, expect, it } from 'vitest';

import { safeVendorMessage } from '../../../../connectors/http/redact.js';

describe('safeVendorMessage', () => {
  it('keeps a vendor message that repeats none of our secrets', () => {
    expect(safeVendorMessage('Gallery not found', ['k3y'])).toBe('Gallery not found');
  });

  it('drops a message that echoes a secret, in any case', () => {
    expect(safeVendorMessage('API key ABC-123 is invalid', ['abc-123'])).toBeUndefined();
  });

  it('cuts a long message, after checking all of it', () => {
    const long = `${'x'.repeat(250)}`;
    expect(safeVendorMessage(long, [])).toBe(`${'x'.repeat(200)}…`);
    expect(safeVendorMessage(`${'x'.repeat(210)}secret`, ['secret'])).toBeUndefined();
    expect(safeVendorMessage('', [])).toBeUndefined();
  });
});
