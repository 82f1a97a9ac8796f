import { z } from 'zod';

import { GraphError } from './graph-error.js';
import {
  planDetailsJson,
  planJson,
  bucketJson,
  taskJson,
  taskDetailsJson,
  userJson,
} from './planner-json.js';
import type { PlannerLimits, PlannerStore } from './planner-store.js';
import type { GraphSeed } from './seed.js';
import {
  type CallCounts,
  faultSchema,
  type FaultSpec,
  type PendingFault,
  type ThrottleSettings,
} from './traffic.js';

// `/_sim/…`: not Graph's. The console's Planner board, the local host and the tests use these to
// set up plans and people, look at the whole state, and switch failure modes. JSON in and out, no
// auth, CORS open (the server adds the headers).

export interface ControlHost {
  readonly store: PlannerStore;
  readonly seeded: GraphSeed;
  reset(seed?: number): GraphSeed;
  addFaults(specs: readonly FaultSpec[]): PendingFault[];
  pendingFaults(): PendingFault[];
  clearFaults(): void;
  callCounts(): CallCounts;
  resetCalls(): void;
  setThrottle(settings: ThrottleSettings | null): void;
  readonly throttle: ThrottleSettings | null;
  pageSize: number;
}

export interface ControlAnswer {
  readonly status: number;
  readonly body?: unknown;
}

export interface ControlRoute {
  readonly method: string;
  readonly template: string;
  readonly handler: (body: unknown, params: Readonly<Record<string, string>>) => ControlAnswer;
}

const planInput = z.object({
  title: z.string().min(1),
  owner: z.string().optional(),
  buckets: z.array(z.string().min(1)).optional(),
});

const userInput = z.object({
  displayName: z.string().min(1),
  userPrincipalName: z.string().includes('@'),
  id: z.uuid().optional(),
  mail: z.string().optional(),
  jobTitle: z.string().nullable().optional(),
});

const throttleInput = z.object({
  requestsPerSecond: z.number().int().positive().nullable(),
  windowMs: z.number().int().positive().optional(),
});

const settingsInput = z.object({
  pageSize: z.number().int().positive().optional(),
  limits: z
    .object({
      checklistItemsPerTask: z.number().int().nonnegative(),
      referencesPerTask: z.number().int().nonnegative(),
      assigneesPerTask: z.number().int().nonnegative(),
      tasksPerPlan: z.number().int().nonnegative(),
      activeTasksPerPlan: z.number().int().nonnegative(),
      bucketsPerPlan: z.number().int().nonnegative(),
    })
    .partial()
    .optional(),
});

/** A person changing a task in the Planner app (moving it, completing it): no If-Match needed. */
const taskEditInput = z.object({
  bucketId: z.string().optional(),
  percentComplete: z.number().int().min(0).max(100).optional(),
  title: z.string().optional(),
  /** Who does it; default the seeded Megan Bowen (the project manager). */
  byUserId: z.string().optional(),
});

const resetInput = z.object({ seed: z.number().int().optional() }).optional();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new GraphError(400, 'BadRequest', z.prettifyError(result.error));
  return result.data;
}

export function stateSnapshot(store: PlannerStore): unknown {
  return {
    users: store.listUsers().map((u) => userJson(u)),
    plans: store.planIds().map((planId) => {
      const plan = store.getPlan(planId);
      return {
        ...planJson(store, plan),
        details: planDetailsJson(store, plan),
        buckets: store.listBuckets(planId).map((b) => bucketJson(store, b)),
        tasks: store.listTasks(planId).map((t) => ({
          ...taskJson(store, t),
          details: taskDetailsJson(store, t),
        })),
      };
    }),
  };
}

