import { describe, expect, it } from 'vitest';

import { matchRoute } from '../../../composition/http-adapter.js';
import type { HttpFunctionDefinition } from '../../../functions/definition.js';

const route = (name: string, path: string, methods: HttpFunctionDefinition['methods']) =>
  ({
    trigger: 'http',
    name,
    route: path,
    methods,
    handler: () => Promise.resolve({ status: 204 }),
  }) satisfies HttpFunctionDefinition;

const definitions = [
  route('getReview', 'v1/reviews/{id}', ['GET']),
  route('tabPage', 'tab/{*path}', ['GET']),
  route('devToken', 'v1/tab/dev-token', ['POST']),
];

const matched = (method: string, path: string) => {
  const match = matchRoute(definitions, method, path);
  return typeof match === 'object' ? [match.definition.name, match.params] : match;
};

describe('matchRoute (the local host routes as the Functions host does)', () => {
  it('fills {name} parameters from one decoded segment', () => {
    expect(matched('GET', '/api/v1/reviews/G0000a~b%20c')).toEqual([
      'getReview',
      { id: 'G0000a~b c' },
    ]);
    expect(matched('GET', '/api/v1/reviews/')).toBeUndefined();
  });

  it('gives {*name} the rest of the path, empty included', () => {
    expect(matched('GET', '/api/tab/')).toEqual(['tabPage', { path: '' }]);
    expect(matched('GET', '/api/tab/tab.js')).toEqual(['tabPage', { path: 'tab.js' }]);
    expect(matched('GET', '/api/tab/a/b.css')).toEqual(['tabPage', { path: 'a/b.css' }]);
  });

  it('never lets a catch-all climb out with dot segments', () => {
    expect(matched('GET', '/api/tab/../v1/reviews/x')).toBeUndefined();
    expect(matched('GET', '/api/tab/./tab.js')).toBeUndefined();
  });

  it('tells a wrong method from an unknown path', () => {
    expect(matched('GET', '/api/v1/tab/dev-token')).toBe('method');
    expect(matched('GET', '/api/v2/nothing')).toBeUndefined();
    expect(matched('GET', '/tab/index.html')).toBeUndefined();
  });
});
