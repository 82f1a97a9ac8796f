import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';

import { UnsupportedMediaTypeError, ValidationError } from '../core/errors.js';

/** application/json, with parameters (charset) or without; any other type is refused. */
const jsonType = /^application\/json\s*(;|$)/i;

/** Throws a 415 unless the request says its body is JSON. */
export function requireJsonType(request: HttpRequest): void {
  const type = request.headers.get('content-type') ?? '';
  if (jsonType.test(type.trim())) return;
  throw new UnsupportedMediaTypeError(
    type === ''
      ? 'Send the body as JSON with Content-Type: application/json'
      : 'Content-Type must be application/json',
  );
}

/**
 * The body as JSON, or a 4xx saying what is wrong. Only `application/json`: form-sendable types are
 * refused, so a page elsewhere cannot post to an API running without a key.
 */
export async function readJson(request: HttpRequest): Promise<unknown> {
  requireJsonType(request);
  const text = await request.text();
  if (text.trim() === '') throw new ValidationError('Request body is empty; send JSON');
  try {
    return JSON.parse(text);
  } catch (e: unknown) {
    throw new ValidationError('Request body is not valid JSON', [], { cause: e });
  }
}

/** Parses with zod; a failure names every bad field (never its value). */
export function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw ValidationError.fromZod(what, parsed.error);
  return parsed.data;
}
