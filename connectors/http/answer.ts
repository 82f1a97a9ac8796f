import type { z } from 'zod';

import { ensureError, ValidationError } from '../../core/errors.js';

/** An answer's body as JSON: undefined when empty; a body that is not JSON is a ValidationError. */
export function readJson(body: string, context: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch (e: unknown) {
    throw new ValidationError(context, ['(root): not JSON'], { cause: ensureError(e) });
  }
}

/** `json` as `schema` reads it; a mismatch is a ValidationError naming each failing field. */
export function parseAnswer<S extends z.ZodType>(
  json: unknown,
  schema: S,
  context: string,
): z.output<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw ValidationError.fromZod(context, parsed.error);
  return parsed.data;
}

/** A body as JSON, or undefined when it is empty or not JSON (a proxy's error page, say). */
export function jsonOrUndefined(body: string): unknown {
  try {
    return body.trim() === '' ? undefined : (JSON.parse(body) as unknown);
  } catch {
    return undefined;
  }
}
