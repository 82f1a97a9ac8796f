import { ValidationError } from '../../core/errors.js';

// Table keys forbid `/ \ # ?` and control characters, and Azurite mishandles `%` and quotes
// (https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#characters-disallowed-in-key-fields),
// so bytes outside a safe set become `~XX`; escaping `~` too keeps it reversible and ids readable.
const safeByte = /^[A-Za-z0-9._:-]$/;

/** Keys are at most 1 KiB; longer ones are refused before the service does it less clearly. */
const MAX_KEY_LENGTH = 1024;

export function encodeKey(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    out +=
      byte < 0x80 && safeByte.test(char)
        ? char
        : `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length > MAX_KEY_LENGTH) {
    throw new ValidationError('Storage key too long', [
      `encoded length ${out.length} > ${MAX_KEY_LENGTH}`,
    ]);
  }
  return out;
}

export function decodeKey(encoded: string): string {
  // After encodeKey there is no `%` left, so turning `~XX` into `%XX` gives valid URI escapes.
  return decodeURIComponent(encoded.replace(/~([0-9A-F]{2})/g, '%$1'));
}

/** A row address: partition and row key. */
export interface RowAddress {
  readonly partitionKey: string;
  readonly rowKey: string;
}

// `~` alone cannot come out of encodeKey (it always escapes `~` as `~7E`), so it marks "no colon".
const NO_REST = '~';

/**
 * Splits `kind:rest` keys (`planner.task:{reviewId}`) at the first colon: the kind becomes the
 * partition, so effects of one kind can be listed together, and the rest the row.
 */
export function splitKey(key: string): RowAddress {
  const colon = key.indexOf(':');
  if (colon === -1) return { partitionKey: encodeKey(key), rowKey: NO_REST };
  return { partitionKey: encodeKey(key.slice(0, colon)), rowKey: encodeKey(key.slice(colon + 1)) };
}

export function joinKey(address: RowAddress): string {
  const kind = decodeKey(address.partitionKey);
  return address.rowKey === NO_REST ? kind : `${kind}:${decodeKey(address.rowKey)}`;
}
