import { AuthError } from '../errors.js';
import { fingerprint } from '../model/fingerprint.js';
import { decisionAuthor, isOpen, type Review, type ReviewStatus } from '../model/review.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { ChatNotifier } from '../ports/chat-notifier.js';
import type { Clock } from '../ports/clock.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { Logger } from '../ports/logger.js';
import type { LibraryReviewStatus, PhotoArchive } from '../ports/photo-archive.js';
import type { CardContext, ReviewCards } from '../ports/review-cards.js';
import type { ReviewStore } from '../ports/review-store.js';
import type { TaskBoard, TaskDetails } from '../ports/task-board.js';
import { runOnce } from './run-once.js';
import { updateReview } from './update-review.js';

export interface ReviewLinks {
  /** Where a person (or the Planner task's reference) opens the review in Lightdesk. */
  reviewUrl(reviewId: string): string;
}

export interface SyncReviewDeps {
  readonly archive: PhotoArchive;
  readonly reviews: ReviewStore;
  readonly board: TaskBoard;
  readonly chat: ChatNotifier;
  readonly cards: ReviewCards;
  readonly ledger: EffectLedger;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly links: ReviewLinks;
}

export interface SyncReviewResult {
  readonly reviewId: string;
  /** The effects carried out by this run (not the ones a previous run had already done). */
  readonly effects: readonly string[];
}

const maxThumbnails = 8;

const libraryStatus: Record<ReviewStatus, LibraryReviewStatus> = {
  pending: 'pending review',
  rereview: 're-review',
  approved: 'approved',
  archived: 'archived',
  superseded: 'pending review',
};

function taskPlacement(review: Review): { bucketName: string; percentComplete: number } {
  const { buckets } = review.route;
  switch (review.status) {
    case 'approved':
      return { bucketName: buckets.approved, percentComplete: 100 };
    case 'archived':
      return { bucketName: buckets.archived, percentComplete: 100 };
    case 'rereview':
      return { bucketName: buckets.rereview, percentComplete: 50 };
    case 'pending':
    case 'superseded':
      return { bucketName: review.route.bucket, percentComplete: 0 };
  }
}

export function taskTitle(review: Review): string {
  return `Review: ${review.galleryName}`.slice(0, 255);
}

