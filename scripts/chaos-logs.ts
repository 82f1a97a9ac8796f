// What each chaos worker did, read from the JSON log lines it writes to stdout (connectors/system/
// json-logger.ts): decisions it took, reviews it synced and their effects, events it recorded,
// retries and poison. Lines written before a kill -9 are kept; the pipe holds them.
import { z } from 'zod';

import type { CardActionLine } from './chaos-check.js';

export interface WorkerStats {
  worker: number;
  starts: number;
  kills: number;
  /** Decisions saved (API and card presses): "review decided". */
  decisions: number;
  /** Card presses answered, by outcome. */
  presses: number;
  movedCardPresses: number;
  /** Syncs run and the effects they carried out (a Planner write, a card post, a status write). */
  syncs: number;
  effects: number;
  effectFailures: number;
  /** Library events recorded (each event is recorded once, by one worker). */
  events: number;
  duplicateDeliveriesDropped: number;
  polls: number;
  requeued: number;
  redelivered: number;
  poisoned: number;
  errors: number;
}

const lineSchema = z.looseObject({
  level: z.string(),
  message: z.string(),
  effects: z.number().optional(),
  eventId: z.string().optional(),
  activityId: z.string().optional(),
  reviewId: z.string().optional(),
  verb: z.string().optional(),
  outcome: z.string().optional(),
});

export class WorkerLogs {
  private readonly stats = new Map<number, WorkerStats>();
  /** Every "card action" line, for the decisions check. */
  readonly cardActions: CardActionLine[] = [];
  private readonly eventIds = new Map<string, number>();

  for(worker: number): WorkerStats {
    let stats = this.stats.get(worker);
    if (stats === undefined) {
      stats = {
        worker,
        starts: 0,
        kills: 0,
        decisions: 0,
        presses: 0,
        movedCardPresses: 0,
        syncs: 0,
        effects: 0,
        effectFailures: 0,
        events: 0,
        duplicateDeliveriesDropped: 0,
        polls: 0,
        requeued: 0,
        redelivered: 0,
        poisoned: 0,
        errors: 0,
      };
      this.stats.set(worker, stats);
    }
    return stats;
  }

  all(): WorkerStats[] {
    return [...this.stats.values()].sort((a, b) => a.worker - b.worker);
  }

  /** Events recorded more than once across all workers (each should be recorded exactly once). */
  eventsRecordedTwice(): number {
    let twice = 0;
    for (const n of this.eventIds.values()) if (n > 1) twice += n - 1;
    return twice;
  }

  take(worker: number, text: string): void {
    if (!text.startsWith('{')) return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return;
    }
    const parsed = lineSchema.safeParse(raw);
    if (!parsed.success) return;
    const line = parsed.data;
    const stats = this.for(worker);
    if (line.level === 'error') stats.errors += 1;
    switch (line.message) {
      case 'review decided':
        stats.decisions += 1;
        break;
      case 'card action':
        stats.presses += 1;
        if (line.activityId !== undefined && line.reviewId !== undefined) {
          this.cardActions.push({
            activityId: line.activityId,
            reviewId: line.reviewId,
            verb: line.verb ?? '',
            outcome: line.outcome ?? '',
          });
        }
        break;
      case 'card action on a card the review moved from':
        stats.movedCardPresses += 1;
        break;
      case 'review synced':
        stats.syncs += 1;
        stats.effects += line.effects ?? 0;
        break;
      case 'review effect failed; the message comes back for it':
        stats.effectFailures += 1;
        break;
      case 'library event recorded':
        stats.events += 1;
        if (line.eventId !== undefined)
          this.eventIds.set(line.eventId, (this.eventIds.get(line.eventId) ?? 0) + 1);
        break;
      case 'duplicate delivery dropped':
        stats.duplicateDeliveriesDropped += 1;
        break;
      case 'poll finished':
        stats.polls += 1;
        break;
      case 'message failed for now; queued again':
        stats.requeued += 1;
        break;
      case 'message failed; it will be delivered again':
        stats.redelivered += 1;
        break;
      case 'message moved to the poison queue':
      case 'message moved to poison queue':
        stats.poisoned += 1;
        break;
      default:
        break;
    }
  }
}
