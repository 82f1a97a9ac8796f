import type { Context } from '@microsoft/microsoft-graph-client';

/**
 * Sets one header on the outgoing request whatever shape the library gave the headers in (a plain
 * object from GraphRequest, a Headers, or pairs), as its own MiddlewareUtil.setRequestHeader does.
 */
export function setRequestHeader(context: Context, name: string, value: string): void {
  if (context.request instanceof Request) {
    context.request.headers.set(name, value);
    return;
  }
  const headers = new Headers(context.options?.headers);
  headers.set(name, value);
  context.options = { ...context.options, headers };
}
