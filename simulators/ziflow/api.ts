import { parseInput } from '../kit/control.js';
import { SimError } from '../kit/errors.js';
import { type Reply, reply } from '../kit/http.js';
import { DEFAULT_PAGE_COUNT, IMPERSONATION_FIELD } from './inferred.js';
import type { ProofRecord, UserRecord, WebhookRecord } from './records.js';
import {
  commentSchema,
  decisionSchema,
  memberSchema,
  memberUpdateSchema,
  pagingSchema,
  proofSchema,
  proofUpdateSchema,
  reviewerStatusSchema,
  stageUpdateSchema,
  webhookSchema,
  webhookUpdateSchema,
} from './schemas.js';
import type { ZiflowStore } from './store.js';

// The `/v1` routes of Ziflow's public API that Lightdesk calls (docs/ziflow-simulator.md lists them
// with their sources). Every call acts as the user whose API key it carries.

export interface ApiContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly caller: UserRecord;
}

export interface ApiRoute {
  readonly method: string;
  readonly template: string;
  readonly handler: (ctx: ApiContext) => Reply | Promise<Reply>;
}

export interface ApiHost {
  readonly store: ZiflowStore;
  /** Base of the links handed out (`public_link`). */
  readonly publicBaseUrl: string;
  /** Starts fetching a new proof's files (unless processing is driven by `/_sim/process`). */
  proofCreated(proof: ProofRecord): void;
  newSignatureKey(): string;
  readonly settings: { readonly commentImpersonation: boolean };
}

function page<T>(items: readonly T[], query: URLSearchParams): T[] {
  const { count, page: number } = parseInput(pagingSchema, {
    ...(query.has('count') ? { count: query.get('count') } : {}),
    ...(query.has('page') ? { page: query.get('page') } : {}),
  });
  const size = count ?? DEFAULT_PAGE_COUNT;
  const start = ((number ?? 1) - 1) * size;
  return items.slice(start, start + size);
}

function admin(caller: UserRecord): void {
  // [OFF] Webhooks are managed by admins only.
  if (!caller.admin) throw new SimError(403, 'Forbidden', 'Only an admin may manage webhooks.');
}

export function webhookJson(w: WebhookRecord, withKey: boolean): Record<string, unknown> {
  const all = w.subscriptions.includes('all');
  return {
    id: w.id,
    name: w.name,
    target: w.target,
    active: w.active,
    subscription_types: {
      ...(all ? { all: true } : {}),
      proof: Object.fromEntries(w.subscriptions.filter((k) => k !== 'all').map((k) => [k, true])),
    },
    created_at: w.createdAt,
    // [INF] The key is shown when it is made (create, update), as with secrets elsewhere.
    ...(withKey ? { signature_key: w.signatureKey } : {}),
  };
}

