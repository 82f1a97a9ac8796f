import type { LibraryEvent } from '../model/library-event.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { Logger } from '../ports/logger.js';
import { runOnce } from './run-once.js';

export interface RecordLibraryEventDeps {
  readonly ledger: EffectLedger;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type RecordLibraryEventResult =
  | { readonly kind: 'recorded'; readonly event: LibraryEvent }
  | { readonly kind: 'duplicate'; readonly eventId: string };

/**
 * The events queue's consumer side: drops a repeated event id and records the event in the audit
 * trail once. The producer has no ledger: this is where an event becomes single.
 */
export async function recordLibraryEvent(
  deps: RecordLibraryEventDeps,
  event: LibraryEvent,
): Promise<RecordLibraryEventResult> {
  const recorded = await runOnce(deps, `event.recorded:${event.id}`, async () => {
    await deps.audit.append({
      at: deps.clock.now().toISOString(),
      kind: event.type,
      subject: 'assetId' in event ? `${event.galleryId}/${event.assetId}` : event.galleryId,
      summary: describe(event),
      data: { eventId: event.id, galleryId: event.galleryId, occurredAt: event.occurredAt },
    });
    return 'recorded';
  });
  if (!recorded.isFresh) {
    deps.logger.info('duplicate delivery dropped', { eventId: event.id });
    return { kind: 'duplicate', eventId: event.id };
  }
  deps.logger.info('library event recorded', { eventId: event.id, type: event.type });
  return { kind: 'recorded', event };
}

function describe(event: LibraryEvent): string {
  switch (event.type) {
    case 'asset.uploaded':
      return `${event.file.fileName} uploaded to ${event.galleryId}`;
    case 'asset.replaced':
      return `${event.previousFile.fileName} replaced by ${event.file.fileName} in ${event.galleryId}`;
    case 'metadata.changed':
      return `metadata of ${event.file.fileName} changed in ${event.galleryId}`;
    case 'gallery.shared':
      return `${event.galleryName} shared (${event.newShareIds.length} new grant${event.newShareIds.length === 1 ? '' : 's'})`;
  }
}
