import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

import type { HttpResponseInit } from '@azure/functions';
import azureFunctions from '@azure/functions';
import Router from 'find-my-way';

import type { Logger } from '../core/ports/logger.js';
import type { HttpFunctionDefinition } from '../functions/definition.js';

// @azure/functions is CommonJS: Node's ESM loader exposes only its default export, not named ones.
const { HttpRequest, InvocationContext } = azureFunctions;

const MAX_BODY_BYTES = 1024 * 1024;

/** A Logger-backed InvocationContext, as the Functions host would hand one to a function. */
export function invocationContext(
  functionName: string,
  logger: Logger,
): azureFunctions.InvocationContext {
  const invocationId = randomUUID();
  const log = logger.child(functionName);
  return new InvocationContext({
    invocationId,
    functionName,
    logHandler: (level, ...args) => {
      const message = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      const fields = { invocationId };
      if (level === 'error' || level === 'critical') log.error(message, fields);
      else if (level === 'warning') log.warn(message, fields);
      else if (level === 'debug' || level === 'trace') log.debug(message, fields);
      else log.info(message, fields);
    },
  });
}

/**
 * Past the limit the rest of the body is read and dropped, so the client, still sending, gets the 413:
 * a socket closed with unread data is reset instead. Beyond this much the socket is ended anyway.
 */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** The body, or `tooLarge` once it passed the limit (read to its end all the same). */
export function readBody(
  request: IncomingMessage,
  limit = MAX_BODY_BYTES,
): Promise<Buffer | 'tooLarge'> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
      if (size > MAX_DRAIN_BYTES) {
        request.off('data', onData);
        request.pause();
        resolvePromise('tooLarge');
      }
    };
    request.on('data', onData);
    request.once('end', () => resolvePromise(size > limit ? 'tooLarge' : Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

/** Whether a `%` in the path starts no valid UTF-8 escape (the Functions host answers 400 too). */
export function hasMalformedEscape(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

type Match = { definition: HttpFunctionDefinition; params: Record<string, string> };

const routers = new WeakMap<
  readonly HttpFunctionDefinition[],
  Router.Instance<Router.HTTPVersion.V1>
>();

/** `v1/reviews/{id}` → `/api/v1/reviews/:id`; `{*name}` (the rest of the path) → `*`. */
function routePath(route: string): { path: string; rest?: string } {
  const rest = /\{\*(\w+)\}$/.exec(route)?.[1];
  const path = `/api/${route.replace(/\{\*\w+\}$/, '*').replace(/\{(\w+)\}/g, ':$1')}`;
  return rest === undefined ? { path } : { path, rest };
}

function routerFor(
  definitions: readonly HttpFunctionDefinition[],
): Router.Instance<Router.HTTPVersion.V1> {
  let router = routers.get(definitions);
  if (router !== undefined) return router;
  router = Router({ caseSensitive: true, ignoreTrailingSlash: false });
  for (const definition of definitions) {
    const { path, rest } = routePath(definition.route);
    router.on([...definition.methods], path, () => undefined, { definition, rest });
  }
  routers.set(definitions, router);
  return router;
}

/**
 * Finds the function whose route matches `/api/<route>` (find-my-way); route parameters are `{name}`
 * segments, and `{*name}` takes the rest of the path, as in the Functions host's route templates.
 */
export function matchRoute(
  definitions: readonly HttpFunctionDefinition[],
  method: string,
  pathname: string,
): Match | 'method' | undefined {
  const router = routerFor(definitions);
  const found = router.find(method as Router.HTTPMethod, pathname);
  if (found === null) {
    const methods = new Set(definitions.flatMap((d) => d.methods));
    const elsewhere = [...methods].some(
      (other) => other !== method && router.find(other, pathname) !== null,
    );
    return elsewhere ? 'method' : undefined;
  }
  const store = found.store as { definition: HttpFunctionDefinition; rest?: string };
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(found.params)) {
    if (value === undefined) continue;
    if (name !== '*') {
      // A `{name}` is one segment, never empty.
      if (value === '') return undefined;
      params[name] = value;
    } else if (store.rest !== undefined) {
      // A catch-all never climbs out of its folder with dot segments.
      if (value.split('/').some((segment) => segment === '..' || segment === '.')) return undefined;
      params[store.rest] = value;
    }
  }
  if (store.rest !== undefined) params[store.rest] ??= '';
  return { definition: store.definition, params };
}

/** Response headers as node:http takes them, names in lower case, from any HeadersInit. */
function headersOf(init: HttpResponseInit['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  if (init === undefined) return headers;
  // A plain record is what our functions return; Headers (of any undici copy) and pairs are iterable
  // and go through Headers, which joins repeated names as the host does.
  const entries = Symbol.iterator in init ? [...new Headers(init).entries()] : Object.entries(init);
  for (const [name, value] of entries) headers[name.toLowerCase()] = value;
  return headers;
}

async function writeResponse(response: ServerResponse, init: HttpResponseInit): Promise<void> {
  const headers = headersOf(init.headers);
  let body: string | Uint8Array | undefined;
  if (init.jsonBody !== undefined) {
    body = JSON.stringify(init.jsonBody);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  } else if (typeof init.body === 'string') {
    body = init.body;
  } else if (init.body instanceof Uint8Array) {
    body = init.body;
  } else if (init.body !== undefined && init.body !== null) {
    body = new Uint8Array(await new Response(init.body as BodyInit).arrayBuffer());
  }
  response.writeHead(init.status ?? 200, headers);
  response.end(body);
}

/** 413, and the connection closed after it: the client may not have meant to send the rest. */
export const tooLarge = (): HttpResponseInit => ({
  status: 413,
  headers: { connection: 'close' },
  jsonBody: { error: { code: 'validation', message: 'Request body is larger than 1 MB' } },
});

/** Serves a request as if it had come for another path with other headers (the console's own routes). */
export interface RequestRewrite {
  readonly pathname: string;
  /** Replace the request's headers of the same (lower-case) names. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Serves one request with a function definition, the way the Functions host would. */
export async function serveFunction(
  definitions: readonly HttpFunctionDefinition[],
  request: IncomingMessage,
  response: ServerResponse,
  baseUrl: string,
  logger: Logger,
  rewrite?: RequestRewrite,
): Promise<boolean> {
  const url = new URL(request.url ?? '/', baseUrl);
  if (rewrite !== undefined) url.pathname = rewrite.pathname;
  const method = (request.method ?? 'GET').toUpperCase();
  const match = matchRoute(definitions, method, url.pathname);
  if (match === undefined) return false;
  if (match === 'method') {
    await writeResponse(response, {
      status: 405,
      jsonBody: { error: { code: 'validation', message: `${method} is not allowed here` } },
    });
    return true;
  }
  const body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(request);
  if (body === 'tooLarge') {
    await writeResponse(response, tooLarge());
    return true;
  }
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[key] = value;
    else if (Array.isArray(value)) headers[key] = value.join(', ');
  }
  if (rewrite !== undefined) Object.assign(headers, rewrite.headers);
  const httpRequest = new HttpRequest({
    method,
    url: url.toString(),
    headers,
    query: Object.fromEntries(url.searchParams.entries()),
    params: match.params,
    ...(body.length > 0 ? { body: { bytes: body } } : {}),
  });
  const context = invocationContext(match.definition.name, logger);
  const result = await match.definition.handler(httpRequest, context);
  await writeResponse(response, result);
  return true;
}
