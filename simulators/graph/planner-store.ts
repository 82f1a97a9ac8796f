import { type EtagKind, formatEtag, ifMatchAccepts } from './etag.js';
import { SimError } from '../kit/errors.js';
import type { SeededRandom } from '../kit/random.js';
import { limitExceeded, plannerBadRequest, plannerNotFound } from './graph-error.js';
import { appendOrderHint, ordinal, requireOrderHint, resolveOrderHint } from './order-hint.js';
import {
  isAnnotation,
  type JsonObject,
  readDateTime,
  readOnlyProperty,
  requireBoolean,
  requireCategoryKey,
  requireGuidKey,
  requireInt,
  requireObject,
  requireODataType,
  requireReferenceKey,
  requireString,
  unknownProperty,
} from './planner-validation.js';
import { guid, plannerId } from './planner-ids.js';

// The simulated tenant: directory users and Planner plans, buckets, tasks and their details, with
// the validation, limits and ETags the Planner pages describe. Routes call it; it knows no HTTP
// beyond the errors it throws.

/** Service limits (planner-overview.md "403 Forbidden"; values from the Planner limits page). */
export interface PlannerLimits {
  readonly checklistItemsPerTask: number;
  readonly referencesPerTask: number;
  readonly assigneesPerTask: number;
  readonly tasksPerPlan: number;
  readonly activeTasksPerPlan: number;
  readonly bucketsPerPlan: number;
}

export const DEFAULT_LIMITS: PlannerLimits = {
  checklistItemsPerTask: 20,
  referencesPerTask: 10,
  assigneesPerTask: 20,
  tasksPerPlan: 9000,
  // [INF] The older limits page says 2,400, the newer 3,000; the lower one catches more.
  activeTasksPerPlan: 2400,
  bucketsPerPlan: 200,
};

export interface DirectoryUser {
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
  readonly mail: string;
  readonly givenName: string | null;
  readonly surname: string | null;
  readonly jobTitle: string | null;
}

interface IdentityRef {
  readonly displayName: string | null;
  readonly id: string | null;
}
export type IdentitySet = Readonly<Record<string, IdentityRef>>;

interface PlanRecord {
  readonly id: string;
  readonly title: string;
  readonly owner: string;
  readonly createdDateTime: string;
  readonly createdBy: IdentitySet;
  version: number;
  details: {
    categoryDescriptions: Record<string, string | null>;
    sharedWith: Record<string, boolean>;
    version: number;
  };
}

interface BucketRecord {
  readonly id: string;
  readonly planId: string;
  name: string;
  orderHint: string;
  version: number;
}

interface AssignmentRecord {
  readonly assignedBy: IdentitySet;
  readonly assignedDateTime: string;
  orderHint: string;
}

interface ReferenceRecord {
  alias: string | null;
  type: string | null;
  previewPriority: string;
  lastModifiedBy: IdentitySet;
  lastModifiedDateTime: string;
}

interface ChecklistRecord {
  title: string;
  isChecked: boolean;
  orderHint: string;
  lastModifiedBy: IdentitySet;
  lastModifiedDateTime: string;
}

interface TaskDetailsRecord {
  description: string;
  previewType: string;
  references: Record<string, ReferenceRecord>;
  checklist: Record<string, ChecklistRecord>;
  version: number;
}

interface TaskRecord {
  readonly id: string;
  readonly planId: string;
  readonly createdDateTime: string;
  readonly createdBy: IdentitySet;
  bucketId: string | null;
  title: string;
  orderHint: string;
  assigneePriority: string;
  percentComplete: number;
  priority: number;
  startDateTime: string | null;
  dueDateTime: string | null;
  completedDateTime: string | null;
  completedBy: IdentitySet | null;
  conversationThreadId: string | null;
  previewType: string;
  appliedCategories: Record<string, true>;
  assignments: Record<string, AssignmentRecord>;
  version: number;
  details: TaskDetailsRecord;
}

export interface PlannerStoreOptions {
  readonly now: () => Date;
  readonly random: SeededRandom;
  readonly limits: PlannerLimits;
  /** The app the bearer tokens stand for (identity sets of writes made through Graph). */
  readonly appId: string;
  /** [INF] Off by default: a details write leaves the task's ETag alone (see README). */
  readonly detailsWriteBumpsTaskEtag: boolean;
}

