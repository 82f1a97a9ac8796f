// The chaos run's fault schedule: made up front from the seed, then played through the simulators'
// own control routes (`/_sim/faults`, `/_sim/throttle`, a person's task edit), the same controls the
// tests use. kill -9 of workers is scheduled here too and carried out by the run.
import type { Random } from './chaos-random.js';

/** A fault as each simulator's `POST /_sim/faults` takes it (a subset all three accept). */
export interface FaultBody {
  readonly path?: string;
  readonly method?: string;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly latencyMs?: number;
  readonly drop?: boolean;
  readonly lostResponse?: boolean;
  readonly times?: number;
}

export type System = 'graph' | 'teams' | 'photoShelter';

export type Action =
  | { readonly kind: 'fault'; readonly system: System; readonly fault: FaultBody }
  | {
      readonly kind: 'throttle';
      readonly system: 'graph';
      readonly requestsPerSecond: number | null;
    }
  /** A person edits a task in Planner (its title, unchanged): its ETag moves under Lightdesk. */
  | { readonly kind: 'touchTask' }
  | { readonly kind: 'outage'; readonly system: 'graph'; readonly on: boolean }
  | { readonly kind: 'kill'; readonly worker: number; readonly restartAfterSeconds: number };

export interface ScheduledAction {
  /** Seconds after the chaos phase started. */
  readonly at: number;
  /** What the table calls it. */
  readonly label: string;
  readonly action: Action;
}

export interface Schedule {
  readonly actions: readonly ScheduledAction[];
  readonly outage: { readonly from: number; readonly seconds: number };
}

/** The dequeue budget the outage must outlast: QUEUE_MAX_DEQUEUE × the 30 s visibility timeout. */
export const DEQUEUE_BUDGET_SECONDS = 5 * 30;

const STALL = 35_000;

/** The faults seen in the field (issue 14), with how often each is picked. */
const kinds = {
  graph429Storm: 2,
  graph5xx: 2,
  graph412: 2,
  graphLostResponse: 2,
  teams5xx: 2,
  teamsStall: 1.5,
  teamsLostResponse: 2,
  photoShelter5xx: 1.5,
  photoShelterDrop: 1.5,
  photoShelterPollStall: 1,
  photoShelterWriteStall: 1,
  photoShelterWriteDrop: 1,
} as const;
type Kind = keyof typeof kinds;

function actionsOf(kind: Kind, random: Random): { label: string; actions: Action[] } {
  const fault = (system: System, body: FaultBody): Action => ({
    kind: 'fault',
    system,
    fault: body,
  });
  switch (kind) {
    case 'graph429Storm':
      // The end of the storm is scheduled by the caller (a throttle is a state, not a count).
      return {
        label: 'Graph 429 storm',
        actions: [{ kind: 'throttle', system: 'graph', requestsPerSecond: random.int(1, 3) }],
      };
    case 'graph5xx':
      return {
        label: 'Graph 5xx',
        actions: [
          fault('graph', { status: random.pick([500, 502, 503, 504]), times: random.int(3, 10) }),
        ],
      };
    case 'graph412':
      return {
        label: 'Graph ETag race (412)',
        actions: [
          fault('graph', { method: 'PATCH', status: 412, times: random.int(1, 3) }),
          { kind: 'touchTask' },
        ],
      };
    case 'graphLostResponse':
      return {
        label: 'Graph lost response',
        actions: [
          fault('graph', {
            method: random.pick(['POST', 'PATCH']),
            path: '/planner/tasks',
            lostResponse: true,
            times: random.int(1, 2),
          }),
        ],
      };
    case 'teams5xx':
      return {
        label: 'Bot Connector 5xx',
        actions: [
          fault('teams', {
            path: '/v3/',
            status: random.pick([500, 502, 503]),
            times: random.int(2, 5),
          }),
        ],
      };
    case 'teamsStall':
      return {
        label: 'Bot Connector 35 s stall',
        actions: [fault('teams', { path: '/v3/', latencyMs: STALL, times: random.int(1, 2) })],
      };
    case 'teamsLostResponse':
      return {
        label: 'Bot Connector lost response',
        actions: [
          fault('teams', {
            path: '/v3/conversations',
            method: random.pick(['POST', 'PUT']),
            lostResponse: true,
            times: 1,
          }),
        ],
      };
    case 'photoShelter5xx':
      return {
        label: 'PhotoShelter 5xx',
        actions: [
          fault('photoShelter', {
            path: '/psapi/',
            status: random.pick([500, 502, 503]),
            times: random.int(2, 5),
          }),
        ],
      };
    case 'photoShelterDrop':
      return {
        label: 'PhotoShelter dropped connection',
        actions: [fault('photoShelter', { path: '/psapi/', drop: true, times: random.int(1, 3) })],
      };
    case 'photoShelterPollStall':
      return {
        label: 'PhotoShelter 35 s poll timeout',
        actions: [
          fault('photoShelter', {
            path: '/psapi/v4.0/media',
            method: 'GET',
            latencyMs: STALL,
            times: 1,
          }),
        ],
      };
    case 'photoShelterWriteStall':
      return {
        label: 'PhotoShelter 35 s write-back timeout',
        actions: [
          fault('photoShelter', {
            path: '/psapi/v4.0/media/',
            method: 'PATCH',
            latencyMs: STALL,
            times: random.int(1, 2),
          }),
        ],
      };
    case 'photoShelterWriteDrop':
      return {
        label: 'PhotoShelter write-back dropped',
        actions: [
          fault('photoShelter', {
            path: '/psapi/v4.0/media/',
            method: 'PATCH',
            drop: true,
            times: random.int(1, 2),
          }),
        ],
      };
  }
}

