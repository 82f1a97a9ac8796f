import { ConflictError } from '../../core/errors.js';
import { type Subscription, subscriptionSchema } from '../../core/model/subscription.js';
import type { StoredSubscription, SubscriptionStore } from '../../core/ports/subscription-store.js';

/** Subscriptions in memory, with the table store's rules: schema-checked, ETag-like versions. */
export class InMemorySubscriptionStore implements SubscriptionStore {
  private readonly rows = new Map<string, StoredSubscription>();
  private sequence = 0;

  create(subscription: Subscription): Promise<StoredSubscription> {
    if (this.rows.has(subscription.id)) {
      return Promise.reject(new ConflictError(`subscription ${subscription.id} exists`));
    }
    return Promise.resolve(this.put(subscription));
  }

  get(id: string): Promise<StoredSubscription | undefined> {
    const row = this.rows.get(id);
    return Promise.resolve(row === undefined ? undefined : structuredClone(row));
  }

  save(subscription: Subscription, version: string): Promise<StoredSubscription> {
    if (this.rows.get(subscription.id)?.version !== version) {
      return Promise.reject(new ConflictError(`subscription ${subscription.id} changed`));
    }
    return Promise.resolve(this.put(subscription));
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.rows.delete(id));
  }

  list(): Promise<readonly Subscription[]> {
    return Promise.resolve([...this.rows.values()].map((r) => structuredClone(r.subscription)));
  }

  countActive(): Promise<number> {
    const active = [...this.rows.values()].filter((r) => r.subscription.status === 'active');
    return Promise.resolve(active.length);
  }

  private put(subscription: Subscription): StoredSubscription {
    this.sequence += 1;
    const row = {
      subscription: subscriptionSchema.parse(subscription),
      version: `v${this.sequence}`,
    };
    this.rows.set(subscription.id, row);
    return structuredClone(row);
  }
}
