import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';

import { ValidationError } from '../core/errors.js';

/** The request body as JSON, or a 400 that says what is wrong with it. */
export async function readJson(request: HttpRequest): Promise<unknown> {
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