/** Who makes a write: the app (Graph calls) or a person (the console's "someone in Planner"). */
export type Actor = { readonly kind: 'app' } | { readonly kind: 'user'; readonly userId: string };

const PREVIEW_TYPES = ['automatic', 'noPreview', 'checklist', 'description', 'reference'];

// resources/plannerexternalreference.md lists PowerPoint, Word, Excel, Other; the Planner apps
// also write these. [INF] Anything else is refused.
const REFERENCE_TYPES = [
  'PowerPoint',
  'Word',
  'Excel',
  'Other',
  'Pdf',
  'OneNote',
  'OneNoteSection',
  'Visio',
  'Project',
  'TeamsHostedApp',
];

const TASK_READ_ONLY = new Set([
  'id',
  'createdDateTime',
  'createdBy',
  'completedDateTime',
  'completedBy',
  'hasDescription',
  'referenceCount',
  'checklistItemCount',
  'activeChecklistItemCount',
]);

/** What the store holds, as plain data: the simulator's state file. */
export interface PlannerSnapshot {
  readonly users: readonly DirectoryUser[];
  readonly plans: readonly PlanRecord[];
  readonly buckets: readonly BucketRecord[];
  readonly tasks: readonly TaskRecord[];
  readonly version: number;
  /** The id generator's state, so ids made after a restart never repeat earlier ones. */
  readonly random: number;
}

export class PlannerStore {
  private readonly users = new Map<string, DirectoryUser>();
  private readonly plans = new Map<string, PlanRecord>();
  private readonly buckets = new Map<string, BucketRecord>();
  private readonly tasks = new Map<string, TaskRecord>();
  private version = 0;
  limits: PlannerLimits;

  constructor(private readonly options: PlannerStoreOptions) {
    this.limits = options.limits;
  }

  snapshot(): PlannerSnapshot {
    return {
      users: [...this.users.values()],
      plans: [...this.plans.values()],
      buckets: [...this.buckets.values()],
      tasks: [...this.tasks.values()],
      version: this.version,
      random: this.options.random.state,
    };
  }

  /** Replaces everything with what `snapshot` gave (a restart on the same state file). */
  restore(saved: PlannerSnapshot): void {
    const refill = <T extends { readonly id: string }>(
      map: Map<string, T>,
      items: readonly T[],
    ) => {
      map.clear();
      for (const item of items) map.set(item.id, item);
    };
    refill(this.users, saved.users);
    refill(this.plans, saved.plans);
    refill(this.buckets, saved.buckets);
    refill(this.tasks, saved.tasks);
    this.version = saved.version;
    this.options.random.state = saved.random;
  }

  // ---- directory ------------------------------------------------------------------------------

  addUser(input: {
    displayName: string;
    userPrincipalName: string;
    id?: string;
    mail?: string;
    jobTitle?: string | null;
  }): DirectoryUser {
    if (this.findUser(input.userPrincipalName) !== undefined) {
      throw new SimError(
        400,
        'Request_BadRequest',
        `Another object with the same value for property userPrincipalName already exists.`,
      );
    }
    const [given, ...rest] = input.displayName.split(' ');
    const user: DirectoryUser = {
      id: (input.id ?? guid(this.options.random)).toLowerCase(),
      displayName: input.displayName,
      userPrincipalName: input.userPrincipalName,
      mail: input.mail ?? input.userPrincipalName,
      givenName: given === undefined || given === '' ? null : given,
      surname: rest.length === 0 ? null : rest.join(' '),
      jobTitle: input.jobTitle ?? null,
    };
    this.users.set(user.id, user);
    return user;
  }

  /** By object id or userPrincipalName, both case-insensitive as in Entra. */
  findUser(idOrUpn: string): DirectoryUser | undefined {
    const key = idOrUpn.toLowerCase();
    return (
      this.users.get(key) ??
      [...this.users.values()].find((u) => u.userPrincipalName.toLowerCase() === key)
    );
  }

  listUsers(): DirectoryUser[] {
    return [...this.users.values()];
  }

  // ---- plans and buckets ----------------------------------------------------------------------

  createPlan(input: { title: string; owner?: string; buckets?: readonly string[] }): {
    planId: string;
    bucketIds: string[];
  } {
    const now = this.isoNow();
    const plan: PlanRecord = {
      id: plannerId(this.options.random),
      title: input.title,
      owner: input.owner ?? guid(this.options.random),
      createdDateTime: now,
      createdBy: this.identity({ kind: 'app' }),
      version: this.bump(),
      details: { categoryDescriptions: {}, sharedWith: {}, version: this.bump() },
    };
    this.plans.set(plan.id, plan);
    const bucketIds = (input.buckets ?? []).map((name) => this.addBucket(plan.id, name).id);
    return { planId: plan.id, bucketIds };
  }

