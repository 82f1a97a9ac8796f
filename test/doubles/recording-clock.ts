import type { Clock } from '../../core/ports/clock.js';

/** Real time for "now"; sleeps are recorded and return at once, so retries cost no wall time. */
export class RecordingClock implements Clock {
  readonly sleeps: number[] = [];

  now(): Date {
    return new Date();
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return Promise.resolve();
  }
}
