// npm run bench [-- --json] [-- --sizes 1000,10000] [-- --only poll|review|ziflow|preservica]
// [-- --preservica-images 1000 --preservica-mb 20]: Lightdesk's poller against a naive walker, on
// simulated libraries of 1k, 10k and 100k images; the review loop (bench-review.ts); Ziflow calls per
// batch (bench-ziflow.ts); one Preservica package of 1,000 images (bench-preservica.ts). The
// simulator and each poller or packager run in their own processes, so each peak RSS is its own.
import { startAzurite } from '../composition/azurite.js';
import { firstJsonLine } from './bench-child.js';
import { benchPreservica, type PreservicaBench } from './bench-preservica.js';
import { benchReview, type ReviewBench } from './bench-review.js';
import { benchZiflow, type ZiflowBench } from './bench-ziflow.js';

interface PollerResult {
  kind: string;
  baselineCalls: number;
  idleCalls: number;
  changedCalls: number;
  idlePollMs: number;
  changedPollMs: number;
  peakRssMb: number;
}

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const sizesArg = args[args.indexOf('--sizes') + 1];
const sizes =
  args.includes('--sizes') && sizesArg !== undefined
    ? sizesArg.split(',').map(Number)
    : [1_000, 10_000, 100_000];

const tsx = ['--import', 'tsx'];

async function runPoller(
  kind: 'lightdesk' | 'naive',
  simulator: { url: string; apiKey: string; email: string; password: string; orgId?: string },
): Promise<PollerResult> {
  const azurite = await startAzurite({});
  try {
    const { value, done } = await firstJsonLine([...tsx, 'scripts/bench-poller.ts', kind], {
      ...process.env,
      BENCH_SIMULATOR_URL: simulator.url,
      BENCH_STORAGE: azurite.connectionString,
      BENCH_CREDENTIALS: JSON.stringify({
        apiKey: simulator.apiKey,
        email: simulator.email,
        password: simulator.password,
        ...(simulator.orgId === undefined ? {} : { orgId: simulator.orgId }),
      }),
    });
    await done;
    return value as PollerResult;
  } finally {
    await azurite.stop();
  }
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

const PARTS = ['poll', 'review', 'ziflow', 'preservica'] as const;
type Part = (typeof PARTS)[number];
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
if (only !== undefined && !(PARTS as readonly string[]).includes(only)) {
  process.stderr.write(`--only must be one of ${PARTS.join(', ')}\n`);
  process.exit(2);
}
const runs = (part: Part): boolean => only === undefined || only === part;

/** A whole-number option, or its default (the figures). */
function countOption(name: string, fallback: number): number {
  if (!args.includes(name)) return fallback;
  const value = Number(args[args.indexOf(name) + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`${name} must be a positive number\n`);
    process.exit(2);
  }
  return value;
}
const preservicaImages = Math.round(countOption('--preservica-images', 1_000));
const preservicaMb = countOption('--preservica-mb', 20);

type PollRow = { assets: number; lightdesk: PollerResult; naive: PollerResult };

async function measurePolling(): Promise<PollRow[]> {
  const poll: PollRow[] = [];
  for (const assets of sizes) {
    process.stderr.write(`seeding ${assets} assets…\n`);
    const simulator = await firstJsonLine(
      [
        ...tsx,
        'simulators/photoshelter/main.ts',
        '--port',
        '0',
        '--seed',
        '7',
        '--assets',
        String(assets),
      ],
      process.env,
    );
    try {
      const settings = simulator.value as {
        url: string;
        apiKey: string;
        email: string;
        password: string;
        orgId?: string;
      };
      process.stderr.write(`  lightdesk poller…\n`);
      const lightdesk = await runPoller('lightdesk', settings);
      process.stderr.write(`  naive poller…\n`);
      const naive = await runPoller('naive', settings);
      poll.push({ assets, lightdesk, naive });
    } finally {
      simulator.stop();
      await simulator.done;
    }
  }
  return poll;
}

function printPolling(poll: PollRow[]): void {
  printTable(
    [
      'assets',
      'poller',
      'calls/idle poll',
      'calls/poll, 10 changes',
      'idle poll ms',
      'changed poll ms',
      'peak RSS MB',
    ],
    poll.flatMap((p) =>
      [p.lightdesk, p.naive].map((r) => [
        String(p.assets),
        r.kind,
        String(r.idleCalls),
        String(r.changedCalls),
        String(r.idlePollMs),
        String(r.changedPollMs),
        String(r.peakRssMb),
      ]),
    ),
  );
  process.stdout.write(
    '\ntargets: ≤ 2 calls per idle poll at 100k assets; ≤ 200 MB peak RSS of the poller\n\n',
  );
}

const byEndpoint = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([endpoint, n]) => `${endpoint} ×${n}`)
    .join(', ');

