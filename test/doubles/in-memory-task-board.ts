import { NotFoundError, UpstreamError, ValidationError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type {
  DetailsOutcome,
  NewTask,
  TaskBoard,
  TaskChange,
  TaskDetails,
  TaskState,
} from '../../core/ports/task-board.js';

/** A task as the board holds it: what Planner shows a project manager. */
export interface BoardTask extends TaskState {
  readonly bucketName: string;
  readonly assigneeIds: readonly string[];
  readonly dueAt: string;
  readonly priority: number;
  readonly labels: readonly string[];
}

export type TaskBoardMethod =
  | 'ensureBucket'
  | 'findBucket'
  | 'createTask'
  | 'findTaskByReference'
  | 'setDetails'
  | 'updateTask'
  | 'getTask'
  | 'listPlanTasks';

/** One port call: the method and what it was about (a plan, bucket name or task id). */
export interface TaskBoardCall {
  readonly method: TaskBoardMethod;
  readonly subject: string;
}

interface StoredTask {
  readonly taskId: string;
  readonly planId: string;
  bucketId: string;
  title: string;
  assigneeIds: readonly string[];
  dueAt: string;
  priority: number;
  labels: readonly string[];
  percentComplete: number;
  completedAt: string | undefined;
  completedBy: string | undefined;
  version: number;
  details: TaskDetails;
}

interface StoredBucket {
  readonly id: string;
  readonly planId: string;
  readonly name: string;
}

const emptyDetails: TaskDetails = { description: '', checklist: [], references: [] };

/** Planner's published per-task limits (https://learn.microsoft.com/graph/api/resources/planner-overview). */
const PLANNER_CHECKLIST_LIMIT = 20;
const PLANNER_REFERENCE_LIMIT = 10;

/**
 * TaskBoard kept in memory (Planner in production), for unit tests of core use cases. Plans are
 * declared up front (an unknown plan is a NotFoundError, as Graph's 404); buckets are found by name
 * and created when missing; task details start empty, as a new Planner task's do, and `setDetails`
 * replaces them within Planner's limits. Knobs model the failures core must survive, and the `…AsPm`
 * methods are what a project manager does in Planner.
 */
export class InMemoryTaskBoard implements TaskBoard {
  /** Every port call, in order. */
  readonly calls: TaskBoardCall[] = [];
  /**
   * The next createTask creates the task but then throws, as when the connection drops after
   * Planner committed the task and before its answer arrived.
   */
  loseNextCreateResponse = false;
  /** Makes the next createTask throw without creating anything. */
  failNextCreate: Error | undefined;
  /** Makes the next setDetails throw without writing anything. */
  failNextSetDetails: Error | undefined;
  /** Until then every call fails as Graph does in an outage (503), changing nothing. */
  outageUntil: Date | undefined;

  private readonly plans = new Set<string>();
  private readonly buckets: StoredBucket[] = [];
  private readonly stored = new Map<string, StoredTask>();
  private checklistLimit = PLANNER_CHECKLIST_LIMIT;
  private sequence = 0;
  private readonly tenant: string;

  constructor(
    private readonly clock: Clock,
    options: { readonly plans?: readonly string[]; readonly tenant?: string } = {},
  ) {
    for (const planId of options.plans ?? []) this.plans.add(planId);
    this.tenant = options.tenant ?? 'contoso.onmicrosoft.com';
  }

  // -------------------------------------------------------------------------------------------------
  // Control surface: the board as people see and change it

  addPlan(planId: string): void {
    this.plans.add(planId);
  }

  /** Planner refuses checklist items beyond `max` per task (its published limit is 20). */
  limitChecklist(max: number): void {
    this.checklistLimit = max;
  }

  /** Every task, in creation order. */
  tasks(planId?: string): readonly BoardTask[] {
    return [...this.stored.values()]
      .filter((t) => planId === undefined || t.planId === planId)
      .map((t) => this.toBoardTask(t));
  }

  task(taskId: string): BoardTask {
    return this.toBoardTask(this.find(taskId));
  }

  detailsOf(taskId: string): TaskDetails {
    return structuredClone(this.find(taskId).details);
  }

  /** The id of a bucket by name, without creating it. */
  bucketIdOf(planId: string, name: string): string | undefined {
    return this.buckets.find((b) => b.planId === planId && b.name === name)?.id;
  }

  /** Port calls of one method. */
  callsOf(method: TaskBoardMethod): readonly TaskBoardCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** A project manager marks the task complete in Planner. */
  completeAsPm(taskId: string, completedBy: string): void {
    const task = this.find(taskId);
    task.percentComplete = 100;
    task.completedAt = this.clock.now().toISOString();
    task.completedBy = completedBy;
    this.bump(task);
  }

  /** A project manager ticks a checklist item in Planner. */
  tickAsPm(taskId: string, itemId: string): void {
    const task = this.find(taskId);
    task.details = {
      ...task.details,
      checklist: task.details.checklist.map((item) =>
        item.id === itemId ? { ...item, isChecked: true } : item,
      ),
    };
    this.bump(task);
  }

  /** A project manager drags the task to another bucket (created when the plan has none by that name). */
  moveAsPm(taskId: string, bucketName: string): void {
    const task = this.find(taskId);
    task.bucketId = this.bucketFor(task.planId, bucketName).id;
    this.bump(task);
  }

  // -------------------------------------------------------------------------------------------------
  // TaskBoard

  ensureBucket(planId: string, name: string): Promise<string> {
    return this.answer('ensureBucket', `${planId}/${name}`, () => {
      this.plan(planId);
      return this.bucketFor(planId, name).id;
    });
  }

  findBucket(planId: string, name: string): Promise<string | undefined> {
    return this.answer('findBucket', `${planId}/${name}`, () => {
      this.plan(planId);
      return this.buckets.find((b) => b.planId === planId && b.name === name)?.id;
    });
  }

  createTask(task: NewTask): Promise<TaskState> {
    return this.answer('createTask', task.planId, () => {
      if (this.failNextCreate !== undefined) {
        const failure = this.failNextCreate;
        this.failNextCreate = undefined;
        throw failure;
      }
      this.plan(task.planId);
      this.bucketInPlan(task.planId, task.bucketId);
      if (task.title.trim() === '' || task.title.length > 255) {
        throw new ValidationError('Planner refused the task', ['title: 1 to 255 characters']);
      }
      if (task.priority < 0 || task.priority > 10 || !Number.isInteger(task.priority)) {
        throw new ValidationError('Planner refused the task', ['priority: 0 to 10']);
      }
      this.sequence += 1;
      const stored: StoredTask = {
        taskId: `task-${String(this.sequence).padStart(23, '0')}`,
        planId: task.planId,
        bucketId: task.bucketId,
        title: task.title,
        assigneeIds: [...task.assigneeIds],
        dueAt: task.dueAt,
        priority: task.priority,
        labels: [...task.labels],
        percentComplete: 0,
        completedAt: undefined,
        completedBy: undefined,
        version: 0,
        details: structuredClone(emptyDetails),
      };
      this.bump(stored);
      this.stored.set(stored.taskId, stored);
      if (this.loseNextCreateResponse) {
        this.loseNextCreateResponse = false;
        throw new UpstreamError('planner', 'the connection closed before the answer arrived', {
          status: 504,
        });
      }
      return this.toState(stored);
    });
  }

  findTaskByReference(planId: string, url: string, title: string): Promise<TaskState | undefined> {
    return this.answer('findTaskByReference', planId, () => {
      this.plan(planId);
      // As GraphTaskBoard: among the plan's tasks with this title, the one whose details carry the
      // reference; else the oldest with blank details (a create whose answer was lost never got them).
      const candidates = [...this.stored.values()].filter(
        (t) => t.planId === planId && t.title === title,
      );
      const found =
        candidates.find((t) => t.details.references.some((r) => r.url === url)) ??
        candidates.find(
          (t) =>
            t.details.description === '' &&
            t.details.checklist.length === 0 &&
            t.details.references.length === 0,
        );
      return found === undefined ? undefined : this.toState(found);
    });
  }

  setDetails(taskId: string, details: TaskDetails): Promise<DetailsOutcome> {
    return this.answer('setDetails', taskId, () => {
      if (this.failNextSetDetails !== undefined) {
        const failure = this.failNextSetDetails;
        this.failNextSetDetails = undefined;
        throw failure;
      }
      const task = this.find(taskId);
      const ids = new Set(details.checklist.map((item) => item.id));
      if (ids.size !== details.checklist.length) {
        throw new ValidationError('Planner refused the details', ['checklist: duplicate ids']);
      }
      // As the Graph connector: a tick made in Planner survives a rewrite.
      const ticked = new Set(
        task.details.checklist.filter((item) => item.isChecked).map((item) => item.id),
      );
      const kept = details.checklist
        .slice(0, this.checklistLimit)
        .map((item) => ({ ...item, isChecked: item.isChecked || ticked.has(item.id) }));
      const dropped = details.checklist.slice(this.checklistLimit).map((item) => item.title);
      const references = details.references.slice(0, PLANNER_REFERENCE_LIMIT);
      dropped.push(...details.references.slice(PLANNER_REFERENCE_LIMIT).map((r) => r.url));
      task.details = structuredClone({ ...details, checklist: kept, references });
      return dropped.length === 0 ? { kind: 'written' } : { kind: 'degraded', dropped };
    });
  }

  updateTask(taskId: string, change: TaskChange): Promise<TaskState> {
    return this.answer('updateTask', taskId, () => {
      const task = this.find(taskId);
      if (change.bucketId !== undefined) {
        this.bucketInPlan(task.planId, change.bucketId);
        task.bucketId = change.bucketId;
      }
      if (change.title !== undefined) task.title = change.title;
      if (change.dueAt !== undefined) task.dueAt = change.dueAt;
      if (change.assigneeIds !== undefined) task.assigneeIds = [...change.assigneeIds];
      if (change.percentComplete !== undefined) {
        const wasComplete = task.percentComplete === 100;
        task.percentComplete = change.percentComplete;
        if (change.percentComplete < 100) {
          task.completedAt = undefined;
          task.completedBy = undefined;
        } else if (!wasComplete) {
          // Completed by the app itself: Planner names no user.
          task.completedAt = this.clock.now().toISOString();
          task.completedBy = undefined;
        }
      }
      this.bump(task);
      return this.toState(task);
    });
  }

  getTask(taskId: string): Promise<TaskState> {
    return this.answer('getTask', taskId, () => this.toState(this.find(taskId)));
  }

  listPlanTasks(planId: string): Promise<readonly TaskState[]> {
    return this.answer('listPlanTasks', planId, () => {
      this.plan(planId);
      return [...this.stored.values()]
        .filter((t) => t.planId === planId)
        .map((t) => this.toState(t));
    });
  }

  taskUrl(task: { readonly taskId: string; readonly planId: string }): string {
    return `https://tasks.office.com/${this.tenant}/Home/Task/${encodeURIComponent(task.taskId)}`;
  }

  // -------------------------------------------------------------------------------------------------

  private answer<T>(method: TaskBoardMethod, subject: string, work: () => T): Promise<T> {
    this.calls.push({ method, subject });
    if (this.outageUntil !== undefined && this.clock.now() < this.outageUntil) {
      return Promise.reject(new UpstreamError('planner', `${method}: 503`, { status: 503 }));
    }
    try {
      return Promise.resolve(work());
    } catch (e: unknown) {
      return Promise.reject(e instanceof Error ? e : new ValidationError(String(e)));
    }
  }

  private plan(planId: string): void {
    if (!this.plans.has(planId)) throw new NotFoundError('Plan', planId);
  }

  private bucketFor(planId: string, name: string): StoredBucket {
    const existing = this.buckets.find((b) => b.planId === planId && b.name === name);
    if (existing !== undefined) return existing;
    this.sequence += 1;
    const bucket = { id: `bucket-${String(this.sequence).padStart(21, '0')}`, planId, name };
    this.buckets.push(bucket);
    return bucket;
  }

  private bucketInPlan(planId: string, bucketId: string): StoredBucket {
    const bucket = this.buckets.find((b) => b.id === bucketId && b.planId === planId);
    if (bucket === undefined) throw new NotFoundError('Bucket', bucketId);
    return bucket;
  }

  private find(taskId: string): StoredTask {
    const task = this.stored.get(taskId);
    if (task === undefined) throw new NotFoundError('Task', taskId);
    return task;
  }

  private bump(task: StoredTask): void {
    this.sequence += 1;
    task.version = this.sequence;
  }

  private toState(task: StoredTask): TaskState {
    return {
      taskId: task.taskId,
      planId: task.planId,
      bucketId: task.bucketId,
      title: task.title,
      percentComplete: task.percentComplete,
      completedAt: task.completedAt,
      completedBy: task.completedBy,
      version: `W/"task-${task.version}"`,
    };
  }

  private toBoardTask(task: StoredTask): BoardTask {
    return {
      ...this.toState(task),
      bucketName: this.bucketInPlan(task.planId, task.bucketId).name,
      assigneeIds: [...task.assigneeIds],
      dueAt: task.dueAt,
      priority: task.priority,
      labels: [...task.labels],
    };
  }
}
