import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';

/**
 * What a function needs, built once per process on first use by whichever host runs it. Each function
 * names the ports it uses; composition/ hands it an object that has them (docs/architecture.md).
 */
export type Provider<T> = () => Promise<T>;

/** The API key `/api/v1` routes check; undefined only on the local host, where the API is open. */
export interface ApiKeyDeps {
  readonly apiKey: string | undefined;
}

export interface HttpFunctionDefinition {
  readonly trigger: 'http';
  readonly name: string;
  /** Route under /api/, as the Functions host writes it (`v1/health`). */
  readonly route: string;
  readonly methods: readonly ('GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE')[];
  readonly handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
}

export interface TimerFunctionDefinition {
  readonly trigger: 'timer';
  readonly name: string;
  /** The app setting holding the NCRONTAB schedule; Azure reads it as `%SETTING%`. */
  readonly scheduleSetting:
    | 'POLL_SCHEDULE'
    | 'SYNC_PLANNER_SCHEDULE'
    | 'OVERDUE_SCHEDULE'
    | 'RECONCILE_SCHEDULE'
    | 'DRIFT_SCHEDULE';
  readonly handler: (timer: Timer, context: InvocationContext) => Promise<void>;
}

export interface QueueFunctionDefinition {
  readonly trigger: 'queue';
  readonly name: string;
  /** The app setting holding the queue name; Azure reads it as `%SETTING%`. */
  readonly queueSetting: 'EVENTS_QUEUE' | 'WEBHOOKS_QUEUE';
  /** The queue trigger hands over the decoded, JSON-parsed message body. */
  readonly handler: (message: unknown, context: InvocationContext) => Promise<void>;
}

export type FunctionDefinition =
  HttpFunctionDefinition | TimerFunctionDefinition | QueueFunctionDefinition;
