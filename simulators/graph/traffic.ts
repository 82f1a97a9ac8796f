import { z } from 'zod';

// Switchable failure modes (STYLE.md rule 27), the sliding-window throttle and the per-route call
// counter. The control shape matches the other simulators (docs/photoshelter-wire.md
// "Simulator control endpoints"), plus `lostResponse`: the write is applied, then the socket is
// destroyed — "committed, but the answer was lost", which makes a client retry a write that worked.

export const faultSchema = z.strictObject({
  /** Prefix of the path after `/v1.0` (a leading `/v1.0` is accepted and ignored). */
  path: z.string().optional(),
  method: z.string().optional(),
  status: z.number().int().min(400).max(599).optional(),
  /** Overrides the error code the status would get. */
  code: z.string().optional(),
  message: z.string().optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  latencyMs: z.number().min(0).optional(),
  drop: z.boolean().optional(),
  lostResponse: z.boolean().optional(),
  times: z.number().int().positive().optional(),
});
export type FaultSpec = z.infer<typeof faultSchema>;

export interface PendingFault extends FaultSpec {
  readonly id: number;
  remaining: number;
}

function normalisePath(path: string): string {
  return path.replace(/^\/v1\.0(?=\/|$)/i, '');
}

/** Faults in the order added; the first that matches a request fires and counts down. */
export class FaultQueue {
  private list: PendingFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): PendingFault {
    const fault: PendingFault = {
      ...spec,
      ...(spec.path === undefined ? {} : { path: normalisePath(spec.path) }),
      id: this.nextId++,
      remaining: spec.times ?? 1,
    };
    this.list.push(fault);
    return fault;
  }

  clear(): void {
    this.list = [];
  }

  pending(): PendingFault[] {
    return this.list.map((fault) => ({ ...fault }));
  }

  /** `path` is relative to `/v1.0`, e.g. `/planner/tasks/abc`. */
  take(method: string, path: string): PendingFault | undefined {
    const index = this.list.findIndex(
      (fault) =>
        (fault.method === undefined || fault.method.toUpperCase() === method.toUpperCase()) &&
        (fault.path === undefined || path.toLowerCase().startsWith(fault.path.toLowerCase())),
    );
    const fault = this.list[index];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.list.splice(index, 1);
    return fault;
  }
}

/** Graph error codes for injected statuses (concepts/errors.md, concepts/throttling.md). */
export function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'InvalidAuthenticationToken';
    case 403:
      return 'accessDenied';
    case 404:
      return 'itemNotFound';
    case 409:
      return 'Conflict';
    case 412:
      return 'PreconditionFailed';
    case 429:
      return 'TooManyRequests';
    case 503:
      return 'serviceNotAvailable';
    case 504:
      return 'GatewayTimeout';
    default:
      return status >= 500 ? 'generalException' : 'BadRequest';
  }
}

export interface CallCounts {
  readonly total: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
  /** How many of them the throttle refused with 429 (a benchmark's accepted = total − throttled). */
  readonly throttled: number;
  /** When the first and the last of them arrived (ISO), null before any: a load's busy window. */
  readonly firstAt: string | null;
  readonly lastAt: string | null;
}

/** Counts calls by `METHOD /route/template` (ids as `:id`), e.g. `PATCH /planner/tasks/:id`. */
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

export interface ThrottleSettings {
  readonly requestsPerSecond: number;
  /** Length of the sliding window; 1000 unless a test wants a shorter one. */
  readonly windowMs?: number;
}

/**
 * At most R requests in any sliding window (1 s by default). "Service limits for Planner are not
 * available" (concepts/throttling-limits.md), so R is a knob. [INF] Refused requests do not count
 * towards the window, so a client that waits `Retry-After` gets through.
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
