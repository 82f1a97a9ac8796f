import type { LRUCache } from 'lru-cache';
import type { z } from 'zod';

import {
  AuthError,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
  ValidationError,
} from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import type {
  ProofComment,
  ProofFile,
  ProofFileContent,
  ProofingService,
  ProofSnapshot,
} from '../../core/ports/proofing-service.js';
import { jsonOrUndefined, parseAnswer, readJson } from '../http/answer.js';
import {
  HttpPipeline,
  type HttpOutcome,
  type HttpRequest,
  noAnswerError,
  type RetryPolicy,
} from '../http/http-pipeline.js';
import { safeVendorMessage } from '../http/redact.js';
import { ttlCache } from '../http/ttl-cache.js';
import {
  commentListSchema,
  createdProofSchema,
  errorBodySchema,
  proofListSchema,
  proofSchema,
  webhookListSchema,
  webhookSchema,
  type WireProof,
} from './wire.js';

// Ziflow's API (docs/ziflow.md) on the connectors' HTTP pipeline: the API key in the `apikey` header
// [OFF], JSON bodies, bare-array pages of at most 100 (`count`, `page` from 1) ending at a short page
// [INF], and 429 retried honouring Retry-After when Ziflow sends one.

const SERVICE = 'ziflow';
const PAGE_SIZE = 100;
/** How long a health answer is reused. */
const HEALTH_TTL_MS = 15_000;
/** How long a download link has to start answering (the bytes then take what they take). */
const DOWNLOAD_ANSWER_MS = 30_000;
/** Pages read at most while searching; a search past them is not worth its calls. */
const MAX_PAGES = 20;

export const ziflowRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

export interface ZiflowOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly fetch?: typeof fetch | undefined;
  readonly retry?: RetryPolicy | undefined;
  readonly timeoutMs?: number | undefined;
}

export interface ZiflowHealth {
  readonly ok: boolean;
  readonly detail: string;
  readonly webhook: 'active' | 'inactive' | 'missing' | 'unknown';
}

interface ZiflowCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** Route template for logs and errors, never a URL. */
  readonly endpoint: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly resource?: { readonly what: string; readonly id: string };
}

/**
 * A request Ziflow did not act on may go again: 429 always. Reads also on 5xx and lost answers; a
 * create is not repeated blind (a lost answer may hide a proof made) — the effect ledger's retry
 * looks for it by name first.
 */
function isRetryable(outcome: HttpOutcome, request: HttpRequest): boolean {
  if (outcome.kind === 'response' && outcome.status === 429) return true;
  if (request.method !== 'GET') return false;
  return outcome.kind === 'failure' || outcome.status >= 500;
}

export class ZiflowProofing implements ProofingService {
  private readonly http: HttpPipeline;
  private readonly base: string;
  private readonly health: LRUCache<string, ZiflowHealth>;

  constructor(private readonly options: ZiflowOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.health = ttlCache({ ttlMs: HEALTH_TTL_MS, max: 8, clock: options.clock });
    this.http = new HttpPipeline({
      service: SERVICE,
      fetch: options.fetch,
      clock: options.clock,
      logger: options.logger.child(SERVICE),
      retry: options.retry ?? ziflowRetryPolicy,
      timeoutMs: options.timeoutMs,
      isRetryable,
      jitterAfterRetryAfter: true,
      requestIdHeader: 'x-request-id',
    });
  }

  async createProof(input: Parameters<ProofingService['createProof']>[0]): Promise<ProofSnapshot> {
    const body = {
      name: input.name,
      input: input.sources.map((s) => ({ source: s.url, type: 'file' })),
      ...(input.stages === undefined
        ? {}
        : {
            stages: input.stages.map((stage) => ({
              name: stage.name,
              deadline: stage.deadline.toISOString(),
              members: stage.reviewerEmails.map((email) => ({
                email,
                role: 'reviewer',
                can_make_decisions: true,
              })),
            })),
          }),
      ...(input.folderId === undefined ? {} : { folder_id: input.folderId }),
      // [INF] A new version is a proof naming its predecessor (docs/ziflow.md).
      ...(input.previousProofId === undefined
        ? {}
        : { version_previous_id: input.previousProofId }),
    };
    const answer = await this.call(
      { method: 'POST', path: '/proofs', endpoint: 'POST /proofs', json: body },
      createdProofSchema,
    );
    const proof = Array.isArray(answer) ? answer[0] : answer;
    if (proof === undefined) throw new UpstreamError(SERVICE, 'POST /proofs answered no proof');
    return snapshotOf(proof);
  }