export function controlRoutes(host: ControlHost): ControlRoute[] {
  return [
    {
      method: 'GET',
      template: '/_sim/state',
      handler: () => ({ status: 200, body: stateSnapshot(host.store) }),
    },
    {
      method: 'GET',
      template: '/_sim/seeded',
      handler: () => ({ status: 200, body: host.seeded }),
    },
    {
      method: 'GET',
      template: '/_sim/users',
      handler: () => ({
        status: 200,
        body: { value: host.store.listUsers().map((u) => userJson(u)) },
      }),
    },
    {
      method: 'POST',
      template: '/_sim/users',
      handler: (body) => {
        const input = parse(userInput, body);
        const user = host.store.addUser({
          displayName: input.displayName,
          userPrincipalName: input.userPrincipalName,
          ...(input.id === undefined ? {} : { id: input.id }),
          ...(input.mail === undefined ? {} : { mail: input.mail }),
          ...(input.jobTitle === undefined ? {} : { jobTitle: input.jobTitle }),
        });
        return { status: 201, body: userJson(user) };
      },
    },
    {
      method: 'POST',
      template: '/_sim/plans',
      handler: (body) => {
        const input = parse(planInput, body);
        const { planId } = host.store.createPlan({
          title: input.title,
          ...(input.owner === undefined ? {} : { owner: input.owner }),
          ...(input.buckets === undefined ? {} : { buckets: input.buckets }),
        });
        const plan = host.store.getPlan(planId);
        return {
          status: 201,
          body: {
            ...planJson(host.store, plan),
            buckets: host.store.listBuckets(planId).map((b) => bucketJson(host.store, b)),
          },
        };
      },
    },
    {
      method: 'PATCH',
      template: '/_sim/tasks/:id',
      handler: (body, params) => {
        const input = parse(taskEditInput, body);
        const taskId = params['id'] ?? '';
        const store = host.store;
        const patch: Record<string, unknown> = {};
        if (input.bucketId !== undefined) patch['bucketId'] = input.bucketId;
        if (input.percentComplete !== undefined) patch['percentComplete'] = input.percentComplete;
        if (input.title !== undefined) patch['title'] = input.title;
        const task = store.patchTask(taskId, '*', patch, {
          kind: 'user',
          userId: input.byUserId ?? host.seeded.users.megan.id,
        });
        return { status: 200, body: taskJson(store, task) };
      },
    },
    {
      method: 'POST',
      template: '/_sim/throttle',
      handler: (body) => {
        const input = parse(throttleInput, body);
        host.setThrottle(
          input.requestsPerSecond === null
            ? null
            : {
                requestsPerSecond: input.requestsPerSecond,
                ...(input.windowMs === undefined ? {} : { windowMs: input.windowMs }),
              },
        );
        return { status: 200, body: { throttle: host.throttle } };
      },
    },
    {
      method: 'GET',
      template: '/_sim/faults',
      handler: () => ({ status: 200, body: { faults: host.pendingFaults() } }),
    },
    {
      method: 'POST',
      template: '/_sim/faults',
      handler: (body) => {
        const specs = parse(z.union([faultSchema, z.array(faultSchema)]), body);
        host.addFaults(Array.isArray(specs) ? specs : [specs]);
        return { status: 201, body: { faults: host.pendingFaults() } };
      },
    },
    {
      method: 'DELETE',
      template: '/_sim/faults',
      handler: () => {
        host.clearFaults();
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      template: '/_sim/calls',
      handler: () => ({ status: 200, body: host.callCounts() }),
    },
    {
      method: 'DELETE',
      template: '/_sim/calls',
      handler: () => {
        host.resetCalls();
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      template: '/_sim/settings',
      handler: (body) => {
        const input = parse(settingsInput, body);
        if (input.pageSize !== undefined) host.pageSize = input.pageSize;
        if (input.limits !== undefined) {
          const limits: PlannerLimits = { ...host.store.limits, ...stripUndefined(input.limits) };
          host.store.limits = limits;
        }
        return { status: 200, body: { pageSize: host.pageSize, limits: host.store.limits } };
      },
    },
    {
      method: 'POST',
      template: '/_sim/reset',
      handler: (body) => {
        const input = parse(resetInput, body);
        return { status: 200, body: host.reset(input?.seed) };
      },
    },
  ];
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
