import type { Clock } from '../../core/ports/clock.js';

/** A clock that moves only when told to; `sleep` advances it instantly and records the wait. */
export class FixedClock implements Clock {
  readonly sleeps: number[] = [];
  private current: number;

  constructor(start: Date | string = '2026-11-23T09:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.current += ms;
    return Promise.resolve();
  }
}
