import { createHash, createHmac } from 'node:crypto';

import type { SignatureMode } from './inferred.js';
import type { EventRecord, WebhookRecord } from './records.js';

// Outbound webhook deliveries: one event per POST in `{"events":[…]}` (Ziflow's help "Configure
// webhooks"), signed in `x-ziflow-signature`, retried after the [INF] delays, each attempt logged for
// `GET /_sim/deliveries`. The signature formula is the disputed part: docs/ziflow-simulator.md.

const SIGNATURE_HEADER = 'x-ziflow-signature';

/** Events kept for `/_sim/redeliver` (the oldest go first). */
const MAX_EVENTS_KEPT = 2_000;
const MAX_LOG_KEPT = 2_000;
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface Attempt {
  readonly at: string;
  readonly status: number | null;
  readonly error: string | null;
}

export interface Delivery {
  readonly id: number;
  readonly event_id: string;
  readonly webhook_id: string;
  readonly type: string;
  readonly target: string;
  /** A `/_sim/redeliver` copy of an earlier delivery. */
  readonly redelivery: boolean;
  state: 'pending' | 'delivered' | 'failed';
  readonly attempts: Attempt[];
  readonly signature: string | null;
  readonly body: string;
}

/**
 * The registered target as the signing string holds it: as registered, with query values
 * URL-encoded (the help's "query values URL-encoded"; [INF] keys and order kept as registered).
 */
export function signingUri(target: string): string {
  const at = target.indexOf('?');
  if (at < 0) return target;
  const query = target
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const value = pair.slice(eq + 1);
      let decoded = value;
      try {
        decoded = decodeURIComponent(value.replace(/\+/g, ' '));
      } catch {
        // kept as registered
      }
      return `${pair.slice(0, eq)}=${encodeURIComponent(decoded)}`;
    })
    .join('&');
  return `${target.slice(0, at)}?${query}`;
}

/** The hex digest for `mode` (a, b or c of docs/ziflow-simulator.md). */
export function signature(mode: SignatureMode, key: string, target: string, body: string): string {
  const signingString = `${key}POST${signingUri(target)}${body}`;
  switch (mode) {
    case 'sha256-concat':
      return createHash('sha256').update(signingString, 'utf8').digest('hex');
    case 'hmac-signing-string':
      return createHmac('sha256', key).update(signingString, 'utf8').digest('hex');
    case 'hmac-body':
      return createHmac('sha256', key).update(body, 'utf8').digest('hex');
  }
}

export interface DelivererSettings {
  retryDelaysMs: readonly number[];
  signatureMode: SignatureMode;
}

export class Deliverer {
  private log: Delivery[] = [];
  private nextId = 1;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private generation = 0;

  constructor(
    private readonly now: () => Date,
    readonly settings: DelivererSettings,
  ) {}

  deliveries(): Delivery[] {
    return this.log.map((d) => ({ ...d, attempts: [...d.attempts] }));
  }

  clearLog(): void {
    this.log = [];
  }

  /** Keeps `event` in `events` (bounded) and starts sending it. */
  publish(events: EventRecord[], webhook: WebhookRecord, event: EventRecord): void {
    events.push(event);
    if (events.length > MAX_EVENTS_KEPT) events.splice(0, events.length - MAX_EVENTS_KEPT);
    this.send(webhook, event, false);
  }

  /** The same event (same `event_id`) to its webhook again, as Ziflow may redeliver. */
  send(webhook: WebhookRecord, event: EventRecord, redelivery: boolean): Delivery {
    const body = JSON.stringify({ events: [event] });
    const key = webhook.signatureKey;
    const delivery: Delivery = {
      id: this.nextId++,
      event_id: event.event_id,
      webhook_id: webhook.id,
      type: event.type,
      target: webhook.target,
      redelivery,
      state: 'pending',
      attempts: [],
      signature:
        key === null ? null : signature(this.settings.signatureMode, key, webhook.target, body),
      body,
    };
    this.log.push(delivery);
    if (this.log.length > MAX_LOG_KEPT) this.log.splice(0, this.log.length - MAX_LOG_KEPT);
    this.attempt(delivery, 0);
    return delivery;
  }

  private attempt(delivery: Delivery, index: number): void {
    const generation = this.generation;
    const run = this.post(delivery).then((attempt) => {
      if (generation !== this.generation) return;
      delivery.attempts.push(attempt);
      if (attempt.status !== null && attempt.status >= 200 && attempt.status < 300) {
        delivery.state = 'delivered';
        return;
      }
      const wait = this.settings.retryDelaysMs[index];
      if (wait === undefined) {
        delivery.state = 'failed';
        return;
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.attempt(delivery, index + 1);
      }, wait);
      this.timers.add(timer);
    });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private async post(delivery: Delivery): Promise<Attempt> {
    const at = this.now().toISOString();
    try {
      const response = await fetch(delivery.target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Ziflow-Webhooks (lightdesk simulator)',
          ...(delivery.signature === null ? {} : { [SIGNATURE_HEADER]: delivery.signature }),
        },
        body: delivery.body,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      return { at, status: response.status, error: null };
    } catch (e: unknown) {
      return { at, status: null, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Resolves once no attempt is running and no retry is waiting. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0 || this.timers.size > 0) {
      if (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Stops every retry (reset, stop); attempts under way finish unrecorded. */
  cancel(): void {
    this.generation += 1;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
