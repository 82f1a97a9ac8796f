// The simulator may not import core/errors.ts (lint zone), so it has its own error: the HTTP status
// a control endpoint answers with, and a message for the body.
export class SimulatorError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}
