// What the chaos run measures once faults are off: the stored reviews (read from storage with the
// product's own table adapter) against what the driver did and what Planner, Teams and PhotoShelter
// (the simulators' state) show. Expectations are written out here from the product's rules (README,
// docs/decisions.md), not taken from the product's code, so a bug there cannot hide itself.
import { z } from 'zod';

import { storageClients } from '../connectors/azure-storage/storage-clients.js';
import { StorageEventQueue } from '../connectors/azure-storage/storage-event-queue.js';
import { TableReviewStore } from '../connectors/azure-storage/table-review-store.js';
import { AppError } from '../core/errors.js';
import type { Review, ReviewStatus } from '../core/model/review.js';
import { type SeenCard, TeamsCards } from './chaos-cards.js';
import type { ApiDecision, Press, Upload } from './chaos-driver.js';

/** A "card action" log line of a worker: the outcome of a press on the card `activityId`. */
export interface CardActionLine {
  readonly activityId: string;
  readonly reviewId: string;
  readonly verb: string;
  readonly outcome: string;
}

export interface CheckInputs {
  readonly storageConnectionString: string;
  readonly graphUrl: string;
  readonly teamsUrl: string;
  readonly photoShelterUrl: string;
  readonly uploads: readonly Upload[];
  readonly apiDecisions: readonly ApiDecision[];
  readonly presses: readonly Press[];
  readonly cardActions: readonly CardActionLine[];
}

export interface CheckResult {
  readonly reviews: number;
  readonly uploads: number;
  readonly lostUploads: number;
  readonly tasksPerReview: { min: number; max: number };
  /** Tasks that name no review in their references and that no review records. */
  readonly orphanTasks: number;
  /** Tasks two reviews claim (linked to both, or recorded by both). */
  readonly sharedTasks: number;
  readonly actionableCardsPerReview: { max: number };
  /** Every card posted for a review, buttons or not (a lost post answer makes a second one). */
  readonly cardsPerReview: { max: number };
  readonly photoShelterNeverWritten: number;
  readonly stale: number;
  readonly staleReasons: Readonly<Record<string, number>>;
  readonly poison: number;
  readonly lostDecisions: number;
  readonly ackedDecisions: { readonly api: number; readonly teams: number };
  readonly queued: { readonly events: number; readonly webhooks: number };
  /** A few ids per problem, to start looking from. */
  readonly examples: Readonly<Record<string, readonly string[]>>;
}

const libraryStatus: Record<ReviewStatus, string> = {
  pending: 'pending review',
  rereview: 're-review',
  approved: 'approved',
  archived: 'archived',
  superseded: 'pending review',
};

const statusLabel: Record<ReviewStatus, string> = {
  pending: 'Waiting for review',
  rereview: 'Re-review requested',
  approved: 'Approved',
  archived: 'Archived',
  superseded: 'Superseded',
};

const isOpen = (review: Review) => review.status === 'pending' || review.status === 'rereview';

function placement(review: Review): { bucket: string; percentComplete: number } {
  switch (review.status) {
    case 'approved':
      return { bucket: review.route.buckets.approved, percentComplete: 100 };
    case 'archived':
      return { bucket: review.route.buckets.archived, percentComplete: 100 };
    case 'rereview':
      return { bucket: review.route.buckets.rereview, percentComplete: 50 };
    case 'pending':
    case 'superseded':
      return { bucket: review.route.bucket, percentComplete: 0 };
  }
}

const graphStateSchema = z.object({
  plans: z.array(
    z.looseObject({
      buckets: z.array(z.looseObject({ id: z.string(), name: z.string() })),
      tasks: z.array(
        z.looseObject({
          id: z.string(),
          title: z.string(),
          bucketId: z.string(),
          percentComplete: z.number(),
          details: z.looseObject({
            references: z.record(z.string(), z.unknown()).nullable().optional(),
          }),
        }),
      ),
    }),
  ),
});
type Task = z.infer<typeof graphStateSchema>['plans'][number]['tasks'][number];

