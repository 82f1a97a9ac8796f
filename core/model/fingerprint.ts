/**
 * A short, stable digest for deterministic ids (FNV-1a, 64-bit). Not a security hash: it only has to
 * give the same text for the same input on every run and machine, without any import beyond the language.
 */
export function fingerprint(...parts: readonly (string | number)[]): string {
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const text = parts.map(String).join('\u001f');
  for (let i = 0; i < text.length; i += 1) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * prime) & 0xffffffffffffffffn;
  }
  return hash.toString(36).padStart(13, '0');
}
