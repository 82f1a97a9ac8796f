import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

// Helpers for the Bot Connector simulator tests: plain fetch calls, a bot stand-in that only records
// what it receives, fixture loading and a shape comparison.

/** What JSON.parse gives: tests read answers loosely (the no-unsafe-* rules are off in test/). */
export type Json = ReturnType<typeof JSON.parse>;

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Json;
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

export const enc = encodeURIComponent;

export interface CapturedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: Json;
}

export interface CaptureBot {
  readonly url: string;
  readonly received: CapturedRequest[];
  close(): Promise<void>;
}

/** A "bot" that records each POST and answers with `answer` (200 `{}` by default). */
export async function startCaptureBot(
  answer: (req: CapturedRequest) => { status: number; body?: unknown } = () => ({
    status: 200,
    body: {},
  }),
): Promise<CaptureBot> {
  const received: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const captured = {
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      };
      received.push(captured);
      const { status, body } = answer(captured);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/messages`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function fixture(name: string): Json {
  return JSON.parse(
    readFileSync(new URL(`../../../fixtures/bot-connector/${name}`, import.meta.url), 'utf8'),
  );
}

/**
 * Paths where `actual` lacks a key of `documented` or has another JSON type there. Arrays compare
 * their first elements; extra keys in `actual` are allowed (the service adds fields freely).
 */
export function shapeDifferences(actual: unknown, documented: unknown, path = '$'): string[] {
  const kind = (v: unknown): string =>
    Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
  if (kind(actual) !== kind(documented)) {
    return [`${path}: ${kind(actual)} instead of ${kind(documented)}`];
  }
  if (Array.isArray(documented) && Array.isArray(actual)) {
    return documented.length === 0 || actual.length === 0
      ? []
      : shapeDifferences(actual[0], documented[0], `${path}[0]`);
  }
  if (kind(documented) === 'object') {
    const a = actual as Record<string, unknown>;
    return Object.entries(documented as Record<string, unknown>).flatMap(([key, value]) =>
      key in a ? shapeDifferences(a[key], value, `${path}.${key}`) : [`${path}.${key}: missing`],
    );
  }
  return [];
}

/** A clock the test moves by hand. */
export function manualClock(start = '2026-11-23T10:00:00.000Z'): {
  now: () => Date;
  advance: (ms: number) => void;
} {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}
