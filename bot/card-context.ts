import type { Review } from '../core/model/review.js';
import type { ChatNotifier } from '../core/ports/chat-notifier.js';
import type { Clock } from '../core/ports/clock.js';
import type { Logger } from '../core/ports/logger.js';
import type { CardContext } from '../core/ports/review-cards.js';
import type { TaskBoard } from '../core/ports/task-board.js';

export interface InvokeCardContextDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Only `taskUrl`, which builds a link without calling Planner. */
  readonly board?: Pick<TaskBoard, 'taskUrl'> | undefined;
  /** Only `memberIds` (the Teams notifier caches rosters, so this is usually no call at all). */
  readonly chat?: Pick<ChatNotifier, 'memberIds'> | undefined;
}

const maxThumbnails = 8;
/** A roster lookup may cost one Bot Connector call; the invoke answer must not wait longer. */
const rosterBudgetMs = 1_500;

/**
 * The CardContext for an invoke answer, built without PhotoShelter: core's `cardContext`
 * (use-cases/sync-review.ts) may ask PhotoShelter for a display link, and Teams gives an invoke only
 * a few seconds before it retries (reference microsoft-365.md §2). Assets without a stored
 * thumbnail are left out here; the queued `review.sync` renders the full card for everyone.
 */
export async function invokeCardContext(
  deps: InvokeCardContextDeps,
  review: Review,
): Promise<CardContext> {
  const thumbnails = review.assets
    .slice(-maxThumbnails)
    .flatMap((asset) =>
      asset.thumbnailUrl === undefined
        ? []
        : [{ assetId: asset.assetId, url: asset.thumbnailUrl, fileName: asset.fileName }],
    );
  return {
    taskUrl:
      review.planner.taskId === undefined || deps.board === undefined
        ? undefined
        : deps.board.taskUrl({ taskId: review.planner.taskId, planId: review.route.planId }),
    thumbnails,
    refreshUserIds: await refreshUserIds(deps, review),
    now: deps.clock.now(),
  };
}

async function refreshUserIds(
  deps: InvokeCardContextDeps,
  review: Review,
): Promise<readonly string[]> {
  const chat = deps.chat;
  if (chat === undefined) return [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const lookup = chat.memberIds(
      review.teams.conversation,
      review.reviewers.map((r) => r.id),
    );
    const late = new Promise<readonly string[]>((resolve) => {
      timer = setTimeout(() => resolve([]), rosterBudgetMs);
    });
    // Not awaited when it loses the race: its failure must not become an unhandled rejection.
    lookup.catch(() => undefined);
    return await Promise.race([lookup, late]);
  } catch (e: unknown) {
    // Without the roster the card still works: reviewers get their view by pressing Refresh.
    deps.logger.warn('roster lookup failed', {
      reviewId: review.id,
      error: e instanceof Error ? e.name : 'unknown',
    });
    return [];
  } finally {
    clearTimeout(timer);
  }
}
