// The review-loop half of `npm run bench`: external calls per gallery batch (Lightdesk vs a naive
// one-task-and-card-per-image flow), card-action latency with 50 concurrent reviewers, and behaviour
// under Graph throttling. Runs the whole product in this process with startLocalHost, as the e2e tests do.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { type LocalHost, startLocalHost } from '../composition/local-host.js';
import { JsonLogger } from '../connectors/system/json-logger.js';
import { AppError } from '../core/errors.js';

export interface ReviewBench {
  readonly batch: { images: number; lightdeskCalls: number; naiveCalls: number }[];
  readonly batchBreakdown: Record<string, number>;
  /** Calls made once per process at start-up (every rule's reviewers, intake buckets, rosters). */
  readonly startup: { calls: number; byEndpoint: Record<string, number> };
  readonly invoke: { concurrency: number; p50Ms: number; p99Ms: number };
  readonly throttle: {
    requestsPerSecond: number;
    reviews: number;
    utilization: number;
    wholeRunUtilization: number;
    graphSeconds: number;
    lost: number;
    duplicated: number;
    seconds: number;
  };
}

interface Calls {
  total: number;
  byEndpoint: Record<string, number>;
  throttled?: number;
  firstAt?: string | null;
  lastAt?: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new AppError('upstream', `${url} answered ${response.status}`);
  return (await response.json()) as T;
}

const post = (url: string, body: unknown) =>
  json<unknown>(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

class Bench {
  private galleries: string[] = [];

  constructor(private readonly host: LocalHost) {}

  async init(): Promise<void> {
    const library = await json<{ galleries: { id: string }[] }>(
      `${this.host.simulatorUrl}/_sim/library`,
    );
    this.galleries = library.galleries.map((g) => g.id);
    await this.host.poll(); // baseline
  }

  /** A gallery no earlier step used, so every measurement starts a fresh review. */
  takeGallery(): string {
    const id = this.galleries.shift();
    if (id === undefined)
      throw new AppError('internal', 'the simulated library ran out of galleries');
    return id;
  }

  async upload(galleryId: string): Promise<void> {
    await post(`${this.host.simulatorUrl}/_sim/upload`, { galleryId });
  }

  async externalCalls(): Promise<{ graph: Calls; teams: Calls }> {
    const [graph, teams] = await Promise.all([
      json<Calls>(`${this.host.graphUrl}/_sim/calls`),
      json<Calls>(`${this.host.teamsUrl}/_sim/calls`),
    ]);
    return { graph, teams };
  }

  async resetCalls(): Promise<void> {
    await Promise.all([
      fetch(`${this.host.graphUrl}/_sim/calls`, { method: 'DELETE' }),
      fetch(`${this.host.teamsUrl}/_sim/calls`, { method: 'DELETE' }),
    ]);
  }

  /** Polls once and runs the queue dry, waiting out failed messages' visibility, within a bound. */
  async settle(boundMs = 120_000): Promise<void> {
    const start = performance.now();
    await this.host.poll();
    while (performance.now() - start < boundMs) {
      const handled = await this.host.drainQueue();
      if (handled > 0) continue;
      const depth = await this.host.services.queue.depth();
      if (depth.active === 0) return;
      await sleep(500);
    }
  }

  async reviews(): Promise<
    {
      id: string;
      galleryId: string;
      galleryName: string;
      cardVersion: number;
      reviewers: { id: string }[];
      status: string;
    }[]
  > {
    const body = await json<{
      reviews: {
        id: string;
        galleryId: string;
        galleryName: string;
        cardVersion: number;
        reviewers: { id: string }[];
        status: string;
      }[];
    }>(`${this.host.url}/api/v1/reviews?limit=500`);
    return body.reviews;
  }
}

async function measureBatches(bench: Bench, host: LocalHost) {
  const batch: ReviewBench['batch'] = [];
  let breakdown: Record<string, number> = {};
  for (const images of [1, 10, 100]) {
    // Lightdesk: N uploads to one gallery between two polls form one batch.
    const gallery = bench.takeGallery();
    await bench.resetCalls();
    for (let i = 0; i < images; i += 1) await bench.upload(gallery);
    await bench.settle();
    const after = await bench.externalCalls();
    const lightdeskCalls = after.graph.total + after.teams.total;
    if (images === 10) breakdown = { ...after.graph.byEndpoint, ...after.teams.byEndpoint };

    // Naive: what a per-image integration does with the same connectors.
    const s = host.services;
    const planId = s.defaultPlanId ?? '';
    await bench.resetCalls();
    const bucketId = await s.board.ensureBucket(planId, 'To review');
    for (let i = 0; i < images; i += 1) {
      const task = await s.board.createTask({
        planId,
        bucketId,
        title: `Review image ${i + 1} of ${gallery}`,
        assigneeIds: [],
        dueAt: new Date(Date.now() + 86_400_000).toISOString(),
        priority: 5,
        labels: [],
      });
      await s.board.setDetails(task.taskId, {
        description: `Image ${i + 1}`,
        checklist: [],
        references: [{ url: `https://example.com/gallery/${gallery}`, alias: 'Gallery' }],
      });
      await s.chat.postCard(
        'channel:Marketing/Photo reviews',
        {
          type: 'AdaptiveCard',
          version: '1.5',
          body: [{ type: 'TextBlock', text: `Image ${i + 1}` }],
        },
        'image to review',
      );
    }
    const naive = await bench.externalCalls();
    batch.push({ images, lightdeskCalls, naiveCalls: naive.graph.total + naive.teams.total });
  }
  return { batch, breakdown };
}

/** Runs scripts/bench-invoker.ts with `input` on its stdin; resolves with what it prints. */
function runInvoker(input: unknown): Promise<{ durations: number[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench-invoker.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(JSON.stringify(input));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) {
        reject(new AppError('internal', `the invoke client exited with ${String(code)}`));
        return;
      }
      try {
        resolve(JSON.parse(out) as { durations: number[] });
      } catch (e: unknown) {
        reject(e instanceof Error ? e : new TypeError(String(e)));
      }
    });
  });
}

