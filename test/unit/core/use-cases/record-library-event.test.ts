import { describe, expect, it } from 'vitest';

import { ValidationError } from '../../../../core/errors.js';
import { type LibraryEvent, parseLibraryEvent } from '../../../../core/model/library-event.js';
import { recordLibraryEvent } from '../../../../core/use-cases/record-library-event.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../../doubles/in-memory-audit-log.js';
import { InMemoryEffectLedger } from '../../../doubles/in-memory-effect-ledger.js';
import { RecordingLogger } from '../../../doubles/recording-logger.js';

function anUploadEvent(overrides: Partial<LibraryEvent> = {}): LibraryEvent {
  return {
    type: 'asset.uploaded',
    id: 'asset.uploaded:G0000abcdefghijk:I0000abcdefghijk:0001',
    galleryId: 'G0000abcdefghijk',
    assetId: 'I0000abcdefghijk',
    file: { fileName: 'IMG_0001.jpg', fileSize: 1800, width: 640, height: 480 },
    detectedAt: '2026-11-23T09:00:00.000Z',
    occurredAt: '2026-11-23T08:59:30.000Z',
    ...overrides,
  } as LibraryEvent;
}

function setup() {
  const deps = {
    ledger: new InMemoryEffectLedger(),
    audit: new InMemoryAuditLog(),
    clock: new FixedClock(),
    logger: new RecordingLogger(),
  };
  return deps;
}

describe('recordLibraryEvent', () => {
  it('records a delivered event in the audit trail', async () => {
    const deps = setup();
    const result = await recordLibraryEvent(deps, anUploadEvent());
    expect(result.kind).toBe('recorded');
    expect(deps.audit.entries).toHaveLength(1);
    expect(deps.audit.entries[0]).toMatchObject({
      kind: 'asset.uploaded',
      subject: 'G0000abcdefghijk/I0000abcdefghijk',
      summary: 'IMG_0001.jpg uploaded to G0000abcdefghijk',
    });
  });

  it('drops a second and third delivery of the same event', async () => {
    const deps = setup();
    const event = anUploadEvent();
    await recordLibraryEvent(deps, event);
    const again = await recordLibraryEvent(deps, structuredClone(event));
    const thrice = await recordLibraryEvent(deps, structuredClone(event));
    expect([again.kind, thrice.kind]).toEqual(['duplicate', 'duplicate']);
    expect(deps.audit.entries).toHaveLength(1);
  });

  it('rejects a message that is not a library event, naming the field, and stores nothing', async () => {
    const deps = setup();
    const bad = { ...anUploadEvent(), galleryId: 'nope' };
    // Parsed once per delivery, before any work: nothing reaches the ledger or the audit log.
    const deliver = async (message: unknown) =>
      recordLibraryEvent(deps, parseLibraryEvent(message));
    await expect(deliver(bad)).rejects.toThrow(ValidationError);
    await expect(deliver(bad)).rejects.toThrow(/galleryId/);
    expect(deps.audit.entries).toHaveLength(0);
    expect(deps.ledger.records.size).toBe(0);
  });

  it('describes shares with the number of new grants', async () => {
    const deps = setup();
    await recordLibraryEvent(deps, {
      type: 'gallery.shared',
      id: 'gallery.shared:G0000abcdefghijk:x',
      galleryId: 'G0000abcdefghijk',
      galleryName: 'Media Day',
      newShareIds: ['AR000abcdefghijk', 'AR000bbcdefghijk'],
      detectedAt: '2026-11-23T09:00:00.000Z',
      occurredAt: '2026-11-23T08:59:30.000Z',
    });
    expect(deps.audit.entries[0]?.summary).toBe('Media Day shared (2 new grants)');
  });
});
