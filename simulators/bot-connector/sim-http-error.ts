// Simulators may not import core/errors.ts (eslint zones), so routes signal an HTTP answer with this
// small class and the server turns it into the Bot Framework error envelope
// `{"error":{"code","message"}}` (botframework-connector ErrorResponse mapper).
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'SimHttpError';
  }
}

export function ensureError(e: unknown): Error {
  if (e instanceof Error) return e;
  return new SimHttpError(500, 'ServiceError', typeof e === 'string' ? e : 'unknown error');
}