/** Checklist item ids must be stable so a rewrite updates items instead of adding twins. */
function checklistId(review: Review, title: string): string {
  const hex = `${fingerprint(review.id, title)}${fingerprint(title, review.id)}`
    .replace(/[^0-9a-f]/g, '')
    .padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function taskDetails(review: Review, reviewUrl: string): TaskDetails {
  const votes = review.decisions
    .filter((d) => d.round === review.round)
    .map(
      (d) => `${decisionAuthor(d)}: ${d.verb}${d.comment === undefined ? '' : ` ("${d.comment}")`}`,
    );
  const description = [
    `${review.assets.length} image${review.assets.length === 1 ? '' : 's'} from the PhotoShelter gallery "${review.galleryName}" to review.`,
    `Status: ${review.status}. Due ${review.dueAt}.`,
    `Reviewers: ${review.reviewers.map((r) => r.name).join(', ')} (${review.approval === 'all' ? 'everyone must approve' : 'first decision counts'}).`,
    ...(votes.length > 0 ? ['', 'Decisions:', ...votes] : []),
    '',
    `Review in Lightdesk: ${reviewUrl}`,
  ].join('\n');
  return {
    description,
    checklist: review.route.checklist.map((title) => ({
      id: checklistId(review, title),
      title,
      isChecked: !isOpen(review),
    })),
    references: [
      { url: review.galleryUrl, alias: `PhotoShelter: ${review.galleryName}` },
      { url: reviewUrl, alias: 'Lightdesk review' },
    ],
  };
}

/**
 * Brings Planner, Teams and PhotoShelter in line with the stored review (ARCHITECTURE.md §3.4–3.6).
 * Every effect runs once under a key made of the review and the state it reflects, so this can run
 * again and again (redeliveries, crashes, two workers) and converges without doubles.
 */
export async function syncReview(
  deps: SyncReviewDeps,
  reviewId: string,
): Promise<SyncReviewResult> {
  const log = deps.logger.child('sync-review');
  const effects: string[] = [];
  const note = async (kind: string, review: Review, summary: string) => {
    effects.push(kind);
    await deps.audit.append({
      at: deps.clock.now().toISOString(),
      kind,
      subject: review.id,
      summary,
      data: { reviewId: review.id, galleryId: review.galleryId, status: review.status },
    });
  };

  /** Records what an effect made (a task id, an activity id) on the stored review. */
  const record = async (change: (r: Review) => Review | undefined): Promise<Review> =>
    (await updateReview(deps.reviews, reviewId, change, deps)).review;

  let review = (await updateReview(deps.reviews, reviewId, () => undefined)).review;
  const reviewUrl = deps.links.reviewUrl(review.id);

  // 1. The Planner task, once per review.
  if (review.planner.taskId === undefined) {
    const planId = review.route.planId;
    const bucketId =
      review.planner.bucketId ?? (await deps.board.ensureBucket(planId, review.route.bucket));
    const created = await runOnce(deps, `planner.task:${review.id}`, async (attempt) => {
      if (attempt > 1) {
        const found = await deps.board.findTaskByReference(planId, reviewUrl, taskTitle(review));
        if (found !== undefined) return found.taskId;
      }
      const task = await deps.board.createTask({
        planId,
        bucketId,
        title: taskTitle(review),
        assigneeIds: review.reviewers.map((r) => r.id),
        dueAt: review.dueAt,
        priority: review.route.priority,
        labels: review.route.labels,
      });
      return task.taskId;
    });
    review = await record((r) =>
      r.planner.taskId === created.result
        ? undefined
        : { ...r, planner: { ...r.planner, bucketId, taskId: created.result } },
    );
    if (created.isFresh)
      await note('planner.task.created', review, `Planner task for ${review.galleryName}`);
  }
  const taskId = review.planner.taskId ?? '';

  // 2. Task details: description, checklist and the two references, whenever what they show changes.
  const detailsKey = `planner.details:${review.id}:${review.cardVersion}`;
  const details = await runOnce(deps, detailsKey, async () => {
    const outcome = await deps.board.setDetails(taskId, taskDetails(review, reviewUrl));
    if (outcome.kind === 'degraded') {
      log.warn('task details degraded by a Planner limit', {
        reviewId: review.id,
        dropped: outcome.dropped.join(', '),
      });
    }
    return outcome.kind;
  });
  if (details.isFresh)
    await note('planner.details.written', review, `task details (${details.result})`);

  // 3. The task's bucket and progress follow the status: a decision moves it (approve and archive
  // complete it), and new files after a re-review bring it back to the review bucket.
  if (review.status !== 'pending' || review.round > 1) {
    const moved = await runOnce(
      deps,
      `planner.state:${review.id}:${review.round}:${review.status}`,
      async () => {
        const { bucketName, percentComplete } = taskPlacement(review);
        const bucketId = await deps.board.ensureBucket(review.route.planId, bucketName);
        const current = await deps.board.getTask(taskId);
        if (current.bucketId !== bucketId || current.percentComplete !== percentComplete) {
          await deps.board.updateTask(taskId, { bucketId, percentComplete });
        }
        return `${bucketName}:${percentComplete}`;
      },
    );
    if (moved.isFresh) await note('planner.task.moved', review, `task moved to ${moved.result}`);
  }

  // 4. PhotoShelter: the status on every asset of the batch, and the archive action.
  const status = libraryStatus[review.status];
  const written = await runOnce(
    deps,
    `photoshelter.status:${review.id}:${review.round}:${review.status}:${review.assets.length}`,
    async () => {
      await deps.archive.setReviewStatus(
        review.assets.map((a) => a.assetId),
        status,
      );
      return status;
    },
  );
  if (written.isFresh)
    await note('photoshelter.status.written', review, `PhotoShelter status "${status}"`);

  if (review.status === 'archived' && review.route.archive.action !== 'none') {
    const { action, collectionId } = review.route.archive;
    const archived = await runOnce(deps, `photoshelter.archive:${review.id}`, async () => {
      await deps.archive.archiveGallery(
        review.galleryId,
        action === 'move' && collectionId !== undefined
          ? { kind: 'move', collectionId }
          : { kind: 'hide' },
      );
      return action;
    });
    if (archived.isFresh) await note('photoshelter.gallery.archived', review, `gallery ${action}`);
  }

  // 5. The Teams card: posted once, then updated for everyone whenever the card version moves. It
  // comes last: while an earlier attempt holds its key (Teams refused it, or a worker crashed
  // mid-post) runOnce throws ConflictError so the message comes back, and by then Planner and
  // PhotoShelter must already be in line rather than wait for Teams.
  const context = await cardContext(deps, review);
  const card = deps.cards.shared(review, context);
  try {
    if (review.teams.activityId === undefined) {
      const shownVersion = review.cardVersion;
      const posted = await runOnce(deps, `teams.card:${review.id}`, async () => {
        const { activityId } = await deps.chat.postCard(
          review.teams.conversation,
          card,
          `Review ${review.galleryName}: ${review.assets.length} images`,
        );
        return activityId;
      });
      if (posted.isFresh) {
        // The card just posted shows this version: without this record the next sync would
        // "update" the card to what it already shows.
        await runOnce(deps, `teams.card:${review.id}:v${shownVersion}`, () =>
          Promise.resolve(posted.result),
        );
      }
      review = await record((r) =>
        r.teams.activityId === posted.result
          ? undefined
          : { ...r, teams: { ...r.teams, activityId: posted.result } },
      );
      if (posted.isFresh)
        await note('teams.card.posted', review, `card posted to ${review.teams.conversation}`);
    } else {
      const activityId = review.teams.activityId;
      const updated = await runOnce(
        deps,
        `teams.card:${review.id}:v${review.cardVersion}`,
        async () => {
          await deps.chat.updateCard(review.teams.conversation, activityId, card);
          return activityId;
        },
      );
      if (updated.isFresh)
        await note('teams.card.updated', review, `card v${review.cardVersion} for everyone`);
    }
  } catch (e: unknown) {
    if (!(e instanceof AuthError)) throw e;
    // Teams refuses the bot there (removed, blocked): the conversation is marked by the notifier and
    // the rest of the review still converges. Nothing is lost: the next sync posts once it is fixed.
    await note('teams.card.refused', review, `Teams refused the card: ${e.message}`);
    log.warn('Teams refused the card', {
      reviewId: review.id,
      conversation: review.teams.conversation,
    });
  }

  log.info('review synced', { reviewId: review.id, effects: effects.length });
  return { reviewId: review.id, effects };
}

/** Thumbnails, the task link and who gets the actionable view: what every card of a review shows. */
export async function cardContext(
  deps: Pick<SyncReviewDeps, 'archive' | 'board' | 'chat' | 'clock' | 'logger'>,
  review: Review,
): Promise<CardContext> {
  const shown = review.assets.slice(-maxThumbnails);
  // Links stored when the asset joined keep an invoke answer free of PhotoShelter calls.
  const thumbnails = await Promise.all(
    shown.map(async (asset) => {
      const url =
        asset.thumbnailUrl ??
        (await deps.archive.getDisplayLink(asset.assetId, { width: 300, height: 300 })).url;
      return { assetId: asset.assetId, url, fileName: asset.fileName };
    }),
  );
  let refreshUserIds: readonly string[] = [];
  try {
    refreshUserIds = await deps.chat.memberIds(
      review.teams.conversation,
      review.reviewers.map((r) => r.id),
    );
  } catch (e: unknown) {
    // Without the roster the card still works: reviewers get their view by pressing Refresh.
    deps.logger.warn('roster lookup failed', { reviewId: review.id, error: String(e) });
  }
  return {
    taskUrl:
      review.planner.taskId === undefined
        ? undefined
        : deps.board.taskUrl({ taskId: review.planner.taskId, planId: review.route.planId }),
    thumbnails,
    refreshUserIds,
    now: deps.clock.now(),
  };
}
