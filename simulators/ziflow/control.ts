import { type ControlRoute, parseInput } from '../kit/control.js';
import { SimError } from '../kit/errors.js';
import { reply } from '../kit/http.js';
import { webhookJson } from './api.js';
import type { SignatureMode } from './inferred.js';
import type { ProofRecord } from './records.js';
import {
  commentDriverSchema,
  decideDriverSchema,
  processDriverSchema,
  redeliverSchema,
  settingsSchema,
  signatureModeSchema,
  userDriverSchema,
  versionDriverSchema,
} from './schemas.js';
import type { ZiflowStore } from './store.js';
import type { Delivery } from './webhooks.js';

// `/_sim/…`: not Ziflow's. State views for the console's proofs pane and the tests, and DRIVERS
// that play what a person does in Ziflow's web app (decide, comment) or what Ziflow does on its own
// (process the files, redeliver an event); they send the same webhooks the real actions would.
// Faults, calls, throttle and reset are the kit's (simulators/kit/control.ts).

export interface ZiflowSettings {
  autoProcess: boolean;
  allowApiKeyQuery: boolean;
  /** [OFF] Ziflow's admin setting "Admin comment impersonation". */
  commentImpersonation: boolean;
  retryDelaysMs: readonly number[];
  signatureMode: SignatureMode;
}

export interface ControlHost {
  readonly store: ZiflowStore;
  newSignatureKey(): string;
  readonly publicBaseUrl: string;
  /** Where this simulator listens on loopback: its own uploads are fetched from there. */
  readonly url: string;
  readonly settings: ZiflowSettings;
  proofCreated(proof: ProofRecord): void;
  processProof(proofId: string): Promise<void>;
  redeliver(eventId: string): Delivery[];
  deliveries(): Delivery[];
  clearDeliveries(): void;
  changed(): void;
}

/** One proof as the state view shows it: the API's JSON plus its comments and failure. */
export function proofView(host: ControlHost, p: ProofRecord): Record<string, unknown> {
  const store = host.store;
  return {
    ...store.proofJson(p, host.publicBaseUrl),
    failure: p.failure,
    source_urls: p.sourceFiles.map((f) => f.source),
    comments: store.state.comments
      .filter((c) => c.proofId === p.id)
      .map((c) => store.commentJson(c)),
  };
}

