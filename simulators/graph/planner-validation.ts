import type { SimError } from '../kit/errors.js';
import { plannerBadRequest } from './graph-error.js';
import { GUID_PATTERN } from './planner-ids.js';

// Body checks shared by the Planner routes. Messages name the property and the rule, so a failing
// connector test says what to fix. Status and shape follow planner-overview.md "400 Bad request".

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, what: string): JsonObject {
  if (isJsonObject(value)) return value;
  throw plannerBadRequest(`${what} must be a JSON object.`);
}

/** OData's answer to a property the type does not define. */
export function unknownProperty(key: string, type: string): SimError {
  return plannerBadRequest(
    `The property '${key}' does not exist on type 'microsoft.graph.${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
  );
}

/** [INF] Read-only properties (resources/plannertask.md marks them so) are refused, not ignored. */
export function readOnlyProperty(key: string, type: string): SimError {
  return plannerBadRequest(`The property '${key}' on type 'microsoft.graph.${type}' is read-only.`);
}

/** OData instance annotations (`@odata.etag`, `@odata.type` …) may ride along in a body. */
export const isAnnotation = (key: string): boolean => key.startsWith('@odata.');

export function requireString(value: unknown, property: string): string {
  if (typeof value === 'string') return value;
  throw plannerBadRequest(`'${property}' must be a string.`);
}

export function requireInt(value: unknown, property: string, min: number, max: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
    return value;
  }
  throw plannerBadRequest(
    `'${property}' must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}.`,
  );
}

export function requireBoolean(value: unknown, property: string): boolean {
  if (typeof value === 'boolean') return value;
  throw plannerBadRequest(`'${property}' must be true or false.`);
}

const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** DateTimeOffset in ISO 8601 (resources/plannertask.md); null clears the date. Stored in UTC. */
export function readDateTime(value: unknown, property: string): string | null {
  if (value === null) return null;
  if (typeof value === 'string' && ISO_DATE_TIME.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  throw plannerBadRequest(
    `'${property}' must be an ISO 8601 date and time with a zone, e.g. 2014-01-01T00:00:00Z.`,
  );
}

/**
 * An open-type value must declare its `@odata.type` (planner-overview.md "400 Bad request").
 * The docs write it with and without the leading `#`, so both are accepted.
 */
export function requireODataType(value: JsonObject, property: string, types: string[]): void {
  const declared = value['@odata.type'];
  const bare = typeof declared === 'string' ? declared.replace(/^#/, '') : undefined;
  if (bare !== undefined && types.includes(bare)) return;
  throw plannerBadRequest(
    `'${property}' must declare "@odata.type": "${types[0] ?? ''}" (open-type values need their type).`,
  );
}

export function requireGuidKey(key: string, property: string): string {
  if (GUID_PATTERN.test(key)) return key;
  throw plannerBadRequest(`'${property}' keys must be GUIDs, got '${key}'.`);
}

/** `category1` … `category25` (resources/plannerplandetails.md, plannercategorydescriptions.md). */
export function requireCategoryKey(key: string, property: string): string {
  const match = /^category(\d{1,2})$/.exec(key);
  const n = match === null ? 0 : Number(match[1]);
  if (n >= 1 && n <= 25 && key === `category${n}`) return key;
  throw plannerBadRequest(`'${property}' has no category '${key}' (category1 to category25).`);
}

const MUST_ENCODE: Record<string, string> = { '.': '%2E', ':': '%3A', '@': '%40', '#': '%23' };

/**
 * A reference key is its URL with `.`, `:`, `%`, `@`, `#` encoded
 * (resources/plannerexternalreferences.md), e.g. `https%3A//contoso%2Esharepoint%2Ecom/a%2Epptx`;
 * `%` only starts an escape, and the decoded key must be an http(s) URL. [INF] Keys are compared as
 * sent, so `%2E` and `%2e` name two references.
 */
export function requireReferenceKey(key: string): string {
  for (const [raw, escaped] of Object.entries(MUST_ENCODE)) {
    if (key.includes(raw)) {
      throw plannerBadRequest(
        `Reference key '${key}' contains '${raw}', which Planner does not allow in open-type property names; percent-encode it as ${escaped} (and '%' as %25).`,
      );
    }
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(key)) {
    throw plannerBadRequest(
      `Reference key '${key}' contains a '%' that does not start an escape; encode '%' as %25 first, then the other characters.`,
    );
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(key);
  } catch {
    throw plannerBadRequest(`Reference key '${key}' is not valid percent-encoding.`);
  }
  let url: URL | undefined;
  try {
    url = new URL(decoded);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw plannerBadRequest(
      `Reference key '${key}' must be an encoded http or https URL; it decodes to '${decoded}'.`,
    );
  }
  return key;
}
