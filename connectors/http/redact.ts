/** Vendor messages are cut to this length: a log line stays a line. */
const MAX_VENDOR_MESSAGE = 200;

/**
 * A vendor's explanation fit for our errors: undefined when empty or repeating any `secrets` (a
 * service may echo what we sent), cut when long.
 */
export function safeVendorMessage(
  text: string | null | undefined,
  secrets: readonly string[],
): string | undefined {
  if (text === undefined || text === null || text.length === 0) return undefined;
  const lower = text.toLowerCase();
  if (secrets.some((s) => s.length > 0 && lower.includes(s.toLowerCase()))) return undefined;
  return text.length <= MAX_VENDOR_MESSAGE ? text : `${text.slice(0, MAX_VENDOR_MESSAGE)}…`;
}
