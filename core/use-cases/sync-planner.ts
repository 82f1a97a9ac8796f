import type { DecisionVerb, Review } from '../model/review.js';
import type { TaskBoard, TaskState } from '../ports/task-board.js';
import type { ReviewStore } from '../ports/review-store.js';
import { type DecideReviewDeps, decideReview } from './decide-review.js';

export interface SyncPlannerDeps extends DecideReviewDeps {
  readonly board: TaskBoard;
  readonly reviews: ReviewStore;
}

export interface SyncPlannerResult {
  readonly plans: number;
  readonly reviewsChecked: number;
  readonly decided: readonly { readonly reviewId: string; readonly verb: DecisionVerb }[];
}

const MAX_OPEN_REVIEWS = 2_000;

/**
 * The `syncPlanner` timer: Planner v1.0 has no change notifications, so open reviews' tasks are
 * read per plan, and a completed task or one in a decision bucket becomes that decision.
 */
export async function syncPlanner(deps: SyncPlannerDeps): Promise<SyncPlannerResult> {
  const open = await deps.reviews.list({
    statuses: ['pending', 'rereview'],
    limit: MAX_OPEN_REVIEWS,
  });
  const byPlan = new Map<string, Review[]>();
  for (const { review } of open) {
    if (review.planner.taskId === undefined) continue;
    byPlan.set(review.route.planId, [...(byPlan.get(review.route.planId) ?? []), review]);
  }

  const decided: { reviewId: string; verb: DecisionVerb }[] = [];
  let reviewsChecked = 0;
  for (const [planId, reviews] of byPlan) {
    const tasks = new Map((await deps.board.listPlanTasks(planId)).map((t) => [t.taskId, t]));
    for (const review of reviews) {
      reviewsChecked += 1;
      const task = tasks.get(review.planner.taskId ?? '');
      if (task === undefined) continue;
      const verb = await verbFromTask(deps.board, review, task);
      if (verb === undefined) continue;
      const result = await decideReview(deps, review.id, {
        reviewerId: task.completedBy ?? 'planner',
        verb,
        source: 'planner',
        comment:
          verb === 'rereview'
            ? `Moved to "${review.route.buckets.rereview}" in Planner`
            : undefined,
      });
      if (result.kind === 'decided') decided.push({ reviewId: review.id, verb });
    }
  }
  deps.logger.info('planner synced', {
    plans: byPlan.size,
    reviewsChecked,
    decided: decided.length,
  });
  return { plans: byPlan.size, reviewsChecked, decided };
}

async function verbFromTask(
  board: TaskBoard,
  review: Review,
  task: TaskState,
): Promise<DecisionVerb | undefined> {
  const { buckets, planId } = review.route;
  // Only looked up, never made: a bucket nobody created cannot hold the task.
  if (task.bucketId !== review.planner.bucketId) {
    if (task.bucketId === (await board.findBucket(planId, buckets.archived))) return 'archive';
    if (task.bucketId === (await board.findBucket(planId, buckets.approved))) return 'approve';
    if (
      review.status === 'pending' &&
      task.bucketId === (await board.findBucket(planId, buckets.rereview))
    ) {
      return 'rereview';
    }
  }
  return task.percentComplete === 100 ? 'approve' : undefined;
}
