import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';

import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { ConversationRecord, ConversationStore } from '../../core/ports/conversation-store.js';
import { statusOf, toStorageError } from './errors.js';
import { joinKey, splitKey } from './keys.js';

const conversationRowSchema = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  kind: z.enum(['personal', 'groupChat', 'channel']),
  name: z.string(),
  conversationId: z.string(),
  serviceUrl: z.string(),
  tenantId: z.string().optional(),
  reference: z.string(),
  status: z.enum(['active', 'notInRoster', 'writesBlocked', 'uninstalled']),
  updatedAt: z.string(),
  etag: z.string(),
});
type ConversationRow = z.infer<typeof conversationRowSchema>;

/** Rounds of read / conditional merge before setStatus gives up on a row that keeps changing. */
const MAX_ROUNDS = 5;

/**
 * Conversation references, keyed like the effect ledger (keys.ts `splitKey`) so every lookup is a
 * point read. `save` replaces the record; `setStatus` is ETag-conditional and skips a change older
 * than the stored `updatedAt` (a late "writes blocked" must not undo a reinstall).
 */
export class TableConversationStore implements ConversationStore {
  /** `table`: the `conversations` table. */
  constructor(private readonly table: TableClient) {}

  async save(record: ConversationRecord): Promise<void> {
    const { key, tenantId, ...rest } = record;
    try {
      // Replace, not Merge: a record saved without a tenant must not keep an old one.
      await this.table.upsertEntity(
        { ...splitKey(key), ...rest, ...(tenantId === undefined ? {} : { tenantId }) },
        'Replace',
      );
    } catch (e: unknown) {
      throw toStorageError('azure-table', e, { what: 'conversation', id: key });
    }
  }

  async get(key: string): Promise<ConversationRecord | undefined> {
    const row = await this.read(key);
    return row === undefined ? undefined : toRecord(row);
  }

  async list(): Promise<readonly ConversationRecord[]> {
    const records: ConversationRecord[] = [];
    try {
      for await (const row of this.table.listEntities<Record<string, unknown>>()) {
        records.push(toRecord(parseRow(row, describeRow(row))));
      }
    } catch (e: unknown) {
      throw toStorageError('azure-table', e, { what: 'conversations', id: 'list' });
    }
    return records.sort((a, b) => a.name.localeCompare(b.name, 'en') || compareText(a.key, b.key));
  }

  async setStatus(key: string, status: ConversationRecord['status'], at: Date): Promise<void> {
    const updatedAt = at.toISOString();
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const row = await this.read(key);
      if (row === undefined) throw new NotFoundError('Conversation', key);
      if (Date.parse(row.updatedAt) > at.getTime()) return;
      if (row.status === status && row.updatedAt === updatedAt) return;
      try {
        await this.table.updateEntity(
          { partitionKey: row.partitionKey, rowKey: row.rowKey, status, updatedAt },
          'Merge',
          { etag: row.etag },
        );
        return;
      } catch (e: unknown) {
        // 412: changed since we read it; 404: removed since. Read again and decide again.
        const failed = statusOf(e);
        if (failed !== 412 && failed !== 404) {
          throw toStorageError('azure-table', e, { what: 'conversation', id: key });
        }
      }
    }
    throw new ConflictError(`conversation ${key} kept changing while we set its status`, {
      details: { rounds: MAX_ROUNDS },
    });
  }

  private async read(key: string): Promise<ConversationRow | undefined> {
    const address = splitKey(key);
    let row: Record<string, unknown>;
    try {
      row = await this.table.getEntity<Record<string, unknown>>(
        address.partitionKey,
        address.rowKey,
      );
    } catch (e: unknown) {
      if (statusOf(e) === 404) return undefined;
      throw toStorageError('azure-table', e, { what: 'conversation', id: key });
    }
    return parseRow(row, key);
  }
}

function parseRow(row: Record<string, unknown>, key: string): ConversationRow {
  const parsed = conversationRowSchema.safeParse(row);
  if (!parsed.success) throw ValidationError.fromZod(`Stored conversation ${key}`, parsed.error);
  return parsed.data;
}

/** The key of a listed row, for error messages; the raw keys when they do not decode. */
function describeRow(row: Record<string, unknown>): string {
  const { partitionKey, rowKey } = row;
  if (typeof partitionKey !== 'string' || typeof rowKey !== 'string') return '(row without keys)';
  try {
    return joinKey({ partitionKey, rowKey });
  } catch {
    return `${partitionKey}/${rowKey}`;
  }
}

function toRecord(row: ConversationRow): ConversationRecord {
  return {
    key: joinKey(row),
    kind: row.kind,
    name: row.name,
    conversationId: row.conversationId,
    serviceUrl: row.serviceUrl,
    tenantId: row.tenantId,
    reference: row.reference,
    status: row.status,
    updatedAt: row.updatedAt,
  };
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
