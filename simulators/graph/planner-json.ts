import type {
  BucketRecord,
  DirectoryUser,
  PlannerStore,
  PlanRecord,
  TaskRecord,
} from './planner-store.js';

// Wire shapes, as the Planner and user pages show them (resources/plannertask.md,
// plannertaskdetails.md, plannerplan.md, plannerbucket.md, plannerplandetails.md; api/user-get.md).

export type JsonBody = Record<string, unknown>;

const context = (graphUrl: string, fragment: string): string => `${graphUrl}/$metadata#${fragment}`;

export function planJson(store: PlannerStore, plan: PlanRecord, graphUrl?: string): JsonBody {
  return {
    ...(graphUrl === undefined
      ? {}
      : { '@odata.context': context(graphUrl, 'planner/plans/$entity') }),
    '@odata.etag': store.etagOf('Plan', plan.version),
    createdDateTime: plan.createdDateTime,
    owner: plan.owner,
    title: plan.title,
    id: plan.id,
    createdBy: plan.createdBy,
    container: {
      '@odata.type': 'microsoft.graph.plannerPlanContainer',
      containerId: plan.owner,
      type: 'group',
      url: `https://graph.microsoft.com/v1.0/groups/${plan.owner}`,
    },
  };
}

export function planDetailsJson(
  store: PlannerStore,
  plan: PlanRecord,
  graphUrl?: string,
): JsonBody {
  // [INF] Every category from 1 to 25 is listed, null when it has no description (the
  // plannerplandetails-get.md example lists unset ones as null).
  const categoryDescriptions: Record<string, string | null> = {};
  for (let n = 1; n <= 25; n += 1) {
    categoryDescriptions[`category${n}`] =
      plan.details.categoryDescriptions[`category${n}`] ?? null;
  }
  return {
    ...(graphUrl === undefined
      ? {}
      : { '@odata.context': context(graphUrl, 'planner/plans/details/$entity') }),
    '@odata.etag': store.etagOf('PlanDetails', plan.details.version),
    sharedWith: { ...plan.details.sharedWith },
    categoryDescriptions,
    id: plan.id,
  };
}

export function bucketJson(store: PlannerStore, bucket: BucketRecord, graphUrl?: string): JsonBody {
  return {
    ...(graphUrl === undefined
      ? {}
      : { '@odata.context': context(graphUrl, 'planner/buckets/$entity') }),
    '@odata.etag': store.etagOf('Bucket', bucket.version),
    name: bucket.name,
    planId: bucket.planId,
    orderHint: bucket.orderHint,
    id: bucket.id,
  };
}

export function taskDetailsJson(
  store: PlannerStore,
  task: TaskRecord,
  graphUrl?: string,
): JsonBody {
  const { details } = task;
  return {
    ...(graphUrl === undefined
      ? {}
      : { '@odata.context': context(graphUrl, 'planner/tasks/details/$entity') }),
    '@odata.etag': store.etagOf('TaskDetails', details.version),
    description: details.description,
    previewType: details.previewType,
    id: task.id,
    // Keys stay exactly as the client encoded them (resources/plannerexternalreferences.md).
    references: Object.fromEntries(
      Object.entries(details.references).map(([key, ref]) => [
        key,
        {
          '@odata.type': '#microsoft.graph.plannerExternalReference',
          alias: ref.alias,
          type: ref.type,
          previewPriority: ref.previewPriority,
          lastModifiedBy: ref.lastModifiedBy,
          lastModifiedDateTime: ref.lastModifiedDateTime,
        },
      ]),
    ),
    checklist: Object.fromEntries(
      Object.entries(details.checklist).map(([key, item]) => [
        key,
        {
          '@odata.type': '#microsoft.graph.plannerChecklistItem',
          isChecked: item.isChecked,
          title: item.title,
          orderHint: item.orderHint,
          lastModifiedBy: item.lastModifiedBy,
          lastModifiedDateTime: item.lastModifiedDateTime,
        },
      ]),
    ),
  };
}

export function taskJson(
  store: PlannerStore,
  task: TaskRecord,
  options: { graphUrl?: string; expandDetails?: boolean } = {},
): JsonBody {
  const checklist = Object.values(task.details.checklist);
  return {
    ...(options.graphUrl === undefined
      ? {}
      : { '@odata.context': context(options.graphUrl, 'planner/tasks/$entity') }),
    '@odata.etag': store.taskEtag(task),
    planId: task.planId,
    bucketId: task.bucketId,
    title: task.title,
    orderHint: task.orderHint,
    assigneePriority: task.assigneePriority,
    percentComplete: task.percentComplete,
    priority: task.priority,
    startDateTime: task.startDateTime,
    createdDateTime: task.createdDateTime,
    dueDateTime: task.dueDateTime,
    hasDescription: task.details.description !== '',
    previewType: task.previewType,
    completedDateTime: task.completedDateTime,
    completedBy: task.completedBy,
    referenceCount: Object.keys(task.details.references).length,
    checklistItemCount: checklist.length,
    activeChecklistItemCount: checklist.filter((item) => !item.isChecked).length,
    conversationThreadId: task.conversationThreadId,
    id: task.id,
    createdBy: task.createdBy,
    appliedCategories: { ...task.appliedCategories },
    assignments: Object.fromEntries(
      Object.entries(task.assignments).map(([userId, a]) => [
        userId,
        {
          '@odata.type': '#microsoft.graph.plannerAssignment',
          assignedDateTime: a.assignedDateTime,
          orderHint: a.orderHint,
          assignedBy: a.assignedBy,
        },
      ]),
    ),
    ...(options.expandDetails === true ? { details: taskDetailsJson(store, task) } : {}),
  };
}

export function userJson(user: DirectoryUser, graphUrl?: string): JsonBody {
  return {
    ...(graphUrl === undefined ? {} : { '@odata.context': context(graphUrl, 'users/$entity') }),
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    mail: user.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    id: user.id,
  };
}

/** `$select`: the named properties, plus the annotations and `id` Graph always returns. */
export function selectProperties(body: JsonBody, select: string | null): JsonBody {
  if (select === null || select.trim() === '') return body;
  const wanted = new Set(select.split(',').map((s) => s.trim()));
  return Object.fromEntries(
    Object.entries(body).filter(
      ([key]) => key.startsWith('@odata.') || key === 'id' || wanted.has(key),
    ),
  );
}
