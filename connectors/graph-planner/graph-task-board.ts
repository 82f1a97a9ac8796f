import type { LRUCache } from 'lru-cache';

import { ConflictError, ValidationError } from '../../core/errors.js';
import type { Logger } from '../../core/ports/logger.js';
import type {
  DetailsOutcome,
  NewTask,
  TaskBoard,
  TaskChange,
  TaskDetails,
  TaskState,
} from '../../core/ports/task-board.js';
import { ttlCache } from '../http/ttl-cache.js';
import { PlannerLimitError } from './errors.js';
import { type GraphConnectorOptions, GraphTransport } from './graph-transport.js';
import {
  assignmentsPatch,
  checklistPatch,
  encodeReferenceKey,
  ORDER_HINT_FIRST,
  overflowSummary,
  referencesPatch,
  toNewTaskBody,
  toTaskState,
} from './mappers.js';
import {
  type PlannerTask,
  type PlannerTaskDetails,
  type BucketPage,
  bucketPageSchema,
  plannerBucketSchema,
  plannerTaskDetailsSchema,
  plannerTaskSchema,
  type TaskPage,
  taskPageSchema,
} from './wire.js';

export interface GraphTaskBoardOptions extends GraphConnectorOptions {
  /**
   * Tenant id (or domain) added to task links as `?tid=`, so a person signed in to several tenants
   * lands in the right one. Composition passes AZURE_TENANT_ID.
   */
  readonly tenantId?: string;
  /** Reads and writes in all when an ETag goes stale under us (409/412); default 4. */
  readonly maxConflictAttempts?: number;
}

/**
 * The published per-task limits (https://learn.microsoft.com/office365/planner/planner-limits),
 * used only to guess how much of an overflow still fits; the service's 403 is what counts.
 */
const PUBLISHED_LIMITS = { checklistItems: 20, references: 10 } as const;

/** Bound on `@odata.nextLink` pages: 9,000 tasks per plan is far below it at any page size. */
const MAX_PAGES = 1000;

const CHECKLIST_LIMIT = 'MaximumChecklistItemsOnTask';
const REFERENCES_LIMIT = 'MaximumReferencesOnTask';

/** How much of the caller's checklist or references a details write still carries. */
type Keep = 'all' | 'fit' | 'existing' | 'none';
const NEXT_KEEP: Record<Keep, Keep> = {
  all: 'fit',
  fit: 'existing',
  existing: 'none',
  none: 'none',
};

const enc = (id: string): string => encodeURIComponent(id);

/** How long bucket ids are remembered (see `buckets`). */
const BUCKET_CACHE_MS = 10 * 60_000;
/** Plans whose buckets are remembered; Lightdesk routes to a handful. */
const MAX_CACHED_PLANS = 100;

/**
 * TaskBoard over Planner (https://learn.microsoft.com/graph/api/resources/planner-overview): every
 * PATCH carries If-Match with what was just read; 409/412 means read again and re-apply.
 */
export class GraphTaskBoard implements TaskBoard {
  private readonly http: GraphTransport;
  private readonly log: Logger;
  private readonly maxConflictAttempts: number;
  /**
   * planId → bucket name → bucket id, as last read, for ten minutes: people rename and delete buckets
   * in Planner, and a remembered id of a deleted bucket would fail every move to it until a restart.
   */
  private readonly buckets: LRUCache<string, Map<string, string>>;
  /** One lookup-or-create per plan and name at a time, so concurrent callers make one bucket. */
  private readonly bucketsInFlight = new Map<string, Promise<string>>();

  constructor(private readonly options: GraphTaskBoardOptions) {
    // The caller names the logger (composition passes `logger.child('graph.planner')`).
    this.log = options.logger;
    this.http = new GraphTransport(options);
    this.buckets = ttlCache({
      ttlMs: BUCKET_CACHE_MS,
      max: MAX_CACHED_PLANS,
      clock: options.clock,
    });
    this.maxConflictAttempts = Math.max(1, options.maxConflictAttempts ?? 4);
  }

  async ensureBucket(planId: string, name: string): Promise<string> {
    const cached = this.buckets.get(planId)?.get(name);
    if (cached !== undefined) return cached;
    const key = JSON.stringify([planId, name]);
    let pending = this.bucketsInFlight.get(key);
    if (pending === undefined) {
      pending = this.findOrCreateBucket(planId, name).finally(() => {
        this.bucketsInFlight.delete(key);
      });
      this.bucketsInFlight.set(key, pending);
    }
    return pending;
  }

  async createTask(task: NewTask): Promise<TaskState> {
    const created = await this.http.call(
      {
        method: 'POST',
        path: '/planner/tasks',
        endpoint: 'POST /planner/tasks',
        body: toNewTaskBody(task),
        resource: { what: 'Planner plan', id: task.planId },
      },
      plannerTaskSchema,
    );
    this.log.info('planner task created', { taskId: created.id, planId: created.planId });
    return toTaskState(created);
  }

