import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// Ziflow signs each webhook delivery in `x-ziflow-signature`. Its help says the signing string is the
// signature key + "POST" + the registered target URI + the raw body, "hashed with SHA-256 using the
// signature key", without saying whether that is a plain hash or an HMAC; Ziflow's own lab node
// checks an HMAC of the body instead (docs/ziflow.md). [INF] Until a real delivery pins one, each
// form is tried, with a constant-time compare; the one that matched is reported so it can be pinned.
// https://help.ziflow.com/en/articles/5856377-webhooks

/** The three readings of Ziflow's signature rule, in the order they are tried. */
export const ZIFLOW_SIGNATURE_MODES = ['sha256', 'hmac-signing-string', 'hmac-body'] as const;
export type ZiflowSignatureMode = (typeof ZIFLOW_SIGNATURE_MODES)[number];

export interface ZiflowDelivery {
  /** The subscription's `signature_key`. */
  readonly key: string;
  /** The target URL exactly as registered with Ziflow (query values URL-encoded). */
  readonly target: string;
  /** The request body as received, before any parsing. */
  readonly rawBody: Buffer;
  /** The `x-ziflow-signature` header, if any. */
  readonly signature: string | undefined;
}

/** The hex signature of `delivery` under one reading of the rule. */
export function ziflowSignature(
  mode: ZiflowSignatureMode,
  delivery: Omit<ZiflowDelivery, 'signature'>,
): string {
  const signingString = Buffer.concat([
    Buffer.from(`${delivery.key}POST${delivery.target}`, 'utf8'),
    delivery.rawBody,
  ]);
  switch (mode) {
    case 'sha256':
      return createHash('sha256').update(signingString).digest('hex');
    case 'hmac-signing-string':
      return createHmac('sha256', delivery.key).update(signingString).digest('hex');
    case 'hmac-body':
      return createHmac('sha256', delivery.key).update(delivery.rawBody).digest('hex');
  }
}

/**
 * The reading under which the delivery's signature is valid, or undefined: no signature, a
 * malformed one, or none that matches. `modes` narrows the readings once one is pinned.
 */
export function verifyZiflowSignature(
  delivery: ZiflowDelivery,
  modes: readonly ZiflowSignatureMode[] = ZIFLOW_SIGNATURE_MODES,
): ZiflowSignatureMode | undefined {
  const given = delivery.signature?.trim().toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/.test(given)) return undefined;
  const presented = Buffer.from(given, 'hex');
  return modes.find((mode) =>
    timingSafeEqual(presented, Buffer.from(ziflowSignature(mode, delivery), 'hex')),
  );
}

/** A subscription's check, as the webhook function takes it: the key, target and pinned readings. */
export function ziflowSignatureCheck(subscription: {
  readonly key: string;
  /** The target as registered; a function when it is known only once the host listens. */
  readonly target: string | (() => string);
  readonly modes?: readonly ZiflowSignatureMode[] | undefined;
}): { verify(rawBody: Buffer, signature: string | undefined): ZiflowSignatureMode | undefined } {
  return {
    verify: (rawBody, signature) =>
      verifyZiflowSignature(
        {
          key: subscription.key,
          target:
            typeof subscription.target === 'string' ? subscription.target : subscription.target(),
          rawBody,
          signature,
        },
        subscription.modes,
      ),
  };
}
