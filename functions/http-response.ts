import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

import { AppError, ensureError } from '../core/errors.js';
import type { ApiKeyDeps, HttpFunctionDefinition, Provider } from './definition.js';

const statusByCode: Record<AppError['code'], number> = {
  validation: 400,
  unsupported_media_type: 415,
  not_found: 404,
  conflict: 409,
  rate_limited: 503,
  limit_reached: 429,
  upstream: 502,
  auth: 401,
  config: 500,
  internal: 500,
};

export function json(status: number, body: unknown): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'cache-control': 'no-store' } };
}

/** The one mapping from errors to HTTP: known errors say what went wrong, others say nothing. */
export function toHttpResponse(thrown: unknown, context: InvocationContext): HttpResponseInit {
  const error = ensureError(thrown);
  if (error instanceof AppError) {
    const status = statusByCode[error.code];
    context.warn(`request failed: ${error.code}`, { invocationId: context.invocationId });
    const body: Record<string, unknown> = { error: { code: error.code, message: error.message } };
    return status >= 500 && error.code !== 'upstream' && error.code !== 'rate_limited'
      ? json(status, { error: { code: error.code, message: 'Internal error' } })
      : json(status, body);
  }
  context.error(`unexpected error: ${error.name}`, { invocationId: context.invocationId });
  return json(500, { error: { code: 'internal', message: 'Internal error' } });
}

/** Constant-time comparison of the x-api-key header with the configured key. */
export function isAuthorized(request: HttpRequest, apiKey: string | undefined): boolean {
  if (apiKey === undefined) return true;
  const given = request.headers.get('x-api-key') ?? '';
  if (given.length !== apiKey.length) return false;
  let diff = 0;
  for (let i = 0; i < given.length; i += 1) diff |= given.charCodeAt(i) ^ apiKey.charCodeAt(i);
  return diff === 0;
}

export const unauthorized = (): HttpResponseInit =>
  json(401, { error: { code: 'auth', message: 'Missing or wrong x-api-key header' } });

/**
 * An HTTP function the usual way: services resolved once, the API key checked (unless the route
 * authenticates otherwise), and every error mapped by `toHttpResponse`.
 */
export function httpFunction<D extends ApiKeyDeps>(
  services: Provider<D>,
  spec: Pick<HttpFunctionDefinition, 'name' | 'route' | 'methods'> & {
    readonly auth: 'apiKey' | 'own';
  },
  handle: (s: D, request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>,
): HttpFunctionDefinition {
  return {
    trigger: 'http',
    name: spec.name,
    route: spec.route,
    methods: spec.methods,
    handler: async (request, context) => {
      try {
        const s = await services();
        if (spec.auth === 'apiKey' && !isAuthorized(request, s.apiKey)) return unauthorized();
        return await handle(s, request, context);
      } catch (e: unknown) {
        return toHttpResponse(e, context);
      }
    },
  };
}
