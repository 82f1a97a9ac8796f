import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';

import { AuthError, NotFoundError, ValidationError } from '../core/errors.js';
import type { RoutingRules } from '../core/model/routing-rules.js';
import type { Clock } from '../core/ports/clock.js';
import type { Directory } from '../core/ports/directory.js';
import type { IdentityVerifier, SignedInUser } from '../core/ports/identity-verifier.js';
import type { ReviewStore } from '../core/ports/review-store.js';
import type { TaskBoard } from '../core/ports/task-board.js';
import { queueViewSchema, reviewQueue } from '../core/use-cases/review-queue.js';
import type { ApiKeyDeps, HttpFunctionDefinition, Provider } from './definition.js';
import { httpFunction, json, toHttpResponse } from './http-response.js';
import { parse, readJson } from './read-json.js';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Teams shows the tab in an iframe: only Teams' origins (and ours, for the console) may frame it.
 * https://learn.microsoft.com/microsoftteams/platform/tabs/how-to/tab-requirements
 */
const frameAncestors = [
  "'self'",
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://teams.cloud.microsoft',
  'https://*.office.com',
  'https://*.cloud.microsoft',
  'https://*.skype.com',
].join(' ');

/** The folder of the tab's static files, found from this module in the sources and in dist/. */
async function findTabRoot(): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth += 1) {
    const candidate = join(dir, 'tab', 'public');
    try {
      await readdir(candidate);
      return candidate;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new NotFoundError('Tab files', 'tab/public');
}

interface TabFiles {
  /** Served names → absolute paths: a fixed list, so no request path ever reaches the file system. */
  readonly files: ReadonlyMap<string, string>;
}

let tabFiles: Promise<TabFiles> | undefined;

function loadTabFiles(): Promise<TabFiles> {
  tabFiles ??= (async () => {
    const root = await findTabRoot();
    const files = new Map<string, string>();
    for (const name of await readdir(root)) {
      if (contentTypes[extname(name)] !== undefined) files.set(name, join(root, name));
    }
    // teams-js ships a UMD bundle; serving it from our origin keeps the tab free of CDNs.
    const require = createRequire(import.meta.url);
    files.set('teams-js.js', require.resolve('@microsoft/teams-js/dist/umd/MicrosoftTeams.min.js'));
    return { files };
  })();
  return tabFiles;
}

/** GET /api/tab/{*path}: the tab's pages (index.html, config.html) and their scripts. */
export function tabPage(): HttpFunctionDefinition {
  return {
    trigger: 'http',
    name: 'tabPage',
    route: 'tab/{*path}',
    methods: ['GET'],
    handler: async (request, context) => {
      try {
        const requested = request.params.path ?? '';
        const name = requested === '' ? 'index.html' : requested;
        const { files } = await loadTabFiles();
        const path = files.get(name);
        if (path === undefined) throw new NotFoundError('Tab file', name);
        const isPage = name.endsWith('.html');
        return {
          status: 200,
          body: await readFile(path),
          headers: {
            'content-type': contentTypes[extname(name)] ?? 'application/octet-stream',
            'cache-control': isPage ? 'no-cache' : 'public, max-age=300',
            'content-security-policy': `frame-ancestors ${frameAncestors}`,
            'x-content-type-options': 'nosniff',
          },
        };
      } catch (e: unknown) {
        return toHttpResponse(e, context);
      }
    },
  };
}

function bearerToken(request: HttpRequest): string {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match?.[1] === undefined)
    throw new AuthError('Send the sign-in token as Authorization: Bearer');
  return match[1];
}

const queueQuerySchema = z
  .object({
    view: queueViewSchema.default('open'),
    q: z.string().max(200).optional(),
    mine: z
      .enum(['true', 'false', '1', '0'])
      .transform((v) => v === 'true' || v === '1')
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(100),
  })
  .strict();

const present = (user: SignedInUser) => ({
  id: user.id,
  name: user.name,
  upn: user.upn,
  via: user.via,
});

/** Issues development tokens for the tab outside Teams (the local host only). */
export interface DevTokenIssuer {
  issue(
    user: Omit<SignedInUser, 'via'>,
  ): Promise<{ readonly token: string; readonly expiresIn: number }>;
}

/** What the tab's routes use. */
export interface TabDeps extends ApiKeyDeps {
  /** Who a tab request acts for: Teams SSO tokens, and on the local host development tokens. */
  readonly identity: IdentityVerifier;
  readonly reviews: ReviewStore;
  readonly board: Pick<TaskBoard, 'taskUrl'>;
  readonly clock: Clock;
  readonly directory: Directory;
  readonly rules: RoutingRules;
  /** Undefined except on the local host: there is no development sign-in anywhere else. */
  readonly devTokens: DevTokenIssuer | undefined;
}

/** GET /api/v1/tab/queue?view=overdue&q=…&mine=true: the review queue for the signed-in person. */
export function tabQueue(services: Provider<TabDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'tabQueue', route: 'v1/tab/queue', methods: ['GET'], auth: 'own' },
    async (s, request) => {
      const user = await s.identity.verify(bearerToken(request));
      const parsed = queueQuerySchema.safeParse(Object.fromEntries(request.query.entries()));
      if (!parsed.success) throw ValidationError.fromZod('Query parameters', parsed.error);
      const queue = await reviewQueue(
        { reviews: s.reviews, taskUrl: (task) => s.board.taskUrl(task) },
        user,
        {
          view: parsed.data.view,
          text: parsed.data.q,
          mine: parsed.data.mine,
          limit: parsed.data.limit,
        },
        s.clock.now(),
      );
      return json(200, { user: present(user), ...queue });
    },
  );
}

const devTokenBodySchema = z.object({ user: z.string().min(1).max(200) }).strict();

/**
 * POST /api/v1/tab/dev-token {"user": "<object id or UPN>"}: a development token for the tab
 * outside Teams, from the local host with its console on, to a loopback Host only (elsewhere 404).
 */
export function tabDevToken(services: Provider<TabDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    // With API_KEY set the key is needed too (the console's route adds it): a token is a sign-in.
    { name: 'tabDevToken', route: 'v1/tab/dev-token', methods: ['POST'], auth: 'apiKey' },
    async (s, request) => {
      if (s.devTokens === undefined) throw new NotFoundError('Route', 'v1/tab/dev-token');
      const body = parse(devTokenBodySchema, await readJson(request), 'Development sign-in');
      const [person] = await s.directory.resolveUsers([body.user]);
      if (person === undefined) throw new NotFoundError('User', body.user);
      const issued = await s.devTokens.issue({
        id: person.id,
        name: person.name,
        upn: person.upn,
      });
      return json(200, {
        token: issued.token,
        expiresIn: issued.expiresIn,
        user: { id: person.id, name: person.name, upn: person.upn },
      });
    },
  );
}

/**
 * GET /api/v1/tab/dev-token: whom the development sign-in offers (everyone the routing rules name).
 * Like the POST, it exists only where development tokens do.
 */
export function tabDevUsers(services: Provider<TabDeps>): HttpFunctionDefinition {
  return httpFunction(
    services,
    { name: 'tabDevUsers', route: 'v1/tab/dev-token', methods: ['GET'], auth: 'apiKey' },
    (s) => {
      if (s.devTokens === undefined) throw new NotFoundError('Route', 'v1/tab/dev-token');
      const users = [...new Set(s.rules.rules.flatMap((rule) => rule.reviewers))].sort();
      return Promise.resolve(json(200, { users }));
    },
  );
}
