import type { CloudAdapter, Response as BotResponse, TurnContext } from 'botbuilder';

import type { Logger } from '../core/ports/logger.js';

/** An HTTP request to /api/messages, already read: what botbuilder's `CloudAdapter.process` needs. */
export interface BotHttpRequest {
  readonly method: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body (the activity). */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface BotHttpAnswer {
  readonly status: number;
  /** JSON for an invoke's answer; undefined for other activities and for every refusal. */
  readonly body?: unknown;
}

/** What runs a turn: `bot.run` of an ActivityHandler. */
export type TurnLogic = (context: TurnContext) => Promise<void>;

/**
 * Runs one /api/messages request through the CloudAdapter, which validates the channel's JWT when
 * an app id is configured, and hands back what to answer.
 *
 * botbuilder 4.23.3 answers 401 only for its own AuthenticationError; a forged or `alg: none`
 * signature surfaces as jsonwebtoken's error, which `CloudAdapter.process` answers with 500 and the
 * error message (botbuilder src/cloudAdapter.ts, botframework-connector src/auth/jwtTokenExtractor.ts;
 * simulators/bot-connector/README.md). The bot's own failures never get that far: the adapter's
 * onTurnError handles them inside the turn. So a failure before the turn started is an
 * authentication failure, answered 401, and no refusal carries botbuilder's message.
 */
export async function processBotRequest(
  adapter: CloudAdapter,
  logic: TurnLogic,
  request: BotHttpRequest,
  logger: Logger,
): Promise<BotHttpAnswer> {
  let status = 200;
  let body: unknown;
  let hasTurnStarted = false;
  // The minimal Express-like response `CloudAdapter.process` writes to (botbuilder
  // src/interfaces/response.ts): status(), header(), send(), end().
  const response: BotResponse = {
    socket: undefined,
    status: (code: number) => {
      status = code;
    },
    header: () => undefined,
    send: (payload: unknown) => {
      body = payload;
    },
    end: () => undefined,
  };
  await adapter.process(
    { method: request.method, headers: { ...request.headers }, body: { ...request.body } },
    response,
    async (context) => {
      hasTurnStarted = true;
      await logic(context);
    },
  );
  const activityId = typeof request.body['id'] === 'string' ? request.body['id'] : undefined;
  if (!hasTurnStarted && (status === 401 || status >= 500)) {
    logger.warn('bot request refused', {
      activityId,
      status,
      reason: typeof body === 'string' ? body.slice(0, 120) : undefined,
    });
    return { status: 401 };
  }
  // An invoke's answer is an object the bot built; any text is botbuilder's own (an error message,
  // sometimes a stack) and not for callers.
  if (typeof body === 'string') body = undefined;
  if (status >= 400) logger.warn('bot request failed', { activityId, status });
  return body === undefined ? { status } : { status, body };
}