  getPlan(planId: string): PlanRecord {
    const plan = this.plans.get(planId);
    if (plan === undefined) throw plannerNotFound();
    return plan;
  }

  planIds(): string[] {
    return [...this.plans.keys()];
  }

  patchPlanDetails(planId: string, ifMatch: string | undefined, body: unknown): void {
    const plan = this.getPlan(planId);
    this.checkIfMatch(ifMatch, this.etagOf('PlanDetails', plan.details.version));
    const patch = requireObject(body, 'The plannerPlanDetails body');
    const categories = { ...plan.details.categoryDescriptions };
    const sharedWith = { ...plan.details.sharedWith };
    for (const [key, value] of Object.entries(patch)) {
      if (isAnnotation(key)) continue;
      if (key === 'categoryDescriptions') {
        for (const [category, text] of Object.entries(requireObject(value, key))) {
          if (isAnnotation(category)) continue;
          requireCategoryKey(category, key);
          if (text === null) delete categories[category];
          else categories[category] = requireString(text, `${key}.${category}`);
        }
      } else if (key === 'sharedWith') {
        for (const [userId, shared] of Object.entries(requireObject(value, key))) {
          if (isAnnotation(userId)) continue;
          requireGuidKey(userId, key);
          if (requireBoolean(shared, `${key}.${userId}`)) sharedWith[userId] = true;
          else delete sharedWith[userId];
        }
      } else if (key === 'id') {
        throw readOnlyProperty(key, 'plannerPlanDetails');
      } else {
        throw unknownProperty(key, 'plannerPlanDetails');
      }
    }
    plan.details = { categoryDescriptions: categories, sharedWith, version: this.bump() };
  }

  listBuckets(planId: string): BucketRecord[] {
    this.getPlan(planId);
    return [...this.buckets.values()]
      .filter((b) => b.planId === planId)
      .sort((a, b) => ordinal(a.orderHint, b.orderHint));
  }

  getBucket(bucketId: string): BucketRecord {
    const bucket = this.buckets.get(bucketId);
    if (bucket === undefined) throw plannerNotFound();
    return bucket;
  }

  createBucket(body: unknown): BucketRecord {
    const input = requireObject(body, 'The plannerBucket body');
    let name: string | undefined;
    let planId: string | undefined;
    let orderHint: string | undefined;
    for (const [key, value] of Object.entries(input)) {
      if (isAnnotation(key)) continue;
      if (key === 'name') name = requireString(value, key);
      else if (key === 'planId') planId = requireString(value, key);
      else if (key === 'orderHint') orderHint = requireOrderHint(value, key);
      else if (key === 'id') throw readOnlyProperty(key, 'plannerBucket');
      else throw unknownProperty(key, 'plannerBucket');
    }
    if (name === undefined || name.trim() === '') throw plannerBadRequest(`'name' is required.`);
    if (planId === undefined) throw plannerBadRequest(`'planId' is required.`);
    return this.addBucket(this.getPlan(planId).id, name, orderHint);
  }

  private addBucket(planId: string, name: string, orderHint?: string): BucketRecord {
    const siblings = [...this.buckets.values()].filter((b) => b.planId === planId);
    if (siblings.length >= this.limits.bucketsPerPlan) {
      throw limitExceeded(
        'MaximumBucketsInProject',
        `The plan already has ${siblings.length} buckets, the most allowed.`,
      );
    }
    const hints = siblings.map((b) => b.orderHint);
    const bucket: BucketRecord = {
      id: plannerId(this.options.random),
      planId,
      name,
      orderHint:
        orderHint === undefined ? appendOrderHint(hints) : resolveOrderHint(orderHint, hints),
      version: this.bump(),
    };
    this.buckets.set(bucket.id, bucket);
    return bucket;
  }

  // ---- tasks ----------------------------------------------------------------------------------

  listTasks(planId: string): TaskRecord[] {
    this.getPlan(planId);
    // [INF] Creation order: Graph documents no order for this list; a stable one keeps paging sane.
    return [...this.tasks.values()].filter((t) => t.planId === planId);
  }

