/** One POST of an event to a subscriber's callback. */
export interface WebhookDelivery {
  readonly url: string;
  readonly event: string;
  /** The same on every attempt: the subscriber drops repeats by it. */
  readonly deliveryId: string;
  readonly attempt: number;
  readonly body: string;
  /** Signs the delivery; never sent, never logged. */
  readonly secret: string;
}

/**
 * `reason` is for our logs only, coarse, and never shown to the subscriber: telling "timed out" from
 * "refused connection" would make the callback a port scanner.
 */
export type WebhookAnswer =
  | { readonly kind: 'delivered'; readonly status: number }
  /** The subscriber says the subscription no longer exists (410): stop at once. */
  | { readonly kind: 'gone'; readonly status: number }
  /** Worth another attempt later: 5xx, 429, redirects, other 4xx, no answer at all (no status). */
  | { readonly kind: 'failed'; readonly status: number | undefined; readonly reason: string }
  /** Not attempted: the callback is not allowed (plain http, or an address that is not public). */
  | { readonly kind: 'refused'; readonly reason: string };

export interface WebhookSender {
  send(delivery: WebhookDelivery): Promise<WebhookAnswer>;
}

/** Which callbacks deliveries may go to (WEBHOOK_ALLOW_PRIVATE_TARGETS). */
export interface WebhookTargets {
  /**
   * Why no delivery could ever go to `url`, as a line for the subscriber; undefined when one may. A
   * host name passes here: the sender checks what it resolves to on every delivery.
   */
  refusal(url: URL): string | undefined;
}