  /**
   * The plan's tasks with this title whose details carry the encoded reference. [INF] Else the
   * oldest same-titled task with blank details, taken as a create whose answer was lost.
   */
  async findTaskByReference(
    planId: string,
    url: string,
    title: string,
  ): Promise<TaskState | undefined> {
    const candidates = (await this.listTasks(planId)).filter((task) => task.title === title);
    if (candidates.length === 0) return undefined;
    const key = encodeReferenceKey(url);
    const answers = await this.http.batchGet(
      candidates.map((task, i) => ({
        id: String(i + 1),
        path: `/planner/tasks/${enc(task.id)}/details`,
        endpoint: 'GET /planner/tasks/:id/details',
        resource: { what: 'Planner task', id: task.id },
      })),
    );
    const blank: PlannerTask[] = [];
    for (const [i, task] of candidates.entries()) {
      const answer = answers.get(String(i + 1));
      if (answer === undefined || answer.status === 404) continue; // deleted since the listing
      if (answer.status < 200 || answer.status >= 300) {
        throw this.http.toError(answer, answer.read);
      }
      const details = this.http.parse(answer.body, plannerTaskDetailsSchema, answer.read.endpoint);
      if (Object.hasOwn(details.references ?? {}, key)) return toTaskState(task);
      if (isBlank(details)) blank.push(task);
    }
    const oldest = blank.sort((a, b) =>
      (a.createdDateTime ?? '').localeCompare(b.createdDateTime ?? ''),
    )[0];
    return oldest === undefined ? undefined : toTaskState(oldest);
  }

  async setDetails(taskId: string, details: TaskDetails): Promise<DetailsOutcome> {
    return this.withConflictRetry('PATCH /planner/tasks/:id/details', taskId, async () => {
      const current = await this.readDetails(taskId);
      return this.writeDetails(taskId, current, details);
    });
  }

  async updateTask(taskId: string, change: TaskChange): Promise<TaskState> {
    return this.withConflictRetry('PATCH /planner/tasks/:id', taskId, async () => {
      const current = await this.readTask(taskId);
      const patch = taskPatch(current, change);
      if (patch === undefined) return toTaskState(current);
      const answer = await this.http.send({
        method: 'PATCH',
        path: `/planner/tasks/${enc(taskId)}`,
        endpoint: 'PATCH /planner/tasks/:id',
        body: patch,
        // The new ETag comes only with the representation; Graph may still answer 204 without it
        // (https://learn.microsoft.com/graph/api/plannertask-update), so read it back then.
        headers: { 'If-Match': current['@odata.etag'], Prefer: 'return=representation' },
        resource: { what: 'Planner task', id: taskId },
      });
      if (answer.status === 200 && answer.body !== undefined) {
        return toTaskState(
          this.http.parse(answer.body, plannerTaskSchema, 'PATCH /planner/tasks/:id'),
        );
      }
      return toTaskState(await this.readTask(taskId));
    });
  }

  async getTask(taskId: string): Promise<TaskState> {
    return toTaskState(await this.readTask(taskId));
  }

  async listPlanTasks(planId: string): Promise<readonly TaskState[]> {
    return (await this.listTasks(planId)).map(toTaskState);
  }

  /**
   * [INF] The new Planner web app's task link (planner.cloud.microsoft, which tasks.office.com links
   * now redirect to); it names the plan, so it opens the board with the task on top.
   */
  taskUrl(task: { readonly taskId: string; readonly planId: string }): string {
    const url = new URL(
      `https://planner.cloud.microsoft/webui/plan/${enc(task.planId)}/view/board/task/${enc(task.taskId)}`,
    );
    if (this.options.tenantId !== undefined) url.searchParams.set('tid', this.options.tenantId);
    return url.toString();
  }

  // -------------------------------------------------------------------------------------------------

  private async readTask(taskId: string): Promise<PlannerTask> {
    return this.http.call(
      {
        method: 'GET',
        path: `/planner/tasks/${enc(taskId)}`,
        endpoint: 'GET /planner/tasks/:id',
        resource: { what: 'Planner task', id: taskId },
      },
      plannerTaskSchema,
    );
  }

  private async readDetails(taskId: string): Promise<PlannerTaskDetails> {
    // The details have their own ETag, not comparable with the task's (planner-overview "ETags").
    return this.http.call(
      {
        method: 'GET',
        path: `/planner/tasks/${enc(taskId)}/details`,
        endpoint: 'GET /planner/tasks/:id/details',
        resource: { what: 'Planner task', id: taskId },
      },
      plannerTaskDetailsSchema,
    );
  }