/**
 * The outage outlasts the dequeue budget (150 s) from five minutes on; shorter runs get a shorter
 * one (34 s a minute) so that it still leaves room for the other faults.
 */
export function outageSeconds(chaosSeconds: number): number {
  return chaosSeconds >= 300 ? 170 : Math.round((chaosSeconds / 60) * 34);
}

export function makeSchedule(random: Random, chaosSeconds: number, workers: number): Schedule {
  const actions: ScheduledAction[] = [];
  const seconds = outageSeconds(chaosSeconds);
  const latestStart = Math.max(0.1 * chaosSeconds, 0.9 * chaosSeconds - seconds);
  const from = Math.round(random.between(0.1 * chaosSeconds, latestStart));
  actions.push({
    at: from,
    label: `Graph outage (${seconds} s, every call 503)`,
    action: { kind: 'outage', system: 'graph', on: true },
  });
  actions.push({
    at: from + seconds,
    label: 'Graph outage over',
    action: { kind: 'outage', system: 'graph', on: false },
  });
  const inOutage = (t: number) => t >= from - 1 && t <= from + seconds + 1;

  let stormUntil = -1;
  for (let t = random.between(2, 6); t < chaosSeconds - 3; t += random.between(4, 9)) {
    let kind: Kind = random.weighted(kinds);
    // Graph faults queued behind the outage would never fire (the outage matches every call first),
    // and a storm during a storm would be ended by the first one's end.
    while (
      (inOutage(t) && kind.startsWith('graph')) ||
      (kind === 'graph429Storm' && t <= stormUntil)
    )
      kind = random.weighted(kinds);
    const { label, actions: made } = actionsOf(kind, random);
    for (const action of made) actions.push({ at: Math.round(t * 10) / 10, label, action });
    if (kind === 'graph429Storm') {
      const end = Math.min(t + random.between(15, 35), chaosSeconds - 1);
      stormUntil = end;
      actions.push({
        at: Math.round(end * 10) / 10,
        label: 'Graph 429 storm over',
        action: { kind: 'throttle', system: 'graph', requestsPerSecond: null },
      });
    }
  }

  for (let t = random.between(15, 25); t < chaosSeconds - 10; t += random.between(35, 60)) {
    actions.push({
      at: Math.round(t),
      label: 'kill -9 of a worker',
      action: {
        kind: 'kill',
        worker: random.int(1, workers),
        restartAfterSeconds: Math.round(random.between(2, 8)),
      },
    });
  }
  actions.sort((a, b) => a.at - b.at);
  return { actions, outage: { from, seconds } };
}
