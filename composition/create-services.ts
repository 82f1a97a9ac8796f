import type { TokenCredential } from '@azure/identity';

import { AdaptiveReviewCards } from '../adaptiveCards/adaptive-review-cards.js';
import { ensureStorage, storageClients } from '../connectors/azure-storage/storage-clients.js';
import { StorageEventQueue } from '../connectors/azure-storage/storage-event-queue.js';
import { TableAuditLog } from '../connectors/azure-storage/table-audit-log.js';
import { TableConversationStore } from '../connectors/azure-storage/table-conversation-store.js';
import { TableCursorStore } from '../connectors/azure-storage/table-cursor-store.js';
import { TableEffectLedger } from '../connectors/azure-storage/table-effect-ledger.js';
import { TableReviewStore } from '../connectors/azure-storage/table-review-store.js';
import { TableSnapshotStore } from '../connectors/azure-storage/table-snapshot-store.js';
import { createCredential } from '../connectors/graph-planner/credential.js';
import { GraphDirectory } from '../connectors/graph-planner/graph-directory.js';
import { GraphTaskBoard } from '../connectors/graph-planner/graph-task-board.js';
import { PhotoShelterArchive } from '../connectors/photoshelter/photoshelter-archive.js';
import { JsonLogger } from '../connectors/system/json-logger.js';
import { SystemClock } from '../connectors/system/system-clock.js';
import type { RoutingRules } from '../core/model/routing-rules.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { ChatNotifier } from '../core/ports/chat-notifier.js';
import type { Clock } from '../core/ports/clock.js';
import type { ConversationStore } from '../core/ports/conversation-store.js';
import type { CursorStore } from '../core/ports/cursor-store.js';
import type { Directory } from '../core/ports/directory.js';
import type { EffectLedger } from '../core/ports/effect-ledger.js';
import type { EventQueue } from '../core/ports/event-queue.js';
import type { Logger } from '../core/ports/logger.js';
import type { PhotoArchive } from '../core/ports/photo-archive.js';
import type { ReviewCards } from '../core/ports/review-cards.js';
import type { ReviewStore } from '../core/ports/review-store.js';
import type { SnapshotStore } from '../core/ports/snapshot-store.js';
import type { TaskBoard } from '../core/ports/task-board.js';
import {
  type DetectChangesOptions,
  defaultDetectChangesOptions,
} from '../core/use-cases/detect-changes.js';
import type { ReviewLinks } from '../core/use-cases/sync-review.js';
import type { Config, GraphSettings, PhotoShelterSettings } from './config.js';
import { type CreatedBot, createBot } from './create-bot.js';
import { loadRoutingRules } from './routing-rules.js';

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
  readonly reviews: ReviewStore;
  readonly conversations: ConversationStore;
  readonly board: TaskBoard;
  readonly directory: Directory;
  readonly chat: ChatNotifier;
  readonly cards: ReviewCards;
  readonly rules: RoutingRules;
  readonly defaultPlanId: string | undefined;
  readonly links: ReviewLinks;
  readonly bot: CreatedBot;
  readonly detectOptions: DetectChangesOptions;
  readonly embedded: {
    readonly storage: boolean;
    readonly photoShelter: boolean;
    readonly graph: boolean;
  };
  checkStorage(): Promise<HealthStatus & { readonly queue?: { active: number; poison: number } }>;
}

/** Where the external systems are, once the host has decided (configured, or started locally). */
export interface Endpoints {
  readonly storageConnectionString: string;
  readonly photoShelter: PhotoShelterSettings;
  readonly graph: GraphSettings;
  /** The credential for Graph; default: from the Graph settings (secret or managed identity). */
  readonly graphCredential?: TokenCredential;
  /** The plan of rules that name none, when the configuration names none (the simulator's). */
  readonly defaultPlanId?: string | undefined;
  readonly embedded: {
    readonly storage: boolean;
    readonly photoShelter: boolean;
    readonly graph: boolean;
  };
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
  const defaultPlanId = config.defaultPlanId ?? endpoints.defaultPlanId;
  const rules = await loadRoutingRules(config.routingRulesFile, defaultPlanId);
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
  const credential =
    endpoints.graphCredential ??
    createCredential({
      AZURE_TENANT_ID: endpoints.graph.tenantId,
      AZURE_CLIENT_ID: endpoints.graph.clientId,
      AZURE_CLIENT_SECRET: endpoints.graph.clientSecret,
    });
  const graphOptions = { baseUrl: endpoints.graph.baseUrl, credential, clock };
  const board = new GraphTaskBoard({ ...graphOptions, logger: logger.child('graph.planner') });
  const directory = new GraphDirectory({ ...graphOptions, logger: logger.child('graph.users') });

  const reviews = new TableReviewStore(clients.tables.reviews);
  const conversations = new TableConversationStore(clients.tables.conversations);
  const audit = new TableAuditLog(clients.tables.audit);
  const cards = new AdaptiveReviewCards();
  const bot = createBot({
    botConfig: config.bot,
    services: { reviews, conversations, cards, queue, audit, clock, logger, board },
  });

  return {
    config,
    clock,
    logger,
    archive,
    cursors: new TableCursorStore(clients.tables.cursors),
    snapshots: new TableSnapshotStore(clients.tables.snapshots),
    ledger: new TableEffectLedger(clients.tables.effects),
    audit,
    queue,
    reviews,
    conversations,
    board,
    directory,
    chat: bot.notifier,
    cards,
    rules,
    defaultPlanId,
    links: {
      reviewUrl: (reviewId) =>
        `${config.publicBaseUrl}/api/v1/reviews/${encodeURIComponent(reviewId)}`,
    },
    bot,
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
