import { SimError } from '../kit/errors.js';
import {
  bucketJson,
  type JsonBody,
  planDetailsJson,
  planJson,
  selectProperties,
  taskDetailsJson,
  taskJson,
  userJson,
} from './planner-json.js';
import type { PlannerStore } from './planner-store.js';

// The Microsoft Graph v1.0 endpoints Lightdesk's Planner connector calls, and
// nothing else. Each handler cites the doc page it follows.

export interface GraphRequest {
  readonly method: string;
  /** Path after `/v1.0`, undecoded, without the query, e.g. `/planner/tasks/abc/details`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** Set when the body could not be read; answered after auth and throttling. */
  readonly bodyError?: SimError;
}

export interface GraphResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface RouteContext {
  readonly request: GraphRequest;
  readonly params: Readonly<Record<string, string>>;
  /** `http://127.0.0.1:PORT/v1.0` */
  readonly graphUrl: string;
}

export interface GraphRoute {
  readonly method: string;
  /** Relative to `/v1.0`; also the call-counter key. */
  readonly template: string;
  readonly queryOptions?: readonly string[];
  readonly handler: (ctx: RouteContext) => GraphResponse;
}

export interface GraphRouteDeps {
  /** A getter: `reset` swaps the store underneath routes built once. */
  readonly store: () => PlannerStore;
  readonly pageSize: () => number;
}

function param(ctx: RouteContext, name: string): string {
  return ctx.params[name] ?? '';
}

/** An entity body with its ETag header (Planner returns both; planner-overview.md). */
function entity(status: number, body: JsonBody, extra: Record<string, string> = {}): GraphResponse {
  const etag = body['@odata.etag'];
  return {
    status,
    body,
    headers: { ...(typeof etag === 'string' ? { ETag: etag } : {}), ...extra },
  };
}

/**
 * PATCH answers 204, or 200 with the object for `Prefer: return=representation`
 * (api/plannertaskdetails-update.md). [INF] The task is treated alike, though plannertask-update
 * says 200 with a body. [INF] A 204 has no ETag header: a client needing it asks for the
 * representation.
 */
function patched(ctx: RouteContext, body: () => JsonBody): GraphResponse {
  const prefer = ctx.request.headers['prefer'] ?? '';
  const wantsBody = prefer
    .split(',')
    .some((p) => p.trim().toLowerCase() === 'return=representation');
  if (!wantsBody) return { status: 204 };
  return entity(200, body(), { 'Preference-Applied': 'return=representation' });
}

function expandsDetails(ctx: RouteContext): boolean {
  const expand = ctx.request.query.get('$expand');
  if (expand === null) return false;
  const parts = expand.split(',').map((s) => s.trim());
  if (parts.every((p) => p === 'details')) return true;
  throw new SimError(
    400,
    'BadRequest',
    `Could not find a property named '${parts.find((p) => p !== 'details') ?? ''}' to expand.`,
  );
}

// [INF] Paging tokens are opaque to clients; ours is the offset, base64url-encoded.
function readSkipToken(token: string | null): number {
  if (token === null) return 0;
  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (match?.[1] !== undefined) return Number(match[1]);
  throw new SimError(400, 'BadRequest', 'The $skiptoken is not valid.');
}

