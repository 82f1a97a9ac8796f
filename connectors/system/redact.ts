// Keys whose values never reach a log, whatever their casing (docs/security.md).
const secretKey = /(token|secret|password|apikey|api_key|authorization|signature|sig|key|cookie)/i;

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
