// Simulators may not import core/errors.ts (eslint zones), so handlers signal an HTTP answer with
// this one class; each simulator renders it in its vendor's error envelope (see README.md).
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'SimError';
  }
}

/** Anything thrown, as an Error; a thrown non-Error becomes a 500. */
export function ensureError(e: unknown): Error {
  if (e instanceof Error) return e;
  return new SimError(500, 'InternalServerError', typeof e === 'string' ? e : 'unknown error');
}

/** `error` as a SimError: one of ours as it is, anything else as a 500 with `code`. */
export function asSimError(e: unknown, code: string): SimError {
  const error = ensureError(e);
  return error instanceof SimError ? error : new SimError(500, code, error.message);
}
