import { readFileSync } from 'node:fs';

import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { OpenAPIV2 } from 'openapi-types';

// Calls operations of connector/apiDefinition.swagger.json against a live API and checks each answer
// against the schema the definition declares for its status — what Power Automate would rely on.

export const swagger = JSON.parse(
  readFileSync(new URL('../../connector/apiDefinition.swagger.json', import.meta.url), 'utf8'),
) as OpenAPIV2.Document;

type Json = Record<string, unknown>;

/**
 * Swagger 2.0 schemas as JSON Schema: `x-nullable` (AutoRest's and Power Platform's way to say null
 * is allowed) becomes a null type, and objects refuse properties the definition does not declare, so
 * an answer can neither miss nor add a field silently.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const source = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('x-')) continue;
    out[key] =
      key === '$ref'
        ? String(value).replace('#/definitions/', 'swagger#/definitions/')
        : toJsonSchema(value);
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  if (source['x-nullable'] === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
// ajv-formats is CommonJS: Node's ESM loader hands over module.exports, whose `default` is the plugin;
// a bundler hands over the plugin itself.
type AddFormats = (ajv: Ajv) => Ajv;
const loaded = ajvFormats as unknown as AddFormats & { default?: AddFormats };
(loaded.default ?? loaded)(ajv);
ajv.addFormat('int32', {
  type: 'number',
  validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
});
ajv.addSchema({ $id: 'swagger', definitions: toJsonSchema(swagger.definitions) });

const validators = new Map<string, ValidateFunction>();
function validatorFor(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (validate === undefined) {
    validate = ajv.compile(toJsonSchema(schema) as Json);
    validators.set(key, validate);
  }
  return validate;
}

export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly op: OpenAPIV2.OperationObject;
}

export const operationsById: ReadonlyMap<string, Operation> = new Map(
  Object.entries(swagger.paths).flatMap(([path, item]) =>
    (['get', 'post', 'put', 'patch', 'delete'] as const).flatMap((method) => {
      const op = (item as Record<string, OpenAPIV2.OperationObject | undefined>)[method];
      return op?.operationId === undefined ? [] : [[op.operationId, { method, path, op }] as const];
    }),
  ),
);

/** Checks a value against a definition by name (e.g. a webhook body against ReviewNotification). */
export function schemaErrors(definition: string, value: unknown): string[] {
  const validate = validatorFor({ $ref: `#/definitions/${definition}` });
  return validate(value)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

export interface ContractAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  /** Why the answer does not match the definition; empty when it does. */
  readonly problems: readonly string[];
}

export class ContractClient {
  readonly called = new Set<string>();

  constructor(
    private readonly origin: string,
    private readonly apiKey: string,
  ) {}

  async call(
    operationId: string,
    input: {
      readonly path?: Record<string, string>;
      readonly query?: Record<string, string>;
      readonly body?: unknown;
    } = {},
  ): Promise<ContractAnswer> {
    const operation = operationsById.get(operationId);
    if (operation === undefined)
      throw new TypeError(`no operation ${operationId} in the definition`);
    this.called.add(operationId);
    const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(input.path?.[name] ?? ''),
    );
    const url = new URL(`${swagger.basePath ?? ''}${path}`, this.origin);
    for (const [k, v] of Object.entries(input.query ?? {})) url.searchParams.set(k, v);
    const response = await fetch(url, {
      method: operation.method.toUpperCase(),
      headers: { 'x-api-key': this.apiKey, 'content-type': 'application/json' },
      ...(input.body === undefined ? {} : { body: JSON.stringify(input.body) }),
    });
    const text = await response.text();
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const declared = operation.op.responses[String(response.status)] as
      OpenAPIV2.ResponseObject | undefined;
    const problems: string[] = [];
    if (declared === undefined) {
      problems.push(`status ${response.status} is not declared for ${operationId}`);
    } else if (declared.schema !== undefined) {
      const validate = validatorFor(declared.schema);
      if (!validate(body)) {
        problems.push(
          ...(validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`),
        );
      }
    } else if (body !== undefined) {
      problems.push(`status ${response.status} declares no body but one came`);
    }
    for (const header of Object.keys(declared?.headers ?? {})) {
      if (!response.headers.has(header)) problems.push(`header ${header} is missing`);
    }
    return { status: response.status, headers: response.headers, body, problems };
  }
}
