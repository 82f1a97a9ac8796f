import { AppError, ConflictError, ensureError, isTransient, RateLimitedError } from '../errors.js';
import { fingerprint } from '../model/fingerprint.js';
import { decisionAuthor, isOpen, type Review, type ReviewStatus } from '../model/review.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { ChatNotifier } from '../ports/chat-notifier.js';
import type { Clock } from '../ports/clock.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { Logger } from '../ports/logger.js';
import type {
  LibraryReviewStatus,
  PhotoArchive,
  PhotoLibraryFiles,
} from '../ports/photo-archive.js';
import type { ReviewCards } from '../ports/review-cards.js';
import type { ReviewStore } from '../ports/review-store.js';
import type { TaskBoard, TaskDetails } from '../ports/task-board.js';
import { syncApprovedProof } from './approved-proof.js';
import { runOnce } from './run-once.js';
import { isQuiet, type NoteEffect, type RecordReview, syncCard } from './sync-card.js';
import { type PreservicaDeps, preservesNow, syncPreservation } from './preserve-review.js';
import { syncProof } from './sync-proof.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { ProofingService } from '../ports/proofing-service.js';
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
  /** Ziflow, when configured: reviews routed there get their proof (sync-proof.ts). */
  readonly proofing?: ProofingService | undefined;
  /** Preservica, when configured: reviews whose rule preserves them (preserve-review.ts). */
  readonly preservica?: PreservicaDeps | undefined;
  /** Where ingest progress checks are scheduled (the worker's queue). */
  readonly queue?: EventQueue | undefined;
  /** PhotoShelter's files: approved proofs are written back and published (approved-proof.ts). */
  readonly libraryFiles?: PhotoLibraryFiles | undefined;
}

export interface SyncReviewResult {
  readonly reviewId: string;
  /** The effects carried out by this run (not the ones a previous run had already done). */
  readonly effects: readonly string[];
}

const libraryStatus: Record<ReviewStatus, LibraryReviewStatus> = {
  pending: 'pending review',
  rereview: 're-review',
  approved: 'approved',
  archived: 'archived',
  superseded: 'pending review',
};

function taskPlacement(review: Review): { bucketName: string; percentComplete: number } {
  const { buckets } = review.route;
  // A review its rule preserves is done once Preservica has it: until then (and after a failed
  // ingest, which re-opens it) the task stays in progress.
  const done = !preservesNow(review) || review.preservation?.status === 'preserved' ? 100 : 50;
  switch (review.status) {
    case 'approved':
      return { bucketName: buckets.approved, percentComplete: done };
    case 'archived':
      return { bucketName: buckets.archived, percentComplete: done };
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

/**
 * The key of the task's bucket and progress for the review's state; a preserved review's adds the
 * preservation's attempt and status, each of which moves the task.
 */
export function taskStateKey(review: Review): string {
  const p = review.preservation;
  const preserved =
    preservesNow(review) && p !== undefined ? `:preservica:${p.attempt}:${p.status}` : '';
  return `planner.state:${review.id}:${review.round}:${review.status}${preserved}`;
}

/** Whether the library's archive action still waits for Preservica to hold the gallery. */
export function awaitsPreservation(review: Review): boolean {
  return preservesNow(review) && review.preservation?.status !== 'preserved';
}

/** What the task says of the review's preservation (Preservica), if its rule preserves it. */
function preservationLines(review: Review): string[] {
  const p = review.preservation;
  if (p === undefined) return [];
  const count = Object.keys(p.references).length;
  const what = `${count} asset${count === 1 ? '' : 's'}${p.scope === 'gallery' ? ' (the whole gallery)' : ''}`;
  switch (p.status) {
    case 'ingesting':
      return ['', `Preservica: preserving ${what} (attempt ${p.attempt}).`];
    case 'preserved':
      return ['', `Preservica: preserved ${what} on ${p.preservedAt ?? p.startedAt}.`];
    case 'failed':
      return [
        '',
        `Preservica: preservation FAILED (attempt ${p.attempt}): ${p.reason ?? 'no reason given'}.`,
        'Retry from Lightdesk: the review page or POST /api/v1/reviews/${review.id}/preservation/retry.',
      ];
  }
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
    ...(review.proof === undefined
      ? []
      : [
          '',
          `Ziflow proof (version ${review.proof.versionIds.length}):`,
          ...review.proof.stages.map(
            (s) =>
              `${s.name}: ${s.approved + s.approvedWithChanges} approved, ${s.changesRequired} changes required, ${s.waiting} waiting`,
          ),
        ]),
    ...preservationLines(review),
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
      ...(review.proof?.url === undefined
        ? []
        : [{ url: review.proof.url, alias: 'Ziflow proof' }]),
    ],
  };
}