/** `count` fresh reviews, opened and carded, with a way to prepare a reviewer's press on each. */
async function openReviews(bench: Bench, host: LocalHost, count: number) {
  const galleries = Array.from({ length: count }, () => bench.takeGallery());
  for (const gallery of galleries) await bench.upload(gallery);
  await bench.settle();
  const wanted = new Set(galleries);
  const reviews = (await bench.reviews()).filter((r) => wanted.has(r.galleryId));
  const seed = await json<{ photoReviewsChannel: { id: string } }>(`${host.teamsUrl}/_sim/seed`);
  const channel = seed.photoReviewsChannel.id;
  const transcript = await json<{ activities: { id: string; latest: unknown }[] }>(
    `${host.teamsUrl}/_sim/conversations/${encodeURIComponent(channel)}`,
  );
  const cardOf = (reviewId: string) =>
    transcript.activities.find((a) => JSON.stringify(a.latest).includes(JSON.stringify(reviewId)))
      ?.id;
  // Teams posts each press to the bot; the simulator signs it here, ready for the client to post.
  const prepare = (verb: string) =>
    Promise.all(
      reviews.map((review) =>
        post(`${host.teamsUrl}/_sim/invoke/prepare`, {
          conversationId: channel,
          user: review.reviewers[0]?.id,
          replyToId: cardOf(review.id),
          verb,
          data: { reviewId: review.id, cardVersion: review.cardVersion },
        }),
      ),
    );
  return { prepare };
}

async function measureInvokes(bench: Bench, host: LocalHost, concurrency: number) {
  // A client in its own process posts the presses all at once, so the bot's process does only the
  // bot's work while it is timed. The figures are of a bot that has served that many reviewers
  // before, as any instance that has been up a while has: first, untimed, every reviewer refreshes
  // and approves a review of their own (the press path compiled, connections to storage open).
  // Then each refreshes the card of the review they will approve, as Teams does when the card is
  // shown (its `refresh.userIds`), and only then the presses are timed.
  const practice = await openReviews(bench, host, concurrency);
  const timed = await openReviews(bench, host, concurrency);
  const warmUp = [
    await practice.prepare('refresh'),
    await practice.prepare('approve'),
    await timed.prepare('refresh'),
  ];
  const presses = await timed.prepare('approve');
  const { durations } = await runInvoker({ warmUp, presses });
  durations.sort((a, b) => a - b);
  const pick = (q: number) =>
    Math.round(durations[Math.min(durations.length - 1, Math.floor(q * durations.length))] ?? 0);
  await bench.settle();
  return { concurrency: durations.length, p50Ms: pick(0.5), p99Ms: pick(0.99) };
}

