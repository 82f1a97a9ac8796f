import { beforeAll, describe, expect, it } from 'vitest';

import { ValidationError } from '../../../../core/errors.js';
import type { AuditEntry } from '../../../../core/ports/audit-log.js';
import {
  ensureStorage,
  storageClients,
} from '../../../../connectors/azure-storage/storage-clients.js';
import { TableAuditLog } from '../../../../connectors/azure-storage/table-audit-log.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../../../support/azurite.js';

const anAuditEntry = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  at: '2026-11-23T12:00:00.000Z',
  kind: 'asset.uploaded',
  subject: 'G0000aaaaaaaaaaa/I0000bbbbbbbbbbb',
  summary: 'harbour.jpg uploaded to G0000aaaaaaaaaaa',
  data: { eventId: 'asset.uploaded:x', attempt: 1, isRetry: false, note: null },
  ...overrides,
});

const newLog = async () => {
  const clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
  await ensureStorage(clients);
  return new TableAuditLog(clients.tables.audit);
};

describe('TableAuditLog on Azurite', () => {
  let log: TableAuditLog;

  beforeAll(async () => {
    log = await newLog();
  });

  it('is empty at first', async () => {
    expect(await (await newLog()).recent(10)).toEqual([]);
  });

  it('reads entries back newest first, whatever the order they were appended in', async () => {
    const times = [
      '2026-11-23T10:00:00.000Z',
      '2026-11-25T09:00:00.000Z',
      '2026-11-24T23:59:59.999Z',
    ];
    for (const at of times) await log.append(anAuditEntry({ at, summary: `at ${at}` }));

    const recent = await log.recent(10);
    expect(recent.map((e) => e.at)).toEqual([
      '2026-11-25T09:00:00.000Z',
      '2026-11-24T23:59:59.999Z',
      '2026-11-23T10:00:00.000Z',
    ]);
    expect(recent[0]).toEqual(anAuditEntry({ at: times[1], summary: `at ${times[1]}` }));
  });

  it('keeps one entry per key, whichever worker appends it again', async () => {
    const clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
    await ensureStorage(clients);
    const [first, second] = [
      new TableAuditLog(clients.tables.audit),
      new TableAuditLog(clients.tables.audit),
    ];
    const decided = anAuditEntry({ kind: 'review.decided', key: 'review.decided:R1:d1' });

    await first.append(decided);
    await second.append(decided);
    await first.append({ ...decided, key: 'review.decided:R1:d2', summary: 'the second decision' });

    const recent = await first.recent(10);
    expect(recent.map((e) => e.summary)).toEqual(
      expect.arrayContaining([decided.summary, 'the second decision']),
    );
    expect(recent).toHaveLength(2);
    // The key is how the trail dedupes, not part of what it shows.
    expect(recent[0]).not.toHaveProperty('key');
  });

  it('returns at most `limit` entries, the newest', async () => {
    const audit = await newLog();
    for (let i = 0; i < 12; i += 1) {
      await audit.append(
        anAuditEntry({ at: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(), summary: `#${i}` }),
      );
    }
    expect((await audit.recent(5)).map((e) => e.summary)).toEqual(['#11', '#10', '#9', '#8', '#7']);
    expect(await audit.recent(0)).toEqual([]);
    expect(await audit.recent(100)).toHaveLength(12);
  });

  it('keeps entries with the same time apart, later appends first', async () => {
    const audit = await newLog();
    const at = '2026-11-23T12:00:00.000Z';
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        audit.append(anAuditEntry({ at, summary: `same ${i}` })),
      ),
    );
    await audit.append(anAuditEntry({ at, summary: 'last' }));
    const recent = await audit.recent(20);
    expect(recent).toHaveLength(11);
    expect(recent[0]?.summary).toBe('last');
  });

  it('refuses an entry without a usable time', async () => {
    await expect(log.append(anAuditEntry({ at: 'yesterday' }))).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
