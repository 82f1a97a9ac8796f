// Keys whose values never reach a log, whatever their casing (docs/security.md). `sig` (a Power
// Automate callback URL's signature) only as a whole word: as a substring it hid `signal`.
const secretKey =
  /(token|secret|password|apikey|api_key|authorization|signature|key|cookie|(?:^|[^a-z])sig(?:$|[^a-z]))/i;

/** Removes query strings that may carry credentials (auth_token=, api_key=, sec= on signed links). */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?[redacted]`;
}

export function redactValue(key: string, value: unknown): unknown {
  if (secretKey.test(key)) return '[redacted]';
  if (typeof value === 'string' && /^https?:\/\//.test(value)) return redactUrl(value);
  return value;
}
