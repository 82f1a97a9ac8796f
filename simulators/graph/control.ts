import { z } from 'zod';

import { type ControlRoute, parseInput } from '../kit/control.js';
import { reply } from '../kit/http.js';
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

// `/_sim/…`: not Graph's. The console's Planner board, the local host and the tests use these to
// set up plans and people and look at the whole state; faults, throttle, calls and reset are the
// kit's (simulators/kit/control.ts). JSON in and out, no auth, CORS open (the server adds them).

export interface ControlHost {
  readonly store: PlannerStore;
  readonly seeded: GraphSeed;
  pageSize: number;
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
      handler: () => reply(200, stateSnapshot(host.store)),
    },
    {
      method: 'GET',
      template: '/_sim/seeded',
      handler: () => reply(200, host.seeded),
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
      handler: ({ json: body }) => {
        const input = parseInput(userInput, body);
        const user = host.store.addUser({
          displayName: input.displayName,
          userPrincipalName: input.userPrincipalName,
          ...(input.id === undefined ? {} : { id: input.id }),
          ...(input.mail === undefined ? {} : { mail: input.mail }),
          ...(input.jobTitle === undefined ? {} : { jobTitle: input.jobTitle }),
        });
        return reply(201, userJson(user));
      },
    },
    {
      method: 'POST',
      template: '/_sim/plans',
      handler: ({ json: body }) => {
        const input = parseInput(planInput, body);
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
      handler: ({ json: body, params }) => {
        const input = parseInput(taskEditInput, body);
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
        return reply(200, taskJson(store, task));
      },
    },
    {
      method: 'POST',
      template: '/_sim/settings',
      handler: ({ json: body }) => {
        const input = parseInput(settingsInput, body);
        if (input.pageSize !== undefined) host.pageSize = input.pageSize;
        if (input.limits !== undefined) {
          const limits: PlannerLimits = { ...host.store.limits, ...stripUndefined(input.limits) };
          host.store.limits = limits;
        }
        return reply(200, { pageSize: host.pageSize, limits: host.store.limits });
      },
    },
  ];
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
