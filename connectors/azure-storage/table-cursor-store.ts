import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';

import { ConflictError, UpstreamError, ValidationError } from '../../core/errors.js';
import type { Cursor, CursorStore } from '../../core/ports/cursor-store.js';
import { statusOf, toStorageError } from './errors.js';
import { encodeKey } from './keys.js';

const cursorRowSchema = z.object({ value: z.string() });

/**
 * Cursors, one row per name, the state as JSON checked on every read. The version is the row's
 * ETag, so the service refuses a stale save
 * (https://learn.microsoft.com/rest/api/storageservices/update-entity2).
 */
export class TableCursorStore implements CursorStore {
  /** `table`: the `cursors` table. */
  constructor(private readonly table: TableClient) {}

  async get<T>(name: string, schema: z.ZodType<T>): Promise<Cursor<T> | undefined> {
    let row: Awaited<ReturnType<TableClient['getEntity']>>;
    try {
      row = await this.table.getEntity(encodeKey(name), '');
    } catch (e: unknown) {
      if (statusOf(e) === 404) return undefined;
      throw toStorageError('azure-table', e, { what: 'cursor', id: name });
    }
    const parsed = cursorRowSchema.safeParse(row);
    if (!parsed.success) throw ValidationError.fromZod(`Stored cursor ${name}`, parsed.error);
    return {
      name,
      state: parseState(name, parsed.data.value, schema),
      version: requireEtag(row.etag, name),
    };
  }

  async save<T>(name: string, state: T, expectedVersion: string | undefined): Promise<Cursor<T>> {
    const entity = { partitionKey: encodeKey(name), rowKey: '', value: JSON.stringify(state) };
    try {
      const response =
        expectedVersion === undefined
          ? await this.table.createEntity(entity)
          : await this.table.updateEntity(entity, 'Replace', { etag: expectedVersion });
      return { name, state, version: requireEtag(response.etag, name) };
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

/** The state a cursor row holds, as the caller's schema reads it. */
function parseState<T>(name: string, value: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (e: unknown) {
    throw new ValidationError(`Stored cursor ${name} is not JSON`, [], { cause: e });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw ValidationError.fromZod(`Stored cursor ${name} is malformed`, parsed.error);
  return parsed.data;
}

function requireEtag(etag: string | undefined, name: string): string {
  if (etag === undefined || etag === '') {
    throw new UpstreamError('azure-table', `no ETag returned for cursor ${name}`);
  }
  return etag;
}