export function controlRoutes(host: ControlHost): ControlRoute[] {
  const settingsView = (): ZiflowSettings => ({ ...host.settings });
  return [
    {
      method: 'GET',
      template: '/_sim/proofs',
      handler: () =>
        reply(200, {
          proofs: host.store.liveProofs().map((p) => proofView(host, p)),
        }),
    },
    {
      method: 'GET',
      template: '/_sim/users',
      handler: () =>
        reply(200, {
          users: host.store.state.users.map((u) => ({
            id: u.id,
            email: u.email,
            first_name: u.firstName,
            last_name: u.lastName,
            admin: u.admin,
            apikey: u.apiKey,
          })),
        }),
    },
    {
      method: 'POST',
      template: '/_sim/users',
      handler: ({ json }) => {
        const input = parseInput(userDriverSchema, json);
        const users = host.store.state.users;
        if (host.store.userByEmail(input.email) !== undefined) {
          throw new SimError(409, 'Conflict', `${input.email} is already a user.`);
        }
        if (input.apikey !== undefined && host.store.userByKey(input.apikey) !== undefined) {
          throw new SimError(409, 'Conflict', 'That API key is taken.');
        }
        const user = {
          id: host.store.uuid(),
          firstName: input.first_name,
          lastName: input.last_name,
          email: input.email,
          apiKey: input.apikey ?? `zf-${host.newSignatureKey().slice(0, 24)}`,
          admin: input.admin,
        };
        users.push(user);
        host.changed();
        return reply(201, {
          id: user.id,
          email: user.email,
          first_name: user.firstName,
          last_name: user.lastName,
          admin: user.admin,
          apikey: user.apiKey,
        });
      },
    },
    {
      method: 'GET',
      template: '/_sim/webhooks',
      handler: () =>
        reply(200, { webhooks: host.store.state.webhooks.map((w) => webhookJson(w, true)) }),
    },
    {
      method: 'GET',
      template: '/_sim/events',
      handler: () => reply(200, { events: host.store.state.events }),
    },
    {
      method: 'GET',
      template: '/_sim/deliveries',
      handler: () => reply(200, { deliveries: host.deliveries() }),
    },
    {
      method: 'DELETE',
      template: '/_sim/deliveries',
      handler: () => {
        host.clearDeliveries();
        return reply(204);
      },
    },
    {
      method: 'POST',
      template: '/_sim/decide',
      handler: ({ json }) => {
        const input = parseInput(decideDriverSchema, json);
        const store = host.store;
        const proof = store.decide(
          input.proofId,
          input.email,
          input.decision,
          input.comment ?? null,
          input.stageId,
        );
        // A reviewer's decision with a note is a decision and a comment in Ziflow's viewer.
        if (input.comment !== undefined) {
          store.addComment(proof.id, store.person(input.email), input.comment, null, null);
        }
        host.changed();
        return reply(200, proofView(host, proof));
      },
    },
    {
      // A person uploads a new version of a proof in Ziflow's web app (a retoucher's file): the
      // next version, owned by them, chained after `proofId`, which must be the latest [INF].
      method: 'POST',
      template: '/_sim/versions',
      handler: ({ json }) => {
        const input = parseInput(versionDriverSchema, json);
        const store = host.store;
        const person = store.userByEmail(input.email);
        if (person === undefined) {
          throw new SimError(404, 'NotFound', `${input.email} is not a Ziflow user.`);
        }
        const sources = input.files.map((f) => {
          const upload = store.addUpload(f.name, f.contentType, f.contentBase64);
          return { source: `${host.url}/_sim/uploads/${upload.id}`, type: 'file' as const };
        });
        const proof = store.createProof(
          { version_previous_id: input.proofId, input: sources },
          person,
        );
        host.proofCreated(proof);
        host.changed();
        return reply(201, proofView(host, proof));
      },
    },
    {
      method: 'POST',
      template: '/_sim/comment',
      handler: ({ json }) => {
        const input = parseInput(commentDriverSchema, json);
        const store = host.store;
        const comment = store.addComment(
          input.proofId,
          store.person(input.email),
          input.text,
          input.page ?? null,
          input.parentCommentId ?? null,
        );
        host.changed();
        return reply(201, store.commentJson(comment));
      },
    },
    {
      method: 'POST',
      template: '/_sim/process',
      handler: async ({ json }) => {
        const { proofId } = parseInput(processDriverSchema, json);
        const proof = host.store.proof(proofId);
        await host.processProof(proof.id);
        return reply(200, proofView(host, host.store.proof(proofId)));
      },
    },
    {
      method: 'POST',
      template: '/_sim/redeliver',
      handler: ({ json }) => {
        const { eventId } = parseInput(redeliverSchema, json);
        const sent = host.redeliver(eventId);
        if (sent.length === 0) {
          throw new SimError(404, 'NotFound', `No event ${eventId} to redeliver.`);
        }
        return reply(202, { deliveries: sent });
      },
    },
    {
      method: 'GET',
      template: '/_sim/signature-mode',
      handler: () => reply(200, { mode: host.settings.signatureMode }),
    },
    {
      method: 'POST',
      template: '/_sim/signature-mode',
      handler: ({ json }) => {
        host.settings.signatureMode = parseInput(signatureModeSchema, json).mode;
        return reply(200, { mode: host.settings.signatureMode });
      },
    },
    { method: 'GET', template: '/_sim/settings', handler: () => reply(200, settingsView()) },
    {
      method: 'POST',
      template: '/_sim/settings',
      handler: ({ json }) => {
        const input = parseInput(settingsSchema, json);
        if (input.autoProcess !== undefined) host.settings.autoProcess = input.autoProcess;
        if (input.allowApiKeyQuery !== undefined) {
          host.settings.allowApiKeyQuery = input.allowApiKeyQuery;
        }
        if (input.commentImpersonation !== undefined) {
          host.settings.commentImpersonation = input.commentImpersonation;
        }
        if (input.retryDelaysMs !== undefined) host.settings.retryDelaysMs = input.retryDelaysMs;
        return reply(200, settingsView());
      },
    },
  ];
}
