import type { IncomingMessage } from 'node:http';

import type { SimError } from '../kit/errors.js';
import { corsHeaders, type Reply, reply } from '../kit/http.js';

// What the Bot Connector and identity routes get from a request, and the Bot Framework's error
// envelope `{"error":{"code","message"}}` (botframework-connector ErrorResponse mapper).

export interface RequestContext {
  readonly method: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly rawBody: string;
  /** The base URL of the listener that took the request (http or https). */
  readonly baseUrl: string;
}

export interface ConnectorRoute {
  readonly method: string;
  /** e.g. `/v3/conversations/:conversationId/members/:memberId`; also the call-counter key. */
  readonly template: string;
  readonly handler: (ctx: RequestContext) => Reply | Promise<Reply>;
}

export const CORS_HEADERS = corsHeaders([]);

export function botFrameworkError(error: SimError): Reply {
  return reply(
    error.status,
    { error: { code: error.code, message: error.message } },
    error.headers,
  );
}

/** Teams' codes per status (learn.microsoft.com/microsoftteams/platform/bots/build-conversational-capability). */
export function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'BadArgument';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 412:
      return 'PreconditionFailed';
    case 413:
      return 'MessageSizeTooBig';
    case 429:
      return 'Throttled';
    case 502:
      return 'ServiceError';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'GatewayTimeout';
    default:
      return status >= 500 ? 'InternalServerError' : 'BadRequest';
  }
}
