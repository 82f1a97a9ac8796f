import {
  type AppError,
  AuthError,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
} from '../../core/errors.js';
import type { ConversationRecord } from '../../core/ports/conversation-store.js';
import { connectorFailureSchema } from './wire.js';

export const SERVICE = 'teams';

/** Without a usable Retry-After, wait this long before the next try. */
const DEFAULT_RETRY_AFTER_MS = 1_000;

/** A refusal that says the bot may no longer write there: the conversation is marked with it. */
export interface Refusal {
  readonly status: Extract<ConversationRecord['status'], 'notInRoster' | 'writesBlocked'>;
  readonly code: string;
}

export interface ConnectorFailure {
  readonly status: number;
  readonly code: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;
}

function header(response: unknown, name: string): string | undefined {
  if (typeof response !== 'object' || response === null || !('headers' in response)) {
    return undefined;
  }
  const headers: unknown = response.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  // core-rest-pipeline hands over an HttpHeaders (with get); older clients a plain object.
  if ('get' in headers && typeof headers.get === 'function') {
    const value: unknown = headers.get.call(headers, name);
    return typeof value === 'string' ? value : undefined;
  }
  const value: unknown = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** The HTTP status and Bot Connector error code of a failed call, or undefined for other failures. */
export function connectorFailure(thrown: unknown): ConnectorFailure | undefined {
  const parsed = connectorFailureSchema.safeParse(thrown);
  if (!parsed.success) return undefined;
  const response: unknown =
    typeof thrown === 'object' && thrown !== null && 'response' in thrown
      ? thrown.response
      : undefined;
  const retryAfter = header(response, 'retry-after');
  const seconds = retryAfter === undefined ? Number.NaN : Number(retryAfter);
  return {
    status: parsed.data.statusCode,
    code: parsed.data.details?.error?.code ?? parsed.data.code,
    retryAfterMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined,
    requestId: header(response, 'x-ms-request-id') ?? header(response, 'ms-cv'),
  };
}

/**
 * Teams' 403s meaning the bot can no longer write there: removed, or blocked/uninstalled
 * (learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages).
 */
export function refusalOf(failure: ConnectorFailure | undefined): Refusal | undefined {
  if (failure?.status !== 403) return undefined;
  if (failure.code === 'BotNotInConversationRoster')
    return { status: 'notInRoster', code: failure.code };
  if (failure.code === 'MessageWritesBlocked')
    return { status: 'writesBlocked', code: failure.code };
  return undefined;
}

/**
 * Connector failures in domain terms. A 429 goes to the queue to back off: botbuilder already
 * retried updates and reads, and a new card's post is sent once (bot/post-once.ts).
 */
export function toChatError(
  thrown: unknown,
  subject: { readonly conversationKey: string; readonly activityId?: string },
): AppError {
  const failure = connectorFailure(thrown);
  if (failure === undefined) {
    return new UpstreamError(SERVICE, 'the Bot Connector could not be reached', { cause: thrown });
  }
  const details = {
    conversation: subject.conversationKey,
    status: failure.status,
    ...(failure.code === undefined ? {} : { reason: failure.code }),
  };
  switch (failure.status) {
    case 401:
    case 403:
      return new AuthError(`Teams refused the bot in ${subject.conversationKey}`, {
        cause: thrown,
        details,
      });
    case 404:
      return subject.activityId === undefined
        ? new NotFoundError('Conversation', subject.conversationKey, { cause: thrown })
        : new NotFoundError('Card', subject.activityId, { cause: thrown });
    case 429:
      return new RateLimitedError(SERVICE, failure.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS, {
        cause: thrown,
      });
    default:
      return new UpstreamError(SERVICE, `the Bot Connector answered ${failure.status}`, {
        status: failure.status,
        ...(failure.requestId === undefined ? {} : { requestId: failure.requestId }),
        cause: thrown,
      });
  }
}
