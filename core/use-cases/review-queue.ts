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

export interface ReviewQueueDeps {
  readonly reviews: Pick<ReviewStore, 'list'>;
  readonly taskUrl: (task: { readonly taskId: string; readonly planId: string }) => string;
}

const maxThumbnails = 4;
/** Open and closed reviews are read in one pass; the tab shows recent history, not the archive. */
const scanLimit = 500;

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
  return [review.galleryName, review.rule, ...review.reviewers.map((r) => r.name)].some((field) =>
    field.toLocaleLowerCase().includes(needle),
  );
}

/**
 * The review queue a person sees in the tab: open reviews first (most overdue on top), then decided
 * ones, newest first. Read-only: it never calls Planner or PhotoShelter, so the tab stays fast and
 * cannot be throttled by either.
 */
export async function reviewQueue(
  deps: ReviewQueueDeps,
  viewer: { readonly id: string },
  filter: QueueFilter,
  now: Date,
): Promise<ReviewQueue> {
  const stored = await deps.reviews.list({ limit: scanLimit });
  const all = stored.map((s) => s.review).filter((r) => r.status !== 'superseded');
  const counts = {
    open: all.filter((r) => matchesView(r, 'open', now)).length,
    pending: all.filter((r) => matchesView(r, 'pending', now)).length,
    overdue: all.filter((r) => matchesView(r, 'overdue', now)).length,
    decided: all.filter((r) => matchesView(r, 'decided', now)).length,
  };
  const text = filter.text?.trim() ?? '';
  const chosen = all
    .filter((r) => matchesView(r, filter.view, now))
    .filter((r) => text === '' || matchesText(r, text))
    .filter((r) => filter.mine !== true || r.reviewers.some((x) => x.id === viewer.id))
    .sort((a, b) => {
      if (isOpen(a) !== isOpen(b)) return isOpen(a) ? -1 : 1;
      return isOpen(a)
        ? Date.parse(a.dueAt) - Date.parse(b.dueAt)
        : Date.parse(b.closedAt ?? b.updatedAt) - Date.parse(a.closedAt ?? a.updatedAt);
    })
    .slice(0, filter.limit);
  return {
    items: chosen.map((review) => ({
      ...reviewHeadline(review),
      overdue: isOverdue(review, now),
      thumbnails: review.assets
        .slice(-maxThumbnails)
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
