import type {
  WebhookAnswer,
  WebhookDelivery,
  WebhookSender,
} from '../../core/ports/webhook-sender.js';

/** Records every delivery; answers from a script per URL (default: delivered, 200). */
export class ScriptedWebhookSender implements WebhookSender {
  readonly sent: WebhookDelivery[] = [];
  private readonly scripts = new Map<string, WebhookAnswer[]>();
  private readonly always = new Map<string, WebhookAnswer>();

  /** The next answers for `url`, in order; after them, the default. */
  answer(url: string, ...answers: WebhookAnswer[]): void {
    this.scripts.set(url, [...(this.scripts.get(url) ?? []), ...answers]);
  }

  /** Every answer for `url` from now on. */
  answerAlways(url: string, answer: WebhookAnswer): void {
    this.always.set(url, answer);
  }

  send(delivery: WebhookDelivery): Promise<WebhookAnswer> {
    this.sent.push(delivery);
    const next = this.scripts.get(delivery.url)?.shift();
    return Promise.resolve(
      next ?? this.always.get(delivery.url) ?? { kind: 'delivered', status: 200 },
    );
  }
}
