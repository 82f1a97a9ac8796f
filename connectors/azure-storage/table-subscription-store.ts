import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';

import { ConflictError, ValidationError } from '../../core/errors.js';
import { type Subscription, subscriptionSchema } from '../../core/model/subscription.js';
import type { StoredSubscription, SubscriptionStore } from '../../core/ports/subscription-store.js';
import { statusOf, toStorageError } from './errors.js';
import { encodeKey } from './keys.js';

/** Every subscription in one partition: a handful of rows, read whole on every fan-out. */
const PARTITION_KEY = 'subscription';

const rowSchema = z.object({ rowKey: z.string(), json: z.string(), etag: z.string() });

/**
 * Webhook subscriptions, one row each (RowKey = the encoded id) holding JSON checked on every read;
 * writes are conditional on the ETag.
 */
export class TableSubscriptionStore implements SubscriptionStore {
  constructor(private readonly table: TableClient) {}

  async create(subscription: Subscription): Promise<StoredSubscription> {
    try {
      const answer = await this.table.createEntity({
        partitionKey: PARTITION_KEY,
        rowKey: encodeKey(subscription.id),
        json: JSON.stringify(subscription),
      });
      return { subscription, version: answer.etag ?? '' };
    } catch (e: unknown) {
      if (statusOf(e) === 409) throw new ConflictError(`subscription ${subscription.id} exists`);
      throw toStorageError('azure-table', e, { what: 'subscription', id: subscription.id });
    }
  }

  async get(id: string): Promise<StoredSubscription | undefined> {
    let row: Record<string, unknown>;
    try {
      row = await this.table.getEntity<Record<string, unknown>>(PARTITION_KEY, encodeKey(id));
    } catch (e: unknown) {
      if (statusOf(e) === 404) return undefined;
      throw toStorageError('azure-table', e, { what: 'subscription', id });
    }
    const parsed = parseRow(row);
    return { subscription: parsed.subscription, version: parsed.etag };
  }

  async save(subscription: Subscription, version: string): Promise<StoredSubscription> {
    try {
      const answer = await this.table.updateEntity(
        {
          partitionKey: PARTITION_KEY,
          rowKey: encodeKey(subscription.id),
          json: JSON.stringify(subscription),
        },
        'Replace',
        { etag: version },
      );
      return { subscription, version: answer.etag ?? '' };
    } catch (e: unknown) {
      const status = statusOf(e);
      if (status === 412 || status === 404) {
        throw new ConflictError(`subscription ${subscription.id} changed since it was read`);
      }
      throw toStorageError('azure-table', e, { what: 'subscription', id: subscription.id });
    }
  }

  async delete(id: string): Promise<boolean> {
    try {
      await this.table.deleteEntity(PARTITION_KEY, encodeKey(id));
      return true;
    } catch (e: unknown) {
      if (statusOf(e) === 404) return false;
      throw toStorageError('azure-table', e, { what: 'subscription', id });
    }
  }

  async list(): Promise<readonly Subscription[]> {
    const found: Subscription[] = [];
    try {
      const rows = this.table.listEntities<Record<string, unknown>>({
        queryOptions: { filter: `PartitionKey eq '${PARTITION_KEY}'` },
      });
      for await (const row of rows) found.push(parseRow(row).subscription);
    } catch (e: unknown) {
      if (e instanceof ValidationError) throw e;
      throw toStorageError('azure-table', e, { what: 'subscriptions', id: 'list' });
    }
    return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Reads the partition: Table Storage has no count, and the rows are few (WEBHOOK_MAX_SUBSCRIPTIONS). */
  async countActive(): Promise<number> {
    return (await this.list()).filter((s) => s.status === 'active').length;
  }
}

function parseRow(row: Record<string, unknown>): { subscription: Subscription; etag: string } {
  const outer = rowSchema.safeParse(row);
  if (!outer.success) throw ValidationError.fromZod('Stored subscription', outer.error);
  let json: unknown;
  try {
    json = JSON.parse(outer.data.json);
  } catch (e: unknown) {
    throw new ValidationError(`Stored subscription ${outer.data.rowKey} is not JSON`, [], {
      cause: e,
    });
  }
  const inner = subscriptionSchema.safeParse(json);
  if (!inner.success) {
    throw ValidationError.fromZod(`Stored subscription ${outer.data.rowKey}`, inner.error);
  }
  return { subscription: inner.data, etag: outer.data.etag };
}