  async findProofByName(name: string): Promise<ProofSnapshot | undefined> {
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const proofs = await this.call(
        {
          method: 'GET',
          path: '/proofs',
          endpoint: 'GET /proofs',
          query: { query: name, count: String(PAGE_SIZE), page: String(page) },
        },
        proofListSchema,
      );
      // The search is a text match [INF]: only an exact name is ours.
      const found = proofs.find((p) => p.name === name);
      if (found !== undefined) return snapshotOf(found);
      if (proofs.length < PAGE_SIZE) return undefined;
    }
    return undefined;
  }

  async getProof(proofId: string): Promise<ProofSnapshot> {
    return snapshotOf(
      await this.call(
        {
          method: 'GET',
          path: `/proofs/${encodeURIComponent(proofId)}`,
          endpoint: 'GET /proofs/:id',
          resource: { what: 'Proof', id: proofId },
        },
        proofSchema,
      ),
    );
  }

  async listComments(proofId: string): Promise<readonly ProofComment[]> {
    const all: ProofComment[] = [];
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const comments = await this.call(
        {
          method: 'GET',
          path: `/proofs/${encodeURIComponent(proofId)}/comments`,
          endpoint: 'GET /proofs/:id/comments',
          query: { count: String(PAGE_SIZE), page: String(page) },
          resource: { what: 'Proof', id: proofId },
        },
        commentListSchema,
      );
      all.push(
        ...comments.map((c) => ({
          id: c.id,
          text: c.comment,
          authorEmail: c.reviewer?.email,
          at: c.created_at ?? c['created-at'] ?? '',
          parentId: c.parent_comment_id ?? undefined,
        })),
      );
      if (comments.length < PAGE_SIZE) break;
    }
    return all;
  }

  async addComment(proofId: string, text: string): Promise<void> {
    await this.call(
      {
        method: 'POST',
        path: `/proofs/${encodeURIComponent(proofId)}/comments`,
        endpoint: 'POST /proofs/:id/comments',
        json: { comment: text },
        resource: { what: 'Proof', id: proofId },
      },
      undefined,
    );
  }

  /**
   * A source file's bytes from its download link, streamed. [INF] The link carries its own access
   * (docs/ziflow.md), so the API key is not sent to wherever it points (a storage host, redirects
   * followed); not retried: the write-back effect that reads it runs again instead.
   */
  async openFile(file: ProofFile): Promise<ProofFileContent> {
    if (file.downloadUrl === undefined) {
      throw new ValidationError(`Ziflow proof file ${file.id} cannot be downloaded`, [
        'allow_source_download is off for its proof',
      ]);
    }
    const send = this.options.fetch ?? globalThis.fetch;
    // Only the wait for the answer is bounded: a large file's bytes may take longer.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.options.timeoutMs ?? DOWNLOAD_ANSWER_MS);
    let response: Response;
    try {
      response = await send(file.downloadUrl, { signal: abort.signal });
    } catch (e: unknown) {
      throw new UpstreamError(SERVICE, 'GET download_link failed before an answer arrived', {
        cause: e,
      });
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      if (response.status === 404) throw new NotFoundError('Proof file', file.id);
      throw new UpstreamError(SERVICE, `GET download_link answered ${response.status}`);
    }
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    return {
      fileName: file.name,
      size: Number.isInteger(length) ? length : file.size > 0 ? file.size : undefined,
      body: response.body,
    };
  }

  /**
   * Makes sure Ziflow posts every proof event to `target`, signed with `key`: the subscription to
   * that target is switched on with this key, or made (admin only [OFF]). Keys are shown only when
   * set [INF], so an existing one is set again rather than trusted.
   */
  async ensureWebhook(target: string, key: string): Promise<'updated' | 'created'> {
    this.health.clear();
    const existing = (
      await this.call(
        { method: 'GET', path: '/webhooks', endpoint: 'GET /webhooks' },
        webhookListSchema,
      )
    ).find((w) => w.target === target);
    const subscription = {
      name: 'Lightdesk',
      target,
      active: true,
      signature_key: key,
      subscription_types: { proof: { all: true } },
    };
    if (existing !== undefined) {
      await this.call(
        {
          method: 'PUT',
          path: `/webhooks/${encodeURIComponent(existing.id)}`,
          endpoint: 'PUT /webhooks/:id',
          json: subscription,
          resource: { what: 'Webhook', id: existing.id },
        },
        webhookSchema,
      );
      return 'updated';
    }
    await this.call(
      { method: 'POST', path: '/webhooks', endpoint: 'POST /webhooks', json: subscription },
      webhookSchema,
    );
    return 'created';
  }

  /**
   * Health, in our words only (health is keyless): whether Ziflow answers this key, and whether its
   * webhook to `target` is on. Never throws.
   */
  async checkHealth(target: string): Promise<ZiflowHealth> {
    // Health is asked every few seconds (the console); Ziflow is rate limited.
    const cached = this.health.get(target);
    if (cached !== undefined) return cached;
    const checked = await this.checkHealthNow(target);
    this.health.set(target, checked);
    return checked;
  }

  private async checkHealthNow(target: string): Promise<ZiflowHealth> {
    try {
      await this.call(
        {
          method: 'GET',
          path: '/users',
          endpoint: 'GET /users',
          query: { count: '1' },
        },
        undefined,
      );
    } catch (e: unknown) {
      return {
        ok: false,
        detail: e instanceof AuthError ? 'Ziflow refused the API key' : 'Ziflow did not answer',
        webhook: 'unknown',
      };
    }
    const hooks = await this.call(
      { method: 'GET', path: '/webhooks', endpoint: 'GET /webhooks' },
      webhookListSchema,
    ).catch(() => undefined);
    const hook = hooks?.find((w) => w.target === target);
    const webhook =
      hooks === undefined
        ? 'unknown'
        : hook === undefined
          ? 'missing'
          : hook['active'] === false
            ? 'inactive'
            : 'active';
    return {
      ok: webhook === 'active',
      detail:
        webhook === 'active'
          ? 'Ziflow answers; its webhook to this host is on'
          : `Ziflow answers, but its webhook to this host is ${webhook}: decisions made there will not arrive`,
      webhook,
    };
  }

  private async call<S extends z.ZodType>(call: ZiflowCall, schema: S): Promise<z.output<S>>;
  private async call(call: ZiflowCall, schema: undefined): Promise<undefined>;
  private async call<S extends z.ZodType>(
    call: ZiflowCall,
    schema: S | undefined,
  ): Promise<z.output<S> | undefined> {
    const url = new URL(`${this.base}${call.path}`);
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
    const outcome = await this.http.send({
      tag: { endpoint: call.endpoint },
      method: call.method,
      url,
      headers: {
        apikey: this.options.apiKey,
        accept: 'application/json',
        ...(call.json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: call.json === undefined ? undefined : JSON.stringify(call.json),
    });
    if (outcome.kind === 'failure') throw noAnswerError(SERVICE, call.endpoint, outcome);
    if (outcome.status < 200 || outcome.status >= 300) throw this.errorOf(call, outcome);
    if (schema === undefined) return undefined;
    return parseAnswer(
      readJson(outcome.body, `Ziflow ${call.endpoint}`),
      schema,
      `Ziflow ${call.endpoint}`,
    );
  }

  private errorOf(call: ZiflowCall, answer: HttpOutcome & { kind: 'response' }): Error {
    const parsed = errorBodySchema.safeParse(jsonOrUndefined(answer.body));
    const said = safeVendorMessage(parsed.success ? parsed.data.message : undefined, [
      this.options.apiKey,
    ]);
    const detail = said === undefined ? '' : `: ${said}`;
    if (answer.status === 401 || answer.status === 403) {
      return new AuthError(`Ziflow refused the API key (${answer.status})${detail}`);
    }
    if (answer.status === 404 && call.resource !== undefined) {
      return new NotFoundError(call.resource.what, call.resource.id);
    }
    if (answer.status === 429) {
      return new RateLimitedError(
        SERVICE,
        // Without a Retry-After [INF: Ziflow publishes no numbers], the first backoff step.
        this.http.retryAfterMs(answer.headers.get('retry-after')) ??
          (this.options.retry ?? ziflowRetryPolicy).baseDelayMs,
      );
    }
    return new UpstreamError(SERVICE, `${call.endpoint} answered ${answer.status}${detail}`);
  }
}

function snapshotOf(proof: WireProof): ProofSnapshot {
  const versions = [...(proof.versions ?? [])].sort((a, b) => a.version - b.version);
  const versionIds = versions.map((v) => v['version-id']);
  return {
    proofId: proof.id,
    name: proof.name,
    version: proof.version ?? versions.find((v) => v['version-id'] === proof.id)?.version ?? 1,
    versionIds: versionIds.includes(proof.id) ? versionIds : [...versionIds, proof.id],
    url: proof.public_link ?? undefined,
    processing: proof.status,
    decisionStatus: proof.decision_status ?? null,
    files: proof.source_files.map((f) => ({
      id: f.id,
      name: f.name,
      size: f.size,
      downloadUrl: f.download_link ?? undefined,
    })),
    stages: proof.stages,
  };
}
