import type { Clock } from '../core/ports/clock.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { CursorStore } from '../core/ports/cursor-store.js';
import type { EffectLedger } from '../core/ports/effect-ledger.js';
import type { EventQueue } from '../core/ports/event-queue.js';
import type { Logger } from '../core/ports/logger.js';
import type { PhotoArchive } from '../core/ports/photo-archive.js';
import type { SnapshotStore } from '../core/ports/snapshot-store.js';
import {
  type DetectChangesOptions,
  defaultDetectChangesOptions,
} from '../core/use-cases/detect-changes.js';
import { ensureStorage, storageClients } from '../connectors/azure-storage/storage-clients.js';
import { StorageEventQueue } from '../connectors/azure-storage/storage-event-queue.js';
import { TableAuditLog } from '../connectors/azure-storage/table-audit-log.js';
import { TableCursorStore } from '../connectors/azure-storage/table-cursor-store.js';
import { TableEffectLedger } from '../connectors/azure-storage/table-effect-ledger.js';
import { TableSnapshotStore } from '../connectors/azure-storage/table-snapshot-store.js';
import { PhotoShelterArchive } from '../connectors/photoshelter/photoshelter-archive.js';
import { JsonLogger } from '../connectors/system/json-logger.js';
import { SystemClock } from '../connectors/system/system-clock.js';
import type { Config, PhotoShelterSettings } from './config.js';

export interface HealthStatus {
  readonly ok: boolean;
  readonly detail: string;
}

/** Everything the functions need, built once per process. */
export interface Services {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly archive: PhotoArchive & { checkHealth(): Promise<HealthStatus> };
  readonly cursors: CursorStore;
  readonly snapshots: SnapshotStore;
  readonly ledger: EffectLedger;
  readonly queue: EventQueue;
  readonly audit: AuditLog;
  readonly detectOptions: DetectChangesOptions;
  readonly embedded: { readonly storage: boolean; readonly photoShelter: boolean };
  checkStorage(): Promise<HealthStatus & { readonly queue?: { active: number; poison: number } }>;
}

/** Where the external systems are, once the host has decided (configured, or started locally). */
export interface Endpoints {
  readonly storageConnectionString: string;
  readonly photoShelter: PhotoShelterSettings;
  readonly embedded: { readonly storage: boolean; readonly photoShelter: boolean };
}

export interface ServiceOverrides {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly fetch?: typeof fetch;
}

/** The only place connectors are constructed (STYLE.md rule 5). */
export async function createServices(
  config: Config,
  endpoints: Endpoints,
  overrides: ServiceOverrides = {},
): Promise<Services> {
  const clock = overrides.clock ?? new SystemClock();
  const logger = overrides.logger ?? new JsonLogger('lightdesk', config.logLevel);
  const clients = storageClients(endpoints.storageConnectionString, {
    eventsQueue: config.eventsQueue,
  });
  await ensureStorage(clients);

  const queue = new StorageEventQueue(clients.queues);
  const archive = new PhotoShelterArchive({
    ...endpoints.photoShelter,
    clock,
    logger: logger.child('photoshelter'),
    ...(overrides.fetch === undefined ? {} : { fetch: overrides.fetch }),
  });

  return {
    config,
    clock,
    logger,
    archive,
    cursors: new TableCursorStore(clients.tables.cursors),
    snapshots: new TableSnapshotStore(clients.tables.snapshots),
    ledger: new TableEffectLedger(clients.tables.effects),
    audit: new TableAuditLog(clients.tables.audit),
    queue,
    detectOptions: { ...defaultDetectChangesOptions, overlapMs: config.pollOverlapMs },
    embedded: endpoints.embedded,
    checkStorage: async () => {
      try {
        const depth = await queue.depth();
        return { ok: true, detail: 'tables and queues reachable', queue: depth };
      } catch (e: unknown) {
        logger.warn('storage health check failed', {
          error: e instanceof Error ? e.name : 'unknown',
        });
        return { ok: false, detail: 'storage did not answer' };
      }
    },
  };
}
