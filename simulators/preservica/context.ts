import type { IncomingMessage } from 'node:http';

import { SimError } from '../kit/errors.js';
import type { PreservicaUser } from './tokens.js';

// What every Preservica route sees and answers. Each route belongs to an API family, which decides
// the error envelope (JSON for the Access Token, Webhook and Process Monitor APIs, XML or text for
// the Entity API, S3 XML for the Upload API).

export type Family = 'token' | 'entity' | 'json' | 's3' | 'content';

export interface PvRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  /** The request itself, for routes that stream their body (the Upload API). */
  readonly incoming: IncomingMessage;
  /** Absolute origin links are built on, e.g. `http://127.0.0.1:5123`. */
  readonly base: string;
  /** Absolute Entity API root the request used: `${base}/api/entity` or `${base}/api/entity/v7.7`. */
  readonly entityBase: string;
  /** The caller, once its token is checked (routes with auth 'none' have none). */
  readonly user: PreservicaUser | undefined;
  /** The whole body (capped); read once. */
  body(): Promise<Buffer>;
}

export interface PvReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Bytes of a file on disk, [start, end] inclusive. */
  readonly file?: { readonly path: string; readonly start: number; readonly end: number };
}

export interface PvRoute {
  readonly method: string;
  readonly template: string;
  readonly family: Family;
  /** none: no token; user: any valid token; manager: a token of a user with the manager role. */
  readonly auth: 'none' | 'user' | 'manager';
  readonly handler: (
    req: PvRequest,
    params: Readonly<Record<string, string>>,
  ) => PvReply | Promise<PvReply>;
}

export const JSON_CONTENT = 'application/json;charset=UTF-8';

export function jsonReply(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): PvReply {
  return {
    status,
    headers: { 'content-type': JSON_CONTENT, ...headers },
    body: JSON.stringify(value),
  };
}

export function xmlReply(
  status: number,
  doc: string,
  headers: Record<string, string> = {},
): PvReply {
  return {
    status,
    headers: { 'content-type': 'application/xml;charset=UTF-8', ...headers },
    body: doc,
  };
}

/** `start`/`max` from the query (max 1–1000, default 100) [INF: the server's default and cap]. */
export function pageOf(query: URLSearchParams): { start: number; max: number } {
  const start = Number(query.get('start') ?? '0');
  const max = Number(query.get('max') ?? '100');
  if (!Number.isInteger(start) || start < 0 || !Number.isInteger(max) || max < 1) {
    throw new SimError(400, 'BadRequest', 'start and max must be whole numbers (max at least 1)');
  }
  return { start, max: Math.min(max, 1000) };
}

/** The absolute URL of the next page, or undefined on the last one. */
export function nextPage(
  req: PvRequest,
  start: number,
  max: number,
  total: number,
): string | undefined {
  if (start + max >= total) return undefined;
  const query = new URLSearchParams(req.query);
  query.set('start', String(start + max));
  query.set('max', String(max));
  return `${req.base}${req.path}?${query.toString()}`;
}