export function apiRoutes(host: ApiHost): ApiRoute[] {
  const store = (): ZiflowStore => host.store;
  const proofJson = (p: ProofRecord): Record<string, unknown> =>
    store().proofJson(p, host.publicBaseUrl);
  const id = (ctx: ApiContext, name = 'id'): string => ctx.params[name] ?? '';
  const webhook = (webhookId: string): WebhookRecord => {
    const found = store().state.webhooks.find((w) => w.id === webhookId);
    if (found === undefined) throw new SimError(404, 'NotFound', `Webhook ${webhookId} not found.`);
    return found;
  };
  return [
    {
      method: 'GET',
      template: '/v1/users',
      handler: ({ query }) =>
        reply(
          200,
          page(store().state.users, query).map((u) => store().contactJson(u.id)),
        ),
    },
    {
      method: 'GET',
      template: '/v1/users/me',
      handler: ({ caller }) => reply(200, store().contactJson(caller.id)),
    },
    // ---- proofs
    {
      method: 'POST',
      template: '/v1/proofs',
      handler: ({ body, caller }) => {
        // [OFF] One proof or a batch (a list of proof bodies).
        const inputs = Array.isArray(body) ? body : [body];
        if (inputs.length === 0) throw new SimError(400, 'BadRequest', 'No proof to create.');
        const parsed = inputs.map((b) => parseInput(proofSchema, b));
        const made = parsed.map((input) => {
          const proof = store().createProof(input, caller);
          host.proofCreated(proof);
          return proofJson(proof);
        });
        return reply(201, Array.isArray(body) ? made : made[0]);
      },
    },
    {
      method: 'GET',
      template: '/v1/proofs',
      handler: ({ query }) =>
        reply(200, page(store().listProofs(query.get('query')), query).map(proofJson)),
    },
    {
      method: 'GET',
      template: '/v1/proofs/:id',
      handler: (ctx) => reply(200, proofJson(store().proof(id(ctx)))),
    },
    {
      method: 'PUT',
      template: '/v1/proofs/:id',
      handler: (ctx) =>
        reply(
          200,
          proofJson(store().updateProof(id(ctx), parseInput(proofUpdateSchema, ctx.body ?? {}))),
        ),
    },
    {
      method: 'DELETE',
      template: '/v1/proofs/:id',
      handler: (ctx) => {
        store().deleteProof(id(ctx));
        return reply(204);
      },
    },
    {
      method: 'GET',
      template: '/v1/proofs/:id/proof-url',
      handler: (ctx) => {
        const proof = store().proof(id(ctx));
        const email = ctx.query.get('email') ?? ctx.caller.email;
        const member = proof.stages
          .flatMap((s) => s.members)
          .find((m) => m.email.toLowerCase() === email.toLowerCase());
        const link = `${host.publicBaseUrl}/proof/${proof.linkToken}`;
        // [INF] `{url}`; a reviewer's link names them.
        return reply(200, {
          url: member === undefined ? link : `${link}?reviewer=${encodeURIComponent(member.id)}`,
        });
      },
    },
    // ---- decisions
    {
      method: 'POST',
      template: '/v1/proofs/:id/decision',
      handler: (ctx) => {
        const input = parseInput(decisionSchema, ctx.body);
        const proof = store().decide(
          id(ctx),
          ctx.caller.email,
          input.decision,
          input.reason ?? null,
          input.stage_id,
        );
        return reply(200, proofJson(proof));
      },
    },
    {
      method: 'POST',
      template: '/v1/proofs/:id/reviewers/status',
      handler: (ctx) => {
        const input = parseInput(reviewerStatusSchema, ctx.body);
        const status = input.status !== undefined ? input.status : (input.decision ?? null);
        const proof =
          status === 'completed'
            ? store().completeReview(id(ctx), ctx.caller.email)
            : store().decide(
                id(ctx),
                ctx.caller.email,
                status,
                input.reason ?? null,
                input.stage_id,
              );
        return reply(200, proofJson(proof));
      },
    },
    // ---- comments
    {
      method: 'GET',
      template: '/v1/proofs/:id/comments',
      handler: (ctx) =>
        reply(
          200,
          page(store().comments(id(ctx)), ctx.query).map((c) => store().commentJson(c)),
        ),
    },
    {
      method: 'GET',
      template: '/v1/proofs/:id/comments/:cid',
      handler: (ctx) => reply(200, store().commentJson(store().comment(id(ctx), id(ctx, 'cid')))),
    },
    {
      method: 'POST',
      template: '/v1/proofs/:id/comments',
      handler: (ctx) => {
        const input = parseInput(commentSchema, ctx.body);
        const as = input[IMPERSONATION_FIELD];
        if (as !== undefined && !(ctx.caller.admin && host.settings.commentImpersonation)) {
          throw new SimError(
            403,
            'Forbidden',
            'Commenting as another reviewer needs an admin and "Admin comment impersonation".',
          );
        }
        const comment = store().addComment(
          id(ctx),
          as === undefined ? { id: ctx.caller.id, email: ctx.caller.email } : store().person(as),
          input.comment,
          input.page ?? null,
          input.parent_comment_id ?? null,
        );
        return reply(201, store().commentJson(comment));
      },
    },
    // ---- stages and reviewers
    {
      method: 'GET',
      template: '/v1/proofs/:id/stages/:sid/reviewers',
      handler: (ctx) => {
        const { stage } = store().stageOf(id(ctx), id(ctx, 'sid'));
        return reply(
          200,
          page(stage.members, ctx.query).map((m) => store().memberJson(m)),
        );
      },
    },
    {
      method: 'POST',
      template: '/v1/proofs/:id/stages/:sid/reviewers',
      handler: (ctx) => {
        const member = store().addMember(
          id(ctx),
          id(ctx, 'sid'),
          parseInput(memberSchema, ctx.body),
        );
        return reply(201, store().memberJson(member));
      },
    },
    {
      method: 'GET',
      template: '/v1/proofs/:id/stages/:sid/reviewers/:rid',
      handler: (ctx) =>
        reply(200, store().memberJson(store().member(id(ctx), id(ctx, 'sid'), id(ctx, 'rid')))),
    },
    {
      method: 'PUT',
      template: '/v1/proofs/:id/stages/:sid/reviewers/:rid',
      handler: (ctx) => {
        const member = store().updateMember(
          id(ctx),
          id(ctx, 'sid'),
          id(ctx, 'rid'),
          parseInput(memberUpdateSchema, ctx.body ?? {}),
        );
        return reply(200, store().memberJson(member));
      },
    },
    {
      method: 'DELETE',
      template: '/v1/proofs/:id/stages/:sid/reviewers/:rid',
      handler: (ctx) => {
        store().removeMember(id(ctx), id(ctx, 'sid'), id(ctx, 'rid'));
        return reply(204);
      },
    },
    {
      method: 'PUT',
      template: '/v1/stages/:id',
      handler: (ctx) => {
        const { stage } = store().updateStage(
          id(ctx),
          parseInput(stageUpdateSchema, ctx.body ?? {}),
        );
        return reply(200, store().stageJson(stage));
      },
    },
    {
      method: 'POST',
      template: '/v1/stages/:id/start',
      handler: (ctx) => reply(200, store().stageJson(store().startStage(id(ctx)).stage)),
    },
    // ---- webhooks
    {
      method: 'GET',
      template: '/v1/webhooks',
      handler: ({ caller, query }) => {
        admin(caller);
        return reply(
          200,
          page(store().state.webhooks, query).map((w) => webhookJson(w, false)),
        );
      },
    },
    {
      method: 'GET',
      template: '/v1/webhooks/:id',
      handler: (ctx) => {
        admin(ctx.caller);
        return reply(200, webhookJson(webhook(id(ctx)), false));
      },
    },
    {
      method: 'POST',
      template: '/v1/webhooks',
      handler: ({ caller, body }) => {
        admin(caller);
        const input = parseInput(webhookSchema, body);
        const record: WebhookRecord = {
          id: store().uuid(),
          name: input.name ?? input.target,
          target: input.target,
          // [OFF] A new webhook is inactive unless asked.
          active: input.active ?? false,
          signatureKey:
            input.signature_key ??
            (input.generate_signature_key === true ? host.newSignatureKey() : null),
          subscriptions: input.subscription_types,
          createdAt: store().nowIso(),
          createdById: caller.id,
        };
        store().state.webhooks.push(record);
        return reply(201, webhookJson(record, true));
      },
    },
    {
      method: 'PUT',
      template: '/v1/webhooks/:id',
      handler: (ctx) => {
        admin(ctx.caller);
        const w = webhook(id(ctx));
        const input = parseInput(webhookUpdateSchema, ctx.body ?? {});
        if (input.name !== undefined) w.name = input.name;
        if (input.target !== undefined) w.target = input.target;
        if (input.active !== undefined) w.active = input.active;
        if (input.subscription_types !== undefined) w.subscriptions = input.subscription_types;
        if (input.signature_key !== undefined) w.signatureKey = input.signature_key;
        if (input.generate_signature_key === true) w.signatureKey = host.newSignatureKey();
        return reply(200, webhookJson(w, true));
      },
    },
    {
      method: 'DELETE',
      template: '/v1/webhooks/:id',
      handler: (ctx) => {
        admin(ctx.caller);
        const w = webhook(id(ctx));
        store().state.webhooks = store().state.webhooks.filter((x) => x !== w);
        return reply(204);
      },
    },
  ];
}
