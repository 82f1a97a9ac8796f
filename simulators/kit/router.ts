import FindMyWay from 'find-my-way';

import type { SimError } from './errors.js';

// One router for every simulator (find-my-way): the path is matched before parameters are decoded,
// so ids with an encoded `/`, `@`, `:` or `#` arrive whole; static segments are case-insensitive
// unless asked (Graph's are), `//v3/…` reads as `/v3/…`, and `:id(regex)` patterns are allowed.

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteMatch<R> {
  readonly route: R;
  readonly params: Readonly<Record<string, string>>;
}

export type RouteLookup<R> =
  | { readonly match: RouteMatch<R>; readonly methodMismatch: false }
  | { readonly match?: undefined; readonly methodMismatch: boolean };

export class Router<R extends { readonly method: string; readonly template: string }> {
  private readonly tree: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
  private readonly methods = new Set<HttpMethod>();

  constructor(routes: readonly R[] = [], options: { readonly caseSensitive?: boolean } = {}) {
    this.tree = FindMyWay({
      caseSensitive: options.caseSensitive ?? false,
      ignoreDuplicateSlashes: true,
      // Teams conversation ids run well past find-my-way's default of 100 characters.
      maxParamLength: 2048,
      onBadUrl: () => undefined,
    });
    for (const route of routes) this.add(route);
  }

  add(route: R): void {
    const method = route.method.toUpperCase() as HttpMethod;
    this.methods.add(method);
    this.tree.on(method, route.template, () => undefined, route);
  }

  /**
   * The route for `method` and `path` (no query string). `methodMismatch` tells 405 from 404: the
   * path is known under another method. A malformed percent-escape throws `malformed`.
   */
  find(method: string, path: string, malformed: SimError): RouteLookup<R> {
    const found = this.lookup(method.toUpperCase(), path, malformed);
    if (found !== undefined) return { match: found, methodMismatch: false };
    const upper = method.toUpperCase();
    const methodMismatch = [...this.methods].some(
      (m) => m !== upper && this.lookup(m, path, malformed) !== undefined,
    );
    return { methodMismatch };
  }

  private lookup(method: string, path: string, malformed: SimError): RouteMatch<R> | undefined {
    if (!this.methods.has(method as HttpMethod)) return undefined;
    const found = this.tree.find(method as HttpMethod, path);
    if (found === null) return undefined;
    // find-my-way's onBadUrl answer carries no store: the path had a malformed percent-escape.
    if (found.store === null) throw malformed;
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(found.params)) {
      if (value !== undefined) params[key] = value;
    }
    return { route: found.store as R, params };
  }
}

export function splitPath(pathname: string): string[] {
  return pathname.split('/').filter((s) => s !== '');
}
