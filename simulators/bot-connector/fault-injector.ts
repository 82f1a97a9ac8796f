import { z } from 'zod';

// Switchable failure modes (STYLE.md rule 27), with the same control shape as the other simulators
// (docs/photoshelter-wire.md "Simulator control endpoints"): faults match a path prefix and method,
// fire `times` times (default 1); plus `lostResponse`, which applies the change and then drops the
// socket — the case that makes a client retry a write that in fact succeeded.

export const faultSchema = z.object({
  path: z.string().optional(),
  method: z.string().optional(),
  status: z.number().int().min(100).max(599).optional(),
  retryAfterSeconds: z.number().min(0).optional(),
  latencyMs: z.number().min(0).optional(),
  drop: z.boolean().optional(),
  malformed: z.boolean().optional(),
  lostResponse: z.boolean().optional(),
  times: z.number().int().positive().optional(),
});
export type Fault = z.infer<typeof faultSchema>;

export const throttleSchema = z.object({
  requestsPerSecond: z.number().positive().nullable(),
});

interface ArmedFault {
  readonly fault: Fault;
  remaining: number;
}

/** Teams' codes per status (learn.microsoft.com/microsoftteams/platform/bots/build-conversational-capability). */
export function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'BadArgument';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 412:
      return 'PreconditionFailed';
    case 413:
      return 'MessageSizeTooBig';
    case 429:
      return 'Throttled';
    case 502:
      return 'ServiceError';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'GatewayTimeout';
    default:
      return status >= 500 ? 'InternalServerError' : 'BadRequest';
  }
}

export class FaultInjector {
  private faults: ArmedFault[] = [];
  private readonly calls = new Map<string, number>();
  private requestsPerSecond: number | null = null;
  private window = { second: -1, count: 0 };

  constructor(private readonly now: () => Date) {}

  arm(fault: Fault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  armed(): readonly Fault[] {
    return this.faults.map((f) => ({ ...f.fault, times: f.remaining }));
  }

  /** Takes the first fault that matches the request and uses up one of its `times`. */
  take(method: string, paths: readonly string[]): Fault | undefined {
    const index = this.faults.findIndex(
      ({ fault }) =>
        (fault.method === undefined || fault.method.toUpperCase() === method) &&
        (fault.path === undefined || paths.some((p) => p.startsWith(fault.path ?? ''))),
    );
    const armed = this.faults[index];
    if (armed === undefined) return undefined;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.faults.splice(index, 1);
    return armed.fault;
  }

  count(key: string): void {
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  callCounts(): { total: number; byEndpoint: Record<string, number> } {
    const byEndpoint = Object.fromEntries(this.calls);
    const total = [...this.calls.values()].reduce((a, b) => a + b, 0);
    return { total, byEndpoint };
  }

  resetCalls(): void {
    this.calls.clear();
  }

  setThrottle(requestsPerSecond: number | null): void {
    this.requestsPerSecond = requestsPerSecond;
    this.window = { second: -1, count: 0 };
  }

  get throttle(): number | null {
    return this.requestsPerSecond;
  }

  /** Seconds to wait when this request is over the limit, else undefined (a fixed 1 s window). */
  overLimit(): number | undefined {
    if (this.requestsPerSecond === null) return undefined;
    const ms = this.now().getTime();
    const second = Math.floor(ms / 1000);
    if (second !== this.window.second) this.window = { second, count: 0 };
    this.window.count += 1;
    if (this.window.count <= this.requestsPerSecond) return undefined;
    return Math.max(1, Math.ceil(((second + 1) * 1000 - ms) / 1000));
  }

  reset(): void {
    this.clear();
    this.resetCalls();
    this.setThrottle(null);
  }
}
