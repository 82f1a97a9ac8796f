import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

import busboy from 'busboy';

import { isRecord, parseJson } from '../kit/body.js';
import { SimError } from '../kit/errors.js';
import { corsHeaders } from '../kit/http.js';

// PhotoShelter's request shape, read once for the v3, v4 and control routes.

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
  /** File parts of a multipart body, by field name (the upload and replace calls, wire doc #21–#22). */
  readonly files: ReadonlyMap<string, FilePart>;
}

export interface FilePart {
  readonly fileName: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

/** A binary answer (the download, wire doc #20); the server writes it as is. */
export class BinaryBody {
  constructor(
    readonly bytes: Buffer,
    readonly contentType: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

export const MAX_BODY_BYTES = 20 * 1024 * 1024;

export async function parseRequest(request: IncomingMessage, body: Buffer): Promise<SimRequest> {
  const url = new URL(request.url ?? '/', 'http://simulator.invalid');
  const params = new Map<string, string>();
  for (const [key, value] of url.searchParams) params.set(key, value);
  let json: unknown;
  let files = new Map<string, FilePart>();
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  if (body.length > 0) {
    if (type.startsWith('application/json')) {
      json = parseJson(body, new SimError(400, '', 'Body is not valid JSON'));
      if (isRecord(json)) {
        for (const [key, value] of Object.entries(json)) {
          if (typeof value === 'string') params.set(key, value);
          else if (typeof value === 'number' || typeof value === 'boolean') {
            params.set(key, String(value));
          }
        }
      }
    } else if (type.startsWith('multipart/form-data')) {
      // Text fields and files of a multipart body [DOC curl -F].
      const parts = await multipartParts(request.headers, body);
      for (const [key, value] of parts.fields) params.set(key, value);
      files = parts.files;
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
    files,
  };
}

/** The text fields and the file parts of a `multipart/form-data` body (read whole already). */
function multipartParts(
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<{ fields: Map<string, string>; files: Map<string, FilePart> }> {
  const invalid = (e: unknown) =>
    new SimError(400, '', `Invalid multipart body: ${e instanceof Error ? e.message : String(e)}`);
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    const files = new Map<string, FilePart>();
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, defParamCharset: 'utf8' });
    } catch (e: unknown) {
      reject(invalid(e));
      return;
    }
    parser.on('field', (name, value) => fields.set(name, value));
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        files.set(name, {
          fileName: info.filename,
          contentType: info.mimeType,
          bytes: Buffer.concat(chunks),
        });
      });
    });
    parser.on('error', (e: unknown) => reject(invalid(e)));
    parser.on('close', () => resolve({ fields, files }));
    parser.end(body);
  });
}

export const CORS_HEADERS = corsHeaders(['x-ps-api-key', 'x-ps-auth-token', 'x-ps-api-version']);

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
