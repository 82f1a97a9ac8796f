import { z } from 'zod';

import { SimError } from './errors.js';
import { type Reply, reply } from './http.js';
import { faultSchema, throttleSchema, type Traffic } from './traffic.js';

// The control endpoints every simulator mounts, with the same JSON in every one of them:
//   GET /_sim/faults → 200 {faults: PendingFault[]}     POST /_sim/faults (one or a list) → 201
//   {faults: the added ones}                             DELETE /_sim/faults → 204
//   GET /_sim/calls → 200 CallCounts                     DELETE /_sim/calls → 204
//   GET|POST /_sim/throttle {requestsPerSecond|null, windowMs?} → 200 {throttle}
//   POST /_sim/reset {…} → 200 with what the simulator reset to (faults, calls, throttle cleared)

/** What a control handler gets: path parameters, the query and the body read as JSON. */
export interface ControlContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly json: unknown;
}

export interface ControlRoute<C extends ControlContext = ControlContext> {
  readonly method: string;
  readonly template: string;
  readonly handler: (ctx: C) => Reply | Promise<Reply>;
}

/** `value` read with `schema`; a 400 SimError listing the issues otherwise. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new SimError(400, 'BadRequest', z.prettifyError(result.error));
  return result.data;
}

export function trafficControlRoutes(
  traffic: Traffic,
  onReset: (body: unknown) => unknown,
): ControlRoute[] {
  const throttleReply = (): Reply => reply(200, { throttle: traffic.throttle.current });
  return [
    {
      method: 'GET',
      template: '/_sim/faults',
      handler: () => reply(200, { faults: traffic.faults.pending() }),
    },
    {
      method: 'POST',
      template: '/_sim/faults',
      handler: ({ json }) => {
        const specs = parseInput(z.union([faultSchema, z.array(faultSchema)]), json);
        const added = (Array.isArray(specs) ? specs : [specs]).map((s) => traffic.faults.add(s));
        return reply(201, { faults: added });
      },
    },
    {
      method: 'DELETE',
      template: '/_sim/faults',
      handler: () => {
        traffic.faults.clear();
        return reply(204);
      },
    },
    { method: 'GET', template: '/_sim/calls', handler: () => reply(200, traffic.calls.snapshot()) },
    {
      method: 'DELETE',
      template: '/_sim/calls',
      handler: () => {
        traffic.calls.reset();
        return reply(204);
      },
    },
    { method: 'GET', template: '/_sim/throttle', handler: throttleReply },
    {
      method: 'POST',
      template: '/_sim/throttle',
      handler: ({ json }) => {
        const { requestsPerSecond, windowMs } = parseInput(throttleSchema, json);
        traffic.throttle.set(
          requestsPerSecond === null
            ? null
            : { requestsPerSecond, ...(windowMs === undefined ? {} : { windowMs }) },
        );
        return throttleReply();
      },
    },
    {
      method: 'POST',
      template: '/_sim/reset',
      handler: ({ json }) => {
        traffic.reset();
        return reply(200, onReset(json ?? {}));
      },
    },
  ];
}