/** 1–3: the Planner task, its details, and its bucket and progress. Returns the review as stored. */
async function syncTask(
  deps: SyncReviewDeps,
  current: Review,
  reviewUrl: string,
  record: RecordReview,
  note: NoteEffect,
): Promise<Review> {
  const log = deps.logger.child('sync-review');
  let review = current;
  // 1. The Planner task, once per review.
  if (review.planner.taskId === undefined) {
    const planId = review.route.planId;
    const bucketId =
      review.planner.bucketId ?? (await deps.board.ensureBucket(planId, review.route.bucket));
    const created = await runOnce(deps, `planner.task:${review.id}`, async (attempt) => {
      if (attempt > 1) {
        const found = await deps.board.findTaskByReference(planId, reviewUrl, taskTitle(review));
        if (found !== undefined && (await ownsTask(deps, found.taskId, review.id))) {
          return found.taskId;
        }
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
      await ownsTask(deps, task.taskId, review.id);
      return task.taskId;
    });
    review = await record((r) =>
      r.planner.taskId === created.result
        ? undefined
        : {
            ...r,
            planner: { ...r.planner, bucketId, taskId: created.result },
            // A card posted while Planner was down has no task link yet: showing it is a change.
            cardVersion: r.teams.activityId === undefined ? r.cardVersion : r.cardVersion + 1,
          },
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
    const moved = await runOnce(deps, taskStateKey(review), async () => {
      const { bucketName, percentComplete } = taskPlacement(review);
      const bucketId = await deps.board.ensureBucket(review.route.planId, bucketName);
      const current = await deps.board.getTask(taskId);
      if (current.bucketId !== bucketId || current.percentComplete !== percentComplete) {
        await deps.board.updateTask(taskId, { bucketId, percentComplete });
      }
      return `${bucketName}:${percentComplete}`;
    });
    if (moved.isFresh) await note('planner.task.moved', review, `task moved to ${moved.result}`);
  }

  return review;
}

/**
 * Claims a Planner task for a review for good (`planner.owner:{taskId}`); false when another review
 * holds it, so two lost creates found by title cannot share one task (docs/decisions.md "Outages").
 */
async function ownsTask(deps: SyncReviewDeps, taskId: string, reviewId: string): Promise<boolean> {
  const owner = await runOnce(deps, `planner.owner:${taskId}`, () => Promise.resolve(reviewId));
  return owner.result === reviewId;
}

/** The key of the once-more write of a quiet review's PhotoShelter status. */
export const finalStatusKey = (review: Review): string =>
  `photoshelter.final:${review.id}:${review.round}:${review.status}:${review.assets.length}`;

/**
 * The assets whose PhotoShelter status this review owns: all while open; once closed, those no
 * later review has taken (a replaced image's status belongs to the review it opened).
 */
async function ownedAssets(deps: SyncReviewDeps, review: Review): Promise<readonly string[]> {
  const all = review.assets.map((a) => a.assetId);
  if (isOpen(review)) return all;
  const newer = (await deps.reviews.listOfGallery(review.galleryId)).filter(
    ({ review: other }) =>
      Date.parse(other.openedAt) > Date.parse(review.openedAt) ||
      (other.openedAt === review.openedAt && other.id > review.id),
  );
  const taken = new Set(newer.flatMap(({ review: other }) => other.assets.map((a) => a.assetId)));
  return all.filter((id) => !taken.has(id));
}

/** 4: PhotoShelter: the status on every asset of the batch, and the archive action. */
async function syncLibrary(deps: SyncReviewDeps, review: Review, note: NoteEffect): Promise<void> {
  const status = libraryStatus[review.status];
  const writeStatus = async (): Promise<string> => {
    const assetIds = await ownedAssets(deps, review);
    if (assetIds.length === 0) return 'superseded';
    await deps.archive.setReviewStatus(assetIds, status);
    return status;
  };
  const written = await runOnce(
    deps,
    `photoshelter.status:${review.id}:${review.round}:${review.status}:${review.assets.length}`,
    writeStatus,
  );
  if (written.isFresh)
    await note('photoshelter.status.written', review, `PhotoShelter status "${written.result}"`);

  // A status write that timed out may still land later, over a newer one (a stalled "approved" after
  // the "pending review" of a new round). Once a review has been quiet a while, its status is written
  // once more; reconcileReviews asks for it (expectedEffects), so a quiet review gets it too.
  if (isQuiet(review, deps.clock.now())) {
    await runOnce(deps, finalStatusKey(review), writeStatus);
  }

  // A gallery its rule preserves leaves PhotoShelter's working set only once Preservica has it.
  const awaitsPreservation = preservesNow(review) && review.preservation?.status !== 'preserved';
  if (
    review.status === 'archived' &&
    review.route.archive.action !== 'none' &&
    !awaitsPreservation
  ) {
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
}

/**
 * Ziflow's trouble on the review, for the card written later in the same sync: reviewers see why
 * the proof is not there (or not up to date) while the message comes back for it.
 */
async function noteProofTrouble(record: RecordReview, error: unknown): Promise<Review> {
  const what = error instanceof AppError ? error.message : 'an unexpected error';
  const trouble = (
    isTransient(error)
      ? `Ziflow is not answering (${what}); Lightdesk keeps trying`
      : `Ziflow refused the proof: ${what}`
  ).slice(0, 500);
  return record((r) =>
    r.proofTrouble === trouble
      ? undefined
      : { ...r, proofTrouble: trouble, cardVersion: r.cardVersion + 1 },
  );
}

/**
 * Brings Planner, Teams and PhotoShelter in line with the stored review; every effect runs once
 * under a key of the state it reflects, so reruns converge without doubles (docs/architecture.md).
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

  // Planner, PhotoShelter and Teams are independent effects: one system being down (a Graph outage)
  // delays only its own, and the others are done on this run.
  const failures: unknown[] = [];
  const step = async (system: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (e: unknown) {
      failures.push(e);
      log.warn('review effect failed; the message comes back for it', {
        reviewId: review.id,
        system,
        error: e instanceof Error ? e.name : 'unknown',
        transient: isTransient(e),
      });
    }
  };

  // 0. The Ziflow proof first, so the task details and the card written below can link it.
  const { proofing } = deps;
  if (review.route.review !== 'teams') {
    if (proofing === undefined) {
      log.warn('review routed to Ziflow but Ziflow is not configured', { reviewId: review.id });
    } else {
      await step('ziflow', async () => {
        try {
          review = await syncProof({ ...deps, proofing }, review, record, note);
        } catch (e: unknown) {
          review = await noteProofTrouble(record, e);
          throw e;
        }
        if (review.proofTrouble !== undefined) {
          review = await record((r) => {
            if (r.proofTrouble === undefined) return undefined;
            const { proofTrouble: _gone, ...rest } = r;
            return { ...rest, cardVersion: r.cardVersion + 1 };
          });
        }
      });
      // 0b. An approved proof's files back to PhotoShelter, then published.
      const { libraryFiles } = deps;
      if (libraryFiles !== undefined) {
        await step('photoshelter-final', async () => {
          review = await syncApprovedProof(
            { ...deps, proofing, libraryFiles },
            review,
            record,
            note,
          );
        });
      }
    }
  }

  await step('planner', async () => {
    review = await syncTask(deps, review, reviewUrl, record, note);
  });

  await step('photoshelter', async () => {
    await syncLibrary(deps, review, note);
  });

  // 5. The Teams card (sync-card.ts).
  await step('teams', async () => {
    review = await syncCard(deps, review, record, note);
  });

  // 6. Preservica, for reviews whose rule preserves them now: last, as a package's upload can take
  // long and the decision's card and task should not wait for it. What it recorded (the ingest
  // started) is then shown by task and card.
  const { preservica } = deps;
  if (preservesNow(review)) {
    if (preservica === undefined) {
      log.warn('review preserved by its rule but Preservica is not configured', {
        reviewId: review.id,
      });
    } else {
      await step('preservica', async () => {
        const before = review.cardVersion;
        let failure: Error | undefined;
        try {
          review = await syncPreservation({ ...deps, preservica }, review, record, note);
        } catch (e: unknown) {
          // What the failed step recorded (Preservica not answering) is shown now, not at the retry.
          failure = ensureError(e);
          review = (await updateReview(deps.reviews, reviewId, () => undefined)).review;
        }
        if (review.cardVersion !== before) {
          await step('planner', async () => {
            review = await syncTask(deps, review, reviewUrl, record, note);
          });
          await step('teams', async () => {
            review = await syncCard(deps, review, record, note);
          });
        }
        if (failure !== undefined) throw failure;
      });
    }
  }

  log.info('review synced', {
    reviewId: review.id,
    effects: effects.length,
    failed: failures.length,
  });
  // Every system had its turn: the message comes back for what failed, the rest stays done.
  if (failures.length > 0) throw mostTelling(failures);
  return { reviewId: review.id, effects };
}

/**
 * The failure a multi-effect run reports: a lasting one (poisoned with its reason), else throttling
 * with the longest wait, else the first transient one.
 */
function mostTelling(failures: readonly unknown[]): unknown {
  const lasting = failures.find((e) => !isTransient(e));
  if (lasting !== undefined) return lasting;
  const throttled = failures
    .filter((e): e is RateLimitedError => e instanceof RateLimitedError)
    .sort((a, b) => b.retryAfterMs - a.retryAfterMs);
  return throttled[0] ?? failures[0] ?? new ConflictError('no failure to report');
}
