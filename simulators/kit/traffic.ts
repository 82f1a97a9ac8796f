import { z } from 'zod';

import { SimError } from './errors.js';

// One fault and throttle model for every simulator (switchable failure modes for tests and chaos runs),
// driven through the same `/_sim/faults`, `/_sim/throttle` and `/_sim/calls` shapes (control.ts).

export const faultSchema = z.strictObject({
  /** Prefix of the request path (case-insensitive); absent: every path. */
  path: z.string().startsWith('/').optional(),
  /** Absent: every method. */
  method: z
    .string()
    .regex(/^[A-Za-z]+$/)
    .optional(),
  /** Answer this error status, in the simulator's own error envelope. */
  status: z.number().int().min(400).max(599).optional(),
  /** Overrides the error code the simulator gives the status. */
  code: z.string().optional(),
  message: z.string().optional(),
  retryAfterSeconds: z.number().int().min(0).max(86_400).optional(),
  latencyMs: z.number().min(0).optional(),
  /** Destroy the socket without an answer; nothing is applied. */
  drop: z.boolean().optional(),
  /** Answer 200 with a body that is not the documented shape. */
  malformed: z.boolean().optional(),
  /** Apply the request, then destroy the socket: a write that worked but whose answer was lost. */
  lostResponse: z.boolean().optional(),
  /** How many matching requests it applies to (default 1). */
  times: z.number().int().min(1).optional(),
});
export type FaultSpec = z.infer<typeof faultSchema>;

export interface PendingFault extends FaultSpec {
  readonly id: number;
  remaining: number;
}

/** Faults in the order added; the first that matches a request fires and counts down. */
export class FaultQueue {
  private list: PendingFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): PendingFault {
    const fault: PendingFault = { ...spec, id: this.nextId++, remaining: spec.times ?? 1 };
    this.list.push(fault);
    return { ...fault };
  }

  /** Removes every pending fault; how many there were. */
  clear(): number {
    const count = this.list.length;
    this.list = [];
    return count;
  }

  pending(): PendingFault[] {
    return this.list.map((fault) => ({ ...fault }));
  }

  /** `paths`: the forms of the request's path a fault may name (raw, decoded, relative…). */
  take(method: string, paths: readonly string[]): PendingFault | undefined {
    const lowered = paths.map((p) => p.toLowerCase());
    const index = this.list.findIndex(
      (fault) =>
        (fault.method === undefined || fault.method.toUpperCase() === method.toUpperCase()) &&
        (fault.path === undefined ||
          lowered.some((p) => p.startsWith((fault.path ?? '').toLowerCase()))),
    );
    const fault = this.list[index];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.list.splice(index, 1);
    return { ...fault };
  }
}

/** What a fired fault asks of the simulator, in the order it is applied. */
export type FaultEffect =
  | { readonly kind: 'drop' }
  | { readonly kind: 'error'; readonly error: SimError }
  | { readonly kind: 'malformed'; readonly body: unknown }
  | { readonly kind: 'pass'; readonly lostResponse: boolean };

/** Valid JSON in none of the vendors' envelopes. */
export const MALFORMED_BODY = { malformed: true, data: 'unexpected' };

/**
 * The effect of `fault` (after its latency, which the caller waits): `codeFor` gives the vendor's
 * error code for an injected status, and `retryAfterFor` a default Retry-After when none was asked.
 */
export function faultEffect(
  fault: PendingFault | undefined,
  codeFor: (status: number) => string,
  retryAfterFor: (status: number) => number | undefined = () => undefined,
): FaultEffect {
  if (fault === undefined) return { kind: 'pass', lostResponse: false };
  if (fault.drop === true) return { kind: 'drop' };
  if (fault.status !== undefined) {
    const retryAfter = fault.retryAfterSeconds ?? retryAfterFor(fault.status);
    return {
      kind: 'error',
      error: new SimError(
        fault.status,
        fault.code ?? codeFor(fault.status),
        fault.message ?? `Injected fault: ${fault.status}.`,
        retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
      ),
    };
  }
  if (fault.malformed === true) return { kind: 'malformed', body: MALFORMED_BODY };
  return { kind: 'pass', lostResponse: fault.lostResponse === true };
}

export interface CallCounts {
  readonly total: number;
  /** Calls by `METHOD /route/template`, ids as parameters, e.g. `PATCH /planner/tasks/:id`. */
  readonly byEndpoint: Readonly<Record<string, number>>;
  /** How many of them the throttle refused with 429 (a benchmark's accepted = total − throttled). */
  readonly throttled: number;
  /** When the first and the last of them arrived (ISO), null before any: a load's busy window. */
  readonly firstAt: string | null;
  readonly lastAt: string | null;
}

