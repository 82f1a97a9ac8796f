import type { Review } from '../model/review.js';
import type { ChatNotifier } from '../ports/chat-notifier.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { PhotoArchive } from '../ports/photo-archive.js';
import type { CardContext } from '../ports/review-cards.js';
import type { TaskBoard } from '../ports/task-board.js';

export interface CardContextDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Only `taskUrl`, which builds a link without calling Planner; without it, no task link. */
  readonly board?: Pick<TaskBoard, 'taskUrl'> | undefined;
  /** Only `memberIds` (the Teams notifier caches rosters); without it, nobody gets a refresh. */
  readonly chat?: Pick<ChatNotifier, 'memberIds'> | undefined;
  /**
   * For the display link of an asset that joined without one. Left out for an invoke answer (Teams
   * retries after seconds); the queued sync renders the full card.
   */
  readonly archive?: Pick<PhotoArchive, 'getDisplayLink'> | undefined;
}

export interface CardContextOptions {
  /** How long the roster lookup may take before the card goes without it (default: no bound). */
  readonly rosterBudgetMs?: number;
}

const MAX_THUMBNAILS = 8;

/**
 * Thumbnails, the task link and who gets the actionable view: what every card of a review shows,
 * for the sync that posts it and for the bot's invoke answers alike.
 */
export async function cardContext(
  deps: CardContextDeps,
  review: Review,
  options: CardContextOptions = {},
): Promise<CardContext> {
  const { archive } = deps;
  const shown = review.assets.slice(-MAX_THUMBNAILS);
  // Links stored when the asset joined keep an invoke answer free of PhotoShelter calls.
  const thumbnails = await Promise.all(
    shown.map(async (asset) => {
      const url =
        asset.thumbnailUrl ??
        (archive === undefined
          ? undefined
          : (await archive.getDisplayLink(asset.assetId, { width: 300, height: 300 })).url);
      return url === undefined ? [] : [{ assetId: asset.assetId, url, fileName: asset.fileName }];
    }),
  );
  return {
    taskUrl:
      review.planner.taskId === undefined || deps.board === undefined
        ? undefined
        : deps.board.taskUrl({ taskId: review.planner.taskId, planId: review.route.planId }),
    thumbnails: thumbnails.flat(),
    refreshUserIds: await refreshUserIds(deps, review, options.rosterBudgetMs),
    now: deps.clock.now(),
  };
}

async function refreshUserIds(
  deps: CardContextDeps,
  review: Review,
  budgetMs: number | undefined,
): Promise<readonly string[]> {
  const chat = deps.chat;
  if (chat === undefined) return [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const lookup = chat.memberIds(
      review.teams.conversation,
      review.reviewers.map((r) => r.id),
    );
    if (budgetMs === undefined) return await lookup;
    const late = new Promise<readonly string[]>((resolve) => {
      timer = setTimeout(() => resolve([]), budgetMs);
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
