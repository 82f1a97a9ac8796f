// Simulators may not import core/errors.ts (eslint zones), so handlers signal an HTTP answer with
// this small class and the server renders Graph's error envelope
// `{"error":{"code","message","innerError":{date,request-id,client-request-id}}}`
// (microsoft-graph-docs-contrib concepts/errors.md).
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

export function ensureError(e: unknown): Error {
  if (e instanceof Error) return e;
  return new GraphError(500, 'generalException', typeof e === 'string' ? e : 'Unknown error.');
}

// Planner answers its own 400/404/409 with an empty `code` (the Planner 403 inside the example
// response of concepts/json-batching.md has `"code": ""`). [INF] We do the same for the Planner
// routes, so a connector has to branch on the status, as planner-overview.md tells it to.
export const plannerBadRequest = (message: string): GraphError => new GraphError(400, '', message);

export const plannerNotFound = (): GraphError =>
  new GraphError(404, '', 'The requested item is not found.');

/** Service limits: 403 with the limit's name as the code (planner-overview.md "403 Forbidden"). */
export const limitExceeded = (code: string, message: string): GraphError =>
  new GraphError(403, code, message);
