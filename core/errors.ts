import type { z } from 'zod';

/** Codes are a closed catalogue so callers switch on them, never on message text. */
export type ErrorCode =
  | 'validation'
  | 'unsupported_media_type'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'limit_reached'
  | 'upstream'
  | 'auth'
  | 'config'
  | 'internal';

export interface ErrorDetails {
  readonly [key: string]: string | number | boolean | readonly string[] | undefined;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: ErrorDetails },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details;
  }
}

/** Bad input: a request body, card data, vendor JSON or configuration that fails its schema. */
export class ValidationError extends AppError {
  readonly issues: readonly string[];

  constructor(message: string, issues: readonly string[] = [], options?: { cause?: unknown }) {
    super('validation', issues.length > 0 ? `${message}: ${issues.join('; ')}` : message, {
      ...options,
      details: { issues },
    });
    this.issues = issues;
  }

  /** Names each failing field by its path; never echoes the offending value. */
  static fromZod(context: string, error: z.ZodError): ValidationError {
    const issues = error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${path}: ${issue.message}`;
    });
    return new ValidationError(context, issues, { cause: error });
  }
}

/** A body in a format the route does not take (a form post where JSON is expected). */
export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super('unsupported_media_type', message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string, options?: { cause?: unknown }) {
    super('not_found', `${what} ${id} was not found`, { ...options, details: { what, id } });
  }
}

/** An optimistic-concurrency loss (ETag mismatch, row already exists). */
export class ConflictError extends AppError {
  constructor(message: string, options?: { cause?: unknown; details?: ErrorDetails }) {
    super('conflict', message, options);
  }
}

export class RateLimitedError extends AppError {
  readonly retryAfterMs: number;

  constructor(service: string, retryAfterMs: number, options?: { cause?: unknown }) {
    super('rate_limited', `${service} asked us to slow down (retry after ${retryAfterMs} ms)`, {
      ...options,
      details: { service, retryAfterMs },
    });
    this.retryAfterMs = retryAfterMs;
  }
}

/** Something may exist only so many times at once (WEBHOOK_MAX_SUBSCRIPTIONS): 429 until one goes. */
export class LimitReachedError extends AppError {
  constructor(message: string, options?: { details?: ErrorDetails }) {
    super('limit_reached', message, options);
  }
}

export class UpstreamError extends AppError {
  readonly service: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;

  constructor(
    service: string,
    message: string,
    options?: { status?: number; requestId?: string; cause?: unknown },
  ) {
    super('upstream', `${service}: ${message}`, {
      cause: options?.cause,
      details: { service, status: options?.status, requestId: options?.requestId },
    });
    this.service = service;
    this.status = options?.status;
    this.requestId = options?.requestId;
  }
}

export class AuthError extends AppError {
  constructor(message: string, options?: { cause?: unknown; details?: ErrorDetails }) {
    super('auth', message, options);
  }
}

export class ConfigError extends AppError {
  readonly keys: readonly string[];

  constructor(keys: readonly string[], problems: readonly string[]) {
    super('config', `Invalid configuration: ${problems.join('; ')}`, { details: { keys } });
    this.keys = keys;
  }
}

/**
 * Whether trying again later may succeed: throttling, an upstream 5xx, 408 or no answer, or a lost
 * race for a review or an effect. Anything else fails the same way however often it is tried.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof RateLimitedError || error instanceof ConflictError) return true;
  if (!(error instanceof UpstreamError)) return false;
  return error.status === undefined || error.status >= 500 || error.status === 408;
}

/** The functions library's ensureErrorType: anything thrown becomes an Error we can log. */
export function ensureError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new AppError('internal', typeof thrown === 'string' ? thrown : 'Non-error value thrown', {
    cause: thrown,
  });
}
