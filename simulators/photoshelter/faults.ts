// Switchable failure modes (STYLE rule 27) and the per-route call counter (wire doc, `/_sim/calls`).

export interface FaultSpec {
  /** Prefix of the request path; absent: every path. */
  readonly path?: string | undefined;
  /** Absent: every method. */
  readonly method?: string | undefined;
  readonly status?: number | undefined;
  readonly retryAfterSeconds?: number | undefined;
  readonly latencyMs?: number | undefined;
  /** Destroy the socket without an answer. */
  readonly drop?: boolean | undefined;
  /** Answer 200 with a body that is not the documented shape. */
  readonly malformed?: boolean | undefined;
  /** How many matching requests it applies to (default 1). */
  readonly times?: number | undefined;
}

export interface Fault extends FaultSpec {
  readonly id: number;
  remaining: number;
}

/** Faults in the order added; the first one matching a request is used and counts down. */
export class Faults {
  private list: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: this.nextId++, remaining: spec.times ?? 1 };
    this.list.push(fault);
    return fault;
  }

  clear(): number {
    const count = this.list.length;
    this.list = [];
    return count;
  }

  pending(): readonly Fault[] {
    return this.list.map((fault) => ({ ...fault }));
  }

  take(method: string, path: string): Fault | undefined {
    const index = this.list.findIndex(
      (fault) =>
        (fault.path === undefined || path.startsWith(fault.path)) &&
        (fault.method === undefined || fault.method.toUpperCase() === method.toUpperCase()),
    );
    const fault = this.list[index];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.list.splice(index, 1);
    return fault;
  }
}

/**
 * PhotoShelter ids: a 5-character prefix (letters then zeros: `C0000`, `AR000`, `CTG00`) and 11 of
 * `[A-Za-z0-9._]` [OFF]. The literal collection id `root` [3P] counts as an id too, so
 * `collection/root/children` and `collection/C0000…/children` share one template.
 */
const ID_SEGMENT = /^(?=.{16}$)[A-Z]{1,3}0{2,4}[A-Za-z0-9._]{11}$/;

export function routeTemplate(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment === 'root' || ID_SEGMENT.test(segment) ? ':id' : segment))
    .join('/');
}

export interface CallCounts {
  readonly total: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
}

export class CallCounter {
  private counts = new Map<string, number>();
  private total = 0;

  record(method: string, path: string): void {
    const key = `${method.toUpperCase()} ${routeTemplate(path)}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.total += 1;
  }

  snapshot(): CallCounts {
    return { total: this.total, byEndpoint: Object.fromEntries(this.counts) };
  }

  reset(): void {
    this.counts = new Map();
    this.total = 0;
  }
}
