import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import type { BotHttpAnswer, BotHttpRequest } from '../bot/bot-request.js';
import type { HttpFunctionDefinition, Provider } from './definition.js';
import { json, toHttpResponse } from './http-response.js';
import { requireJsonType } from './read-json.js';

/** The bot as the messages function sees it: one request in, one answer out. */
export interface BotEndpoint {
  process(request: BotHttpRequest): Promise<BotHttpAnswer>;
}

/** Teams activities are a few KB; a card action with its card stays far below this. */
const MAX_BODY_CHARS = 512 * 1024;

const badRequest = (message: string): HttpResponseInit =>
  json(400, { error: { code: 'validation', message } });

/**
 * Adapts an @azure/functions request to the bot and its answer back. Refusals carry no detail:
 * a caller without a valid channel token learns nothing from us (docs/security.md).
 */
async function serveBotRequest(
  endpoint: BotEndpoint,
  request: HttpRequest,
): Promise<HttpResponseInit> {
  // Channels post JSON; without this, a form on any web page could post an activity to a local bot
  // that runs without an app id (and so without a token check).
  requireJsonType(request);
  const text = await request.text();
  if (text.length > MAX_BODY_CHARS) return badRequest('Request body is too large');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return badRequest('Request body is not a JSON activity');
  }
  // Checked as an activity once, by the bot (bot/bot-request.ts), which answers 400 when it is not.
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const answer = await endpoint.process({ method: request.method, headers, body });
  if (answer.status === 401) return { status: 401, headers: { 'cache-control': 'no-store' } };
  return answer.body === undefined
    ? { status: answer.status, headers: { 'cache-control': 'no-store' } }
    : json(answer.status, answer.body);
}

/** POST /api/messages: the Teams bot, built once per process on first use. */
export function messages(bot: Provider<BotEndpoint>): HttpFunctionDefinition {
  return {
    trigger: 'http',
    name: 'messages',
    route: 'messages',
    methods: ['POST'],
    handler: async (request, context) => {
      try {
        return await serveBotRequest(await bot(), request);
      } catch (e: unknown) {
        // The bot answers its own failures; this is a failure to build it or to reach it at all.
        return toHttpResponse(e, context);
      }
    },
  };
}
