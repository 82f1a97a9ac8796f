import {
  type AppError,
  AuthError,
  ConflictError,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
} from '../../core/errors.js';
import { parseRetryAfter } from '../http/http-pipeline.js';
import { safeVendorMessage } from '../http/redact.js';
import { graphErrorEnvelopeSchema } from './wire.js';

export const SERVICE = 'graph';

/** What a failed call was about, so the error can say it in domain words. */
export interface FailureContext {
  /** The route template, e.g. `PATCH /planner/tasks/:id` (never a URL: UPNs are personal data). */
  readonly endpoint: string;
  /** The thing a 404 means is missing, e.g. `{ what: 'Planner task', id }`. */
  readonly resource?: { readonly what: string; readonly id: string } | undefined;
}

/** An answer that was not a success, as read off the wire (top-level or inside a `$batch`). */
export interface FailedAnswer {
  readonly status: number;
  /** Parsed JSON body, if there was one. */
  readonly body: unknown;
  /** Header lookup, case-insensitive. */
  readonly header: (name: string) => string | undefined;
}

/**
 * Planner's 403 for a write past a service limit (`MaximumChecklistItemsOnTask`, …); an
 * UpstreamError to others, GraphTaskBoard handles the details ones.
 * https://learn.microsoft.com/graph/api/resources/planner-overview#403-forbidden
 */
export class PlannerLimitError extends UpstreamError {
  readonly limit: string;

  constructor(limit: string, endpoint: string, options?: { requestId?: string; cause?: unknown }) {
    super(SERVICE, `${endpoint} refused: Planner limit ${limit}`, { status: 403, ...options });
    this.limit = limit;
  }
}

// [INF] Every limit code the overview lists starts with "Maximum"; new ones likely will too.
const LIMIT_CODE = /^Maximum[A-Za-z]+$/;

/** The envelope's code, message and request id; whatever is missing stays undefined. */
export function readEnvelope(
  body: unknown,
  secrets: readonly string[] = [],
): {
  code: string | undefined;
  message: string | undefined;
  requestId: string | undefined;
} {
  const parsed = graphErrorEnvelopeSchema.safeParse(body);
  if (!parsed.success) return { code: undefined, message: undefined, requestId: undefined };
  const { error } = parsed.data;
  const inner = error.innerError ?? error.innererror;
  return {
    code: error.code ?? undefined,
    message: safeVendorMessage(error.message, secrets),
    requestId: inner?.['request-id'],
  };
}

/**
 * HTTP status and Graph envelope → a core error, keeping Graph's `request-id` (header, else
 * innerError).
 * https://learn.microsoft.com/graph/errors
 */
export function errorFromAnswer(
  answer: FailedAnswer,
  ctx: FailureContext,
  now: Date,
  /** Values Graph's message may not repeat (the tokens we sent). */
  secrets: readonly string[] = [],
): AppError {
  const envelope = readEnvelope(answer.body, secrets);
  const requestId = answer.header('request-id') ?? envelope.requestId;
  const said = envelope.message === undefined ? '' : ` (Graph said: ${envelope.message})`;
  const code = envelope.code === undefined || envelope.code === '' ? '' : ` ${envelope.code}`;
  const { status } = answer;
  const upstream = (): UpstreamError =>
    new UpstreamError(SERVICE, `${ctx.endpoint} answered HTTP ${status}${code}${said}`, {
      status,
      ...(requestId === undefined ? {} : { requestId }),
    });
  const details = { endpoint: ctx.endpoint, status, requestId, graphCode: envelope.code };

  if (status === 403 && envelope.code !== undefined && LIMIT_CODE.test(envelope.code)) {
    return new PlannerLimitError(envelope.code, ctx.endpoint, {
      ...(requestId === undefined ? {} : { requestId }),
    });
  }
  switch (status) {
    case 401:
      // Never the token: the message is for the operator's log.
      return new AuthError(`Graph refused our token at ${ctx.endpoint}${said}`, { details });
    case 403:
      // Missing permission (Tasks.ReadWrite.All, User.Read.All) or a plan the app cannot see.
      return new AuthError(`Graph denied access at ${ctx.endpoint}${said}`, { details });
    case 404:
      return new NotFoundError(
        ctx.resource?.what ?? 'Graph resource',
        ctx.resource?.id ?? ctx.endpoint,
        { cause: upstream() },
      );
    case 409:
    case 412:
      // planner-overview "Planner resource versioning": the ETag no longer matches; re-read.
      return new ConflictError(`${ctx.endpoint}: the Planner item changed underneath us${said}`, {
        details,
      });
    case 429:
      return new RateLimitedError(
        SERVICE,
        parseRetryAfter(answer.header('retry-after'), now) ?? 0,
        { cause: upstream() },
      );
    default:
      return upstream();
  }
}