function printReview(review: ReviewBench): void {
  printTable(
    [
      'images in the batch',
      'Lightdesk calls (Graph + Teams)',
      'naive calls (task + card per image)',
    ],
    review.batch.map((b) => [String(b.images), String(b.lightdeskCalls), String(b.naiveCalls)]),
  );
  process.stdout.write(
    `Lightdesk's calls for a batch of 10: ${byEndpoint(review.batchBreakdown)}\n`,
  );
  process.stdout.write(
    `Once per process, at start-up (every rule's reviewers, intake bucket and roster; the demo install): ${review.startup.calls} calls (${byEndpoint(review.startup.byEndpoint)})\n\n`,
  );
  printTable(
    ['concurrent reviewers', 'invoke p50 ms', 'invoke p99 ms'],
    [[String(review.invoke.concurrency), String(review.invoke.p50Ms), String(review.invoke.p99Ms)]],
  );
  process.stdout.write('\n');
  printTable(
    [
      'Graph limit req/s',
      'reviews',
      'seconds (Graph in use)',
      'utilisation (whole run)',
      'lost tasks',
      'duplicated tasks',
    ],
    [
      [
        String(review.throttle.requestsPerSecond),
        String(review.throttle.reviews),
        `${review.throttle.seconds} (${review.throttle.graphSeconds})`,
        `${review.throttle.utilization} (${review.throttle.wholeRunUtilization})`,
        String(review.throttle.lost),
        String(review.throttle.duplicated),
      ],
    ],
  );
  process.stdout.write(
    '\ntargets: ≤ 4 calls per batch; invoke p99 ≤ 250 ms; utilisation ≥ 0.95, 0 lost, 0 duplicated\n\n',
  );
}

function printZiflow(ziflow: ZiflowBench): void {
  printTable(
    ['images in the batch', 'Lightdesk Ziflow calls', 'naive Ziflow calls (proof per image)'],
    ziflow.batch.map((b) => [String(b.images), String(b.lightdeskCalls), String(b.naiveCalls)]),
  );
  process.stdout.write(
    `Lightdesk's Ziflow calls for a batch of 100: ${byEndpoint(ziflow.breakdown)}\n`,
  );
  process.stdout.write(
    '\ntargets: one proof create per batch (all files, reviewers and stages in it), whatever its size\n\n',
  );
}

function printPreservica(preservica: PreservicaBench): void {
  printTable(
    [
      'images × MB',
      'packages',
      'ingests',
      'ingest',
      'peak RSS MB (idle)',
      'packaging s',
      'to COMPLETED s',
      'peak disk MB',
      'upload files left',
    ],
    [
      [
        `${preservica.images} × ${preservica.mb}`,
        String(preservica.packages),
        String(preservica.ingests),
        preservica.state,
        `${preservica.peakRssMb} (${preservica.idleRssMb})`,
        String(preservica.packagingSeconds),
        String(preservica.seconds),
        String(preservica.peakDiskMb),
        String(preservica.uploadFilesLeft),
      ],
    ],
  );
  process.stdout.write(
    '\ntargets: ≤ 200 MB peak RSS while packaging; 1 package and 1 ingest per review\n\n',
  );
}

async function main(): Promise<void> {
  const json: Record<string, unknown> = {};
  if (runs('poll')) {
    const poll = await measurePolling();
    printPolling(poll);
    const strip = (r: PollerResult) => ({
      idleCalls: r.idleCalls,
      changedCalls: r.changedCalls,
      idlePollMs: r.idlePollMs,
      changedPollMs: r.changedPollMs,
      peakRssMb: r.peakRssMb,
    });
    json['poll'] = poll.map((p) => ({
      assets: p.assets,
      lightdesk: strip(p.lightdesk),
      naive: strip(p.naive),
    }));
  }
  if (runs('review')) {
    process.stderr.write('review loop…\n');
    const review = await benchReview();
    printReview(review);
    Object.assign(json, {
      batch: review.batch,
      startup: { calls: review.startup.calls },
      invoke: review.invoke,
      throttle: {
        utilization: review.throttle.utilization,
        lost: review.throttle.lost,
        duplicated: review.throttle.duplicated,
      },
    });
  }
  if (runs('ziflow')) {
    process.stderr.write('ziflow batches…\n');
    const ziflow = await benchZiflow();
    printZiflow(ziflow);
    json['ziflow'] = ziflow.batch;
  }
  if (runs('preservica')) {
    process.stderr.write(
      `preservica: packaging ${preservicaImages} images of ${preservicaMb} MB…\n`,
    );
    const preservica = await benchPreservica({ images: preservicaImages, mb: preservicaMb });
    printPreservica(preservica);
    if (!preservica.state.startsWith('completed')) process.exitCode = 1;
    json['preservica'] = {
      images: preservica.images,
      mb: preservica.mb,
      packages: preservica.packages,
      ingests: preservica.ingests,
      peakRssMb: preservica.peakRssMb,
      idleRssMb: preservica.idleRssMb,
      seconds: preservica.seconds,
      peakDiskMb: preservica.peakDiskMb,
    };
  }
  if (asJson) process.stdout.write(`${JSON.stringify(json)}\n`);
}

await main();
