import { z } from 'zod';

import { SimError } from '../kit/errors.js';
import { jsonReply, nextPage, pageOf, type PvRequest, type PvRoute } from './context.js';
import { fileReply } from './entity-routes.js';
import { type Ingests, monitorView } from './ingests.js';
import type { EntityRecord, EntityStore } from './store.js';
import type { Tokens } from './tokens.js';

// The JSON APIs beside the Entity API: Access Token (login, refresh), user details, Process Monitor
// and Content (docs/preservica-simulator.md). JSON APIs other than the Access Token API wrap their replies
// as {success, version, value} [OFF, 3P].

const loginSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  tenant: z.string().optional(),
  includeUserDetails: z.enum(['true', 'false']).optional(),
});
const refreshSchema = z.object({ refreshToken: z.string().min(1) });

async function form(req: PvRequest): Promise<Record<string, string>> {
  const raw = (await req.body()).toString('utf8');
  const fields = Object.fromEntries(new URLSearchParams(raw));
  // The SDKs send a form; query parameters are read too, as the server accepts them [INF].
  return { ...Object.fromEntries(req.query), ...fields };
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new SimError(400, 'BadRequest', z.prettifyError(result.error));
  return result.data;
}

export function accessTokenFrom(headers: Readonly<Record<string, string>>): string | undefined {
  const direct = headers['preservica-access-token'];
  if (direct !== undefined && direct !== '') return direct;
  const auth = headers['authorization'] ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
  if (bearer !== null) return bearer[1];
  // The Upload API takes the token as the SigV4 access key: `Credential=<token>/<date>/…`.
  const credential = /^AWS4-HMAC-SHA256\s+.*Credential=([^/,\s]+)\//i.exec(auth);
  return credential?.[1];
}

export interface ApiHost {
  readonly tokens: Tokens;
  readonly store: () => EntityStore;
  readonly ingests: () => Ingests;
}

const wrapped = (value: unknown) => jsonReply(200, { success: true, version: 1, value });

export function apiRoutes(host: ApiHost): PvRoute[] {
  return [
    {
      method: 'POST',
      template: '/api/accesstoken/login',
      family: 'token',
      auth: 'none',
      handler: async (req) => {
        const input = parse(loginSchema, await form(req));
        const reply = host.tokens.login(input.username, input.password, input.tenant);
        if (input.includeUserDetails !== 'true') return jsonReply(200, reply);
        const user = host.tokens.check(reply.token);
        return jsonReply(200, {
          ...reply,
          fullName: user.fullName,
          email: user.email,
          tenant: host.tokens.tenant,
          tenantValue: host.tokens.tenant,
          roles: user.roles,
        });
      },
    },
    {
      method: 'POST',
      template: '/api/accesstoken/refresh',
      family: 'token',
      auth: 'none',
      handler: async (req) => {
        const input = parse(refreshSchema, await form(req));
        return jsonReply(
          200,
          host.tokens.refresh(input.refreshToken, accessTokenFrom(req.headers)),
        );
      },
    },
    {
      method: 'GET',
      template: '/api/user/details',
      family: 'json',
      auth: 'user',
      handler: (req) => {
        const user = req.user;
        if (user === undefined) throw new SimError(401, 'Unauthorized', 'No user');
        return jsonReply(200, {
          userName: user.username,
          fullName: user.fullName,
          email: user.email,
          tenant: host.tokens.tenant,
          roles: user.roles,
        });
      },
    },
    {
      method: 'GET',
      template: '/api/processmonitor/monitors',
      family: 'json',
      auth: 'user',
      handler: (req) => {
        const name = req.query.get('name');
        const category = req.query.get('category');
        const status = req.query.get('status');
        const monitors = [...host.ingests().list()]
          .reverse()
          .map(monitorView)
          .filter(
            (m) =>
              // [INF] `name` matches any part of the monitor's name.
              (name === null || String(m['name']).includes(name)) &&
              (category === null || m['category'] === category) &&
              (status === null || status.split(',').includes(String(m['status']))),
          );
        const { start, max } = pageOf(req.query);
        return wrapped({
          paging: {
            next: nextPage(req, start, max, monitors.length) ?? null,
            totalResults: monitors.length,
          },
          monitors: monitors.slice(start, start + max),
        });
      },
    },
    {
      method: 'GET',
      template: '/api/processmonitor/messages',
      family: 'json',
      auth: 'user',
      handler: (req) => {
        const monitor = req.query.get('monitor');
        const status = req.query.get('status');
        const messages = host
          .ingests()
          .list()
          .filter((r) => monitor === null || r.monitorId === monitor)
          .flatMap((r) => r.messages)
          .filter((m) => status === null || status.split(',').includes(m.status));
        const { start, max } = pageOf(req.query);
        return wrapped({
          paging: {
            next: nextPage(req, start, max, messages.length) ?? null,
            totalResults: messages.length,
          },
          messages: messages.slice(start, start + max),
        });
      },
    },
    {
      method: 'GET',
      template: '/api/content/download',
      family: 'content',
      auth: 'user',
      handler: (req) => {
        const entity = entityOf(host.store(), req.query.get('id'));
        const bitstream = firstBitstream(host.store(), entity);
        if (bitstream === undefined)
          throw new SimError(404, 'NotFound', `${entity.ref} has no content`);
        return fileReply(req, bitstream.file, bitstream.size, bitstream.filename);
      },
    },
    {
      method: 'GET',
      template: '/api/content/thumbnail',
      family: 'content',
      auth: 'user',
      handler: (req) => {
        const entity = entityOf(host.store(), req.query.get('id'));
        // [INF] the simulator renders no thumbnails: every entity has none.
        throw new SimError(404, 'NotFound', `No thumbnail for ${entity.ref}`);
      },
    },
  ];
}

/** `sdb:IO|{ref}` (or SO, CO) → the entity, else 400/404. */
function entityOf(store: EntityStore, id: string | null): EntityRecord {
  const match = /^sdb:(IO|SO|CO)\|(.+)$/.exec(id ?? '');
  if (match === null)
    throw new SimError(400, 'BadRequest', 'id must be sdb:IO|{ref}, sdb:SO|{ref} or sdb:CO|{ref}');
  return store.require(match[1] as 'IO' | 'SO' | 'CO', match[2] ?? '');
}

/** The access representation's first file, else the preservation one's (Content API download). */
function firstBitstream(store: EntityStore, entity: EntityRecord) {
  let coRef: string | undefined;
  if (entity.type === 'CO') coRef = entity.ref;
  else if (entity.type === 'IO') {
    const reps = store.representationsOf(entity.ref);
    const rep =
      reps.find((r) => r.type === 'Access') ??
      reps.find((r) => r.type === 'Preservation') ??
      reps[0];
    coRef = rep?.contentObjects[0];
  }
  if (coRef === undefined) return undefined;
  const generations = store.generationsOf(coRef);
  const generation = generations.find((g) => g.active) ?? generations[0];
  return generation?.bitstreams[0];
}
