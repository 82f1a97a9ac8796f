import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

import busboy from 'busboy';

import { SimError } from './errors.js';

// Request bodies: read whole (with a size cap), then read as JSON, a form or multipart text fields.

/** The whole body; past `maxBytes` the request is refused with `tooLarge` (a 413 SimError). */
export async function readBody(
  req: IncomingMessage,
  maxBytes: number,
  tooLarge: SimError,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBytes) throw tooLarge;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** JSON text as a value; an empty body is undefined, unreadable JSON throws `invalid`. */
export function parseJson(raw: Buffer | string, invalid: SimError): unknown {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid;
  }
}

/** The text fields of a `multipart/form-data` body; file parts are skipped. */
export function multipartFields(
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers });
    } catch (e: unknown) {
      reject(new SimError(400, 'BadRequest', e instanceof Error ? e.message : String(e)));
      return;
    }
    parser.on('field', (name, value) => fields.set(name, value));
    parser.on('file', (_name, stream) => stream.resume());
    parser.on('error', (e: unknown) =>
      reject(new SimError(400, 'BadRequest', e instanceof Error ? e.message : String(e))),
    );
    parser.on('close', () => resolve(fields));
    parser.end(body);
  });
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