const galleryImagesSchema = z.object({
  images: z.array(z.looseObject({ imageId: z.string(), reviewStatus: z.string().nullable() })),
});

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The reviews a task's references link to (the Lightdesk review link: `…/api/tab/?review={id}`). */
function reviewsOfTask(task: Task): Set<string> {
  const ids = new Set<string>();
  for (const [key, value] of Object.entries(task.details.references ?? {})) {
    if (value === null) continue; // a removed reference
    try {
      const id = new URL(safeDecode(key)).searchParams.get('review');
      if (id !== null && id !== '') ids.add(id);
    } catch {
      // not a URL: another reference
    }
  }
  return ids;
}

/** Counts per key, to match acknowledged decisions against stored ones without caring for order. */
class Tally {
  private readonly counts = new Map<string, number>();
  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  entries(): [string, number][] {
    return [...this.counts.entries()];
  }
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new AppError('upstream', `${url} answered ${response.status}`);
  return response.json();
}

export class Checker {
  private readonly store: TableReviewStore;
  private readonly events: StorageEventQueue;
  private readonly webhooks: StorageEventQueue;
  private readonly cards: TeamsCards;

  constructor(private readonly inputs: CheckInputs) {
    const storage = storageClients(inputs.storageConnectionString);
    this.store = new TableReviewStore(storage.tables.reviews);
    this.events = new StorageEventQueue(storage.queues);
    this.webhooks = new StorageEventQueue(storage.webhookQueues);
    this.cards = new TeamsCards(inputs.teamsUrl);
  }

  /** Queued (visible or not yet) messages on the events and webhooks queues. */
  async queued(): Promise<{ events: number; webhooks: number; poison: number }> {
    const [events, webhooks] = await Promise.all([this.events.depth(), this.webhooks.depth()]);
    return {
      events: events.active,
      webhooks: webhooks.active,
      poison: events.poison + webhooks.poison,
    };
  }