  private async listTasks(planId: string): Promise<PlannerTask[]> {
    const tasks: PlannerTask[] = [];
    let path: string | undefined = `/planner/plans/${enc(planId)}/tasks`;
    for (let page = 1; path !== undefined; page += 1) {
      if (page > MAX_PAGES) {
        this.log.warn('planner task listing stopped at the page bound', {
          planId,
          pages: MAX_PAGES,
        });
        break;
      }
      const answer: TaskPage = await this.http.call(
        {
          method: 'GET',
          path,
          endpoint: 'GET /planner/plans/:id/tasks',
          resource: { what: 'Planner plan', id: planId },
        },
        taskPageSchema,
      );
      tasks.push(...answer.value);
      const next: string | undefined = answer['@odata.nextLink'];
      path =
        next === undefined
          ? undefined
          : this.http.nextLinkPath(next, 'GET /planner/plans/:id/tasks');
    }
    return tasks;
  }

  async findBucket(planId: string, name: string): Promise<string | undefined> {
    // A miss reads the plan's buckets again: one may have been made in Planner since the last read.
    return this.buckets.get(planId)?.get(name) ?? (await this.readBuckets(planId)).get(name);
  }

  private async findOrCreateBucket(planId: string, name: string): Promise<string> {
    const byName = await this.readBuckets(planId);
    const found = byName.get(name);
    if (found !== undefined) return found;

    // https://learn.microsoft.com/graph/api/planner-post-buckets (its example sends orderHint " !").
    const created = await this.http.call(
      {
        method: 'POST',
        path: '/planner/buckets',
        endpoint: 'POST /planner/buckets',
        body: { name, planId, orderHint: ORDER_HINT_FIRST },
        resource: { what: 'Planner plan', id: planId },
      },
      plannerBucketSchema,
    );
    this.log.info('planner bucket created', { planId, bucketId: created.id, name });
    byName.set(name, created.id);
    return created.id;
  }

  /** Every bucket of the plan by name (remembered for later lookups). */
  private async readBuckets(planId: string): Promise<Map<string, string>> {
    const byName = new Map<string, string>();
    let path: string | undefined = `/planner/plans/${enc(planId)}/buckets`;
    for (let page = 1; path !== undefined && page <= MAX_PAGES; page += 1) {
      const answer: BucketPage = await this.http.call(
        {
          method: 'GET',
          path,
          endpoint: 'GET /planner/plans/:id/buckets',
          resource: { what: 'Planner plan', id: planId },
        },
        bucketPageSchema,
      );
      // Names are not unique in Planner; the first in board order wins, as a person reads the board.
      for (const bucket of answer.value)
        if (!byName.has(bucket.name)) byName.set(bucket.name, bucket.id);
      const next: string | undefined = answer['@odata.nextLink'];
      path =
        next === undefined
          ? undefined
          : this.http.nextLinkPath(next, 'GET /planner/plans/:id/buckets');
    }
    this.buckets.set(planId, byName);
    return byName;
  }

  /**
   * One If-Match PATCH of the details. On a per-task limit 403
   * (https://learn.microsoft.com/graph/api/resources/planner-overview#403-forbidden) it retries with
   * what the limit leaves room for, then only existing items, then none; what was left out is
   * summarised in the description and named in `degraded`.
   */
  private async writeDetails(
    taskId: string,
    current: PlannerTaskDetails,
    details: TaskDetails,
  ): Promise<DetailsOutcome> {
    const keep: { checklist: Keep; references: Keep } = { checklist: 'all', references: 'all' };
    const limits = new Set<string>();
    // A tick someone made in Planner stays: Lightdesk only ever adds ticks (when the review closes).
    details = {
      ...details,
      checklist: details.checklist.map((item) => ({
        ...item,
        isChecked: item.isChecked || current.checklist?.[item.id]?.isChecked === true,
      })),
    };
    for (;;) {
      const checklist = keepChecklist(details.checklist, current, keep.checklist);
      const references = keepReferences(details.references, current, keep.references);
      const droppedChecklist = details.checklist.filter((item) => !checklist.includes(item));
      const droppedReferences = details.references.filter((ref) => !references.includes(ref));
      const summary = overflowSummary(droppedChecklist, droppedReferences);
      const body = {
        description: summary === '' ? details.description : `${details.description}\n\n${summary}`,
        ...(checklist.length === 0 ? {} : { checklist: checklistPatch(checklist) }),
        ...(references.length === 0
          ? {}
          : { references: referencesPatch(references, current.references) }),
      };
      try {
        await this.http.send({
          method: 'PATCH',
          path: `/planner/tasks/${enc(taskId)}/details`,
          endpoint: 'PATCH /planner/tasks/:id/details',
          body,
          headers: { 'If-Match': current['@odata.etag'] },
          resource: { what: 'Planner task', id: taskId },
        });
      } catch (e: unknown) {
        const kind =
          e instanceof PlannerLimitError && e.limit === CHECKLIST_LIMIT
            ? 'checklist'
            : e instanceof PlannerLimitError && e.limit === REFERENCES_LIMIT
              ? 'references'
              : undefined;
        if (kind === undefined || keep[kind] === 'none' || !(e instanceof PlannerLimitError)) {
          throw e;
        }
        limits.add(e.limit);
        keep[kind] = NEXT_KEEP[keep[kind]];
        continue;
      }
      const dropped = [
        ...droppedChecklist.map((item) => `checklist item "${item.title}"`),
        ...droppedReferences.map((ref) => `reference ${ref.url}`),
      ];
      if (dropped.length === 0) return { kind: 'written' };
      this.log.warn('planner task details written without what exceeds a limit', {
        taskId,
        limits: [...limits].join(', '),
        droppedChecklistItems: droppedChecklist.length,
        droppedReferences: droppedReferences.length,
      });
      return { kind: 'degraded', dropped };
    }
  }

