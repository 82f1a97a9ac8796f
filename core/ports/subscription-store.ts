import type { Subscription } from '../model/subscription.js';

export interface StoredSubscription {
  readonly subscription: Subscription;
  /** Opaque ETag for optimistic concurrency. */
  readonly version: string;
}

/** Webhook subscriptions (the `subscriptions` table). */
export interface SubscriptionStore {
  /** ConflictError when the id is taken. */
  create(subscription: Subscription): Promise<StoredSubscription>;
  get(id: string): Promise<StoredSubscription | undefined>;
  /** ConflictError when the stored version moved on. */
  save(subscription: Subscription, version: string): Promise<StoredSubscription>;
  /** False when there was nothing to delete. */
  delete(id: string): Promise<boolean>;
  list(): Promise<readonly Subscription[]>;
  /** How many are active (WEBHOOK_MAX_SUBSCRIPTIONS counts these; disabled ones do not). */
  countActive(): Promise<number>;
}
