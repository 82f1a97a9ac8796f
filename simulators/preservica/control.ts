import { z } from 'zod';

import { type ControlRoute, parseInput } from '../kit/control.js';
import { reply } from '../kit/http.js';
import { SimError } from '../kit/errors.js';
import { type InferredSettings, inferredSchema } from './inferred.js';
import { type IngestRecord, monitorView } from './ingests.js';
import type { EntityRecord, EntityStore } from './store.js';
import { SECURITY_TAGS } from './store.js';
import type { Delivery, Subscription } from './webhooks.js';

// The simulator's own `/_sim/…` routes (docs/preservica-simulator.md "Control API"): state views
// for the console pane and drivers that play what an archivist does in Preservica's UI.

export interface ControlHost {
  readonly tenant: string;
  readonly bucket: string;
  store(): EntityStore;
  ingests(): readonly IngestRecord[];
  subscriptions(): readonly Subscription[];
  deliveries(): readonly Delivery[];
  settings(): InferredSettings;
  updateSettings(patch: Partial<InferredSettings>): InferredSettings;
  failNextIngest(reason: string): void;
  completeIngests(): Promise<IngestRecord[]>;
  redeliver(ids: readonly string[] | undefined): Delivery[];
  expireTokens(): number;
  changeSecurityTag(ref: string, tag: string): EntityRecord;
  move(ref: string, parent: string | null): EntityRecord;
  edit(ref: string, patch: { title?: string; description?: string }): EntityRecord;
  storedBytes(): { used: number; limit: number };
}

export function entitiesView(host: ControlHost): Record<string, unknown> {
  const store = host.store();
  const all = store.all();
  const folders = all
    .filter((e) => e.type === 'SO')
    .map((e) => ({
      ref: e.ref,
      title: e.title,
      description: e.description,
      securityTag: e.securityTag,
      parent: e.parent,
      children: store.children(e.ref).length,
    }));
  const assets = all
    .filter((e) => e.type === 'IO')
    .map((e) => ({
      ref: e.ref,
      title: e.title,
      description: e.description,
      securityTag: e.securityTag,
      parent: e.parent,
      modifiedAt: e.modifiedAt,
      identifiers: store
        .identifiersOf(e.ref)
        .map((i) => ({ apiId: i.apiId, type: i.type, value: i.value })),
      metadata: store
        .fragmentsOf(e.ref)
        .map((f) => ({ ref: f.ref, schemaUri: f.schemaUri, content: f.content })),
      bitstreams: store.representationsOf(e.ref).flatMap((r) =>
        r.contentObjects.flatMap((co) =>
          store.generationsOf(co).flatMap((g) =>
            g.bitstreams.map((b) => ({
              representation: r.type,
              contentObject: co,
              generation: g.index,
              filename: b.filename,
              size: b.size,
              sha256: b.sha256,
              contentKept: b.file !== null,
            })),
          ),
        ),
      ),
    }));
  return {
    tenant: host.tenant,
    bucket: host.bucket,
    securityTags: SECURITY_TAGS,
    storedBytes: host.storedBytes(),
    folders,
    assets,
  };
}

const failSchema = z.strictObject({
  reason: z.string().min(1).default('Ingest failed (simulated)'),
});
const redeliverSchema = z.strictObject({ deliveryIds: z.array(z.string()).optional() });
const tagSchema = z.strictObject({ securityTag: z.string().min(1) });
const moveSchema = z.strictObject({ parent: z.string().min(1).nullable() });
const editSchema = z.strictObject({
  title: z.string().optional(),
  description: z.string().optional(),
});

export function controlRoutes(host: ControlHost): ControlRoute[] {
  return [
    { method: 'GET', template: '/_sim/entities', handler: () => reply(200, entitiesView(host)) },
    {
      method: 'PATCH',
      template: '/_sim/entities/:ref',
      handler: ({ params, json }) =>
        reply(200, host.edit(params['ref'] ?? '', parseInput(editSchema, json ?? {}))),
    },
    {
      method: 'POST',
      template: '/_sim/entities/:ref/security-tag',
      handler: ({ params, json }) =>
        reply(
          200,
          host.changeSecurityTag(params['ref'] ?? '', parseInput(tagSchema, json).securityTag),
        ),
    },
    {
      method: 'POST',
      template: '/_sim/entities/:ref/move',
      handler: ({ params, json }) =>
        reply(200, host.move(params['ref'] ?? '', parseInput(moveSchema, json).parent)),
    },
    {
      method: 'GET',
      template: '/_sim/ingests',
      // Each with its Process Monitor progress, as an archivist sees it in the UI.
      handler: () =>
        reply(200, {
          ingests: host.ingests().map((record) => {
            const { percentComplete, progressText } = monitorView(record);
            return { ...record, percentComplete, progressText };
          }),
        }),
    },
    {
      method: 'POST',
      template: '/_sim/fail-next-ingest',
      handler: ({ json }) => {
        const { reason } = parseInput(failSchema, json ?? {});
        host.failNextIngest(reason);
        return reply(200, { failNextIngest: reason });
      },
    },
    {
      method: 'POST',
      template: '/_sim/complete-ingests',
      handler: async () => {
        const done = await host.completeIngests();
        return reply(200, {
          completed: done.map((r) => ({ token: r.token, status: r.status, failure: r.failure })),
        });
      },
    },
    {
      method: 'GET',
      template: '/_sim/subscriptions',
      handler: () =>
        reply(200, {
          subscriptions: host.subscriptions().map(({ secret: _secret, ...rest }) => rest),
        }),
    },
    {
      method: 'GET',
      template: '/_sim/deliveries',
      handler: () => reply(200, { deliveries: host.deliveries() }),
    },
    {
      method: 'POST',
      template: '/_sim/redeliver',
      handler: ({ json }) => {
        const { deliveryIds } = parseInput(redeliverSchema, json ?? {});
        const sent = host.redeliver(deliveryIds);
        if (deliveryIds !== undefined && sent.length !== deliveryIds.length) {
          throw new SimError(404, 'NotFound', 'Unknown delivery id');
        }
        return reply(200, { redelivered: sent.map((d) => d.id) });
      },
    },
    { method: 'GET', template: '/_sim/settings', handler: () => reply(200, host.settings()) },
    {
      method: 'POST',
      template: '/_sim/settings',
      handler: ({ json }) =>
        reply(200, host.updateSettings(parseInput(inferredSchema.partial(), json ?? {}))),
    },
    {
      method: 'POST',
      template: '/_sim/expire-tokens',
      handler: () => reply(200, { expired: host.expireTokens() }),
    },
  ];
}