async function measureThrottle(bench: Bench, host: LocalHost, reviewsWanted: number) {
  const requestsPerSecond = 20;
  const galleries = Array.from({ length: reviewsWanted }, () => bench.takeGallery());
  await post(`${host.graphUrl}/_sim/throttle`, { requestsPerSecond });
  await bench.resetCalls();
  for (const gallery of galleries) await bench.upload(gallery);
  const start = performance.now();
  await bench.settle(180_000);
  const seconds = (performance.now() - start) / 1000;
  const { graph } = await bench.externalCalls();
  await post(`${host.graphUrl}/_sim/throttle`, { requestsPerSecond: null });

  const wanted = new Set(galleries);
  const reviews = (await bench.reviews()).filter((r) => wanted.has(r.galleryId));
  // A task belongs to a review by the reference back to it (gallery names repeat across collections).
  const state = await json<{
    plans: { tasks: { details?: { references?: Record<string, unknown> } }[] }[];
  }>(`${host.graphUrl}/_sim/state`);
  const referenced = (state.plans[0]?.tasks ?? []).flatMap((t) =>
    Object.keys(t.details?.references ?? {}).map((key) => decodeURIComponent(key)),
  );
  let lost = 0;
  let duplicated = 0;
  for (const review of reviews) {
    const link = host.services.links.reviewUrl(review.id);
    const count = referenced.filter((url) => url === link).length;
    if (count === 0) lost += 1;
    if (count > 1) duplicated += count - 1;
  }
  lost += reviewsWanted - reviews.length; // uploads that never became a review
  // Utilisation: the rate Graph accepted Lightdesk's requests at, from its first Graph request to its
  // last, over the rate allowed. The limiter is a sliding one-second window, so a client that used
  // every slot scores about 1 (a little over for a short span: the first second admits R at once).
  // The whole run from the uploads on (polling, opening reviews, the batch window: no Graph work yet)
  // is shown beside it.
  const accepted = graph.total - (graph.throttled ?? 0);
  const windowSeconds =
    graph.firstAt === undefined ||
    graph.firstAt === null ||
    graph.lastAt === undefined ||
    graph.lastAt === null
      ? 0
      : (Date.parse(graph.lastAt) - Date.parse(graph.firstAt)) / 1000;
  const round2 = (x: number) => Math.round(x * 100) / 100;
  const utilization = windowSeconds > 0 ? round2(accepted / windowSeconds / requestsPerSecond) : 0;
  const wholeRunUtilization = round2(accepted / seconds / requestsPerSecond);
  return {
    requestsPerSecond,
    reviews: reviews.length,
    utilization,
    wholeRunUtilization,
    graphSeconds: round2(windowSeconds),
    lost,
    duplicated,
    seconds: Math.round(seconds),
  };
}

export async function benchReview(options: { concurrency?: number } = {}): Promise<ReviewBench> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-bench-'));
  const host = await startLocalHost(
    {
      PORT: '0',
      SIM_ASSETS: '30000',
      SIM_SEED: '9',
      LIGHTDESK_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    },
    { inMemoryStorage: true, runTriggers: false, logger: new JsonLogger('bench', 'silent') },
  );
  try {
    const bench = new Bench(host);
    const atStart = await bench.externalCalls();
    const startup = {
      calls: atStart.graph.total + atStart.teams.total,
      byEndpoint: { ...atStart.graph.byEndpoint, ...atStart.teams.byEndpoint },
    };
    await bench.init();
    process.stderr.write('  batches…\n');
    const { batch, breakdown } = await measureBatches(bench, host);
    process.stderr.write('  invokes…\n');
    const invoke = await measureInvokes(bench, host, options.concurrency ?? 50);
    process.stderr.write('  throttling…\n');
    const throttle = await measureThrottle(bench, host, 100);
    return { batch, batchBreakdown: breakdown, startup, invoke, throttle };
  } finally {
    await host.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
