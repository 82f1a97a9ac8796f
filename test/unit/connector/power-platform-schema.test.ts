import { readFileSync } from 'node:fs';

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';

// The connector's files against Microsoft's own schemas for custom connectors (the ones paconn and
// the PowerPlatformConnectors repository validate with), kept in test/fixtures/connector-schemas/.

const text = (url: URL): string => readFileSync(url, 'utf8');
const fixture = (name: string) =>
  new URL(`../../fixtures/connector-schemas/${name}`, import.meta.url);
const connector = (name: string) => new URL(`../../../connector/${name}`, import.meta.url);

type Json = Record<string, unknown>;

/** Drops `//` comments outside strings: Microsoft's schema files are JSONC. */
function withoutComments(source: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < source.length; i += 1) {
    const c = source.charAt(i);
    if (inString) {
      out += c;
      if (c === '\\') {
        i += 1;
        out += source.charAt(i);
      } else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && source.charAt(i + 1) === '/') {
      while (i + 1 < source.length && source.charAt(i + 1) !== '\n') i += 1;
    } else out += c;
  }
  return out;
}

/** Draft-04 boolean `exclusiveMinimum`/`exclusiveMaximum` become the draft-06+ number form. */
function exclusiveAsNumbers(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(exclusiveAsNumbers);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = exclusiveAsNumbers(value);
  for (const [exclusive, limit] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[exclusive] !== 'boolean') continue;
    if (out[exclusive] === true) out[exclusive] = out[limit];
    else delete out[exclusive];
    if (out[exclusive] !== undefined) delete out[limit];
  }
  return out;
}

/**
 * A draft-04 schema for Ajv 8, which speaks draft-07 (ajv-draft-04 is not a dependency of ours): the
 * root `id` becomes `$id` so references between the files resolve, `$schema` goes (Ajv does not know
 * the draft-04 meta-schema as a meta-schema), and the exclusive bounds change form — the draft-06
 * changes these files meet (https://json-schema.org/draft-06/json-schema-release-notes).
 */
function forAjv(url: URL): Json {
  const { $schema: _draft, id, ...schema } = JSON.parse(withoutComments(text(url))) as Json;
  return { $id: id, ...(exclusiveAsNumbers(schema) as Json) };
}

// strict: false: Ajv's strict mode refuses the style of Microsoft's schemas (e.g. additionalProperties
// without type "object"), which does not change what they accept.
const ajv = new Ajv({ strict: false, allErrors: true });
// ajv-formats is CommonJS: Node's ESM loader hands over module.exports, whose `default` is the plugin.
type AddFormats = (ajv: Ajv) => Ajv;
const loaded = ajvFormats as unknown as AddFormats & { default?: AddFormats };
(loaded.default ?? loaded)(ajv);
ajv.addSchema(forAjv(fixture('json-schema-draft-04.json')));

const validateDefinition = ajv.compile(forAjv(fixture('apiDefinition.swagger.schema.json')));
const validateProperties = ajv.compile(forAjv(fixture('paconn-apiProperties.schema.json')));

const problems = (validate: ValidateFunction, document: string): string[] => {
  const valid = validate(JSON.parse(text(connector(document))));
  return valid
    ? []
    : (validate.errors ?? []).map(
        (e: ErrorObject) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
      );
};

describe("the connector against Microsoft's custom connector schemas", () => {
  it('apiDefinition.swagger.json passes apiDefinition.swagger.schema.json', () => {
    expect(problems(validateDefinition, 'apiDefinition.swagger.json')).toEqual([]);
  });

  it('apiProperties.json passes paconn-apiProperties.schema.json', () => {
    expect(problems(validateProperties, 'apiProperties.json')).toEqual([]);
  });

  it('the schema is really applied: a notification on the operation is refused', () => {
    // The placement the connector used to have; the schema only allows it on the path item.
    const spec = JSON.parse(text(connector('apiDefinition.swagger.json'))) as {
      paths: Record<string, Json & { post: Json }>;
    };
    const item = spec.paths['/subscriptions/review-opened'];
    expect(item?.['x-ms-notification-content']).toBeDefined();
    const { 'x-ms-notification-content': content, ...rest } = item ?? { post: {} };
    spec.paths['/subscriptions/review-opened'] = {
      ...rest,
      post: { ...rest.post, 'x-ms-notification-content': content },
    };
    expect(validateDefinition(spec)).toBe(false);
    expect(validateDefinition.errors).toContainEqual(
      expect.objectContaining({
        instancePath: '/paths/~1subscriptions~1review-opened/post',
        params: { additionalProperty: 'x-ms-notification-content' },
      }),
    );
  });
});
