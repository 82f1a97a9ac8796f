import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

import { GraphDirectory } from '../../../../connectors/graph-planner/graph-directory.js';
import { GraphTaskBoard } from '../../../../connectors/graph-planner/graph-task-board.js';
import type { RetryPolicy } from '../../../../connectors/graph-planner/graph-transport.js';
import {
  FakeGraphServer,
  type FakeGraphServerOptions,
} from '../../../../simulators/graph/fake-graph-server.js';
import type { FaultSpec } from '../../../../simulators/kit/traffic.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { RecordingLogger } from '../../../doubles/recording-logger.js';

/**
 * A TokenCredential (the @azure/identity interface, not our code) that hands out a fixed token with
 * an expiry, or none at all, and counts how often it was asked.
 */
export class StaticTokenCredential implements TokenCredential {
  calls = 0;

  constructor(
    private readonly token: string | null,
    private readonly expiresOn: () => number,
  ) {}

  getToken(_scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken | null> {
    this.calls += 1;
    if (this.token === null) return Promise.resolve(null);
    return Promise.resolve({ token: this.token, expiresOnTimestamp: this.expiresOn() });
  }
}

export const TOKEN = 'eyJ0eXAiOiJKV1QiLCJ0b2tlbiI6InNlY3JldC10ZXN0LXRva2VuIn0.graph-planner-test';

export interface Harness {
  readonly server: FakeGraphServer;
  readonly url: string;
  readonly board: GraphTaskBoard;
  readonly directory: GraphDirectory;
  readonly clock: FixedClock;
  readonly logger: RecordingLogger;
  readonly credential: StaticTokenCredential;
  /** The seeded plan and its buckets. */
  readonly planId: string;
  readonly buckets: FakeGraphServer['seeded']['buckets'];
  readonly people: FakeGraphServer['seeded']['users'];
  /** `/_sim/faults`, over HTTP as any client of the simulator would. */
  addFaults(faults: readonly FaultSpec[]): Promise<void>;
  /** `/_sim/calls`: calls by `METHOD /route/template`. */
  calls(): Promise<Readonly<Record<string, number>>>;
  resetCalls(): Promise<void>;
  /** `/_sim/state`: the board as the simulator holds it. */
  state(): Promise<SimState>;
  close(): Promise<void>;
}

export interface SimTask {
  readonly id: string;
  readonly title: string;
  readonly bucketId: string;
  readonly percentComplete: number;
  readonly assignments: Record<string, unknown>;
  readonly appliedCategories: Record<string, boolean>;
  readonly details: {
    readonly description: string;
    readonly checklist: Record<string, { title: string; isChecked: boolean }>;
    readonly references: Record<string, { alias: string | null; type: string | null }>;
  };
}

export interface SimState {
  readonly plans: readonly {
    id: string;
    buckets: { id: string; name: string }[];
    tasks: SimTask[];
  }[];
}

export async function startHarness(
  options: {
    readonly server?: FakeGraphServerOptions;
    readonly token?: string | null;
    readonly retry?: Partial<RetryPolicy>;
    readonly tenantId?: string;
    readonly fetch?: typeof fetch;
  } = {},
): Promise<Harness> {
  const server = new FakeGraphServer({ seed: 7, ...options.server });
  const { url } = await server.start(0);
  const clock = new FixedClock();
  const logger = new RecordingLogger('graph.planner');
  const credential = new StaticTokenCredential(
    options.token === undefined ? TOKEN : options.token,
    () => clock.now().getTime() + 60 * 60_000,
  );
  const common = {
    baseUrl: server.graphUrl,
    credential,
    clock,
    logger,
    // Jitter pinned, so the waits a test asserts are exact.
    random: () => 0.5,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
  const board = new GraphTaskBoard({
    ...common,
    ...(options.tenantId === undefined ? {} : { tenantId: options.tenantId }),
  });
  const directory = new GraphDirectory(common);
  const sim = async (path: string, init?: RequestInit): Promise<unknown> => {
    const response = await fetch(`${url}/_sim${path}`, init);
    if (response.status === 204) return undefined;
    return response.json();
  };
  return {
    server,
    url,
    board,
    directory,
    clock,
    logger,
    credential,
    planId: server.seeded.planId,
    buckets: server.seeded.buckets,
    people: server.seeded.users,
    addFaults: async (faults) => {
      await sim('/faults', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(faults),
      });
    },
    calls: async () => ((await sim('/calls')) as { byEndpoint: Record<string, number> }).byEndpoint,
    resetCalls: async () => {
      await sim('/calls', { method: 'DELETE' });
    },
    state: async () => (await sim('/state')) as SimState,
    close: () => server.stop(),
  };
}

export function taskIn(state: SimState, taskId: string): SimTask {
  for (const plan of state.plans) {
    const task = plan.tasks.find((t) => t.id === taskId);
    if (task !== undefined) return task;
  }
  throw new TypeError(`task ${taskId} is not in the simulator`);
}