  getTask(taskId: string): TaskRecord {
    const task = this.tasks.get(taskId);
    if (task === undefined) throw plannerNotFound();
    return task;
  }

  createTask(body: unknown, actor: Actor = { kind: 'app' }): TaskRecord {
    const input = requireObject(body, 'The plannerTask body');
    const planValue = input['planId'];
    if (planValue === undefined) throw plannerBadRequest(`'planId' is required.`);
    // api/planner-post-tasks.md: "planId property must be set to an existing plannerPlan".
    // [INF] An unknown plan is a 404, like every other missing Planner item here.
    const plan = this.getPlan(requireString(planValue, 'planId'));
    const inPlan = [...this.tasks.values()].filter((t) => t.planId === plan.id);
    if (inPlan.length >= this.limits.tasksPerPlan) {
      throw limitExceeded(
        'MaximumTasksInProject',
        `The plan already has ${inPlan.length} tasks, the most allowed.`,
      );
    }
    const now = this.isoNow();
    const draft: TaskRecord = {
      id: plannerId(this.options.random),
      planId: plan.id,
      createdDateTime: now,
      createdBy: this.identity(actor),
      bucketId: null,
      title: '',
      orderHint: appendOrderHint(inPlan.map((t) => t.orderHint)),
      assigneePriority: '',
      percentComplete: 0,
      priority: 5,
      startDateTime: null,
      dueDateTime: null,
      completedDateTime: null,
      completedBy: null,
      conversationThreadId: null,
      previewType: 'automatic',
      appliedCategories: {},
      assignments: {},
      version: 0,
      details: {
        description: '',
        previewType: 'automatic',
        references: {},
        checklist: {},
        version: this.bump(),
      },
    };
    const withoutPlan = Object.fromEntries(
      Object.entries(input).filter(([key]) => key !== 'planId'),
    );
    if (!('title' in withoutPlan)) throw plannerBadRequest(`'title' is required.`);
    this.applyTaskPatch(draft, withoutPlan, actor, inPlan);
    this.checkActiveLimit(plan.id, draft, undefined);
    draft.version = this.bump();
    this.tasks.set(draft.id, draft);
    return draft;
  }

  patchTask(
    taskId: string,
    ifMatch: string | undefined,
    body: unknown,
    actor: Actor = { kind: 'app' },
  ): TaskRecord {
    const task = this.getTask(taskId);
    this.checkIfMatch(ifMatch, this.taskEtag(task));
    const input = requireObject(body, 'The plannerTask body');
    if ('planId' in input && input['planId'] !== task.planId) {
      // [INF] Moving a task to another plan is not modelled; Planner has no documented way to.
      throw plannerBadRequest(`'planId' cannot be changed.`);
    }
    const draft = cloneTask(task);
    const rest = Object.fromEntries(Object.entries(input).filter(([key]) => key !== 'planId'));
    const siblings = [...this.tasks.values()].filter(
      (t) => t.planId === task.planId && t.id !== task.id,
    );
    this.applyTaskPatch(draft, rest, actor, siblings);
    this.checkActiveLimit(task.planId, draft, task);
    draft.version = this.bump();
    this.tasks.set(task.id, draft);
    return draft;
  }

  deleteTask(taskId: string, ifMatch: string | undefined): void {
    const task = this.getTask(taskId);
    this.checkIfMatch(ifMatch, this.taskEtag(task));
    this.tasks.delete(taskId);
  }

  patchTaskDetails(
    taskId: string,
    ifMatch: string | undefined,
    body: unknown,
    actor: Actor = { kind: 'app' },
  ): TaskRecord {
    const task = this.getTask(taskId);
    this.checkIfMatch(ifMatch, this.etagOf('TaskDetails', task.details.version));
    const input = requireObject(body, 'The plannerTaskDetails body');
    const now = this.isoNow();
    const by = this.identity(actor);
    const details: TaskDetailsRecord = {
      ...task.details,
      references: { ...task.details.references },
      checklist: { ...task.details.checklist },
    };
    for (const [key, value] of Object.entries(input)) {
      if (isAnnotation(key)) continue;
      switch (key) {
        case 'description':
          details.description = value === null ? '' : requireString(value, key);
          break;
        case 'previewType':
          details.previewType = requirePreviewType(value);
          break;
        case 'references':
          this.applyReferences(details, requireObject(value, key), by, now);
          break;
        case 'checklist':
          this.applyChecklist(details, requireObject(value, key), by, now);
          break;
        case 'id':
          throw readOnlyProperty(key, 'plannerTaskDetails');
        default:
          throw unknownProperty(key, 'plannerTaskDetails');
      }
    }
    if (Object.keys(details.references).length > this.limits.referencesPerTask) {
      throw limitExceeded(
        'MaximumReferencesOnTask',
        `A task can have at most ${this.limits.referencesPerTask} references.`,
      );
    }
    if (Object.keys(details.checklist).length > this.limits.checklistItemsPerTask) {
      throw limitExceeded(
        'MaximumChecklistItemsOnTask',
        `A task can have at most ${this.limits.checklistItemsPerTask} checklist items.`,
      );
    }
    details.version = this.bump();
    task.details = details;
    if (this.options.detailsWriteBumpsTaskEtag) task.version = this.bump();
    return task;
  }

