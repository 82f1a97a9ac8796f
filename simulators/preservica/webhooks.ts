import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { z } from 'zod';

import { parseJson } from '../kit/body.js';
import { SimError } from '../kit/errors.js';
import type { SeededRandom } from '../kit/random.js';
import { jsonReply, type PvRoute } from './context.js';
import type { InferredSettings } from './inferred.js';
import { uuidFrom } from './store.js';

// The Webhook API (docs/preservica-simulator.md; pyPreservica webHooksAPI.py): subscribe after a challenge
// handshake, then signed JSON deliveries sent chunked to each subscriber of the trigger. Retries
// and their back-off are undocumented [INF]: inferred.ts `webhookRetryDelaysMs`.

export const TRIGGERS = [
  'MOVED',
  'FULL_TEXT_INDEXED',
  'CHANGED_SECURITY_DESCRIPTOR',
  'INGEST_FAILED',
  'CHANGE_ASSET_VISIBILITY',
] as const;
export type Trigger = (typeof TRIGGERS)[number];

const SIGNATURE_HEADER = 'Preservica-Signature';
const SIGNATURE_PREFIX = 'preservica-webhook-auth';
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface Subscription {
  readonly id: string;
  readonly url: string;
  readonly triggerType: Trigger;
  readonly secret: string;
  readonly includeIdentifiers: boolean;
  readonly createdOn: string;
}

export interface WebhookEvent {
  readonly entityRef: string;
  readonly entityType: 'IO' | 'SO' | 'CO';
  readonly identifiers?: Record<string, string>[];
}

export interface Attempt {
  readonly at: string;
  readonly status?: number;
  readonly error?: string;
}

export interface Delivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly url: string;
  readonly trigger: Trigger;
  readonly body: string;
  readonly signature: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: Attempt[];
}

const subscribeSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  triggerType: z.enum(TRIGGERS),
  secret: z.string().min(1),
  includeIdentifiers: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
});

const challengeReplySchema = z.object({
  challengeCode: z.string().optional(),
  challengeResponse: z.string(),
});

export function sign(secret: string, body: string): string {
  return createHmac('sha256', secret)
    .update(SIGNATURE_PREFIX + body)
    .digest('hex');
}

interface Posted {
  readonly status: number;
  readonly body: string;
}

