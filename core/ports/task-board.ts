/** A Planner task as Lightdesk needs to see it. `version` is the task's opaque ETag. */
export interface TaskState {
  readonly taskId: string;
  readonly planId: string;
  readonly bucketId: string;
  readonly title: string;
  readonly percentComplete: number;
  readonly completedAt: string | undefined;
  /** Entra object id of whoever completed the task, when the service says. */
  readonly completedBy: string | undefined;
  readonly version: string;
}

export interface NewTask {
  readonly planId: string;
  readonly bucketId: string;
  readonly title: string;
  /** Entra object ids. */
  readonly assigneeIds: readonly string[];
  readonly dueAt: string;
  /** 0 (urgent) … 10 (low), as Planner counts. */
  readonly priority: number;
  /** Planner labels, `category1` … `category25`. */
  readonly labels: readonly string[];
}

export interface TaskDetails {
  readonly description: string;
  /** Stable ids let a later write update an item instead of adding a twin. */
  readonly checklist: readonly {
    readonly id: string;
    readonly title: string;
    readonly isChecked: boolean;
  }[];
  readonly references: readonly { readonly url: string; readonly alias: string }[];
}

export type DetailsOutcome =
  | { readonly kind: 'written' }
  /** The service refused part of it (a limit); what was dropped is named, the rest was written. */
  | { readonly kind: 'degraded'; readonly dropped: readonly string[] };

export interface TaskChange {
  readonly bucketId?: string;
  readonly percentComplete?: number;
  readonly title?: string;
  readonly dueAt?: string;
  readonly assigneeIds?: readonly string[];
}

/**
 * The task board (Microsoft Planner in production). Concurrency (ETags) and throttling are the
 * connector's business: an update re-reads and re-applies on a version conflict.
 */
export interface TaskBoard {
  /** The id of the bucket with this name in the plan, creating it when missing. */
  ensureBucket(planId: string, name: string): Promise<string>;
  /** The id of the bucket with this name in the plan; undefined when there is none (nothing made). */
  findBucket(planId: string, name: string): Promise<string | undefined>;
  createTask(task: NewTask): Promise<TaskState>;
  /**
   * Finds the task a crashed create made, to adopt it: the plan's task with this title whose
   * details carry this reference URL, else the oldest with blank details (a lost create never got
   * details).
   */
  findTaskByReference(planId: string, url: string, title: string): Promise<TaskState | undefined>;
  setDetails(taskId: string, details: TaskDetails): Promise<DetailsOutcome>;
  updateTask(taskId: string, change: TaskChange): Promise<TaskState>;
  getTask(taskId: string): Promise<TaskState>;
  listPlanTasks(planId: string): Promise<readonly TaskState[]>;
  /** Where a person opens the task. */
  taskUrl(task: { readonly taskId: string; readonly planId: string }): string;
}
