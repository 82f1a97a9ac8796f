import type { AssetFile } from '../../../../core/model/asset.js';
import { fingerprint } from '../../../../core/model/fingerprint.js';
import type { LibraryEvent } from '../../../../core/model/library-event.js';
import type { Review } from '../../../../core/model/review.js';
import { type RoutingRules, routingRulesSchema } from '../../../../core/model/routing-rules.js';
import { parseQueueMessage } from '../../../../core/model/queue-message.js';
import { type ProcessEventDeps, processEvent } from '../../../../core/use-cases/process-event.js';
import type { SyncPlannerDeps } from '../../../../core/use-cases/sync-planner.js';
import { handleWebhookMessage } from '../../../../core/use-cases/webhooks.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../../doubles/in-memory-audit-log.js';
import { InMemoryChatNotifier } from '../../../doubles/in-memory-chat-notifier.js';
import { InMemoryDirectory } from '../../../doubles/in-memory-directory.js';
import { InMemoryEffectLedger } from '../../../doubles/in-memory-effect-ledger.js';
import { InMemoryEventQueue } from '../../../doubles/in-memory-event-queue.js';
import { InMemoryPhotoArchive } from '../../../doubles/in-memory-photo-archive.js';
import { InMemoryReviewStore } from '../../../doubles/in-memory-review-store.js';
import { InMemoryTaskBoard } from '../../../doubles/in-memory-task-board.js';
import {
  cardView,
  JsonReviewCards,
  type ReviewCardView,
} from '../../../doubles/json-review-cards.js';
import { InMemorySubscriptionStore } from '../../../doubles/in-memory-subscription-store.js';
import { RecordingLogger } from '../../../doubles/recording-logger.js';
import { ScriptedWebhookSender } from '../../../doubles/scripted-webhook-sender.js';
import { aReviewer } from '../../../support/review-builders.js';

// The review loop wired onto in-memory doubles: a small PhotoShelter library, one Planner plan, one
// Teams channel and the routing rule that connects them. Tests act as the people (upload, press,
// drag in Planner) and read the resulting state of each system.

export const PLAN_ID = 'plan-athletics-000000000001';
export const CHANNEL = 'channel:Marketing/Photo reviews';
export const ada = aReviewer(1);
export const ben = aReviewer(2);
/** A project manager: in the directory, but not a reviewer. */
export const pam = aReviewer(5);

export interface ReviewLoopOptions {
  /**
   * Overrides of the Athletics rule's fields, as written in the rules file; a function gets the
   * library's collection ids (the "Archive 2026" collection to move archived galleries to).
   */
  readonly athletics?:
    | Record<string, unknown>
    | ((library: { readonly archiveCollectionId: string }) => Record<string, unknown>);
  /** BATCH_WINDOW_SECONDS in ms (default 0: syncs after uploads do not wait). */
  readonly batchWindowMs?: number;
  /** The loop's clock (default a FixedClock at 2026-11-23 09:00 UTC). */
  readonly clock?: FixedClock;
}

export type ReviewLoop = ReturnType<typeof aReviewLoop>;

export type UploadEvent = Extract<LibraryEvent, { type: 'asset.uploaded' }>;
export type ReplaceEvent = Extract<LibraryEvent, { type: 'asset.replaced' }>;

