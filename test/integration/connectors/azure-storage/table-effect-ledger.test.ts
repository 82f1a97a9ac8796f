import { beforeAll, describe, expect, it } from 'vitest';

import {
  ensureStorage,
  storageClients,
} from '../../../../connectors/azure-storage/storage-clients.js';
import { TableEffectLedger } from '../../../../connectors/azure-storage/table-effect-ledger.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../../../support/azurite.js';

const t0 = new Date('2026-11-23T12:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const LEASE_MS = 60_000;

describe('TableEffectLedger on Azurite', () => {
  let ledger: TableEffectLedger;

  beforeAll(async () => {
    const clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
    await ensureStorage(clients);
    ledger = new TableEffectLedger(clients.tables.effects);
  });

  it('claims a new key, records the result, then reports it done', async () => {
    const key = 'planner.task:R0001';
    expect(await ledger.get(key)).toBeUndefined();

    expect(await ledger.begin(key, { now: t0, leaseMs: LEASE_MS })).toEqual({
      kind: 'claimed',
      attempt: 1,
    });
    expect(await ledger.get(key)).toEqual({
      state: 'pending',
      attempt: 1,
      result: undefined,
      leaseUntil: at(60).toISOString(),
    });

    await ledger.complete(key, 'task-123');
    expect(await ledger.get(key)).toEqual({
      state: 'done',
      attempt: 1,
      result: 'task-123',
      leaseUntil: undefined,
    });
    expect(await ledger.begin(key, { now: at(1), leaseMs: LEASE_MS })).toEqual({
      kind: 'done',
      result: 'task-123',
    });
  });

  it('frees an abandoned claim at once for the next attempt, which then looks for what it made', async () => {
    const key = 'planner.task:R0020';
    await ledger.begin(key, { now: t0, leaseMs: LEASE_MS });
    // A stale attempt number changes nothing: the key stays busy.
    await ledger.abandon(key, 2);
    expect(await ledger.begin(key, { now: at(1), leaseMs: LEASE_MS })).toEqual({
      kind: 'busy',
      attempt: 1,
    });

    // Well inside its lease, the key is taken over as attempt 2 (a lost answer may have made a task).
    await ledger.abandon(key, 1);
    expect(await ledger.begin(key, { now: at(2), leaseMs: LEASE_MS })).toEqual({
      kind: 'claimed',
      attempt: 2,
    });
    await ledger.complete(key, 'task-2');
    await ledger.abandon(key, 2);
    expect(await ledger.begin(key, { now: at(3), leaseMs: LEASE_MS })).toEqual({
      kind: 'done',
      result: 'task-2',
    });
  });

  it('frees a released claim at once, for the same attempt, and only for the attempt holding it', async () => {
    const key = 'planner.task:R0010';
    await ledger.begin(key, { now: t0, leaseMs: LEASE_MS });
    // A stale attempt number changes nothing: the key stays busy.
    await ledger.release(key, 2);
    expect(await ledger.begin(key, { now: at(1), leaseMs: LEASE_MS })).toEqual({
      kind: 'busy',
      attempt: 1,
    });

    await ledger.release(key, 1);
    expect(await ledger.get(key)).toBeUndefined();
    expect(await ledger.begin(key, { now: at(2), leaseMs: LEASE_MS })).toEqual({
      kind: 'claimed',
      attempt: 1,
    });

    // A take-over (attempt 2) released keeps its count: the next one still looks for what a
    // crashed attempt may have made.
    expect(await ledger.begin(key, { now: at(70), leaseMs: LEASE_MS })).toEqual({
      kind: 'claimed',
      attempt: 2,
    });
    await ledger.release(key, 2);
    expect(await ledger.begin(key, { now: at(71), leaseMs: LEASE_MS })).toEqual({
      kind: 'claimed',
      attempt: 2,
    });

    await ledger.complete(key, 'task-1');
    await ledger.release(key, 2);
    expect(await ledger.begin(key, { now: at(72), leaseMs: LEASE_MS })).toEqual({
      kind: 'done',
      result: 'task-1',
    });
  });

  it('tells a second worker the key is busy while the lease runs', async () => {
    const key = 'teams.card:R0002';
    await ledger.begin(key, { now: t0, leaseMs: LEASE_MS });
    expect(await ledger.begin(key, { now: at(59), leaseMs: LEASE_MS })).toEqual({
      kind: 'busy',
      attempt: 1,
    });
  });

  it('hands an expired lease over to the next worker, counting the attempt (redo)', async () => {
    const key = 'photoshelter.status:R0003:2';
    await ledger.begin(key, { now: t0, leaseMs: LEASE_MS });

    expect(await ledger.begin(key, { now: at(61), leaseMs: LEASE_MS })).toEqual({
      kind: 'claimed',
      attempt: 2,
    });
    expect((await ledger.get(key))?.leaseUntil).toBe(at(121).toISOString());
    expect(await ledger.begin(key, { now: at(62), leaseMs: LEASE_MS })).toEqual({
      kind: 'busy',
      attempt: 2,
    });

    await ledger.complete(key, 'approved');
    expect(await ledger.get(key)).toMatchObject({ state: 'done', attempt: 2, result: 'approved' });
  });

  it('gives exactly one of two concurrent begins the claim', async () => {
    const key = 'queue.event:asset.uploaded:G0000aaaaaaaaaaa:I0000bbbbbbbbbbb:fp';
    const claims = await Promise.all([
      ledger.begin(key, { now: t0, leaseMs: LEASE_MS }),
      ledger.begin(key, { now: t0, leaseMs: LEASE_MS }),
    ]);
    expect(claims.map((c) => c.kind).sort()).toEqual(['busy', 'claimed']);
  });

  it('gives exactly one of several concurrent takeovers of an expired lease the claim', async () => {
    const key = 'planner.task:R0005';
    await ledger.begin(key, { now: t0, leaseMs: LEASE_MS });
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => ledger.begin(key, { now: at(120), leaseMs: LEASE_MS })),
    );
    expect(claims.filter((c) => c.kind === 'claimed')).toEqual([{ kind: 'claimed', attempt: 2 }]);
    expect(claims.filter((c) => c.kind === 'busy')).toHaveLength(4);
  });

  it('keeps keys with characters Table Storage forbids apart and intact', async () => {
    const keys = [
      'odd/kind:a/b\\c#d?e',
      'odd/kind:a/b\\c#d?f',
      'no colon at all',
      'no colon at all:',
      ':leading colon',
      'ctrl:\u0000\u001f\u007f\u009f',
      'pct:%41~7E%',
      'quote:it\'s "here"',
    ];
    for (const [index, key] of keys.entries()) {
      expect(await ledger.begin(key, { now: t0, leaseMs: LEASE_MS })).toEqual({
        kind: 'claimed',
        attempt: 1,
      });
      await ledger.complete(key, `result ${index}`);
    }
    for (const [index, key] of keys.entries()) {
      expect(await ledger.begin(key, { now: t0, leaseMs: LEASE_MS })).toEqual({
        kind: 'done',
        result: `result ${index}`,
      });
    }
  });

  it('records a result even without a begin', async () => {
    await ledger.complete('orphan:complete', 'ok');
    expect(await ledger.get('orphan:complete')).toEqual({
      state: 'done',
      attempt: 1,
      result: 'ok',
      leaseUntil: undefined,
    });
  });
});
