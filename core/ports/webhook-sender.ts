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

export type WebhookAnswer =
  | { readonly kind: 'delivered'; readonly status: number }
  /** The subscriber says the subscription no longer exists (410): stop at once. */
  | { readonly kind: 'gone'; readonly status: number }
  /** Worth another attempt later: 5xx, 429, timeouts, refused connections, other 4xx. */
  | { readonly kind: 'failed'; readonly status: number | undefined; readonly reason: string };

export interface WebhookSender {
  send(delivery: WebhookDelivery): Promise<WebhookAnswer>;
}
