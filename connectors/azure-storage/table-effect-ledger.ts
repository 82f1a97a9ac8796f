import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';

import { ConflictError, ValidationError } from '../../core/errors.js';
import type { EffectClaim, EffectLedger, EffectRecord } from '../../core/ports/effect-ledger.js';
import { statusOf, toStorageError } from './errors.js';
import { type RowAddress, splitKey } from './keys.js';

const effectRowSchema = z.object({
  state: z.enum(['pending', 'done']),
  attempt: z.number().int().positive().default(1),
  result: z.string().optional(),
  // '' once done: a merge cannot remove a property, so "no lease" is stored as empty.
  leaseUntil: z.string().optional(),
});
type EffectRow = z.infer<typeof effectRowSchema> & { readonly etag: string };

/** Rounds of create / read / take over before we give up on a key that keeps changing under us. */
const MAX_ROUNDS = 5;

/**
 * The effect ledger (PartitionKey = kind, RowKey = rest, both encoded; lookups are point reads).
 * Claims are atomic on the service: the first `begin` wins the insert (409 for the others), and
 * taking over an expired lease is an ETag-conditional Replace (412 for the losers).
 */
export class TableEffectLedger implements EffectLedger {
  /** `table`: the `effects` table. */
  constructor(private readonly table: TableClient) {}

  async begin(
    key: string,
    lease: { readonly now: Date; readonly leaseMs: number },
  ): Promise<EffectClaim> {
    const address = splitKey(key);
    const leaseUntil = new Date(lease.now.getTime() + lease.leaseMs).toISOString();
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      if (await this.tryCreate(key, address, leaseUntil)) return { kind: 'claimed', attempt: 1 };

      const current = await this.read(key, address);
      if (current === undefined) continue; // removed between our insert and our read: insert again
      if (current.state === 'done') return { kind: 'done', result: current.result ?? '' };
      if (
        current.leaseUntil !== undefined &&
        current.leaseUntil !== '' &&
        new Date(current.leaseUntil) > lease.now
      ) {
        return { kind: 'busy', attempt: current.attempt };
      }

      const attempt = current.attempt + 1;
      if (await this.tryTakeOver(key, address, current.etag, attempt, leaseUntil)) {
        return { kind: 'claimed', attempt };
      }
      // Someone else took it over (or finished) first: look again.
    }
    throw new ConflictError(`effect ${key} kept changing while we tried to claim it`, {
      details: { rounds: MAX_ROUNDS },
    });
  }

  async complete(key: string, result: string): Promise<void> {
    const address = splitKey(key);
    try {
      // Merge keeps `attempt`; an upsert so completing never fails for want of a begin.
      await this.table.upsertEntity({ ...address, state: 'done', result, leaseUntil: '' }, 'Merge');
    } catch (e: unknown) {
      throw toStorageError('azure-table', e, { what: 'effect', id: key });
    }
  }

  async release(key: string, attempt: number): Promise<void> {
    const address = splitKey(key);
    const current = await this.read(key, address);
    if (current?.state !== 'pending' || current.attempt !== attempt) return;
    try {
      // Conditional on the row read: a worker that took the key over meanwhile keeps it.
      if (attempt === 1) {
        await this.table.deleteEntity(address.partitionKey, address.rowKey, { etag: current.etag });
      } else {
        const row = { ...address, state: 'pending', attempt: attempt - 1, leaseUntil: '' };
        await this.table.updateEntity(row, 'Replace', { etag: current.etag });
      }
    } catch (e: unknown) {
      const status = statusOf(e);
      if (status === 412 || status === 404) return;
      throw toStorageError('azure-table', e, { what: 'effect', id: key });
    }
  }

  async abandon(key: string, attempt: number): Promise<void> {
    const address = splitKey(key);
    const current = await this.read(key, address);
    if (current?.state !== 'pending' || current.attempt !== attempt) return;
    try {
      // An empty lease is an expired one: the next begin takes the key over as attempt + 1.
      const row = { ...address, state: 'pending', attempt, leaseUntil: '' };
      await this.table.updateEntity(row, 'Replace', { etag: current.etag });
    } catch (e: unknown) {
      const status = statusOf(e);
      if (status === 412 || status === 404) return;
      throw toStorageError('azure-table', e, { what: 'effect', id: key });
    }
  }

  async get(key: string): Promise<EffectRecord | undefined> {
    const row = await this.read(key, splitKey(key));
    if (row === undefined) return undefined;
    return {
      state: row.state,
      attempt: row.attempt,
      result: row.state === 'done' ? (row.result ?? '') : undefined,
      leaseUntil: row.state === 'pending' && row.leaseUntil !== '' ? row.leaseUntil : undefined,
    };
  }

  private async tryCreate(key: string, address: RowAddress, leaseUntil: string): Promise<boolean> {
    try {
      await this.table.createEntity({ ...address, state: 'pending', attempt: 1, leaseUntil });
      return true;
    } catch (e: unknown) {
      if (statusOf(e) === 409) return false;
      throw toStorageError('azure-table', e, { what: 'effect', id: key });
    }
  }

  private async tryTakeOver(
    key: string,
    address: RowAddress,
    etag: string,
    attempt: number,
    leaseUntil: string,
  ): Promise<boolean> {
    try {
      const row = { ...address, state: 'pending', attempt, leaseUntil };
      await this.table.updateEntity(row, 'Replace', { etag });
      return true;
    } catch (e: unknown) {
      const status = statusOf(e);
      if (status === 412 || status === 404) return false;
      throw toStorageError('azure-table', e, { what: 'effect', id: key });
    }
  }

  private async read(key: string, address: RowAddress): Promise<EffectRow | undefined> {
    const row = await this.table
      .getEntity<Record<string, unknown>>(address.partitionKey, address.rowKey)
      .catch((e: unknown) => {
        if (statusOf(e) === 404) return undefined;
        throw toStorageError('azure-table', e, { what: 'effect', id: key });
      });
    if (row === undefined) return undefined;
    const parsed = effectRowSchema.safeParse(row);
    if (!parsed.success) throw ValidationError.fromZod(`Stored effect ${key}`, parsed.error);
    return { ...parsed.data, etag: row.etag };
  }
}
