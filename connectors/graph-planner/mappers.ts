import type {
  PlannerAssignment,
  PlannerChecklistItem,
  PlannerExternalReference,
  PlannerTask as GraphPlannerTask,
} from '@microsoft/microsoft-graph-types';

import { ValidationError } from '../../core/errors.js';
import { guidPattern } from '../../core/model/ids.js';
import type { Reviewer } from '../../core/model/review.js';
import type { NewTask, TaskDetails, TaskState } from '../../core/ports/task-board.js';
import type { GraphUser, PlannerTask, PlannerTaskDetails } from './wire.js';

// Wire ↔ domain. Request bodies are typed with @microsoft/microsoft-graph-types, plus the
// `@odata.type` every open-type value needs (planner-overview "400 Bad request").

type Typed<T> = T & { readonly '@odata.type': string };

/**
 * "Insert at the start": with no neighbours `<previous> <next>!` is `" !"`, as the create examples
 * send.
 * https://learn.microsoft.com/graph/api/resources/planner-order-hint-format
 */
export const ORDER_HINT_FIRST = ' !';

/** Planner's label names, `category1` … `category25` (resources/plannerappliedcategories). */
const CATEGORY = /^category([1-9]|1\d|2[0-5])$/;

/** Planner ids of assignees must be Entra object ids; a UPN there is a 400. */

/**
 * A reference is keyed by its URL with `.`, `:`, `%`, `@`, `#` encoded (`/` stays).
 * https://learn.microsoft.com/graph/api/resources/plannerexternalreferences
 * `%` goes first so later escapes are not re-escaped [INF: only this order fits the docs' example].
 */
export function encodeReferenceKey(url: string): string {
  return url
    .replaceAll('%', '%25')
    .replaceAll('.', '%2E')
    .replaceAll(':', '%3A')
    .replaceAll('@', '%40')
    .replaceAll('#', '%23');
}

/** The URL a reference key stands for: the inverse of encodeReferenceKey, `%25` last. */
export function decodeReferenceKey(key: string): string {
  return key
    .replace(/%2E/gi, '.')
    .replace(/%3A/gi, ':')
    .replace(/%40/gi, '@')
    .replace(/%23/gi, '#')
    .replace(/%25/g, '%');
}

