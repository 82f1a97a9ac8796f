import { ConflictError, ValidationError } from '../errors.js';
import { type LibraryEvent, libraryEventSchema } from '../model/library-event.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { Logger } from '../ports/logger.js';

export interface RecordLibraryEventDeps {
  readonly ledger: EffectLedger;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type RecordLibraryEventResult =
  | { readonly kind: 'recorded'; readonly event: LibraryEvent }
  | { readonly kind: 'duplicate'; readonly eventId: string };

const leaseMs = 60_000;

/**
 * The consumer side of the events queue: parses a delivered message, drops a second delivery of the
 * same event id, and records the event in the audit trail (the console's live feed). Routing to reviews
 * builds on this.
 */
export async function recordLibraryEvent(
  deps: RecordLibraryEventDeps,
  message: unknown,
): Promise<RecordLibraryEventResult> {
  const parsed = libraryEventSchema.safeParse(message);
  if (!parsed.success)
    throw ValidationError.fromZod('Queue message is not a library event', parsed.error);
  const event = parsed.data;

  const key = `event.recorded:${event.id}`;
  const claim = await deps.ledger.begin(key, { now: deps.clock.now(), leaseMs });
  switch (claim.kind) {
    case 'done':
      deps.logger.info('duplicate delivery dropped', { eventId: event.id });
      return { kind: 'duplicate', eventId: event.id };
    case 'busy':
      // Another worker is on this very event; failing lets the queue deliver it again later.
      throw new ConflictError(`event ${event.id} is being handled by another worker`);
    case 'claimed':
      break;
  }

  await deps.audit.append({
    at: deps.clock.now().toISOString(),
    kind: event.type,
    subject: 'assetId' in event ? `${event.galleryId}/${event.assetId}` : event.galleryId,
    summary: describe(event),
    data: { eventId: event.id, galleryId: event.galleryId, occurredAt: event.occurredAt },
  });
  await deps.ledger.complete(key, 'recorded');
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
