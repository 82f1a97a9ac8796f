import { createHash, randomBytes } from 'node:crypto';

import { odata, type TableClient } from '@azure/data-tables';
import { z } from 'zod';

import { ConflictError, ValidationError } from '../../core/errors.js';
import type { AuditEntry, AuditLog } from '../../core/ports/audit-log.js';
import { toStorageError } from './errors.js';

const auditRowSchema = z.object({
  at: z.string(),
  kind: z.string(),
  subject: z.string(),
  summary: z.string(),
  data: z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
});

/**
 * One partition, RowKey = inverted time: the newest N entries are one `$top` read. A partition
 * serves ~2,000 entities/s (https://learn.microsoft.com/azure/storage/tables/scalability-targets),
 * plenty.
 */
const PARTITION_KEY = 'audit';

// Date's largest time value (ECMA-262 §21.4.1.1); subtracting from it makes later times sort first.
const MAX_TIME = 8_640_000_000_000_000;
const MAX_SEQUENCE = 1_000_000;

const invertedTime = (time: number): string => String(MAX_TIME - time).padStart(16, '0');

/** A keyed entry's RowKey: where its time puts it, then a digest of the key (not the key itself). */
const keyedRowKey = (time: number, key: string): string =>
  `${invertedTime(time)}-${'0'.repeat(6)}-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;

/** Table Storage returns at most 1,000 entities per page. */
const MAX_PAGE_SIZE = 1000;

export class TableAuditLog implements AuditLog {
  private sequence = 0;

  /** `table`: the `audit` table. */
  constructor(private readonly table: TableClient) {}

  async append(entry: AuditEntry): Promise<void> {
    const time = Date.parse(entry.at);
    if (Number.isNaN(time)) {
      throw new ValidationError('Audit entry', ['at: must be an ISO date']);
    }
    const rowKey = entry.key === undefined ? this.rowKeyFor(time) : keyedRowKey(time, entry.key);
    try {
      await this.table.createEntity({
        partitionKey: PARTITION_KEY,
        rowKey,
        at: entry.at,
        kind: entry.kind,
        subject: entry.subject,
        summary: entry.summary,
        data: JSON.stringify(entry.data),
      });
    } catch (e: unknown) {
      const error = toStorageError('azure-table', e, { what: 'audit entry', id: rowKey });
      // A keyed entry that exists was appended by an earlier delivery of the same message.
      if (entry.key !== undefined && error instanceof ConflictError) return;
      throw error;
    }
  }

  async recent(limit: number): Promise<readonly AuditEntry[]> {
    if (limit <= 0) return [];
    const entries: AuditEntry[] = [];
    try {
      const pages = this.table
        .listEntities<Record<string, unknown>>({
          queryOptions: { filter: odata`PartitionKey eq ${PARTITION_KEY}` },
        })
        .byPage({ maxPageSize: Math.min(limit, MAX_PAGE_SIZE) });
      // The service may answer with short pages (and a continuation) before the end: keep reading.
      for await (const page of pages) {
        for (const row of page) {
          const parsed = auditRowSchema.safeParse(row);
          if (!parsed.success) {
            throw ValidationError.fromZod(`Stored audit entry ${String(row.rowKey)}`, parsed.error);
          }
          entries.push(parsed.data);
          if (entries.length >= limit) return entries;
        }
      }
    } catch (e: unknown) {
      throw toStorageError('azure-table', e, { what: 'audit', id: PARTITION_KEY });
    }
    return entries;
  }

  /**
   * Inverted ms, then an inverted per-process sequence (same-millisecond appends stay newest
   * first), then random bytes (instances never collide).
   */
  private rowKeyFor(time: number): string {
    this.sequence = (this.sequence + 1) % MAX_SEQUENCE;
    const inverted = invertedTime(time);
    const sequence = String(MAX_SEQUENCE - 1 - this.sequence).padStart(6, '0');
    return `${inverted}-${sequence}-${randomBytes(6).toString('hex')}`;
  }
}
