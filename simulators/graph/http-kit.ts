import type { IncomingMessage, ServerResponse } from 'node:http';

import { GraphError } from './graph-error.js';

// Routing on node:http: templates such as `/planner/tasks/:id/details`, matched segment by segment
// before decoding (a UPN's encoded `@` or a `#` arrives whole in the parameter). Graph treats path
// segments case-insensitively; ids stay case-sensitive.

export interface RouteMatch<R extends { readonly method: string; readonly template: string }> {
  readonly route: R;
  readonly params: Record<string, string>;
}

export function splitPath(pathname: string): string[] {
  return pathname.split('/').filter((s) => s !== '');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new GraphError(400, 'BadRequest', `Malformed path segment '${segment}'.`);
  }
}

export function matchRoute<R extends { readonly method: string; readonly template: string }>(
  routes: readonly R[],
  method: string,
  path: string,
): { match?: RouteMatch<R>; methodMismatch: boolean } {
  const segments = splitPath(path);
  let methodMismatch = false;
  for (const route of routes) {
    const pattern = splitPath(route.template);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let isMatch = true;
    for (const [i, part] of pattern.entries()) {
      const segment = segments[i] ?? '';
      if (part.startsWith(':')) params[part.slice(1)] = segment;
      else if (part.toLowerCase() !== segment.toLowerCase()) {
        isMatch = false;
        break;
      }
    }
    if (!isMatch) continue;
    if (route.method !== method) {
      methodMismatch = true;
      continue;
    }
    const decoded = Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, decodeSegment(v)]),
    );
    return { match: { route, params: decoded }, methodMismatch };
  }
  return { methodMismatch };
}

export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new GraphError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Lower-cased single-value headers (the last value wins for repeated ones). */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>>,
  contentType = 'application/json; charset=utf-8',
): void {
  if (body === undefined) {
    res.writeHead(status, { ...headers });
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
