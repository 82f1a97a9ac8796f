import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Logger } from '../core/ports/logger.js';
import type { HttpFunctionDefinition } from '../functions/definition.js';
import { serveFunction } from './http-adapter.js';

// The console and the development sign-in serve only the person at this machine, and the console
// never holds the API key: its own routes add it server-side (docs/security.md).

const consoleDir = fileURLToPath(new URL('../simulators/console/', import.meta.url));
const adaptiveCardsBundle = createRequire(import.meta.url).resolve(
  'adaptivecards/dist/adaptivecards.min.js',
);

/** Host headers of this machine: a DNS-rebound page carries its own name there. */
const loopbackHost = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

/** Headers proxies and tunnels (dev tunnels, ngrok) add: such a request is not from this machine. */
const proxyHeaders = ['forwarded', 'x-forwarded-for', 'x-forwarded-host'] as const;

/** The functions the console calls, by name; everything else stays behind the API key. */
const consoleFunctions = new Set([
  'health',
  'listActivity',
  'inspectQueues',
  'pollNow',
  'replayPoison',
  'tabDevToken',
  'tabDevUsers',
]);

const CONSOLE_API_PREFIX = '/console/api/';

/** Why a request may not reach the console or the development sign-in; undefined when it may. */
export function consoleRefusal(headers: IncomingHttpHeaders): string | undefined {
  const lead = 'The console and the development sign-in answer only on this machine';
  const host = headers.host ?? '';
  if (!loopbackHost.test(host)) {
    return `${lead}: open them at localhost, 127.0.0.1 or [::1] (this request was for another host name)`;
  }
  if (proxyHeaders.some((name) => headers[name] !== undefined)) {
    return `${lead} (this request came through a proxy or tunnel)`;
  }
  // Browsers send Origin on cross-site requests and on every POST; the console's own is http://{Host}.
  const origin = headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${host.toLowerCase()}`) {
    return `${lead} (this request came from another site's page)`;
  }
  return undefined;
}

export const isConsolePath = (path: string): boolean =>
  path === '/' || path === '/console' || path.startsWith('/console/');

export interface LocalConsoleOptions {
  /** Off: every console route answers 404 (an Entra app is configured and LIGHTDESK_CONSOLE is not on). */
  readonly enabled: boolean;
  readonly apiKey: string | undefined;
  /** Where the console's panes find the simulators (absent: that system is real). */
  readonly settings: {
    readonly simulatorUrl: string | undefined;
    readonly graphUrl: string | undefined;
    readonly teamsUrl: string | undefined;
    readonly ziflowUrl: string | undefined;
    readonly preservicaUrl: string | undefined;
  };
  readonly functions: readonly HttpFunctionDefinition[];
  readonly logger: Logger;
}

type Answer = (status: number, message: string, code: string) => void;

/**
 * Serves the console's pages, its settings and its API routes (`/console/api/v1/…`), and guards the
 * development sign-in route. Returns false for paths that are not the console's.
 */
export async function serveConsole(
  options: LocalConsoleOptions,
  request: IncomingMessage,
  response: ServerResponse,
  baseUrl: string,
  path: string,
): Promise<boolean> {
  const isDevSignIn = path === '/api/v1/tab/dev-token';
  if (!isConsolePath(path) && !isDevSignIn) return false;
  const answer: Answer = (status, message, code) => {
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify({ error: { code, message } }));
  };
  const refusal = consoleRefusal(request.headers);
  if (refusal !== undefined) {
    answer(403, refusal, 'forbidden');
    return true;
  }
  if (isDevSignIn) return false; // the function itself answers (404 where there are no dev tokens)
  if (!options.enabled) {
    answer(
      404,
      'The console is off because an Entra app is configured; set LIGHTDESK_CONSOLE=on to use it on this machine',
      'not_found',
    );
    return true;
  }
  if (path.startsWith(CONSOLE_API_PREFIX)) {
    const allowed = options.functions.filter((f) => consoleFunctions.has(f.name));
    const served = await serveFunction(allowed, request, response, baseUrl, options.logger, {
      pathname: `/api/${path.slice(CONSOLE_API_PREFIX.length)}`,
      headers: options.apiKey === undefined ? {} : { 'x-api-key': options.apiKey },
    });
    if (!served) answer(404, `The console has no route ${path}`, 'not_found');
    return true;
  }
  if (request.method !== 'GET') {
    answer(405, `${request.method ?? ''} is not allowed here`, 'validation');
    return true;
  }
  switch (path) {
    case '/':
    case '/console':
      await sendFile(response, join(consoleDir, 'console.html'), 'text/html; charset=utf-8');
      return true;
    case '/console/console.js':
      await sendFile(response, join(consoleDir, 'console.js'), 'text/javascript; charset=utf-8');
      return true;
    case '/console/adaptivecards.js':
      // The renderer's UMD build: the page renders cards exactly as the tests parse them.
      await sendFile(response, adaptiveCardsBundle, 'text/javascript; charset=utf-8');
      return true;
    case '/console/settings.json': {
      const { simulatorUrl, graphUrl, teamsUrl, ziflowUrl, preservicaUrl } = options.settings;
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(
        JSON.stringify({
          simulatorUrl: simulatorUrl ?? null,
          graphUrl: graphUrl ?? null,
          teamsUrl: teamsUrl ?? null,
          ziflowUrl: ziflowUrl ?? null,
          preservicaUrl: preservicaUrl ?? null,
        }),
      );
      return true;
    }
    default:
      answer(404, `Nothing at ${path}`, 'not_found');
      return true;
  }
}

async function sendFile(response: ServerResponse, file: string, type: string): Promise<void> {
  const body = await readFile(file);
  response.writeHead(200, {
    'content-type': type,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    // The console is never framed by another site.
    'content-security-policy': "frame-ancestors 'self'",
  });
  response.end(body);
}