  async check(): Promise<CheckResult> {
    const inputs = this.inputs;
    const examples: Record<string, string[]> = {};
    const example = (what: string, id: string) => {
      const list = (examples[what] ??= []);
      if (list.length < 5) list.push(id);
    };

    const [stored, graphRaw, allCards, queued] = await Promise.all([
      this.store.list({ limit: 100_000 }),
      getJson(`${inputs.graphUrl}/_sim/state`),
      this.cards.all(),
      this.queued(),
    ]);
    const reviews = stored.map((s) => s.review);
    const graph = graphStateSchema.parse(graphRaw);

    // Uploads: every image uploaded is in some review.
    const inReviews = new Set(reviews.flatMap((r) => r.assets.map((a) => a.assetId)));
    const uploaded = new Set(
      inputs.uploads.filter((u) => u.kind === 'upload').map((u) => u.imageId),
    );
    let lostUploads = 0;
    for (const imageId of uploaded) {
      if (inReviews.has(imageId)) continue;
      lostUploads += 1;
      example('lostUploads', imageId);
    }

    // Planner: tasks per review, by the review link in the task's references.
    const bucketName = new Map<string, string>();
    const tasks = new Map<string, Task>();
    const tasksOf = new Tally();
    // A task is its review's by the review link in its references; without one, it belongs to the
    // review recording it (its details are then stale); one nobody records is an orphan, a duplicate
    // of some review's. A task linked to or recorded by two reviews is shared: one of them has
    // none of its own.
    const recordedBy = new Map<string, string[]>();
    for (const review of reviews) {
      const taskId = review.planner.taskId;
      if (taskId !== undefined)
        recordedBy.set(taskId, [...(recordedBy.get(taskId) ?? []), review.id]);
    }
    let orphanTasks = 0;
    let sharedTasks = 0;
    for (const plan of graph.plans) {
      for (const bucket of plan.buckets) bucketName.set(bucket.id, bucket.name);
      for (const task of plan.tasks) {
        tasks.set(task.id, task);
        const linked = reviewsOfTask(task);
        const recorders = recordedBy.get(task.id) ?? [];
        const owners = linked.size > 0 ? linked : new Set(recorders);
        for (const reviewId of owners) tasksOf.add(reviewId);
        if (owners.size === 0) {
          orphanTasks += 1;
          example('orphanTasks', `${task.id} "${task.title}"`);
        }
        if (new Set([...linked, ...recorders]).size > 1) {
          sharedTasks += 1;
          example(
            'sharedTasks',
            `${task.id}: ${[...new Set([...linked, ...recorders])].join(' + ')}`,
          );
        }
      }
    }
    const taskCounts = reviews.map((r) => tasksOf.get(r.id));
    for (const review of reviews) {
      const n = tasksOf.get(review.id);
      if (n !== 1) example(`tasks=${n}`, review.id);
    }

    // Teams: cards per review, and those that take presses (the review's current card instance).
    const cardsByReview = new Map<string, SeenCard[]>();
    const cardByActivity = new Map<string, SeenCard>();
    for (const card of allCards) {
      cardByActivity.set(card.activityId, card);
      const list = cardsByReview.get(card.reviewId) ?? [];
      list.push(card);
      cardsByReview.set(card.reviewId, list);
    }
    let maxActionable = 0;
    let maxCards = 0;
    for (const review of reviews) {
      const cards = cardsByReview.get(review.id) ?? [];
      const current = review.teams.activityId;
      const byActivity = current === undefined ? undefined : cardByActivity.get(current);
      const all = new Set([...cards, ...(byActivity === undefined ? [] : [byActivity])]);
      maxCards = Math.max(maxCards, all.size);
      const instance = review.teams.cardInstance;
      const actionable = [...all].filter(
        (card) =>
          card.decisions.length > 0 &&
          (card.activityId === current ||
            instance === undefined ||
            (card.instance ?? `${review.id}#1`) === instance),
      ).length;
      if (actionable > 1) example('actionableCards>1', review.id);
      if (all.size > 1) example('cards>1', review.id);
      maxActionable = Math.max(maxActionable, actionable);
    }

    // Stale: the task's bucket and progress, and the current card's status, version, images and
    // task link, against the stored review.
    const staleReasons: Record<string, number> = {};
    let stale = 0;
    for (const review of reviews) {
      const reasons: string[] = [];
      const taskId = review.planner.taskId;
      const task = taskId === undefined ? undefined : tasks.get(taskId);
      if (taskId === undefined) reasons.push('no task recorded');
      else if (task === undefined) reasons.push('task not in Planner');
      else {
        const want = placement(review);
        if (bucketName.get(task.bucketId) !== want.bucket) reasons.push('task bucket');
        if (task.percentComplete !== want.percentComplete) reasons.push('task progress');
        if (!reviewsOfTask(task).has(review.id)) reasons.push('task details');
      }
      const activityId = review.teams.activityId;
      const card = activityId === undefined ? undefined : cardByActivity.get(activityId);
      if (activityId === undefined) reasons.push('no card recorded');
      else if (card === undefined) reasons.push('card not in Teams');
      else {
        if (!card.texts.includes(statusLabel[review.status])) reasons.push('card status');
        if (isOpen(review) && card.version !== review.cardVersion) reasons.push('card version');
        if (isOpen(review) && card.decisions.length === 0) reasons.push('card without buttons');
        if (!isOpen(review) && card.decisions.length > 0) reasons.push('closed card with buttons');
        const images = `${review.assets.length} image${review.assets.length === 1 ? '' : 's'}`;
        if (!card.texts.some((t) => t.startsWith(images))) reasons.push('card images');
        if (taskId !== undefined && !card.links.includes('Open Planner task'))
          reasons.push('card task link');
      }
      if (reasons.length > 0) {
        stale += 1;
        for (const reason of reasons) {
          staleReasons[reason] = (staleReasons[reason] ?? 0) + 1;
          example(`stale: ${reason}`, review.id);
        }
      }
    }

    // PhotoShelter: each asset carries the status of the newest review that holds it.
    const newest = new Map<string, Review>();
    for (const review of reviews) {
      for (const asset of review.assets) {
        const other = newest.get(asset.assetId);
        if (other === undefined || Date.parse(review.openedAt) > Date.parse(other.openedAt))
          newest.set(asset.assetId, review);
      }
    }
    const galleries = new Set(reviews.map((r) => r.galleryId));
    const statusOf = new Map<string, string | null>();
    for (const galleryId of galleries) {
      const body = galleryImagesSchema.parse(
        await getJson(
          `${inputs.photoShelterUrl}/_sim/galleries/${encodeURIComponent(galleryId)}/images`,
        ),
      );
      for (const image of body.images) statusOf.set(image.imageId, image.reviewStatus);
    }
    let photoShelterNeverWritten = 0;
    for (const [assetId, review] of newest) {
      const want = libraryStatus[review.status];
      if (statusOf.get(assetId) === want) continue;
      photoShelterNeverWritten += 1;
      example(
        'photoShelterNeverWritten',
        `${assetId} of ${review.id}: ${String(statusOf.get(assetId))} ≠ ${want}`,
      );
    }

    // Decisions: every one acknowledged is in the stored history (counted per review, verb and
    // source; API decisions per reviewer too).
    const storedDecisions = new Tally();
    for (const review of reviews) {
      for (const d of review.decisions) {
        storedDecisions.add(`${review.id}|${d.verb}|${d.source}|${d.reviewerId}`);
        storedDecisions.add(`${review.id}|${d.verb}|${d.source}`);
      }
    }
    const apiAcked = new Tally();
    for (const d of inputs.apiDecisions) {
      if (d.status === 201 && (d.outcome === 'decided' || d.outcome === 'recorded'))
        apiAcked.add(`${d.reviewId}|${d.verb}|api|${d.reviewerId}`);
    }
    // A press is acknowledged when the user got a card back and the worker's log says the press
    // decided or recorded a vote: per card and verb, the fewer of the two.
    const answered = new Tally();
    for (const p of inputs.presses)
      if (p.answeredWithCard) answered.add(`${p.cardActivityId}|${p.reviewId}|${p.verb}`);
    const logged = new Tally();
    for (const line of inputs.cardActions) {
      if (line.outcome === 'decided' || line.outcome === 'recorded')
        logged.add(`${line.activityId}|${line.reviewId}|${line.verb}`);
    }
    const teamsAcked = new Tally();
    for (const [key, n] of answered.entries()) {
      const acked = Math.min(n, logged.get(key));
      const [, reviewId, verb] = key.split('|');
      if (acked > 0) teamsAcked.add(`${reviewId ?? ''}|${verb ?? ''}|teams`, acked);
    }
    let lostDecisions = 0;
    let api = 0;
    let teams = 0;
    for (const [key, n] of apiAcked.entries()) {
      api += n;
      const lost = Math.max(0, n - storedDecisions.get(key));
      lostDecisions += lost;
      if (lost > 0) example('lostDecisions', key);
    }
    for (const [key, n] of teamsAcked.entries()) {
      teams += n;
      const lost = Math.max(0, n - storedDecisions.get(key));
      lostDecisions += lost;
      if (lost > 0) example('lostDecisions', key);
    }

    return {
      reviews: reviews.length,
      uploads: uploaded.size,
      lostUploads,
      tasksPerReview: {
        min: taskCounts.length === 0 ? 0 : Math.min(...taskCounts),
        max: taskCounts.length === 0 ? 0 : Math.max(...taskCounts),
      },
      orphanTasks,
      sharedTasks,
      actionableCardsPerReview: { max: maxActionable },
      cardsPerReview: { max: maxCards },
      photoShelterNeverWritten,
      stale,
      staleReasons,
      poison: queued.poison,
      lostDecisions,
      ackedDecisions: { api, teams },
      queued: { events: queued.events, webhooks: queued.webhooks },
      examples,
    };
  }
}

/** Whether a result is what issue 14 asks for ("converged" aside). */
export function isClean(result: CheckResult): boolean {
  return (
    result.lostUploads === 0 &&
    (result.reviews === 0 ||
      (result.tasksPerReview.min === 1 && result.tasksPerReview.max === 1)) &&
    result.orphanTasks === 0 &&
    result.sharedTasks === 0 &&
    result.actionableCardsPerReview.max <= 1 &&
    result.photoShelterNeverWritten === 0 &&
    result.stale === 0 &&
    result.poison === 0 &&
    result.lostDecisions === 0
  );
}