  /** Runs read-then-write again while the write loses an ETag race, a bounded number of times. */
  private async withConflictRetry<T>(
    endpoint: string,
    taskId: string,
    attempt: () => Promise<T>,
  ): Promise<T> {
    for (let round = 1; ; round += 1) {
      try {
        return await attempt();
      } catch (e: unknown) {
        if (!(e instanceof ConflictError) || round >= this.maxConflictAttempts) throw e;
        this.log.info('planner item changed underneath us; reading it again', {
          endpoint,
          taskId,
          round,
        });
      }
    }
  }
}

function isBlank(details: PlannerTaskDetails): boolean {
  return (
    (details.description ?? '') === '' &&
    Object.keys(details.checklist ?? {}).length === 0 &&
    Object.keys(details.references ?? {}).length === 0
  );
}

function keepChecklist(
  items: TaskDetails['checklist'],
  current: PlannerTaskDetails,
  keep: Keep,
): TaskDetails['checklist'] {
  const existing = new Set(Object.keys(current.checklist ?? {}));
  return keepSome(
    items,
    (item) => existing.has(item.id),
    existing.size,
    PUBLISHED_LIMITS.checklistItems,
    keep,
  );
}

function keepReferences(
  references: TaskDetails['references'],
  current: PlannerTaskDetails,
  keep: Keep,
): TaskDetails['references'] {
  const existing = new Set(Object.keys(current.references ?? {}));
  return keepSome(
    references,
    (ref) => existing.has(encodeReferenceKey(ref.url)),
    existing.size,
    PUBLISHED_LIMITS.references,
    keep,
  );
}

/**
 * `fit`: every item the task already has, plus as many new ones as the published limit leaves room
 * for (when that is fewer than all of them; else straight to `existing`). `existing`: only updates.
 */
function keepSome<T>(
  items: readonly T[],
  isExisting: (item: T) => boolean,
  existingCount: number,
  limit: number,
  keep: Keep,
): T[] {
  const added = items.filter((item) => !isExisting(item));
  const updated = items.filter(isExisting);
  switch (keep) {
    case 'all':
      return [...items];
    case 'fit': {
      const room = Math.max(0, limit - existingCount);
      if (room < added.length) {
        const admitted = new Set(added.slice(0, room));
        return items.filter((item) => isExisting(item) || admitted.has(item));
      }
      return updated;
    }
    case 'existing':
      return updated;
    case 'none':
      return [];
  }
}

/** Only what differs from the task as just read: a repeated update sends nothing. */
function taskPatch(current: PlannerTask, change: TaskChange): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  if (change.bucketId !== undefined && change.bucketId !== current.bucketId) {
    patch['bucketId'] = change.bucketId;
  }
  if (change.percentComplete !== undefined && change.percentComplete !== current.percentComplete) {
    patch['percentComplete'] = change.percentComplete;
  }
  if (change.title !== undefined && change.title !== current.title) patch['title'] = change.title;
  if (change.dueAt !== undefined) {
    const wanted = toIsoInstant(change.dueAt, 'dueAt');
    const have = current.dueDateTime ?? undefined;
    if (have === undefined || Date.parse(have) !== Date.parse(wanted))
      patch['dueDateTime'] = wanted;
  }
  if (change.assigneeIds !== undefined) {
    const assignments = assignmentsPatch(current.assignments, change.assigneeIds);
    if (assignments !== undefined) patch['assignments'] = assignments;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

function toIsoInstant(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new ValidationError('Not a Planner task change', [
      `${field}: must be an ISO 8601 date-time`,
    ]);
  return new Date(ms).toISOString();
}
