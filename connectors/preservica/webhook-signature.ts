import { createHmac, timingSafeEqual } from 'node:crypto';

// Preservica signs each webhook delivery in `Preservica-Signature`: the lowercase hex HMAC-SHA256,
// keyed with the subscription's shared secret, of the literal "preservica-webhook-auth" followed by
// the raw body; and it proves a subscription by posting a `challengeCode` the receiver must answer
// with the HMAC of that code (docs/preservica.md).
// https://pypreservica.readthedocs.io/en/latest/webhooks.html

const SIGNING_PREFIX = 'preservica-webhook-auth';

/** The signature Preservica sends for `rawBody` under `secret`. */
export function preservicaSignature(secret: string, rawBody: Buffer): string {
  return createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from(SIGNING_PREFIX, 'latin1'), rawBody]))
    .digest('hex');
}

/** Whether `signature` (the header as received, any case) signs `rawBody`; constant-time. */
export function verifyPreservicaSignature(
  secret: string,
  rawBody: Buffer,
  signature: string | undefined,
): boolean {
  const given = signature?.trim().toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(
    Buffer.from(given, 'hex'),
    Buffer.from(preservicaSignature(secret, rawBody), 'hex'),
  );
}

/** The answer to a subscription's handshake: the code and its HMAC under the shared secret. */
export function challengeAnswer(
  secret: string,
  challengeCode: string,
): { readonly challengeCode: string; readonly challengeResponse: string } {
  return {
    challengeCode,
    challengeResponse: createHmac('sha256', secret).update(challengeCode, 'latin1').digest('hex'),
  };
}