/** Graph timestamps come with or without fractions; the rest of Lightdesk compares ISO `…sssZ`. */
function toIso(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

export function toTaskState(task: PlannerTask): TaskState {
  return {
    taskId: task.id,
    planId: task.planId,
    bucketId: task.bucketId ?? '',
    title: task.title,
    percentComplete: task.percentComplete,
    completedAt: toIso(task.completedDateTime),
    // app-only writes leave `user` null; only a person completing it in Planner names someone.
    completedBy: task.completedBy?.user?.id ?? undefined,
    version: task['@odata.etag'],
  };
}

export function toReviewer(user: GraphUser): Reviewer {
  const upn = user.userPrincipalName ?? user.mail ?? '';
  return { id: user.id, name: user.displayName ?? upn, upn };
}

function checkAssignees(ids: readonly string[]): void {
  const issues = ids.flatMap((id, i) =>
    guidPattern.test(id) ? [] : [`assigneeIds[${i}]: not a GUID`],
  );
  if (issues.length > 0) {
    throw new ValidationError('Planner assignees must be Entra object ids', issues);
  }
}

function assignment(): Typed<PlannerAssignment> {
  return { '@odata.type': '#microsoft.graph.plannerAssignment', orderHint: ORDER_HINT_FIRST };
}

type NewTaskBody = Pick<GraphPlannerTask, 'planId' | 'bucketId' | 'title' | 'priority'> & {
  readonly dueDateTime: string;
  readonly assignments: Record<string, Typed<PlannerAssignment>>;
  readonly appliedCategories: Record<string, boolean>;
};

/** POST /planner/tasks (https://learn.microsoft.com/graph/api/planner-post-tasks). */
export function toNewTaskBody(task: NewTask): NewTaskBody {
  const issues: string[] = [];
  task.labels.forEach((label, i) => {
    if (!CATEGORY.test(label)) issues.push(`labels[${i}]: must be category1 … category25`);
  });
  if (!Number.isInteger(task.priority) || task.priority < 0 || task.priority > 10) {
    issues.push('priority: must be a whole number from 0 to 10');
  }
  if (Number.isNaN(Date.parse(task.dueAt))) issues.push('dueAt: must be an ISO 8601 date-time');
  if (issues.length > 0) throw new ValidationError('Not a Planner task', issues);
  checkAssignees(task.assigneeIds);
  return {
    planId: task.planId,
    bucketId: task.bucketId,
    title: task.title,
    dueDateTime: new Date(Date.parse(task.dueAt)).toISOString(),
    priority: task.priority,
    assignments: Object.fromEntries(task.assigneeIds.map((id) => [id, assignment()])),
    appliedCategories: Object.fromEntries(task.labels.map((label) => [label, true])),
  };
}

/** Adds who is missing, removes (null) who is no longer wanted, leaves the rest untouched. */
export function assignmentsPatch(
  current: PlannerTask['assignments'],
  wanted: readonly string[],
): Record<string, Typed<PlannerAssignment> | null> | undefined {
  checkAssignees(wanted);
  const have = new Set(Object.keys(current ?? {}).filter((key) => !key.startsWith('@')));
  const want = new Set(wanted);
  const patch: Record<string, Typed<PlannerAssignment> | null> = {};
  for (const id of want) if (!have.has(id)) patch[id] = assignment();
  for (const id of have) if (!want.has(id)) patch[id] = null;
  return Object.keys(patch).length === 0 ? undefined : patch;
}

export type ChecklistPatch = Record<string, Typed<PlannerChecklistItem>>;
export type ReferencesPatch = Record<string, Typed<PlannerExternalReference>>;

/** Checklist items keyed by the caller's stable ids (GUIDs, as Planner requires). */
export function checklistPatch(items: TaskDetails['checklist']): ChecklistPatch {
  const bad = items.filter((item) => !guidPattern.test(item.id));
  if (bad.length > 0) {
    throw new ValidationError(
      'Planner checklist item ids must be GUIDs',
      bad.map((item) => `checklist.${item.id}: not a GUID`),
    );
  }
  return Object.fromEntries(
    items.map((item) => [
      item.id,
      {
        '@odata.type': '#microsoft.graph.plannerChecklistItem',
        title: item.title,
        isChecked: item.isChecked,
      },
    ]),
  );
}

/**
 * References keyed by their encoded URL. A new one gets type Other and goes first in the preview
 * order; an existing one keeps its place (sending previewPriority again would move it every write).
 */
export function referencesPatch(
  references: TaskDetails['references'],
  existing: PlannerTaskDetails['references'],
): ReferencesPatch {
  const have = new Set(Object.keys(existing ?? {}));
  return Object.fromEntries(
    references.map((reference) => {
      const key = encodeReferenceKey(reference.url);
      const value: Typed<PlannerExternalReference> = {
        '@odata.type': '#microsoft.graph.plannerExternalReference',
        alias: reference.alias,
        type: 'Other',
        ...(have.has(key) ? {} : { previewPriority: ORDER_HINT_FIRST }),
      };
      return [key, value];
    }),
  );
}

/** What Planner could not hold, written into the description instead so nobody loses it. */
export function overflowSummary(
  checklist: TaskDetails['checklist'],
  references: TaskDetails['references'],
): string {
  const lines: string[] = [];
  if (checklist.length > 0) {
    lines.push('Checklist (more items than Planner allows on a task):');
    for (const item of checklist) lines.push(`${item.isChecked ? '[x]' : '[ ]'} ${item.title}`);
  }
  if (references.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push('Links (more than Planner allows on a task):');
    for (const reference of references) lines.push(`${reference.alias}: ${reference.url}`);
  }
  return lines.join('\n');
}
