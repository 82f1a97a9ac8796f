import {
  AppError,
  AuthError,
  ConflictError,
  ensureError,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
} from '../../core/errors.js';

export type StorageService = 'azure-table' | 'azure-queue';

/** What we can read off an SDK failure (the SDKs throw core-rest-pipeline's RestError). */
export interface StorageFailure {
  readonly status: number | undefined;
  /** The service's error code (`EntityAlreadyExists`, `PopReceiptMismatch` …) when it sends one. */
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
}

interface HeaderBag {
  get(name: string): string | undefined;
}

// Read structurally rather than with instanceof: both SDKs re-export RestError, and a second copy of
// core-rest-pipeline in the tree would make instanceof fail silently.
export function describeFailure(thrown: unknown): StorageFailure {
  if (typeof thrown !== 'object' || thrown === null) {
    return { status: undefined, code: undefined, requestId: undefined, retryAfterMs: undefined };
  }
  const record = thrown as { statusCode?: unknown; code?: unknown; response?: unknown };
  const headers = headersOf(record.response);
  const status = typeof record.statusCode === 'number' ? record.statusCode : undefined;
  const code =
    headers?.get('x-ms-error-code') ?? (typeof record.code === 'string' ? record.code : undefined);
  const retryAfter = headers?.get('retry-after');
  const seconds = retryAfter === undefined ? Number.NaN : Number(retryAfter);
  return {
    status,
    code,
    requestId: headers?.get('x-ms-request-id'),
    retryAfterMs: Number.isFinite(seconds) ? seconds * 1000 : undefined,
  };
}

export function statusOf(thrown: unknown): number | undefined {
  return describeFailure(thrown).status;
}

function headersOf(response: unknown): HeaderBag | undefined {
  if (typeof response !== 'object' || response === null || !('headers' in response)) return;
  const headers = response.headers;
  if (typeof headers !== 'object' || headers === null || !('get' in headers)) return;
  const get = headers.get;
  if (typeof get !== 'function') return;
  return {
    get: (name) => {
      const value: unknown = get.call(headers, name);
      return typeof value === 'string' ? value : undefined;
    },
  };
}

/** Storage throttles with 503 ServerBusy and rarely says when to come back; wait a second. */
const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * A storage failure as a core error, keeping the service's request id; `subject` names what was
 * touched.
 * https://learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes
 */
export function toStorageError(
  service: StorageService,
  thrown: unknown,
  subject: { readonly what: string; readonly id: string },
): Error {
  // Our own errors (a row that fails its schema, say) pass through unchanged.
  if (thrown instanceof AppError) return thrown;
  const failure = describeFailure(thrown);
  const cause = thrown;
  const details = {
    service,
    status: failure.status,
    code: failure.code,
    requestId: failure.requestId,
  };
  switch (failure.status) {
    case undefined:
      // Not an HTTP answer: either our own error passing through, or the request never got a reply.
      if (failure.code === 'REQUEST_SEND_ERROR') {
        return new UpstreamError(service, `${subject.what} ${subject.id}: no response`, { cause });
      }
      return ensureError(thrown);
    case 409:
    case 412:
      return new ConflictError(`${subject.what} ${subject.id} was changed by someone else`, {
        cause,
        details,
      });
    case 404:
      return new NotFoundError(subject.what, subject.id, { cause });
    case 401:
    case 403:
      return new AuthError(`${service} refused the credentials`, { cause, details });
    case 429:
    case 503:
      return new RateLimitedError(service, failure.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS, {
        cause,
      });
    default:
      return new UpstreamError(
        service,
        `${subject.what} ${subject.id}: HTTP ${failure.status}${failure.code === undefined ? '' : ` ${failure.code}`}`,
        { status: failure.status, requestId: failure.requestId, cause },
      );
  }
}
