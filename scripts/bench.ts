// npm run bench [-- --json] [-- --sizes 1000,10000]: Lightdesk's poller against a naive walker, on
// simulated libraries of 1k, 10k and 100k images. The simulator and each poller run in their own
// processes, so each poller's peak RSS is its own.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

import { startAzurite } from '../composition/azurite.js';
import { benchReview } from './bench-review.js';

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

/** Starts a child and resolves with its first stdout line parsed as JSON. */
function firstJsonLine(
  command: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ value: unknown; stop: () => void; done: Promise<void> }> {
  const child = spawn(process.execPath, command, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      try {
        resolve({ value: JSON.parse(line), stop: () => child.kill('SIGTERM'), done });
      } catch (e: unknown) {
        reject(e instanceof Error ? e : new TypeError(String(e)));
      }
    });
    child.once('exit', (code) => reject(new TypeError(`${command.join(' ')} exited with ${code}`)));
  });
}

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

const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

async function main(): Promise<void> {
  const poll: { assets: number; lightdesk: PollerResult; naive: PollerResult }[] = [];
  for (const assets of only === 'review' ? [] : sizes) {
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

  process.stderr.write('review loop…\n');
  const review = await benchReview();
  printTable(
    [
      'images in the batch',
      'Lightdesk calls (Graph + Teams)',
      'naive calls (task + card per image)',
    ],
    review.batch.map((b) => [String(b.images), String(b.lightdeskCalls), String(b.naiveCalls)]),
  );
  process.stdout.write(
    `Lightdesk's calls for a batch of 10: ${Object.entries(review.batchBreakdown)
      .map(([endpoint, n]) => `${endpoint} ×${n}`)
      .join(', ')}\n`,
  );
  process.stdout.write(
    `Once per process, at start-up (every rule's reviewers, intake bucket and roster; the demo install): ${review.startup.calls} calls (${Object.entries(
      review.startup.byEndpoint,
    )
      .map(([endpoint, n]) => `${endpoint} ×${n}`)
      .join(', ')})\n\n`,
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
    '\ntargets: ≤ 4 calls per batch; invoke p99 ≤ 250 ms; utilisation ≥ 0.95, 0 lost, 0 duplicated\n',
  );

  if (asJson) {
    const strip = (r: PollerResult) => ({
      idleCalls: r.idleCalls,
      changedCalls: r.changedCalls,
      idlePollMs: r.idlePollMs,
      changedPollMs: r.changedPollMs,
      peakRssMb: r.peakRssMb,
    });
    const json = {
      poll: poll.map((p) => ({
        assets: p.assets,
        lightdesk: strip(p.lightdesk),
        naive: strip(p.naive),
      })),
      batch: review.batch,
      startup: { calls: review.startup.calls },
      invoke: review.invoke,
      throttle: {
        utilization: review.throttle.utilization,
        lost: review.throttle.lost,
        duplicated: review.throttle.duplicated,
      },
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
  }
}

await main();
