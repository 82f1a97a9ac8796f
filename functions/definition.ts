import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';

import type { Services } from '../composition/create-services.js';

/** Services are built once per process, on first use, by whichever host runs the functions. */
export type ServicesProvider = () => Promise<Services>;

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
    'POLL_SCHEDULE' | 'SYNC_PLANNER_SCHEDULE' | 'OVERDUE_SCHEDULE' | 'RECONCILE_SCHEDULE';
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
