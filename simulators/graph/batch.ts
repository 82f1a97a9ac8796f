import { z } from 'zod';

import { SimError } from '../kit/errors.js';
import type { GraphRequest, GraphResponse } from './graph-routes.js';

// JSON batching (concepts/json-batching.md): up to 20 requests with ids unique in the batch (case-
// blind), Content-Type required with a body; `dependsOn` orders them, a failed dependency gives
// 424; the outer answer is 200 whatever the inner ones are.

export const MAX_BATCH_REQUESTS = 20;

const batchSchema = z.object({
  requests: z.array(
    z.object({
      id: z.string().min(1),
      method: z.string().min(1),
      url: z.string().min(1),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
      dependsOn: z.array(z.string()).optional(),
    }),
  ),
});
type BatchItem = z.infer<typeof batchSchema>['requests'][number];

/** What running one request gave: an answer, or a socket that was dropped (see traffic.ts). */
export type Outcome =
  | { readonly kind: 'response'; readonly response: GraphResponse }
  | { readonly kind: 'drop' }
  | { readonly kind: 'lost' };

export interface BatchResponseItem {
  readonly id: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

const WRITES = new Set(['POST', 'PATCH', 'PUT']);

const badBatch = (message: string): SimError => new SimError(400, 'BadRequest', message);

function parseBatch(body: unknown): BatchItem[] {
  const parsed = batchSchema.safeParse(body);
  if (!parsed.success) {
    throw badBatch(`Invalid batch payload format. ${z.prettifyError(parsed.error)}`);
  }
  const { requests } = parsed.data;
  if (requests.length === 0) throw badBatch('Invalid batch payload format: no requests.');
  if (requests.length > MAX_BATCH_REQUESTS) {
    // [INF] message; the limit and the 400 are from concepts/json-batching.md.
    throw badBatch(
      `The batch has ${requests.length} requests; JSON batching allows at most ${MAX_BATCH_REQUESTS}.`,
    );
  }
  const ids = new Set<string>();
  for (const item of requests) {
    const key = item.id.toLowerCase();
    if (ids.has(key)) throw badBatch(`Request id '${item.id}' is used twice in the batch.`);
    ids.add(key);
  }
  for (const item of requests) {
    const hasContentType = Object.keys(item.headers ?? {}).some(
      (h) => h.toLowerCase() === 'content-type',
    );
    if ((item.body !== undefined || WRITES.has(item.method.toUpperCase())) && !hasContentType) {
      throw badBatch(`Write request id : ${item.id} does not contain Content-Type header or body.`);
    }
    if (WRITES.has(item.method.toUpperCase()) && item.body === undefined) {
      throw badBatch(`Write request id : ${item.id} does not contain Content-Type header or body.`);
    }
    for (const dep of item.dependsOn ?? []) {
      if (!ids.has(dep.toLowerCase())) {
        throw badBatch(`Request '${item.id}' depends on '${dep}', which is not in the batch.`);
      }
    }
  }
  return requests;
}

/** Dependency order; a cycle is a malformed batch. */
function executionOrder(requests: readonly BatchItem[]): BatchItem[] {
  const byId = new Map(requests.map((r) => [r.id.toLowerCase(), r]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: BatchItem[] = [];
  const visit = (item: BatchItem): void => {
    const key = item.id.toLowerCase();
    if (done.has(key)) return;
    if (visiting.has(key))
      throw badBatch(`Requests depend on each other in a cycle at '${item.id}'.`);
    visiting.add(key);
    for (const dep of item.dependsOn ?? []) {
      const target = byId.get(dep.toLowerCase());
      if (target !== undefined) visit(target);
    }
    visiting.delete(key);
    done.add(key);
    order.push(item);
  };
  requests.forEach(visit);
  return order;
}

function toInnerRequest(
  item: BatchItem,
  outerHeaders: Readonly<Record<string, string>>,
): GraphRequest {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(item.headers ?? {})) headers[key.toLowerCase()] = value;
  // [INF] An inner request is authenticated on its own: its own Authorization header if it has
  // one, else the batch's.
  const auth = outerHeaders['authorization'];
  if (headers['authorization'] === undefined && auth !== undefined) headers['authorization'] = auth;
  const method = item.method.toUpperCase();
  if (/^[a-z][a-z0-9+.-]*:/i.test(item.url)) {
    // The url is "the relative resource URL" (concepts/json-batching.md). [INF] Absolute: 400.
    return {
      method,
      path: '/',
      query: new URLSearchParams(),
      headers,
      body: undefined,
      bodyError: new SimError(
        400,
        'BadRequest',
        `Batch request urls must be relative: '${item.url}'.`,
      ),
    };
  }
  const url = new URL(item.url.startsWith('/') ? item.url : `/${item.url}`, 'http://batch.invalid');
  let body = item.body;
  let bodyError: SimError | undefined;
  if (typeof body === 'string') {
    // "Might be a JSON object or a base64 URL-encoded value" (concepts/json-batching.md).
    try {
      body = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
    } catch {
      bodyError = new SimError(400, 'BadRequest', `The body of request '${item.id}' is not JSON.`);
    }
  }
  return {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body,
    ...(bodyError === undefined ? {} : { bodyError }),
  };
}

function asItem(id: string, response: GraphResponse): BatchResponseItem {
  const headers: Record<string, string> = { ...response.headers };
  if (response.body !== undefined) headers['Content-Type'] = 'application/json';
  return {
    id,
    status: response.status,
    headers,
    ...(response.body === undefined ? {} : { body: response.body }),
  };
}

export type RunOne = (request: GraphRequest) => Promise<Outcome>;
export type FailedDependency = (id: string, dependency: string) => GraphResponse;

/**
 * Runs a parsed batch. Without `dependsOn` requests run concurrently and — [INF] — answers come
 * back in reverse order ("individual responses might appear in a different order"; clients match by
 * id); with it, one at a time ("fully sequential or fully parallel"). A dropped inner answer drops
 * the whole batch's socket.
 */
export async function runBatch(
  body: unknown,
  outerHeaders: Readonly<Record<string, string>>,
  runOne: RunOne,
  failedDependency: FailedDependency,
): Promise<Outcome> {
  const requests = parseBatch(body);
  const sequential = requests.some((r) => (r.dependsOn ?? []).length > 0);
  const responses: BatchResponseItem[] = [];
  if (!sequential) {
    const outcomes = await Promise.all(
      requests.map((item) => runOne(toInnerRequest(item, outerHeaders))),
    );
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.kind !== 'response') return outcome;
      responses.push(asItem(requests[i]?.id ?? '', outcome.response));
    }
    responses.reverse();
  } else {
    const statusById = new Map<string, number>();
    for (const item of executionOrder(requests)) {
      const failed = (item.dependsOn ?? []).find(
        (dep) => (statusById.get(dep.toLowerCase()) ?? 0) >= 400,
      );
      let response: GraphResponse;
      if (failed !== undefined) {
        response = failedDependency(item.id, failed);
      } else {
        const outcome = await runOne(toInnerRequest(item, outerHeaders));
        if (outcome.kind !== 'response') return outcome;
        response = outcome.response;
      }
      statusById.set(item.id.toLowerCase(), response.status);
      responses.push(asItem(item.id, response));
    }
  }
  return { kind: 'response', response: { status: 200, body: { responses } } };
}
