import { readFileSync } from 'node:fs';

import {
  FakeGraphServer,
  type FakeGraphServerOptions,
} from '../../../../simulators/graph/fake-graph-server.js';

// A started Graph simulator plus plain fetch helpers for the tests beside it: `graph()` speaks to
// `/v1.0` with a bearer token, `sim()` to the `/_sim` controls.

/** Parsed JSON, as loosely typed as `response.json()` (tests read it with expect). */
export type Json = ReturnType<typeof JSON.parse>;

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Json;
}

export const TOKEN = 'sim-test-token';

export interface RequestOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** null: no Authorization header at all. */
  readonly token?: string | null;
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(private ms = Date.UTC(2026, 10, 23, 10, 0, 0)) {}
  readonly now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export class GraphHarness {
  private constructor(
    readonly server: FakeGraphServer,
    readonly url: string,
  ) {}

  static async start(options: FakeGraphServerOptions = {}): Promise<GraphHarness> {
    const server = new FakeGraphServer(options);
    const { url } = await server.start(0);
    return new GraphHarness(server, url);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  get seeded() {
    return this.server.seeded;
  }

  graph(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const token = options.token === undefined ? TOKEN : options.token;
    return send(
      `${this.url}/v1.0${path}`,
      method,
      {
        ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
        ...options.headers,
      },
      options.body,
    );
  }

  sim(method: string, path: string, body?: unknown): Promise<Answer> {
    return send(
      `${this.url}/_sim${path}`,
      method,
      body === undefined ? {} : { 'Content-Type': 'application/json' },
      body,
    );
  }

  /** Creates a task in the seeded plan's "To review" bucket and returns its body. */
  async createTask(extra: Record<string, unknown> = {}): Promise<Json> {
    const answer = await this.graph('POST', '/planner/tasks', {
      body: {
        planId: this.seeded.planId,
        bucketId: this.seeded.buckets.toReview,
        title: 'Review: Spring campaign shoot',
        ...extra,
      },
    });
    if (answer.status !== 201) {
      throw new TypeError(`create task: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  }
}

async function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

export function fixture(name: string): Json {
  return JSON.parse(
    readFileSync(new URL(`../../../fixtures/graph/${name}`, import.meta.url), 'utf8'),
  );
}

/** Top-level keys, sorted, for comparing an answer with a documented example. */
export const keysOf = (value: Json): string[] => Object.keys(value as object).sort();

/**
 * Paths where `actual` lacks a key of `documented` or has another JSON type there. Arrays compare
 * their first elements; `null` in either matches anything (nullable properties).
 */
export function shapeDifferences(actual: unknown, documented: unknown, path = '$'): string[] {
  const kind = (v: unknown): string =>
    Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
  if (actual === null || documented === null) return [];
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

export const enc = encodeURIComponent;