  // ---- ETags ----------------------------------------------------------------------------------

  taskEtag(task: TaskRecord): string {
    return this.etagOf('Task', task.version);
  }

  etagOf(kind: EtagKind, version: number): string {
    return formatEtag(kind, version);
  }

  /**
   * PATCH and DELETE require If-Match (planner-overview.md "Planner resource versioning"). [INF]
   * Without one: 400; the docs mark it Required but say no more.
   */
  private checkIfMatch(ifMatch: string | undefined, current: string): void {
    if (ifMatch === undefined || ifMatch.trim() === '') {
      throw plannerBadRequest('The If-Match header must be specified for this kind of request.');
    }
    if (!ifMatchAccepts(ifMatch, current)) {
      throw new SimError(
        412,
        'PreconditionFailed',
        'The If-Match header does not match the current version of the resource; read it again.',
      );
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  private applyTaskPatch(
    task: TaskRecord,
    input: JsonObject,
    actor: Actor,
    siblings: readonly TaskRecord[],
  ): void {
    for (const [key, value] of Object.entries(input)) {
      if (isAnnotation(key)) continue;
      switch (key) {
        case 'title':
          task.title = requireString(value, key);
          break;
        case 'bucketId':
          task.bucketId = value === null ? null : this.requireBucketInPlan(value, task.planId);
          break;
        case 'orderHint':
          task.orderHint = resolveOrderHint(
            requireOrderHint(value, key),
            siblings.map((t) => t.orderHint),
          );
          break;
        case 'assigneePriority':
          task.assigneePriority = resolveOrderHint(requireOrderHint(value, key), []);
          break;
        case 'priority':
          task.priority = requireInt(value, key, 0, 10);
          break;
        case 'percentComplete':
          task.percentComplete = requireInt(value, key, 0, 100);
          break;
        case 'startDateTime':
          task.startDateTime = readDateTime(value, key);
          break;
        case 'dueDateTime':
          task.dueDateTime = readDateTime(value, key);
          break;
        case 'conversationThreadId':
          task.conversationThreadId = value === null ? null : requireString(value, key);
          break;
        case 'previewType':
          task.previewType = requirePreviewType(value);
          break;
        case 'appliedCategories':
          this.applyCategories(task, requireObject(value, key));
          break;
        case 'assignments':
          this.applyAssignments(task, requireObject(value, key), actor);
          break;
        default:
          if (TASK_READ_ONLY.has(key)) throw readOnlyProperty(key, 'plannerTask');
          throw unknownProperty(key, 'plannerTask');
      }
    }
    if (
      task.startDateTime !== null &&
      task.dueDateTime !== null &&
      Date.parse(task.startDateTime) > Date.parse(task.dueDateTime)
    ) {
      // planner-overview.md: "start date of task is later than due date" is a 400.
      throw plannerBadRequest(
        `'startDateTime' (${task.startDateTime}) is later than 'dueDateTime' (${task.dueDateTime}).`,
      );
    }
    // resources/plannertask.md: completedDateTime is when percentComplete was set to 100.
    // [INF] Dropping below 100 clears it again.
    if (task.percentComplete === 100 && task.completedDateTime === null) {
      task.completedDateTime = this.isoNow();
      task.completedBy = this.identity(actor);
    } else if (task.percentComplete < 100) {
      task.completedDateTime = null;
      task.completedBy = null;
    }
  }

  private requireBucketInPlan(value: unknown, planId: string): string {
    const bucketId = requireString(value, 'bucketId');
    const bucket = this.buckets.get(bucketId);
    // resources/plannertask.md: "The bucket needs to be in the plan that the task is in."
    // [INF] An unknown bucket, or one of another plan, is a 400 (the request is inconsistent).
    if (bucket === undefined || bucket.planId !== planId) {
      throw plannerBadRequest(`Bucket '${bucketId}' is not a bucket of plan '${planId}'.`);
    }
    return bucketId;
  }

  // The v1.0 plannerAppliedCategories page says category1..6, the plan-details pages 25.
  // [INF] 1..25 are accepted.
  private applyCategories(task: TaskRecord, input: JsonObject): void {
    const next = { ...task.appliedCategories };
    for (const [key, value] of Object.entries(input)) {
      if (isAnnotation(key)) continue;
      requireCategoryKey(key, 'appliedCategories');
      if (requireBoolean(value, `appliedCategories.${key}`)) next[key] = true;
      else delete next[key];
    }
    task.appliedCategories = next;
  }

  private applyAssignments(task: TaskRecord, input: JsonObject, actor: Actor): void {
    const next = { ...task.assignments };
    for (const [userId, value] of Object.entries(input)) {
      if (isAnnotation(userId)) continue;
      // planner-overview.md "Tasks": the user id is the name of the open property. [INF] It must
      // be a GUID (so a UPN is caught), but need not be a user the simulator knows.
      requireGuidKey(userId, 'assignments');
      const property = `assignments.${userId}`;
      if (value === null) {
        delete next[userId];
        continue;
      }
      const assignment = requireObject(value, property);
      requireODataType(assignment, property, ['microsoft.graph.plannerAssignment']);
      // [INF] Only orderHint may be written; echoing assignedBy/assignedDateTime back is a 400.
      for (const key of Object.keys(assignment)) {
        if (key !== 'orderHint' && !isAnnotation(key)) {
          throw unknownProperty(`${property}.${key}`, 'plannerAssignment');
        }
      }
      // "the orderHint property on the assignment must be specified" (planner-overview.md).
      const hint = resolveOrderHint(requireOrderHint(assignment['orderHint'], property), []);
      const existing = next[userId];
      next[userId] =
        existing === undefined
          ? { assignedBy: this.identity(actor), assignedDateTime: this.isoNow(), orderHint: hint }
          : { ...existing, orderHint: hint };
    }
    if (Object.keys(next).length > this.limits.assigneesPerTask) {
      throw limitExceeded(
        'MaximumAssigneesInTasks',
        `A task can have at most ${this.limits.assigneesPerTask} assignees.`,
      );
    }
    task.assignments = next;
  }

  private applyReferences(
    details: TaskDetailsRecord,
    input: JsonObject,
    by: IdentitySet,
    now: string,
  ): void {
    const siblings = () => Object.values(details.references).map((r) => r.previewPriority);
    for (const [rawKey, value] of Object.entries(input)) {
      if (isAnnotation(rawKey)) continue;
      const key = requireReferenceKey(rawKey);
      if (value === null) {
        delete details.references[key];
        continue;
      }
      const property = `references.${key}`;
      const reference = requireObject(value, property);
      // Docs spell the type both ways (plannerexternalreferences.md vs plannertaskdetails-update.md).
      requireODataType(reference, property, [
        'microsoft.graph.plannerExternalReference',
        'microsoft.graph.externalReference',
      ]);
      const existing = details.references[key];
      const next: ReferenceRecord = existing
        ? { ...existing, lastModifiedBy: by, lastModifiedDateTime: now }
        : {
            // [INF] A new reference may omit alias and type (they stay null) and previewPriority
            // (the service appends it after the others).
            alias: null,
            type: null,
            previewPriority: appendOrderHint(siblings()),
            lastModifiedBy: by,
            lastModifiedDateTime: now,
          };
      for (const [field, fieldValue] of Object.entries(reference)) {
        if (isAnnotation(field)) continue;
        if (field === 'alias') {
          next.alias = fieldValue === null ? null : requireString(fieldValue, `${property}.alias`);
        } else if (field === 'type') {
          next.type = fieldValue === null ? null : requireReferenceType(fieldValue, property);
        } else if (field === 'previewPriority') {
          next.previewPriority = resolveOrderHint(
            requireOrderHint(fieldValue, `${property}.previewPriority`),
            siblings(),
          );
        } else if (field === 'lastModifiedBy' || field === 'lastModifiedDateTime') {
          throw readOnlyProperty(field, 'plannerExternalReference');
        } else {
          throw unknownProperty(field, 'plannerExternalReference');
        }
      }
      details.references[key] = next;
    }
  }

  private applyChecklist(
    details: TaskDetailsRecord,
    input: JsonObject,
    by: IdentitySet,
    now: string,
  ): void {
    const siblings = () => Object.values(details.checklist).map((c) => c.orderHint);
    for (const [itemId, value] of Object.entries(input)) {
      if (isAnnotation(itemId)) continue;
      // plannerchecklistitems.md: the keys are GUIDs the client makes up.
      requireGuidKey(itemId, 'checklist');
      if (value === null) {
        delete details.checklist[itemId];
        continue;
      }
      const property = `checklist.${itemId}`;
      const item = requireObject(value, property);
      requireODataType(item, property, ['microsoft.graph.plannerChecklistItem']);
      const existing = details.checklist[itemId];
      if (existing === undefined && typeof item['title'] !== 'string') {
        // [INF] A new item needs a title; an existing one may be patched without.
        throw plannerBadRequest(`'${property}.title' is required for a new checklist item.`);
      }
      const next: ChecklistRecord = existing
        ? { ...existing, lastModifiedBy: by, lastModifiedDateTime: now }
        : {
            title: '',
            isChecked: false,
            orderHint: appendOrderHint(siblings()),
            lastModifiedBy: by,
            lastModifiedDateTime: now,
          };
      for (const [field, fieldValue] of Object.entries(item)) {
        if (isAnnotation(field)) continue;
        if (field === 'title') next.title = requireString(fieldValue, `${property}.title`);
        else if (field === 'isChecked') {
          next.isChecked = requireBoolean(fieldValue, `${property}.isChecked`);
        } else if (field === 'orderHint') {
          next.orderHint = resolveOrderHint(
            requireOrderHint(fieldValue, `${property}.orderHint`),
            siblings(),
          );
        } else if (field === 'lastModifiedBy' || field === 'lastModifiedDateTime') {
          throw readOnlyProperty(field, 'plannerChecklistItem');
        } else {
          throw unknownProperty(field, 'plannerChecklistItem');
        }
      }
      details.checklist[itemId] = next;
    }
  }

  private checkActiveLimit(
    planId: string,
    draft: TaskRecord,
    before: TaskRecord | undefined,
  ): void {
    const becomesActive =
      draft.percentComplete < 100 && (before === undefined || before.percentComplete === 100);
    if (!becomesActive) return;
    const active = [...this.tasks.values()].filter(
      (t) => t.planId === planId && t.percentComplete < 100,
    ).length;
    if (active >= this.limits.activeTasksPerPlan) {
      throw limitExceeded(
        'MaximumActiveTasksInProject',
        `The plan already has ${active} tasks that are not complete, the most allowed.`,
      );
    }
  }

  /**
   * [INF] Graph calls act as the app (Lightdesk uses app-only tokens), which Graph reports as an
   * identity set with an `application` and a `user` whose id is null.
   */
  identity(actor: Actor): IdentitySet {
    if (actor.kind === 'user') {
      const user = this.users.get(actor.userId.toLowerCase());
      return { user: { displayName: user?.displayName ?? null, id: actor.userId } };
    }
    return {
      user: { displayName: null, id: null },
      application: { displayName: null, id: this.options.appId },
    };
  }

  private bump(): number {
    this.version += 1;
    return this.version;
  }

  private isoNow(): string {
    return this.options.now().toISOString();
  }
}

function cloneTask(task: TaskRecord): TaskRecord {
  return {
    ...task,
    appliedCategories: { ...task.appliedCategories },
    assignments: { ...task.assignments },
  };
}

function requirePreviewType(value: unknown): string {
  if (typeof value === 'string' && PREVIEW_TYPES.includes(value)) return value;
  throw plannerBadRequest(`'previewType' must be one of ${PREVIEW_TYPES.join(', ')}.`);
}

function requireReferenceType(value: unknown, property: string): string {
  if (typeof value === 'string' && REFERENCE_TYPES.includes(value)) return value;
  throw plannerBadRequest(`'${property}.type' must be one of ${REFERENCE_TYPES.join(', ')}.`);
}

export type { BucketRecord, PlanRecord, TaskRecord };
