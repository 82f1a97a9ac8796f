import type { Context, MiddlewareOptions } from '@microsoft/microsoft-graph-client';

import type { AppError } from '../../core/errors.js';

/**
 * Rides with one request through the middleware chain, on the channel the library gives middleware
 * options (`GraphRequest.middlewareOptions`, looked up by class). It names the call for logs and
 * errors, and carries back an AppError a middleware raised: GraphRequest wraps anything thrown in the
 * chain into its own GraphError, which would lose our error's class.
 */
export class CallTag implements MiddlewareOptions {
  failure: AppError | undefined;

  constructor(
    /** The route template, e.g. `GET /planner/tasks/:id`. */
    readonly endpoint: string,
    readonly method: string,
  ) {}

  static of(context: Context): CallTag | undefined {
    const option = context.middlewareControl?.getMiddlewareOptions(CallTag);
    return option instanceof CallTag ? option : undefined;
  }

  /** Records the error for the caller and returns it, to be thrown. */
  fail(error: AppError): AppError {
    this.failure = error;
    return error;
  }
}
