import { readFileSync } from 'node:fs';

import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV2 } from 'openapi-types';
import { describe, expect, it } from 'vitest';

// The Power Automate custom connector's definition: valid Swagger 2.0, and the string rules the
// connector certification checks (https://learn.microsoft.com/connectors/custom-connectors/certification-submission
// and the Power Platform connectors repository's "solution checker" rules).

const read = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../connector/${name}`, import.meta.url), 'utf8'));
const spec = read('apiDefinition.swagger.json') as OpenAPIV2.Document;
const properties = read('apiProperties.json') as {
  properties: {
    connectionParameters: Record<string, { type: string }>;
    iconBrandColor: string;
    policyTemplateInstances: { templateId: string; title: string; parameters: object }[];
  };
};

const methods = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Operation = OpenAPIV2.OperationObject & Record<string, unknown>;
const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  methods.flatMap((method) => {
    const op = (item as Record<string, unknown>)[method] as Operation | undefined;
    return op === undefined ? [] : [{ path, method, op }];
  }),
);

/** Every schema property, with its path, through the definitions and inline schemas. */
function schemaProperties(): { where: string; schema: Record<string, unknown> }[] {
  const found: { where: string; schema: Record<string, unknown> }[] = [];
  const visit = (where: string, schema: Record<string, unknown>) => {
    const props = schema.properties as Record<string, Record<string, unknown>> | undefined;
    for (const [name, child] of Object.entries(props ?? {})) {
      found.push({ where: `${where}.${name}`, schema: child });
      visit(`${where}.${name}`, child);
    }
    const items = schema.items as Record<string, unknown> | undefined;
    if (items !== undefined) visit(`${where}[]`, items);
  };
  for (const [name, schema] of Object.entries(spec.definitions ?? {})) {
    visit(name, schema);
  }
  return found;
}

describe('connector/apiDefinition.swagger.json', () => {
  it('is a valid Swagger 2.0 document with every reference resolved', async () => {
    expect(spec.swagger).toBe('2.0');
    // validate() checks the document against the Swagger 2.0 schema and resolves every $ref.
    const api = await SwaggerParser.validate(structuredClone(spec));
    expect(api.info.title).toBe('Lightdesk');
  });

  it('has the operations the connector promises', () => {
    expect(operations.map((o) => o.op.operationId).sort()).toEqual([
      'deleteSubscription',
      'getReview',
      'getSubscription',
      'listReviews',
      'recordDecision',
      'requestReview',
      'whenReviewDecided',
      'whenReviewOpened',
      'whenReviewOverdue',
    ]);
  });

  it.each(operations)(
    '$method $path: camelCase id, short summary without end punctuation, a description',
    ({ op }) => {
      expect(op.operationId).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      expect(op.summary?.length).toBeGreaterThan(0);
      expect(op.summary?.length).toBeLessThanOrEqual(80);
      expect(op.summary).not.toMatch(/[.!?:;,]$/);
      expect(op.description?.length).toBeGreaterThan(0);
      expect(op.description).not.toBe(op.summary);
    },
  );

  it('describes every parameter and gives it a display name', () => {
    for (const { op, path } of operations) {
      for (const parameter of (op.parameters ?? []) as OpenAPIV2.Parameter[]) {
        expect(parameter.description, `${path} ${parameter.name}`).toBeTruthy();
        expect(
          (parameter as unknown as Record<string, unknown>)['x-ms-summary'],
          `${path} ${parameter.name}`,
        ).toBeTruthy();
      }
    }
  });

  it('describes every schema property (objects and arrays get a display name too)', () => {
    for (const { where, schema } of schemaProperties()) {
      if (schema.$ref !== undefined) continue;
      expect(schema.description, where).toBeTruthy();
      if (!where.endsWith('[]')) expect(schema['x-ms-summary'], where).toBeTruthy();
    }
  });

  it('makes the three webhook triggers the way Power Automate expects', () => {
    const triggers = operations.filter((o) => o.op['x-ms-trigger'] !== undefined);
    expect(triggers.map((t) => t.path).sort()).toEqual([
      '/subscriptions/review-decided',
      '/subscriptions/review-opened',
      '/subscriptions/review-overdue',
    ]);
    for (const { op, method, path } of triggers) {
      expect(method).toBe('post');
      expect(op['x-ms-trigger']).toBe('single');
      // What the flow receives sits on the path item, as Microsoft's connector schema requires
      // (test/fixtures/connector-schemas/) and the certified connectors do.
      expect(
        (spec.paths[path] as Record<string, unknown>)['x-ms-notification-content'],
      ).toMatchObject({
        description: expect.any(String) as string,
        schema: { $ref: '#/definitions/ReviewNotification' },
      });
      expect(op['x-ms-notification-content']).toBeUndefined();
      const [body] = (op.parameters ?? []) as OpenAPIV2.InBodyParameterObject[];
      expect(body?.in).toBe('body');
      expect(body?.schema).toEqual({ $ref: '#/definitions/SubscriptionRequest' });
      const created = op.responses['201'] as OpenAPIV2.ResponseObject;
      expect(created.headers?.Location).toBeDefined();
      expect(created.schema).toEqual({ $ref: '#/definitions/Subscription' });
    }
    // Only the subscribe operations are triggers; nothing else promises a notification.
    for (const { op, path } of operations.filter((o) => o.op['x-ms-trigger'] === undefined)) {
      expect(op['x-ms-notification-content']).toBeUndefined();
      expect(
        (spec.paths[path] as Record<string, unknown>)['x-ms-notification-content'],
      ).toBeUndefined();
    }
    // A flow can narrow its trigger to a routing rule or a gallery.
    const filter = (spec.definitions?.SubscriptionRequest?.properties ?? {}).filter;
    expect(Object.keys(filter?.properties ?? {}).sort()).toEqual(['galleryId', 'rule']);
    // The callback URL is filled by Power Automate and hidden from makers.
    const callback = (spec.definitions?.SubscriptionRequest?.properties ?? {})
      .callbackUrl as Record<string, unknown>;
    expect(callback['x-ms-notification-url']).toBe(true);
    expect(callback['x-ms-visibility']).toBe('internal');
    // Unsubscribing is a DELETE of the Location, hidden from the action list.
    const unsubscribe = operations.find((o) => o.op.operationId === 'deleteSubscription');
    expect(unsubscribe?.method).toBe('delete');
    expect(unsubscribe?.op['x-ms-visibility']).toBe('internal');
  });

  it('names itself on every call, so a decision it records shows "via Power Automate"', () => {
    const named = properties.properties.policyTemplateInstances.filter(
      (p) => p.templateId === 'setheader',
    );
    expect(named).toEqual([
      {
        templateId: 'setheader',
        title: expect.any(String) as string,
        parameters: {
          'x-ms-apimTemplateParameter.name': 'x-lightdesk-client',
          'x-ms-apimTemplateParameter.value': 'Power Automate',
          'x-ms-apimTemplateParameter.existsAction': 'override',
          'x-ms-apimTemplate-policySection': 'Request',
        },
      },
    ]);
  });

  it('names a contact and the website, privacy policy and categories certification asks for', () => {
    // https://learn.microsoft.com/connectors/custom-connectors/certification-submission
    expect(spec.info.contact).toEqual({
      name: 'Lightdesk',
      url: expect.stringMatching(/^https:\/\//) as string,
      email: expect.stringMatching(/^[^@\s]+@[^@\s]+$/) as string,
    });
    const metadata = (spec as unknown as Record<string, unknown>)['x-ms-connector-metadata'] as {
      propertyName: string;
      propertyValue: string;
    }[];
    expect(metadata.map((m) => m.propertyName)).toEqual([
      'Website',
      'Privacy policy',
      'Categories',
    ]);
    for (const { propertyName, propertyValue } of metadata.slice(0, 2)) {
      expect(propertyValue, propertyName).toMatch(/^https:\/\//);
    }
  });

  it('secures every call with the API key, and apiProperties asks makers for it as a secret', () => {
    expect(spec.securityDefinitions?.apiKey).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
    });
    expect(spec.security).toEqual([{ apiKey: [] }]);
    expect(properties.properties.connectionParameters.api_key?.type).toBe('securestring');
    expect(properties.properties.iconBrandColor).toMatch(/^#[0-9A-Fa-f]{6}$/);
  });
});
