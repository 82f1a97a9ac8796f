import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';

import { ConflictError, UpstreamError, ValidationError } from '../../core/errors.js';
import type { Cursor, CursorStore } from '../../core/ports/cursor-store.js';
import { statusOf, toStorageError } from './errors.js';
import { encodeKey } from './keys.js';

const cursorRowSchema = z.object({ value: z.string() });

/**
 * Cursors in Table Storage, one row per name (PartitionKey = name, RowKey = ''). The version is the
 * row's ETag, so a save with a stale version fails on the service, not in our code
 * (https://learn.microsoft.com/rest/api/storageservices/update-entity2).
 */
export class TableCursorStore implements CursorStore {
  /** `table`: the `cursors` table. */
  constructor(private readonly table: TableClient) {}

  async get(name: string): Promise<Cursor | undefined> {
    try {
      const row = await this.table.getEntity(encodeKey(name), '');
      const parsed = cursorRowSchema.safeParse(row);
      if (!parsed.success) throw ValidationError.fromZod(`Stored cursor ${name}`, parsed.error);
      return { name, value: parsed.data.value, version: requireEtag(row.etag, name) };
    } catch (e: unknown) {
      if (statusOf(e) === 404) return undefined;
      throw toStorageError('azure-table', e, { what: 'cursor', id: name });
    }
  }

  async save(name: string, value: string, expectedVersion: string | undefined): Promise<Cursor> {
    const entity = { partitionKey: encodeKey(name), rowKey: '', value };
    try {
      const response =
        expectedVersion === undefined
          ? await this.table.createEntity(entity)
          : await this.table.updateEntity(entity, 'Replace', { etag: expectedVersion });
      return { name, value, version: requireEtag(response.etag, name) };
    } catch (e: unknown) {
      // 409 (created meanwhile) and 412 (replaced meanwhile) become ConflictError; so does a 404 on
      // replace: the row we held a version of is gone.
      if (statusOf(e) === 404 && expectedVersion !== undefined) {
        throw new ConflictError(`cursor ${name} was removed by someone else`, { cause: e });
      }
      throw toStorageError('azure-table', e, { what: 'cursor', id: name });
    }
  }
}

function requireEtag(etag: string | undefined, name: string): string {
  if (etag === undefined || etag === '') {
    throw new UpstreamError('azure-table', `no ETag returned for cursor ${name}`);
  }
  return etag;
}
