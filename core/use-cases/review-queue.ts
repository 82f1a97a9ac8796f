import { z } from 'zod';

import { decidedVia, isOpen, isOverdue, type Review, type ReviewStatus } from '../model/review.js';
import { reviewHeadline } from '../model/review-view.js';
import type { ReviewStore } from '../ports/review-store.js';

/** The views of the queue the tab offers; `decided` is every closed review. */
export const queueViewSchema = z.enum(['open', 'pending', 'overdue', 'decided', 'all']);
export type QueueView = z.infer<typeof queueViewSchema>;

export interface QueueFilter {
  readonly view: QueueView;
  /** Case-insensitive match on the gallery name, the rule and reviewer names. */
  readonly text?: string | undefined;
  /** Only reviews the viewer is a reviewer of. */
  readonly mine?: boolean | undefined;
  readonly limit: number;
}

export interface QueueVote {
  readonly reviewerId: string;
  readonly name: string;
  /** The reviewer's latest decision in the current round, if any. */
  readonly verb: 'approve' | 'rereview' | 'archive' | undefined;
  readonly comment: string | undefined;
  readonly at: string | undefined;
  /** The application a decision through the API went through ("Power Automate"), else undefined. */
  readonly via: string | undefined;
}

export interface QueueItem {
  readonly id: string;
  readonly galleryId: string;
  readonly galleryName: string;
  readonly galleryUrl: string;
  readonly rule: string;
  readonly status: ReviewStatus;
  readonly overdue: boolean;
  readonly assetCount: number;
  readonly thumbnails: readonly {
    readonly assetId: string;
    readonly fileName: string;
    readonly url: string;
  }[];
  readonly taskUrl: string | undefined;
  readonly approval: Review['approval'];
  readonly votes: readonly QueueVote[];
  readonly viewerIsReviewer: boolean;
  readonly dueAt: string;
  readonly openedAt: string;
  readonly closedAt: string | undefined;
}

export interface ReviewQueue {
  readonly items: readonly QueueItem[];
  /** How many reviews each view holds before the text and mine filters: the tab's tab counts. */
  readonly counts: Readonly<Record<Exclude<QueueView, 'all'>, number>>;
  readonly generatedAt: string;
}

export interface FindReviewsDeps {
  readonly reviews: Pick<ReviewStore, 'list'>;
}

export interface ReviewQueueDeps extends FindReviewsDeps {
  readonly taskUrl: (task: { readonly taskId: string; readonly planId: string }) => string;
}

/**
 * How a query's reviews are ordered: `queue` is the tab's (open first, most overdue on top, then
 * decided, newest first); `newest` by opening time, newest first; `updated` by last change.
 */
export type ReviewOrder = 'queue' | 'newest' | 'updated';

/** Which reviews a reader (the tab, the bot's commands, the API) asks for. */
export interface ReviewQuery {
  readonly view: QueueView;
  /** Only these statuses (the API's `status`); without it, superseded reviews are left out. */
  readonly statuses?: readonly ReviewStatus[] | undefined;
  /** Case-insensitive match on the gallery name and id, the rule and reviewer names. */
  readonly text?: string | undefined;
  /** Only reviews the viewer is a reviewer of. */
  readonly mine?: boolean | undefined;
  readonly order?: ReviewOrder | undefined;
  readonly limit: number;
}

export interface FoundReviews {
  readonly reviews: readonly Review[];
  /** How many reviews matched before the limit. */
  readonly matched: number;
  /** How many reviews each view holds before the text and mine filters: the tab's tab counts. */
  readonly counts: Readonly<Record<Exclude<QueueView, 'all'>, number>>;
}

const MAX_THUMBNAILS = 4;
/** Open and closed reviews are read in one pass; readers see recent history, not the archive. */
const SCAN_LIMIT = 500;

function matchesView(review: Review, view: QueueView, now: Date): boolean {
  switch (view) {
    case 'open':
      return isOpen(review);
    case 'pending':
      return isOpen(review) && !isOverdue(review, now);
    case 'overdue':
      return isOverdue(review, now);
    case 'decided':
      return !isOpen(review);
    case 'all':
      return true;
  }
}