export function graphRoutes({ store, pageSize }: GraphRouteDeps): GraphRoute[] {
  return [
    {
      // api/user-get.md: by id or userPrincipalName.
      method: 'GET',
      template: '/users/:id',
      queryOptions: ['$select'],
      handler: (ctx) => {
        const user = store().findUser(param(ctx, 'id'));
        if (user === undefined) {
          throw new SimError(
            404,
            'Request_ResourceNotFound',
            `Resource '${param(ctx, 'id')}' does not exist or one of its queried reference-property objects are not present.`,
          );
        }
        return {
          status: 200,
          body: selectProperties(userJson(user, ctx.graphUrl), ctx.request.query.get('$select')),
        };
      },
    },
    {
      // api/plannerplan-get.md
      method: 'GET',
      template: '/planner/plans/:id',
      queryOptions: ['$select'],
      handler: (ctx) =>
        entity(
          200,
          selectProperties(
            planJson(store(), store().getPlan(param(ctx, 'id')), ctx.graphUrl),
            ctx.request.query.get('$select'),
          ),
        ),
    },
    {
      // api/plannerplandetails-get.md
      method: 'GET',
      template: '/planner/plans/:id/details',
      handler: (ctx) =>
        entity(200, planDetailsJson(store(), store().getPlan(param(ctx, 'id')), ctx.graphUrl)),
    },
    {
      // api/plannerplandetails-update.md: If-Match required; 204 or 200 with Prefer.
      method: 'PATCH',
      template: '/planner/plans/:id/details',
      handler: (ctx) => {
        const planId = param(ctx, 'id');
        store().patchPlanDetails(planId, ctx.request.headers['if-match'], ctx.request.body);
        return patched(ctx, () => planDetailsJson(store(), store().getPlan(planId), ctx.graphUrl));
      },
    },
    {
      // api/plannerplan-list-buckets.md
      method: 'GET',
      template: '/planner/plans/:id/buckets',
      queryOptions: ['$select'],
      handler: (ctx) => ({
        status: 200,
        body: {
          '@odata.context': `${ctx.graphUrl}/$metadata#planner/plans('${param(ctx, 'id')}')/buckets`,
          value: store()
            .listBuckets(param(ctx, 'id'))
            .map((b) => selectProperties(bucketJson(store(), b), ctx.request.query.get('$select'))),
        },
      }),
    },
    {
      // api/plannerplan-list-tasks.md, with `@odata.nextLink` paging (concepts/paging.md).
      method: 'GET',
      template: '/planner/plans/:id/tasks',
      queryOptions: ['$select', '$expand', '$skiptoken'],
      handler: (ctx) => {
        const planId = param(ctx, 'id');
        const all = store().listTasks(planId);
        const offset = readSkipToken(ctx.request.query.get('$skiptoken'));
        const size = pageSize();
        const page = all.slice(offset, offset + size);
        const expandDetails = expandsDetails(ctx);
        let nextLink: string | undefined;
        if (offset + size < all.length) {
          const next = new URLSearchParams(ctx.request.query);
          next.set('$skiptoken', Buffer.from(`offset:${offset + size}`).toString('base64url'));
          nextLink = `${ctx.graphUrl}/planner/plans/${encodeURIComponent(planId)}/tasks?${next.toString()}`;
        }
        return {
          status: 200,
          body: {
            '@odata.context': `${ctx.graphUrl}/$metadata#planner/plans('${planId}')/tasks`,
            ...(nextLink === undefined ? {} : { '@odata.nextLink': nextLink }),
            value: page.map((t) =>
              selectProperties(
                taskJson(store(), t, { expandDetails }),
                ctx.request.query.get('$select'),
              ),
            ),
          },
        };
      },
    },
    {
      // api/planner-post-buckets.md: 201 with the bucket.
      method: 'POST',
      template: '/planner/buckets',
      handler: (ctx) =>
        entity(201, bucketJson(store(), store().createBucket(ctx.request.body), ctx.graphUrl)),
    },
    {
      method: 'GET',
      template: '/planner/buckets/:id',
      handler: (ctx) =>
        entity(200, bucketJson(store(), store().getBucket(param(ctx, 'id')), ctx.graphUrl)),
    },
    {
      // api/planner-post-tasks.md: 201 with the task; no If-Match needed to create.
      method: 'POST',
      template: '/planner/tasks',
      handler: (ctx) =>
        entity(
          201,
          taskJson(store(), store().createTask(ctx.request.body), { graphUrl: ctx.graphUrl }),
        ),
    },
    {
      // api/plannertask-get.md
      method: 'GET',
      template: '/planner/tasks/:id',
      queryOptions: ['$select', '$expand'],
      handler: (ctx) =>
        entity(
          200,
          selectProperties(
            taskJson(store(), store().getTask(param(ctx, 'id')), {
              graphUrl: ctx.graphUrl,
              expandDetails: expandsDetails(ctx),
            }),
            ctx.request.query.get('$select'),
          ),
        ),
    },
    {
      // api/plannertask-update.md
      method: 'PATCH',
      template: '/planner/tasks/:id',
      handler: (ctx) => {
        const task = store().patchTask(
          param(ctx, 'id'),
          ctx.request.headers['if-match'],
          ctx.request.body,
        );
        return patched(ctx, () => taskJson(store(), task, { graphUrl: ctx.graphUrl }));
      },
    },
    {
      // api/plannertask-delete.md: If-Match required, 204.
      method: 'DELETE',
      template: '/planner/tasks/:id',
      handler: (ctx) => {
        store().deleteTask(param(ctx, 'id'), ctx.request.headers['if-match']);
        return { status: 204 };
      },
    },
    {
      // api/plannertaskdetails-get.md
      method: 'GET',
      template: '/planner/tasks/:id/details',
      handler: (ctx) =>
        entity(200, taskDetailsJson(store(), store().getTask(param(ctx, 'id')), ctx.graphUrl)),
    },
    {
      // api/plannertaskdetails-update.md
      method: 'PATCH',
      template: '/planner/tasks/:id/details',
      handler: (ctx) => {
        const task = store().patchTaskDetails(
          param(ctx, 'id'),
          ctx.request.headers['if-match'],
          ctx.request.body,
        );
        return patched(ctx, () => taskDetailsJson(store(), task, ctx.graphUrl));
      },
    },
  ];
}

/**
 * [INF] OData system query options a route does not handle are refused with 400 rather than
 * ignored, so a connector never believes a `$filter` or `$top` was applied. Other parameters pass.
 */
export function checkQueryOptions(route: GraphRoute, query: URLSearchParams): void {
  for (const key of query.keys()) {
    if (key.startsWith('$') && !(route.queryOptions ?? []).includes(key)) {
      throw new SimError(
        400,
        'BadRequest',
        `Query option '${key}' is not supported on ${route.method} ${route.template} by this simulator.`,
      );
    }
  }
}
