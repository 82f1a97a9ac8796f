import type { TokenCredential } from '@azure/identity';

import {
  ensureStorage,
  type StorageClients,
  storageClients,
  type StorageConnection,
} from '../connectors/azure-storage/storage-clients.js';
import { StorageEventQueue } from '../connectors/azure-storage/storage-event-queue.js';
import { TableAuditLog } from '../connectors/azure-storage/table-audit-log.js';
import { TableCursorStore } from '../connectors/azure-storage/table-cursor-store.js';
import { TableEffectLedger } from '../connectors/azure-storage/table-effect-ledger.js';
import { TableReviewStore } from '../connectors/azure-storage/table-review-store.js';
import { TableSnapshotStore } from '../connectors/azure-storage/table-snapshot-store.js';
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
import type { IdentityVerifier } from '../core/ports/identity-verifier.js';
import type { SubscriptionStore } from '../core/ports/subscription-store.js';
import type { WebhookSender, WebhookTargets } from '../core/ports/webhook-sender.js';
import { defaultWebhookPolicy, type WebhookPolicy } from '../core/use-cases/webhooks.js';
import type { Logger } from '../core/ports/logger.js';
import type { PhotoArchive, PhotoLibraryFiles } from '../core/ports/photo-archive.js';
import type { ReviewCards } from '../core/ports/review-cards.js';
import type { ReviewStore } from '../core/ports/review-store.js';
import type { SnapshotStore } from '../core/ports/snapshot-store.js';
import type { TaskBoard } from '../core/ports/task-board.js';
import {
  type DetectChangesOptions,
  defaultDetectChangesOptions,
} from '../core/use-cases/detect-changes.js';
import type { ReviewLinks } from '../core/use-cases/sync-review.js';
import type {
  Config,
  GraphSettings,
  PhotoShelterSettings,
  PreservicaSettings,
  ZiflowSettings,
} from './config.js';
import type { ZiflowProofing } from '../connectors/ziflow/ziflow-proofing.js';
import type { PreservicaArchive } from '../connectors/preservica/preservica-archive.js';
import type { SignedDeliveries } from '../functions/ziflow-hook.js';
import type { PreservicaDeliveries } from '../functions/preservica-hook.js';
import type { PreservicaDeps } from '../core/use-cases/preserve-review.js';
import { restorePreserved } from '../core/use-cases/restore-preserved.js';
import type { DriftPolicy } from '../core/use-cases/drift.js';
import type { ReviewLoopDeps } from '../functions/all-functions.js';
import type { HealthStatus, PhotoShelterHealth } from '../functions/health.js';
import type { PollDeps } from '../functions/poll-photoshelter.js';
import type { DevTokenIssuer } from '../functions/tab.js';
import type { CreatedBot } from './create-bot.js';

/** What watching PhotoShelter needs: the library, the stores change detection writes, the queue. */
export interface PollingServices extends PollDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly archive: PhotoArchive &
    PhotoLibraryFiles & { checkHealth(): Promise<PhotoShelterHealth> };
  readonly cursors: CursorStore;
  readonly snapshots: SnapshotStore;
  readonly ledger: EffectLedger;
  readonly queue: EventQueue;
  readonly audit: AuditLog;
  readonly detectOptions: DetectChangesOptions;
  /** Built with the polling services so a later `createServices` reuses the same clients. */
  readonly storage: StorageClients;
  checkStorage(): Promise<HealthStatus & { readonly queue?: { active: number; poison: number } }>;
}

/** Everything the functions and the bot use, built once per process. */
export interface Services extends PollingServices, ReviewLoopDeps {
  readonly archive: PollingServices['archive'];
  readonly reviews: ReviewStore;
  readonly conversations: ConversationStore;
  readonly board: TaskBoard;
  readonly directory: Directory;
  readonly chat: ChatNotifier;
  readonly cards: ReviewCards;
  readonly rules: RoutingRules;
  readonly defaultPlanId: string | undefined;
  readonly links: ReviewLinks;
  /** BATCH_WINDOW_SECONDS (see SyncReviewDeps). */
  readonly batchWindowMs: number;
  readonly bot: CreatedBot;
  readonly subscriptions: SubscriptionStore;
  /** The webhooks queue: delivery attempts, consumed by `deliverWebhook`. */
  readonly webhookQueue: EventQueue;
  readonly webhooks: WebhookSender;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS, as subscribe checks it; the sender checks it again per delivery. */
  readonly webhookTargets: WebhookTargets;
  /** WEBHOOK_MAX_SUBSCRIPTIONS. */
  readonly webhookMaxSubscriptions: number;
  readonly webhookPolicy: WebhookPolicy;
  /** WEBHOOK_SIGNING_SECRET; undefined: each subscription has its own key. */
  readonly webhookSigningSecret: string | undefined;
  readonly identity: IdentityVerifier;
  readonly devTokens: DevTokenIssuer | undefined;
  /** Ziflow, when configured or simulated: proofs for reviews routed there. */
  readonly proofing: ZiflowProofing | undefined;
  /** The Ziflow webhook's signature check; undefined without Ziflow. */
  readonly ziflowHook: SignedDeliveries | undefined;
  /** Preservica, when configured or simulated: packages of reviews whose rule preserves them. */
  readonly preservica: PreservicaDeps | undefined;
  /** The connector itself (its webhook subscriptions are made at start-up). */
  readonly preservicaArchive: PreservicaArchive | undefined;
  /** The Preservica webhook's handshake and signature check; undefined without its secret. */
  readonly preservicaHook: PreservicaDeliveries | undefined;
  readonly driftPolicy: DriftPolicy;
}

