// The chaos run's users: photographers uploading and replacing images in the PhotoShelter simulator
// (its control routes, as the console does), and reviewers deciding through the API and by pressing
// card buttons (signed `adaptiveCard/action` invokes the Teams simulator prepares, posted to a worker
// as Teams would). Everything acknowledged is recorded, to be checked once the run has settled.
import { setTimeout as delay } from 'node:timers/promises';

import { z } from 'zod';

import { type SeenCard, TeamsCards } from './chaos-cards.js';
import type { Random } from './chaos-random.js';

export interface Upload {
  readonly imageId: string;
  readonly galleryId: string;
  readonly kind: 'upload' | 'replace';
  readonly at: string;
}

/** A decision the API answered 201 (decided or recorded) or 200 (already decided). */
export interface ApiDecision {
  readonly reviewId: string;
  readonly reviewerId: string;
  readonly verb: string;
  readonly status: number;
  readonly outcome: string | undefined;
  readonly double: boolean;
}

/** A press of a card button: what was pressed and what the bot answered over HTTP. */
export interface Press {
  readonly reviewId: string;
  readonly reviewerId: string;
  readonly verb: string;
  /** The activity carrying the pressed card (the invoke's replyToId). */
  readonly cardActivityId: string;
  readonly worker: number;
  readonly sentAt: number;
  readonly answeredAt: number;
  /** HTTP status, 0 when no answer came (a killed worker, a timeout). */
  readonly status: number;
  /** The invoke body's statusCode and type: 200 + an adaptive card is a card shown to the user. */
  readonly answeredWithCard: boolean;
  readonly double: boolean;
}

export interface DriverWorker {
  readonly index: number;
  readonly url: string;
  readonly isUp: boolean;
}

export interface DriverOptions {
  readonly random: Random;
  readonly photoShelterUrl: string;
  readonly teamsUrl: string;
  readonly apiKey: string;
  readonly workers: () => readonly DriverWorker[];
  /** Seconds between upload bursts, decisions and replacements (the rate fits two cores). */
  readonly pace?: { upload: [number, number]; decide: [number, number]; replace: [number, number] };
}

const reviewsSchema = z.object({
  reviews: z.array(
    z.looseObject({
      id: z.string(),
      status: z.string(),
      reviewers: z.array(z.looseObject({ id: z.string() })),
    }),
  ),
});
const librarySchema = z.object({
  galleries: z.array(z.looseObject({ id: z.string(), name: z.string() })),
});
const uploadedSchema = z.object({ imageId: z.string() });
const decisionAnswerSchema = z.looseObject({ outcome: z.string().optional() });
const preparedSchema = z.object({
  endpoint: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});
const invokeAnswerSchema = z.looseObject({ statusCode: z.number(), type: z.string() });