export class CallCounter {
  private counts = new Map<string, number>();
  private total = 0;
  private throttled = 0;
  private firstAt: Date | null = null;
  private lastAt: Date | null = null;

  constructor(private readonly now: () => Date = () => new Date()) {}

  record(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.total += 1;
    const at = this.now();
    this.firstAt ??= at;
    this.lastAt = at;
  }

  recordThrottled(): void {
    this.throttled += 1;
  }

  snapshot(): CallCounts {
    return {
      total: this.total,
      byEndpoint: Object.fromEntries(this.counts),
      throttled: this.throttled,
      firstAt: this.firstAt?.toISOString() ?? null,
      lastAt: this.lastAt?.toISOString() ?? null,
    };
  }

  reset(): void {
    this.counts = new Map();
    this.total = 0;
    this.throttled = 0;
    this.firstAt = null;
    this.lastAt = null;
  }
}

export const throttleSchema = z.strictObject({
  requestsPerSecond: z.number().int().positive().nullable(),
  /** Length of the sliding window; 1000 unless a test wants a shorter one. */
  windowMs: z.number().int().positive().optional(),
});

export interface ThrottleSettings {
  readonly requestsPerSecond: number;
  readonly windowMs?: number;
}

/**
 * At most R requests in any sliding window (1 s by default). Refused requests do not count towards
 * the window, so a client that waits `Retry-After` gets through.
 */
export class SlidingWindowThrottle {
  private settings: ThrottleSettings | null = null;
  private accepted: number[] = [];

  constructor(private readonly now: () => Date) {}

  set(settings: ThrottleSettings | null): void {
    this.settings = settings;
    this.accepted = [];
  }

  get current(): ThrottleSettings | null {
    return this.settings;
  }

  /** Undefined when the request may pass (and is counted), else whole seconds to wait (≥ 1). */
  admit(): number | undefined {
    if (this.settings === null) return undefined;
    const windowMs = this.settings.windowMs ?? 1000;
    const nowMs = this.now().getTime();
    this.accepted = this.accepted.filter((t) => t > nowMs - windowMs);
    if (this.accepted.length < this.settings.requestsPerSecond) {
      this.accepted.push(nowMs);
      return undefined;
    }
    const oldest = this.accepted[0] ?? nowMs;
    return Math.max(1, Math.ceil((oldest + windowMs - nowMs) / 1000));
  }
}

/** The faults, the call counter and the throttle of one simulator, reset together. */
export class Traffic {
  readonly faults = new FaultQueue();
  readonly calls: CallCounter;
  readonly throttle: SlidingWindowThrottle;

  constructor(
    now: () => Date,
    private readonly defaultThrottle: ThrottleSettings | null = null,
  ) {
    this.calls = new CallCounter(now);
    this.throttle = new SlidingWindowThrottle(now);
    this.throttle.set(defaultThrottle);
  }

  /** Counts a throttled request too; undefined when it may pass, else the 429's Retry-After. */
  admit(): number | undefined {
    const wait = this.throttle.admit();
    if (wait !== undefined) this.calls.recordThrottled();
    return wait;
  }

  reset(): void {
    this.faults.clear();
    this.calls.reset();
    this.throttle.set(this.defaultThrottle);
  }
}

/**
 * The in-process side of the control API, the same on every simulator: a simulator class extends
 * this, so tests call `addFault`, `faults`, `calls`… on any of them alike.
 */
export abstract class TrafficControls {
  protected readonly traffic: Traffic;

  constructor(now: () => Date, defaultThrottle: ThrottleSettings | null = null) {
    this.traffic = new Traffic(now, defaultThrottle);
  }

  addFault(spec: FaultSpec): PendingFault {
    return this.traffic.faults.add(faultSchema.parse(spec));
  }

  addFaults(specs: readonly FaultSpec[]): PendingFault[] {
    return specs.map((spec) => this.addFault(spec));
  }

  faults(): PendingFault[] {
    return this.traffic.faults.pending();
  }

  /** Removes every pending fault; how many there were. */
  clearFaults(): number {
    return this.traffic.faults.clear();
  }

  calls(): CallCounts {
    return this.traffic.calls.snapshot();
  }

  resetCalls(): void {
    this.traffic.calls.reset();
  }

  setThrottle(settings: ThrottleSettings | null): void {
    this.traffic.throttle.set(settings);
  }

  get throttle(): ThrottleSettings | null {
    return this.traffic.throttle.current;
  }
}
