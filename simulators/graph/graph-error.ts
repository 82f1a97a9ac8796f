import { SimError } from '../kit/errors.js';

// Graph's error envelope `{"error":{"code","message","innerError":{date,request-id,
// client-request-id}}}` (microsoft-graph-docs-contrib concepts/errors.md) is rendered by the server
// from a kit SimError; these are the Planner-specific ones.

// Planner answers its own 400/404/409 with an empty `code` (the Planner 403 inside the example
// response of concepts/json-batching.md has `"code": ""`). [INF] We do the same for the Planner
// routes, so a connector has to branch on the status, as planner-overview.md tells it to.
export const plannerBadRequest = (message: string): SimError => new SimError(400, '', message);

export const plannerNotFound = (): SimError =>
  new SimError(404, '', 'The requested item is not found.');

/** Service limits: 403 with the limit's name as the code (planner-overview.md "403 Forbidden"). */
export const limitExceeded = (code: string, message: string): SimError =>
  new SimError(403, code, message);

/** Graph error codes for injected statuses (concepts/errors.md, concepts/throttling.md). */
export function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'InvalidAuthenticationToken';
    case 403:
      return 'accessDenied';
    case 404:
      return 'itemNotFound';
    case 409:
      return 'Conflict';
    case 412:
      return 'PreconditionFailed';
    case 429:
      return 'TooManyRequests';
    case 503:
      return 'serviceNotAvailable';
    case 504:
      return 'GatewayTimeout';
    default:
      return status >= 500 ? 'generalException' : 'BadRequest';
  }
}
