/** Time, injected so tests and the change detector agree on "now". */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}
