import type { IncomingMessage, ServerResponse } from 'node:http';

import { SimulatorError } from './simulator-error.js';

// Request parsing and response writing shared by the v3, v4 and control routes.

/** Everything a route needs from one request, read once. */
export interface SimRequest {
  readonly method: string;
  readonly path: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  /** Query string merged with a form, multipart or JSON body (the body wins) [DOC] [3P]. */
  readonly params: ReadonlyMap<string, string>;
  /** The parsed JSON body, when it was JSON. */
  readonly json: unknown;
}

const MAX_BODY_BYTES = 20 * 1024 * 1024;

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new SimulatorError(413, 'Request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function parseRequest(request: IncomingMessage, body: Buffer): SimRequest {
  const url = new URL(request.url ?? '/', 'http://simulator.invalid');
  const params = new Map<string, string>();
  for (const [key, value] of url.searchParams) params.set(key, value);
  let json: unknown;
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  if (body.length > 0) {
    if (type.startsWith('application/json')) {
      try {
        json = JSON.parse(body.toString('utf8')) as unknown;
      } catch {
        throw new SimulatorError(400, 'Body is not valid JSON');
      }
      if (isRecord(json)) {
        for (const [key, value] of Object.entries(json)) {
          if (typeof value === 'string') params.set(key, value);
          else if (typeof value === 'number' || typeof value === 'boolean') {
            params.set(key, String(value));
          }
        }
      }
    } else if (type.startsWith('multipart/form-data')) {
      // Read the boundary from the header as sent: it is case-sensitive.
      const header = request.headers['content-type'] ?? '';
      const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(header);
      const marker = boundary?.[1] ?? boundary?.[2];
      if (marker === undefined) throw new SimulatorError(400, 'multipart body without a boundary');
      for (const [key, value] of parseMultipart(body, marker)) params.set(key, value);
    } else {
      // Form encoding is the documented default for v3 bodies [DOC], so anything else reads as one.
      for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.set(key, value);
    }
  }
  return {
    method: (request.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    url,
    headers: request.headers,
    params,
    json,
  };
}

/** Text fields of a multipart body [DOC curl -F]; file parts are skipped. */
export function parseMultipart(body: Buffer, boundary: string): Map<string, string> {
  const fields = new Map<string, string>();
  const text = body.toString('latin1');
  for (const part of text.split(`--${boundary}`)) {
    if (part.startsWith('--') || part.trim() === '') continue;
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const disposition = /content-disposition:[^\r\n]*/i.exec(head)?.[0] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined || /\bfilename=/i.test(disposition)) continue;
    const value = part.slice(split + 4).replace(/\r\n$/, '');
    fields.set(name, Buffer.from(value, 'latin1').toString('utf8'));
  }
  return fields;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The console page lives on another origin (the local host), so every answer allows any origin. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
  'access-control-allow-headers':
    'content-type, x-ps-api-key, x-ps-auth-token, authorization, x-ps-api-version',
  'access-control-expose-headers': 'retry-after, etag',
  'access-control-max-age': '600',
};

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export const reply = (
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string>>,
): Reply => (headers === undefined ? { status, body } : { status, body, headers });

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.destroyed || response.headersSent) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    ...CORS_HEADERS,
    ...(text === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

export function sendBytes(
  response: ServerResponse,
  status: number,
  bytes: Buffer,
  headers: Readonly<Record<string, string>>,
): void {
  if (response.destroyed || response.headersSent) return;
  response.writeHead(status, {
    ...CORS_HEADERS,
    'content-length': String(bytes.length),
    ...headers,
  });
  response.end(bytes);
}

/** Whole number ≥ `min` from a parameter, undefined when absent, 400 when unreadable. */
export function intParam(
  params: ReadonlyMap<string, string>,
  name: string,
  min: number,
  onError: (message: string) => never,
): number | undefined {
  const text = params.get(name);
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,9}$/.test(text.trim()) || Number(text) < min) {
    return onError(`Invalid ${name}: ${text}`);
  }
  return Number(text);
}