export function aReviewLoop(options: ReviewLoopOptions = {}) {
  const clock = options.clock ?? new FixedClock('2026-11-23T09:00:00.000Z');
  const archive = new InMemoryPhotoArchive(clock);
  const athletics = archive.addCollection({ name: 'Athletics' });
  const football = archive.addCollection({ name: 'Football', parentId: athletics });
  const brand = archive.addCollection({ name: 'Brand Assets' });
  const archived = archive.addCollection({ name: 'Archive 2026' });
  const galleries = {
    mediaDay: archive.addGallery({ name: 'Media Day', collectionId: football }),
    logos: archive.addGallery({ name: 'Logos', collectionId: brand }),
  };

  const rules: RoutingRules = routingRulesSchema.parse({
    rules: [
      {
        name: 'Athletics',
        match: { path: 'Athletics/**' },
        planner: {
          planId: PLAN_ID,
          bucket: 'To review',
          labels: ['category1'],
          priority: 3,
          checklist: ['Check captions and credits', 'Check model releases', 'Pick the hero image'],
        },
        reviewers: [ada.upn, ben.id],
        conversation: CHANNEL,
        dueInHours: 24,
        ...(typeof options.athletics === 'function'
          ? options.athletics({ archiveCollectionId: archived })
          : options.athletics),
      },
    ],
  });

  const board = new InMemoryTaskBoard(clock, { plans: [PLAN_ID] });
  const chat = new InMemoryChatNotifier();
  chat.install(CHANNEL, [ada.id, ben.id, pam.id]);
  const reviews = new InMemoryReviewStore();
  const ledger = new InMemoryEffectLedger();
  const audit = new InMemoryAuditLog();
  const queue = new InMemoryEventQueue(() => clock.now().getTime());
  const webhookQueue = new InMemoryEventQueue(() => clock.now().getTime());
  const logger = new RecordingLogger();
  const subscriptions = new InMemorySubscriptionStore();
  const webhooks = new ScriptedWebhookSender();

  const deps: ProcessEventDeps & SyncPlannerDeps = {
    batchWindowMs: options.batchWindowMs ?? 0,
    archive,
    reviews,
    board,
    chat,
    cards: new JsonReviewCards(),
    ledger,
    audit,
    clock,
    logger,
    links: { reviewUrl: (reviewId) => `https://lightdesk.example.com/reviews/${reviewId}` },
    directory: new InMemoryDirectory([ada, ben, pam]),
    queue,
    rules,
    defaultPlanId: undefined,
    subscriptions,
    webhookQueue,
    webhooks,
    webhookPolicy: { retryBaseMs: 60_000, maxAttempts: 4, maxConsecutiveFailures: 3 },
    webhookSigningSecret: undefined,
  };

  let uploads = 0;

  /** A new image in the gallery, and the event the change detector would queue for it. */
  function upload(galleryId: string, file: Partial<AssetFile> = {}): UploadEvent {
    uploads += 1;
    const stored: AssetFile = {
      fileName: file.fileName ?? `IMG_${String(uploads).padStart(4, '0')}.jpg`,
      fileSize: file.fileSize ?? 1_800_000 + uploads,
      width: file.width ?? 6000,
      height: file.height ?? 4000,
    };
    const assetId = archive.upload(galleryId, stored);
    const detected = clock.now().toISOString();
    return {
      type: 'asset.uploaded',
      id: `asset.uploaded:${galleryId}:${assetId}:${fingerprint(stored.fileName, stored.fileSize, stored.width, stored.height)}`,
      galleryId,
      assetId,
      file: stored,
      detectedAt: detected,
      occurredAt: detected,
    };
  }

  let replacements = 0;

  /** New bytes for an uploaded image, and the event the change detector would queue for it. */
  function replace(uploaded: UploadEvent): ReplaceEvent {
    replacements += 1;
    const file = archive.replace(uploaded.assetId);
    const detected = clock.now().toISOString();
    return {
      ...uploaded,
      type: 'asset.replaced',
      id: `asset.replaced:${uploaded.galleryId}:${uploaded.assetId}:${replacements}`,
      file,
      previousFile: uploaded.file,
      detectedAt: detected,
      occurredAt: detected,
    };
  }

  /**
   * The processEvent worker handling one delivery of a message, then the review syncs it queued (as the
   * queue trigger would run them next).
   */
  const deliver = async (message: unknown) => {
    const result = await processEvent(deps, parseQueueMessage(message));
    await drainQueue();
    return result;
  };

  /**
   * The workers work the events queue, then the webhook deliveries it queued, until both are empty,
   * as the Functions host would. Returns the events handled.
   */
  async function drainQueue(): Promise<number> {
    let handled = 0;
    for (;;) {
      const batch = await queue.receive(16, 30_000);
      if (batch.length === 0) break;
      for (const message of batch) {
        await processEvent(deps, parseQueueMessage(JSON.parse(message.body) as unknown));
        await queue.complete(message);
        handled += 1;
      }
    }
    for (;;) {
      const batch = await webhookQueue.receive(16, 30_000);
      if (batch.length === 0) return handled;
      for (const message of batch) {
        await handleWebhookMessage(deps, JSON.parse(message.body) as unknown);
        await webhookQueue.complete(message);
      }
    }
  }

  /** The only review of a gallery (fails the test when there is not exactly one). */
  function onlyReviewOf(galleryId: string): Review {
    const found = reviews.all().filter((r) => r.galleryId === galleryId);
    if (found.length !== 1) throw new RangeError(`expected 1 review, found ${found.length}`);
    const [review] = found;
    if (review === undefined) throw new RangeError('no review');
    return review;
  }

  /** Each posted card as the view it shows now. */
  const cardsIn = (key: string = CHANNEL): readonly ReviewCardView[] =>
    chat.posts(key).map((p) => cardView(p.card));

  const auditKinds = (): readonly string[] => audit.entries.map((e) => e.kind);

  return {
    deps,
    clock,
    archive,
    board,
    chat,
    reviews,
    ledger,
    audit,
    queue,
    logger,
    subscriptions,
    webhookQueue,
    webhooks,
    galleries,
    collections: { athletics, football, brand, archived },
    upload,
    replace,
    deliver,
    drainQueue,
    onlyReviewOf,
    cardsIn,
    auditKinds,
  };
}
