import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { json } from './http-response.js';

// What the services' webhooks share: the raw bytes (signatures are over them, so they are read
// before anything is parsed) within a size cap, and a refusal in the API's error shape.

/** The request's bytes, or undefined when they (or what the sender declared) pass `maxBytes`. */
export async function rawBody(request: HttpRequest, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return undefined;
  const bytes = Buffer.from(await request.arrayBuffer());
  return bytes.length > maxBytes ? undefined : bytes;
}

export const refused = (status: number, code: string, message: string): HttpResponseInit =>
  json(status, { error: { code, message } });