/** Where the external systems are, once the host has decided (configured, or started locally). */
export interface Endpoints {
  readonly storageConnectionString: StorageConnection;
  readonly photoShelter: PhotoShelterSettings;
  readonly graph: GraphSettings;
  /** The credential for Graph; default: from the Graph settings (secret or managed identity). */
  readonly graphCredential?: TokenCredential;
  /** The plan of rules that name none, when the configuration names none (the simulator's). */
  readonly defaultPlanId?: string | undefined;
  /** The local host lets the tab sign in with development tokens; the Functions host never does. */
  readonly devTokens?: boolean;
  /** Ziflow (configured or the local simulator); `hookTarget` is the webhook URL as registered. */
  readonly ziflow?: (ZiflowSettings & { readonly hookTarget: () => string }) | undefined;
  /** Preservica (configured or the local simulator); `hookTarget` is the webhook URL as subscribed. */
  readonly preservica?: (PreservicaSettings & { readonly hookTarget: () => string }) | undefined;
}

export interface ServiceOverrides {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly fetch?: typeof fetch;
}

/**
 * The connectors change detection uses, and only those: a process that just polls (the benchmark's
 * poller) does not load Graph, botbuilder or the card builders.
 */
export async function createPollingServices(
  config: Config,
  endpoints: Pick<Endpoints, 'storageConnectionString' | 'photoShelter'>,
  overrides: ServiceOverrides = {},
): Promise<PollingServices> {
  const clock = overrides.clock ?? new SystemClock();
  const logger = overrides.logger ?? new JsonLogger('lightdesk', config.logLevel);
  const storage = storageClients(endpoints.storageConnectionString, {
    eventsQueue: config.eventsQueue,
    webhooksQueue: config.webhooks.queue,
  });
  await ensureStorage(storage);
  const queue = new StorageEventQueue(storage.queues);
  return {
    config,
    clock,
    logger,
    storage,
    archive: new PhotoShelterArchive({
      ...endpoints.photoShelter,
      timeZone: config.photoShelterTimeZone,
      clock,
      logger: logger.child('photoshelter'),
      ...(overrides.fetch === undefined ? {} : { fetch: overrides.fetch }),
    }),
    cursors: new TableCursorStore(storage.tables.cursors),
    snapshots: new TableSnapshotStore(storage.tables.snapshots),
    ledger: new TableEffectLedger(storage.tables.effects),
    audit: new TableAuditLog(storage.tables.audit),
    queue,
    detectOptions: { ...defaultDetectChangesOptions, overlapMs: config.pollOverlapMs },
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

/** The reviews table, for hosts that need it without the rest of the review loop. */
export function createReviewStore(storage: StorageClients): ReviewStore {
  return new TableReviewStore(storage.tables.reviews);
}

/**
 * The only place connectors are constructed. Pass the polling services already built (the Functions
 * host builds those first, for the poll) to share their storage clients.
 */
export async function createServices(
  config: Config,
  endpoints: Endpoints,
  overrides: ServiceOverrides = {},
  built?: PollingServices,
): Promise<Services> {
  // The review loop's connectors are loaded here, on demand, so a polling-only process stays small.
  const [
    { AdaptiveReviewCards },
    { TableConversationStore },
    { createCredential },
    { GraphDirectory },
    { GraphTaskBoard },
    { loadRoutingRules },
    { createBot },
    { EntraSsoVerifier, tabTenantWarning },
    { DevTokens, TabIdentity },
    { TableSubscriptionStore },
    { HttpWebhookSender },
    { ZiflowProofing },
    { ziflowSignatureCheck },
    { PreservicaArchive },
    { verifyPreservicaSignature, challengeAnswer },
  ] = await Promise.all([
    import('../adaptiveCards/adaptive-review-cards.js'),
    import('../connectors/azure-storage/table-conversation-store.js'),
    import('../connectors/graph-planner/credential.js'),
    import('../connectors/graph-planner/graph-directory.js'),
    import('../connectors/graph-planner/graph-task-board.js'),
    import('./routing-rules.js'),
    import('./create-bot.js'),
    import('../connectors/entra/entra-sso-verifier.js'),
    import('../connectors/entra/dev-tokens.js'),
    import('../connectors/azure-storage/table-subscription-store.js'),
    import('../connectors/webhooks/http-webhook-sender.js'),
    import('../connectors/ziflow/ziflow-proofing.js'),
    import('../connectors/ziflow/webhook-signature.js'),
    import('../connectors/preservica/preservica-archive.js'),
    import('../connectors/preservica/webhook-signature.js'),
  ]);
  const defaultPlanId = config.defaultPlanId ?? endpoints.defaultPlanId;
  const rules = await loadRoutingRules(config.routingRulesFile, defaultPlanId);
  const polling = built ?? (await createPollingServices(config, endpoints, overrides));
  const { storage } = polling;
  const { clock, logger, queue, audit } = polling;
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

  const reviews = createReviewStore(storage);
  const conversations = new TableConversationStore(storage.tables.conversations);
  const cards = new AdaptiveReviewCards();
  const pv = endpoints.preservica;
  const preservicaArchive =
    pv === undefined
      ? undefined
      : new PreservicaArchive({
          baseUrl: pv.baseUrl,
          username: pv.username,
          password: pv.password,
          tenant: pv.tenant,
          clock,
          logger,
          fetch: overrides.fetch,
        });
  const preservica: PreservicaDeps | undefined =
    preservicaArchive === undefined
      ? undefined
      : { archive: preservicaArchive, files: polling.archive, pollMs: config.preservicaPollMs };
  const webhookSecret = pv?.webhookSecret;
  const preservicaHook: PreservicaDeliveries | undefined =
    webhookSecret === undefined
      ? undefined
      : {
          verify: (rawBody, signature) =>
            verifyPreservicaSignature(webhookSecret, rawBody, signature),
          answer: (code) => challengeAnswer(webhookSecret, code),
        };

  const bot = createBot({
    botConfig: config.bot,
    services: {
      reviews,
      conversations,
      cards,
      queue,
      audit,
      clock,
      logger,
      board,
      restorePreserved:
        preservica === undefined
          ? undefined
          : (request) =>
              restorePreserved(
                {
                  preservica,
                  archive: polling.archive,
                  queue,
                  ledger: polling.ledger,
                  audit,
                  clock,
                },
                request,
              ),
    },
  });

  // node:http, not fetch: the connection goes to the address the target rule checked.
  const webhooks = new HttpWebhookSender({
    clock,
    allowPrivateTargets: config.webhooks.allowPrivateTargets,
  });

  const ziflow = endpoints.ziflow;
  const proofing =
    ziflow === undefined
      ? undefined
      : new ZiflowProofing({
          baseUrl: ziflow.baseUrl,
          apiKey: ziflow.apiKey,
          clock,
          logger,
          fetch: overrides.fetch,
        });
  const ziflowHook =
    ziflow === undefined
      ? undefined
      : ziflowSignatureCheck({ key: ziflow.webhookKey, target: ziflow.hookTarget });

  const devTokens = endpoints.devTokens === true ? new DevTokens() : undefined;
  const sso = config.tabSso === undefined ? undefined : new EntraSsoVerifier(config.tabSso);
  const tenantWarning = tabTenantWarning(config.tabSso);
  if (tenantWarning !== undefined) logger.warn(tenantWarning);

  return {
    ...polling,
    apiKey: config.apiKey,
    eventsQueueName: config.eventsQueue,
    webhooksQueueName: config.webhooks.queue,
    reviews,
    conversations,
    board,
    directory,
    chat: bot.notifier,
    cards,
    rules,
    defaultPlanId,
    batchWindowMs: config.batchWindowMs,
    links: {
      // The tab, not the API: people follow this link from Planner and need no API key there.
      reviewUrl: (reviewId) =>
        `${config.publicBaseUrl}/api/tab/?review=${encodeURIComponent(reviewId)}`,
    },
    bot,
    subscriptions: new TableSubscriptionStore(storage.tables.subscriptions),
    webhookQueue: new StorageEventQueue(storage.webhookQueues),
    webhooks,
    webhookTargets: webhooks.targets,
    webhookMaxSubscriptions: config.webhooks.maxSubscriptions,
    webhookPolicy: {
      retryBaseMs: config.webhooks.retryBaseMs,
      maxAttempts: defaultWebhookPolicy.maxAttempts,
      maxConsecutiveFailures: config.webhooks.maxConsecutiveFailures,
    },
    webhookSigningSecret: config.webhooks.signingSecret,
    identity: new TabIdentity(sso, devTokens),
    devTokens,
    proofing,
    libraryFiles: polling.archive,
    ziflowHook,
    preservica,
    preservicaArchive,
    preservicaHook,
    checkPreservica:
      preservicaArchive === undefined || pv === undefined
        ? undefined
        : async () => ({
            ...(await preservicaArchive.checkHealth()),
            webhook:
              webhookSecret === undefined
                ? 'off: ingests are followed by polling'
                : `subscribed at start-up to ${pv.hookTarget()}`,
          }),
    driftPolicy: config.driftPolicy,
    checkZiflow:
      proofing === undefined || ziflow === undefined
        ? undefined
        : () => proofing.checkHealth(ziflow.hookTarget()),
  };
}