/** One POST; chunked (no Content-Length), as the SDK's reference receiver expects. */
function post(
  url: string,
  body: string | undefined,
  headers: Record<string, string>,
): Promise<Posted> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: 'POST', headers, timeout: ATTEMPT_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new SimError(504, 'Timeout', 'timed out')));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export class Webhooks {
  subscriptions: Subscription[] = [];
  deliveries: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly host: {
      readonly now: () => Date;
      readonly random: SeededRandom;
      readonly settings: () => InferredSettings;
      readonly changed: () => void;
    },
  ) {}

  routes(): PvRoute[] {
    return [
      {
        method: 'GET',
        template: '/api/webhook/subscriptions',
        family: 'json',
        auth: 'manager',
        handler: () => jsonReply(200, this.subscriptions.map(view)),
      },
      {
        method: 'GET',
        template: '/api/webhook/subscriptions/:id',
        family: 'json',
        auth: 'manager',
        handler: (_req, p) => jsonReply(200, view(this.require(p['id']))),
      },
      {
        method: 'POST',
        template: '/api/webhook/subscriptions',
        family: 'json',
        auth: 'manager',
        handler: async (req) => {
          const json = parseJson(
            await req.body(),
            new SimError(400, 'BadRequest', 'The body is not valid JSON'),
          );
          const result = subscribeSchema.safeParse(json);
          if (!result.success) throw new SimError(400, 'BadRequest', z.prettifyError(result.error));
          const input = result.data;
          await this.handshake(input.url, input.secret);
          const subscription: Subscription = {
            id: uuidFrom(this.host.random),
            url: input.url,
            triggerType: input.triggerType,
            secret: input.secret,
            includeIdentifiers:
              input.includeIdentifiers === true || input.includeIdentifiers === 'true',
            createdOn: this.host.now().toISOString(),
          };
          this.subscriptions.push(subscription);
          this.host.changed();
          return jsonReply(200, view(subscription));
        },
      },
      {
        method: 'DELETE',
        template: '/api/webhook/subscriptions/:id',
        family: 'json',
        auth: 'manager',
        handler: (_req, p) => {
          const subscription = this.require(p['id']);
          this.subscriptions = this.subscriptions.filter((s) => s !== subscription);
          this.host.changed();
          return { status: 204 };
        },
      },
    ];
  }

  private require(id: string | undefined): Subscription {
    const found = this.subscriptions.find((s) => s.id === id);
    if (found === undefined) throw new SimError(404, 'NotFound', `No subscription ${id ?? ''}`);
    return found;
  }

  /** POST `url?challengeCode=…`; the answer must carry HMAC-SHA256(secret, code) in lowercase hex. */
  private async handshake(url: string, secret: string): Promise<void> {
    const code = this.host.random.text('0123456789abcdef', 32);
    const target = new URL(url);
    target.searchParams.set('challengeCode', code);
    const failed = (why: string): SimError =>
      new SimError(
        this.host.settings().handshakeFailureStatus,
        'ChallengeFailed',
        `Webhook challenge failed for ${url}: ${why}`,
      );
    let answer: Posted;
    try {
      answer = await post(target.toString(), undefined, { 'content-length': '0' });
    } catch (e: unknown) {
      throw failed(`could not reach it (${e instanceof Error ? e.message : String(e)})`);
    }
    if (answer.status !== 200) throw failed(`it answered ${answer.status}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body) as unknown;
    } catch {
      throw failed('its answer is not JSON');
    }
    const reply = challengeReplySchema.safeParse(parsed);
    const expected = createHmac('sha256', secret).update(code).digest('hex');
    if (!reply.success || reply.data.challengeResponse !== expected) {
      throw failed('the challengeResponse is not HMAC-SHA256(secret, challengeCode)');
    }
  }

  /** Sends `events` to every subscriber of `trigger` (one delivery per subscriber). */
  notify(
    trigger: Trigger,
    events: readonly { event: WebhookEvent; identifiers: Record<string, string>[] }[],
  ): void {
    if (events.length === 0) return;
    for (const subscription of this.subscriptions.filter((s) => s.triggerType === trigger)) {
      const body = JSON.stringify({
        subscriptionId: subscription.id,
        timestamp: this.host.now().toISOString(),
        trigger,
        events: events.map(({ event, identifiers }) =>
          subscription.includeIdentifiers ? { ...event, identifiers } : event,
        ),
      });
      const delivery: Delivery = {
        id: uuidFrom(this.host.random),
        subscriptionId: subscription.id,
        url: subscription.url,
        trigger,
        body,
        signature: sign(subscription.secret, body),
        state: 'pending',
        attempts: [],
      };
      this.deliveries.push(delivery);
      // The log keeps the last 1000.
      if (this.deliveries.length > 1000) this.deliveries.splice(0, this.deliveries.length - 1000);
      this.send(delivery, 0);
    }
  }

  /** Sends again (the driver `/_sim/redeliver`): the same body and signature. */
  redeliver(ids: readonly string[] | undefined): Delivery[] {
    const chosen =
      ids === undefined
        ? this.deliveries.filter((d) => d.state === 'failed')
        : this.deliveries.filter((d) => ids.includes(d.id));
    for (const delivery of chosen) {
      delivery.state = 'pending';
      this.send(delivery, 0);
    }
    return chosen;
  }

  private send(delivery: Delivery, attempt: number): void {
    const run = (async () => {
      let outcome: Attempt;
      try {
        const answer = await post(delivery.url, delivery.body, {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: delivery.signature,
        });
        outcome = { at: this.host.now().toISOString(), status: answer.status };
      } catch (e: unknown) {
        outcome = {
          at: this.host.now().toISOString(),
          error: e instanceof Error ? e.message : String(e),
        };
      }
      delivery.attempts.push(outcome);
      if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) {
        delivery.state = 'delivered';
      } else {
        const wait = this.host.settings().webhookRetryDelaysMs[attempt];
        if (wait === undefined) delivery.state = 'failed';
        else {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.send(delivery, attempt + 1);
          }, wait);
          this.timers.add(timer);
        }
      }
      this.host.changed();
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** True when no delivery is being sent or waiting for a retry. */
  get idle(): boolean {
    return this.inFlight.size === 0 && this.timers.size === 0;
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function view(s: Subscription): Record<string, unknown> {
  // [INF] fields beyond `id`; the secret is never shown again.
  return {
    id: s.id,
    url: s.url,
    triggerType: s.triggerType,
    includeIdentifiers: s.includeIdentifiers,
    createdOn: s.createdOn,
  };
}