function votes(review: Review): QueueVote[] {
  return review.reviewers.map((reviewer) => {
    const latest = review.decisions
      .filter((d) => d.reviewerId === reviewer.id && d.round === review.round)
      .at(-1);
    return {
      reviewerId: reviewer.id,
      name: reviewer.name,
      verb: latest?.verb,
      comment: latest?.comment,
      at: latest?.at,
      via: latest === undefined ? undefined : decidedVia(latest),
    };
  });
}

function matchesText(review: Review, text: string): boolean {
  const needle = text.toLocaleLowerCase();
  return [
    review.galleryName,
    review.galleryId,
    review.rule,
    ...review.reviewers.map((r) => r.name),
  ].some((field) => field.toLocaleLowerCase().includes(needle));
}

const newestFirst = (a: Review, b: Review): number => b.openedAt.localeCompare(a.openedAt);

const updatedFirst = (a: Review, b: Review): number =>
  Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function queueOrder(a: Review, b: Review): number {
  if (isOpen(a) !== isOpen(b)) return isOpen(a) ? -1 : 1;
  return isOpen(a)
    ? Date.parse(a.dueAt) - Date.parse(b.dueAt)
    : Date.parse(b.closedAt ?? b.updatedAt) - Date.parse(a.closedAt ?? a.updatedAt);
}

const orders: Record<ReviewOrder, (a: Review, b: Review) => number> = {
  queue: queueOrder,
  newest: newestFirst,
  updated: updatedFirst,
};

/**
 * The one query every reader of reviews goes through: the tab's queue, the bot's `pending` and
 * `status`, and GET /api/v1/reviews. Read-only: it never calls Planner or PhotoShelter.
 */
export async function findReviews(
  deps: FindReviewsDeps,
  viewer: { readonly id: string } | undefined,
  query: ReviewQuery,
  now: Date,
): Promise<FoundReviews> {
  const { statuses } = query;
  const stored = await deps.reviews.list({
    ...(statuses === undefined ? {} : { statuses }),
    limit: SCAN_LIMIT,
  });
  const all = stored
    .map((s) => s.review)
    .filter((r) =>
      statuses === undefined ? r.status !== 'superseded' : statuses.includes(r.status),
    );
  const counts = {
    open: all.filter((r) => matchesView(r, 'open', now)).length,
    pending: all.filter((r) => matchesView(r, 'pending', now)).length,
    overdue: all.filter((r) => matchesView(r, 'overdue', now)).length,
    decided: all.filter((r) => matchesView(r, 'decided', now)).length,
  };
  const text = query.text?.trim() ?? '';
  const matched = all
    .filter((r) => matchesView(r, query.view, now))
    .filter((r) => text === '' || matchesText(r, text))
    .filter(
      (r) =>
        query.mine !== true ||
        (viewer !== undefined && r.reviewers.some((x) => x.id === viewer.id)),
    )
    .sort(orders[query.order ?? 'queue']);
  return { reviews: matched.slice(0, Math.max(0, query.limit)), matched: matched.length, counts };
}

/**
 * The tab's review queue: open reviews first (most overdue on top), then decided ones, newest
 * first. Never calls Planner or PhotoShelter, so the tab stays fast and cannot be throttled.
 */
export async function reviewQueue(
  deps: ReviewQueueDeps,
  viewer: { readonly id: string },
  filter: QueueFilter,
  now: Date,
): Promise<ReviewQueue> {
  const { reviews: chosen, counts } = await findReviews(deps, viewer, filter, now);
  return {
    items: chosen.map((review) => ({
      ...reviewHeadline(review),
      overdue: isOverdue(review, now),
      thumbnails: review.assets
        .slice(-MAX_THUMBNAILS)
        .flatMap((a) =>
          a.thumbnailUrl === undefined
            ? []
            : [{ assetId: a.assetId, fileName: a.fileName, url: a.thumbnailUrl }],
        ),
      taskUrl:
        review.planner.taskId === undefined
          ? undefined
          : deps.taskUrl({ taskId: review.planner.taskId, planId: review.planner.planId }),
      approval: review.approval,
      votes: votes(review),
      viewerIsReviewer: review.reviewers.some((r) => r.id === viewer.id),
      dueAt: review.dueAt,
      openedAt: review.openedAt,
      closedAt: review.closedAt,
    })),
    counts,
    generatedAt: now.toISOString(),
  };
}
