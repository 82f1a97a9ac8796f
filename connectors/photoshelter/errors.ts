import {
  type AppError,
  AuthError,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
} from '../../core/errors.js';
import { jsonOrUndefined } from '../http/answer.js';
import { safeVendorMessage } from '../http/redact.js';
import { v3ErrorEnvelopeSchema, v4ErrorEnvelopeSchema } from './wire.js';

export const SERVICE = 'photoshelter';

/** What a failed call was about, so the error can say it in domain words. */
export interface FailureContext {
  /** The route template, e.g. `GET /psapi/v3/mem/gallery/:id` (never a URL with a query). */
  readonly endpoint: string;
  /** The thing a 404 means is missing, e.g. `{ what: 'Gallery', id }`. */
  readonly resource?: { readonly what: string; readonly id: string } | undefined;
  /** Values that must never reach an error message (password, token, API key). */
  readonly secrets: readonly string[];
  readonly requestId?: string | undefined;
  /** From `Retry-After`, for a 429. */
  readonly retryAfterMs?: number | undefined;
  /** A login (#1) refused: a 401 there means bad credentials, not an expired session. */
  readonly isLogin?: boolean;
}

/**
 * The vendor's explanation (v3 `error.message` [OFF], v4 `errors[0].title` [OFF importer]) unless
 * it repeats a secret. [INF] A 404 may have no JSON body, so anything unreadable is no message.
 */
export function vendorMessage(body: string, secrets: readonly string[]): string | undefined {
  const json = jsonOrUndefined(body);
  const v3 = v3ErrorEnvelopeSchema.safeParse(json);
  const v4 = v4ErrorEnvelopeSchema.safeParse(json);
  const text = v3.success
    ? v3.data.error?.message
    : v4.success
      ? v4.data.errors[0]?.title
      : undefined;
  return safeVendorMessage(text, secrets);
}

/**
 * v3 error statuses are undocumented (docs/photoshelter-wire.md): [INF] a 200 whose body says `status: "error"` is a
 * failure too. We read the class/message to recover the status the simulator would have sent.
 */
export function effectiveStatus(status: number, body: string): number {
  if (status < 200 || status >= 300) return status;
  const json = jsonOrUndefined(body);
  if (json === undefined) return status;
  const v3 = v3ErrorEnvelopeSchema.safeParse(json);
  if (!v3.success || v3.data.status.toLowerCase() === 'ok' || v3.data.error === undefined) {
    return status;
  }
  const cls = v3.data.error.class ?? '';
  const message = (v3.data.error.message ?? '').toLowerCase();
  if (cls === 'SessionRequiredErr') return 401; // [3P v1] class name
  if (message.includes('api key')) return 403;
  if (message.includes('not found')) return 404;
  return 502; // [INF] an error we cannot classify: the vendor failed us, do not retry blindly
}

/** HTTP status (or v3 error envelope) → the core error callers switch on. */
export function errorFromResponse(status: number, body: string, ctx: FailureContext): AppError {
  const said = vendorMessage(body, ctx.secrets);
  const because = said === undefined ? '' : ` (PhotoShelter said: ${said})`;
  if (status === 401 && ctx.isLogin === true) {
    // Never name the account or echo the password; the message is for the operator's log.
    return new AuthError(`PhotoShelter refused the configured email and password${because}`, {
      details: { endpoint: ctx.endpoint, status },
    });
  }
  switch (status) {
    case 401:
      return new AuthError(`PhotoShelter refused our session at ${ctx.endpoint}${because}`, {
        details: { endpoint: ctx.endpoint, status },
      });
    case 403:
      // A wrong or missing API key [WIP ApiKeyInvalidException], or an org the user is not in (#2).
      return new AuthError(`PhotoShelter denied access at ${ctx.endpoint}${because}`, {
        details: { endpoint: ctx.endpoint, status },
      });
    case 404:
      return new NotFoundError(
        ctx.resource?.what ?? 'PhotoShelter resource',
        ctx.resource?.id ?? ctx.endpoint,
      );
    case 429:
      return new RateLimitedError(SERVICE, ctx.retryAfterMs ?? 0);
    default:
      return new UpstreamError(SERVICE, `${ctx.endpoint} answered HTTP ${status}${because}`, {
        status,
        requestId: ctx.requestId,
      });
  }
}
