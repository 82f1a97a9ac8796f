import { describe, expect, it } from 'vitest';

import { ValidationError } from '../../../../core/errors.js';
import {
  decodeKey,
  encodeKey,
  joinKey,
  splitKey,
} from '../../../../connectors/azure-storage/keys.js';

// Characters Table Storage refuses in PartitionKey and RowKey.
const hasForbidden = (key: string) =>
  [...key].some((c) => '/\\#?'.includes(c) || c < ' ' || (c >= '\u007f' && c <= '\u009f'));

const oddKeys = [
  '',
  'plain',
  'planner.task:R0001',
  'queue.event:asset.uploaded:G0000aaaaaaaaaaa:I0000bbbbbbbbbbb:0abc',
  'a/b\\c#d?e',
  '\u0000\u0001\u001f\u007f\u0085\u009f',
  '%41 ~7E ~ %',
  'it\'s "quoted"',
  'Zürich — 東京 🎞',
  ':',
  'kind:',
  ':rest',
];

describe('storage key encoding', () => {
  it.each(oddKeys)('round-trips %j with no forbidden character in the key', (key) => {
    const encoded = encodeKey(key);
    expect(hasForbidden(encoded)).toBe(false);
    expect(encoded).toMatch(/^[A-Za-z0-9._:~-]*$/);
    expect(decodeKey(encoded)).toBe(key);

    const address = splitKey(key);
    expect(hasForbidden(address.partitionKey)).toBe(false);
    expect(hasForbidden(address.rowKey)).toBe(false);
    expect(joinKey(address)).toBe(key);
  });

  it('keeps ordinary ids readable', () => {
    expect(encodeKey('planner.task:R0001')).toBe('planner.task:R0001');
    expect(splitKey('planner.task:R0001')).toEqual({
      partitionKey: 'planner.task',
      rowKey: 'R0001',
    });
  });

  it('never maps two keys to one address', () => {
    const addresses = oddKeys.map((key) => JSON.stringify(splitKey(key)));
    expect(new Set(addresses).size).toBe(oddKeys.length);
  });

  it('refuses a key longer than Table Storage allows', () => {
    expect(() => encodeKey('/'.repeat(400))).toThrow(ValidationError);
  });
});
