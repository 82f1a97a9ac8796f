import type { IncomingMessage, ServerResponse } from 'node:http';

import { SimHttpError } from './sim-http-error.js';

// Small routing helpers on node:http: route templates such as
// `/v3/conversations/:conversationId/activities`, matched segment by segment *before* decoding, so
// Teams ids with `:`, `;`, `@` (or an encoded `/`) arrive whole in the parameter.

export interface JsonAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RequestContext {
  readonly method: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly rawBody: string;
  /** The base URL of the listener that took the request (http or https). */
  readonly baseUrl: string;
}

export type RouteHandler = (ctx: RequestContext) => JsonAnswer | Promise<JsonAnswer>;

export interface Route {
  readonly method: string;
  /** e.g. `/v3/conversations/:conversationId/members/:memberId` — also the call-counter key. */
  readonly template: string;
  readonly handler: RouteHandler;
}

export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

export function splitPath(pathname: string): string[] {
  return pathname.split('/').filter((s) => s !== '');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new SimHttpError(400, 'BadArgument', `Malformed path segment ${segment}.`);
  }
}

/** Matches a path against the routes; `methodMismatch` tells 405 from 404. */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  segments: readonly string[],
): { match?: RouteMatch; methodMismatch: boolean } {
  let methodMismatch = false;
  for (const route of routes) {
    const pattern = splitPath(route.template);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let isMatch = true;
    for (const [i, part] of pattern.entries()) {
      const segment = segments[i] ?? '';
      if (part.startsWith(':')) {
        params[part.slice(1)] = decodeSegment(segment);
      } else if (part.toLowerCase() !== segment.toLowerCase()) {
        isMatch = false;
        break;
      }
    }
    if (!isMatch) continue;
    if (route.method !== method) {
      methodMismatch = true;
      continue;
    }
    return { match: { route, params }, methodMismatch };
  }
  return { methodMismatch };
}

export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new SimHttpError(413, 'MessageSizeTooBig', 'Request body too large.');
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new SimHttpError(400, 'BadArgument', 'The request body is not valid JSON.');
  }
}

/** The console page lives on another origin (the local host), so every answer allows any origin. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization',
  'Access-Control-Expose-Headers': 'Retry-After',
  'Access-Control-Max-Age': '600',
};

export function sendJson(res: ServerResponse, answer: JsonAnswer): void {
  const headers: Record<string, string> = { ...CORS_HEADERS, ...answer.headers };
  if (answer.body === undefined) {
    res.writeHead(answer.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** The Bot Framework error envelope (botframework-schema ErrorResponse). */
export function botFrameworkError(error: SimHttpError): JsonAnswer {
  return {
    status: error.status,
    body: { error: { code: error.code, message: error.message } },
    headers: error.headers,
  };
}

export const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