const REQUEST_TIMEOUT_MS = 45_000;

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** One HTTP exchange; status 0 when no answer came (refused, dropped, timed out). */
async function exchange(url: string, init: RequestInit = {}): Promise<Answer> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body };
  } catch {
    return { status: 0, body: undefined };
  }
}

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  exchange(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

export class Driver {
  readonly uploads: Upload[] = [];
  readonly apiDecisions: ApiDecision[] = [];
  readonly presses: Press[] = [];
  readonly counts = {
    uploadFailed: 0,
    decisionsTried: 0,
    noWorkerUp: 0,
    apiNoAnswer: 0,
    pressNoAnswer: 0,
    pressWithoutCard: 0,
  };
  private galleries: string[] = [];
  private stopped = false;
  private loops: Promise<void>[] = [];
  private readonly cards: TeamsCards;
  /** Its own stream, so how many presses are double does not hang on the other choices. */
  private readonly doubles: Random;

  constructor(private readonly options: DriverOptions) {
    this.cards = new TeamsCards(options.teamsUrl);
    this.doubles = options.random.fork('double');
  }

  async init(): Promise<void> {
    const answer = await exchange(`${this.options.photoShelterUrl}/_sim/library`);
    this.galleries = librarySchema.parse(answer.body).galleries.map((g) => g.id);
  }

  start(): void {
    const pace = this.options.pace ?? { upload: [4, 8], decide: [3, 6], replace: [12, 20] };
    const random = this.options.random;
    this.loops = [
      this.every(random.fork('upload'), pace.upload, (r) => this.uploadBurst(r)),
      this.every(random.fork('decide'), pace.decide, (r) => this.decide(r)),
      this.every(random.fork('replace'), pace.replace, (r) => this.replace(r)),
    ];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async every(
    random: Random,
    [min, max]: [number, number],
    step: (random: Random) => Promise<void>,
  ): Promise<void> {
    while (!this.stopped) {
      await delay(random.between(min, max) * 1000);
      if (this.stopped) return;
      await step(random);
    }
  }

  private worker(random: Random): DriverWorker | undefined {
    const up = this.options.workers().filter((w) => w.isUp);
    if (up.length === 0) {
      this.counts.noWorkerUp += 1;
      return undefined;
    }
    return random.pick(up);
  }

  private async uploadBurst(random: Random): Promise<void> {
    const galleries = random.int(1, 2);
    for (let g = 0; g < galleries; g += 1) {
      const galleryId = random.pick(this.galleries);
      const images = random.int(1, 3);
      for (let i = 0; i < images; i += 1) {
        const answer = await postJson(`${this.options.photoShelterUrl}/_sim/upload`, {
          galleryId,
        });
        const uploaded = uploadedSchema.safeParse(answer.body);
        if (answer.status !== 201 || !uploaded.success) {
          this.counts.uploadFailed += 1;
          continue;
        }
        this.uploads.push({
          imageId: uploaded.data.imageId,
          galleryId,
          kind: 'upload',
          at: new Date().toISOString(),
        });
      }
    }
  }

  private async replace(random: Random): Promise<void> {
    const old = this.uploads.filter(
      (u) => u.kind === 'upload' && Date.now() - Date.parse(u.at) > 20_000,
    );
    if (old.length === 0) return;
    const target = random.pick(old);
    const answer = await postJson(`${this.options.photoShelterUrl}/_sim/replace`, {
      imageId: target.imageId,
    });
    if (answer.status !== 200) {
      this.counts.uploadFailed += 1;
      return;
    }
    this.uploads.push({ ...target, kind: 'replace', at: new Date().toISOString() });
  }

  private async decide(random: Random): Promise<void> {
    const worker = this.worker(random);
    if (worker === undefined) return;
    const listed = await exchange(
      `${worker.url}/api/v1/reviews?status=pending,rereview&limit=200`,
      {
        headers: { 'x-api-key': this.options.apiKey },
      },
    );
    const open = reviewsSchema.safeParse(listed.body);
    if (listed.status !== 200 || !open.success || open.data.reviews.length === 0) return;
    const review = random.pick(open.data.reviews);
    const reviewer = random.pick(review.reviewers);
    const verb = random.weighted({ approve: 55, rereview: 25, archive: 20 });
    const comment = verb === 'rereview' ? `Chaos re-review ${random.int(1, 9999)}` : undefined;
    const double = this.doubles.chance(0.07);
    this.counts.decisionsTried += 1;
    if (random.chance(0.5)) {
      const cards = (await this.cards.all()).filter(
        (c) => c.reviewId === review.id && c.decisions.some((d) => d.verb === verb),
      );
      if (cards.length > 0) {
        // Whichever card the reviewer sees: with two cards of one review, maybe the older one.
        const card = random.pick(cards);
        const fresh = (await this.cards.read(card.conversationId)).find(
          (c) => c.activityId === card.activityId,
        );
        if (fresh !== undefined) {
          await this.press(random, fresh, reviewer.id, verb, comment, double);
          return;
        }
      }
    }
    await this.decideByApi(random, review.id, reviewer.id, verb, comment, double);
  }

  private async decideByApi(
    random: Random,
    reviewId: string,
    reviewerId: string,
    verb: string,
    comment: string | undefined,
    double: boolean,
  ): Promise<void> {
    const once = async (isDouble: boolean): Promise<void> => {
      const worker = this.worker(random);
      if (worker === undefined) return;
      const answer = await postJson(
        `${worker.url}/api/v1/reviews/${encodeURIComponent(reviewId)}/decisions`,
        { reviewerId, verb, ...(comment === undefined ? {} : { comment }) },
        { 'x-api-key': this.options.apiKey, 'x-lightdesk-client': 'Chaos run' },
      );
      if (answer.status === 0) this.counts.apiNoAnswer += 1;
      const outcome = decisionAnswerSchema.safeParse(answer.body);
      this.apiDecisions.push({
        reviewId,
        reviewerId,
        verb,
        status: answer.status,
        outcome: outcome.success ? outcome.data.outcome : undefined,
        double: isDouble,
      });
    };
    if (!double) return once(false);
    // A double press: the same request twice, the second a moment later (or at once).
    await Promise.all([once(false), delay(random.int(0, 300)).then(() => once(true))]);
  }

  private async press(
    random: Random,
    card: SeenCard,
    reviewerId: string,
    verb: string,
    comment: string | undefined,
    double: boolean,
  ): Promise<void> {
    const action = card.decisions.find((d) => d.verb === verb);
    if (action === undefined) return;
    const once = async (isDouble: boolean): Promise<void> => {
      const worker = this.worker(random);
      if (worker === undefined) return;
      const prepared = await postJson(`${this.options.teamsUrl}/_sim/invoke/prepare`, {
        botEndpoint: `${worker.url}/api/messages`,
        conversationId: card.conversationId,
        user: reviewerId,
        replyToId: card.activityId,
        verb,
        data: { ...action.data, ...(comment === undefined ? {} : { comment }) },
      });
      const delivery = preparedSchema.safeParse(prepared.body);
      if (!delivery.success) return;
      const sentAt = Date.now();
      const answer = await exchange(delivery.data.endpoint, {
        method: 'POST',
        headers: delivery.data.headers,
        body: delivery.data.body,
      });
      const body = invokeAnswerSchema.safeParse(answer.body);
      const answeredWithCard =
        answer.status === 200 &&
        body.success &&
        body.data.statusCode === 200 &&
        body.data.type === 'application/vnd.microsoft.card.adaptive';
      if (answer.status === 0) this.counts.pressNoAnswer += 1;
      else if (!answeredWithCard) this.counts.pressWithoutCard += 1;
      this.presses.push({
        reviewId: card.reviewId,
        reviewerId,
        verb,
        cardActivityId: card.activityId,
        worker: worker.index,
        sentAt,
        answeredAt: Date.now(),
        status: answer.status,
        answeredWithCard,
        double: isDouble,
      });
    };
    if (!double) return once(false);
    await Promise.all([once(false), delay(random.int(0, 300)).then(() => once(true))]);
  }
}
