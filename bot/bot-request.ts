import { type Activity, CloudAdapter, type InvokeResponse, type TurnContext } from 'botbuilder';
import { z } from 'zod';

import type { Logger } from '../core/ports/logger.js';

/** An HTTP request to /api/messages, already read. */
export interface BotHttpRequest {
  readonly method: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body as parsed from the text; checked here, once, as an activity. */
  readonly body: unknown;
}

export interface BotHttpAnswer {
  readonly status: number;
  /** JSON for an invoke's answer; undefined for other activities and for every refusal. */
  readonly body?: unknown;
}

/** What runs a turn: `bot.run` of an ActivityHandler. */
export type TurnLogic = (context: TurnContext) => Promise<void>;

/**
 * A CloudAdapter taking the activity the Functions handler already parsed: `process` would parse it
 * again; `processActivity` still authenticates it and runs the turn (docs/decisions.md).
 */
export class BotAdapter extends CloudAdapter {
  /** Authenticates and runs one activity; the invoke response, if the turn set one. */
  serve(
    authHeader: string,
    activity: Activity,
    logic: TurnLogic,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

// What `CloudAdapter.process` requires of a body before it runs a turn (botbuilder
// src/activityValidator.ts): an object with a type; the rest is the handlers' to read.
const activitySchema = z.looseObject({ type: z.string().min(1), id: z.string().optional() });

/** The timestamps botbuilder turns into Dates, keeping the text (botbuilder validateAndFixActivity). */
const timestampFields = [
  ['timestamp', 'rawTimestamp'],
  ['expiration', 'rawExpiration'],
  ['localTimestamp', 'rawLocalTimestamp'],
] as const;

function toActivity(body: unknown): Activity | undefined {
  const parsed = activitySchema.safeParse(body);
  if (!parsed.success) return undefined;
  // zod hands back a new object, so botbuilder's changes (callerId, the Dates) stay off the body.
  const activity: Record<string, unknown> = parsed.data;
  for (const [field, raw] of timestampFields) {
    const value = activity[field];
    if (typeof value === 'string') {
      activity[raw] = value;
      activity[field] = new Date(value);
    }
  }
  return activity as unknown as Activity;
}

/**
 * Runs one /api/messages request through the adapter and hands back what to answer. A failure
 * before the turn starts is authentication (a forged signature surfaces as jsonwebtoken's error,
 * not botbuilder's: botframework-connector src/auth/jwtTokenExtractor.ts), answered 401 without
 * botbuilder's message; the bot's own failures are handled by onTurnError inside the turn.
 */
export async function processBotRequest(
  adapter: BotAdapter,
  logic: TurnLogic,
  request: BotHttpRequest,
  logger: Logger,
): Promise<BotHttpAnswer> {
  if (request.method !== 'POST') return { status: 405 };
  const activity = toActivity(request.body);
  if (activity === undefined) {
    logger.warn('bot request without an activity type', {});
    return { status: 400 };
  }
  const activityId = activity.id;
  let hasTurnStarted = false;
  let invokeResponse: InvokeResponse | undefined;
  try {
    invokeResponse = await adapter.serve(
      request.headers['authorization'] ?? '',
      activity,
      (context) => {
        hasTurnStarted = true;
        return logic(context);
      },
    );
  } catch (e: unknown) {
    const name = e instanceof Error ? e.name : typeof e;
    if (!hasTurnStarted) {
      logger.warn('bot request refused', { activityId, status: 401, reason: name });
      return { status: 401 };
    }
    logger.warn('bot request failed', { activityId, status: 500, error: name });
    return { status: 500 };
  }
  const status = invokeResponse?.status ?? 200;
  // An invoke's answer is an object the bot built; any text is botbuilder's own and not for callers.
  const body: unknown = invokeResponse?.body;
  if (status >= 400) logger.warn('bot request failed', { activityId, status });
  return body === undefined || typeof body === 'string' ? { status } : { status, body };
}
