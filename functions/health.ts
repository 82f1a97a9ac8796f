import { libraryCursorSchema, PHOTOSHELTER_CURSOR } from '../core/use-cases/detect-changes.js';
import { lastReconcile } from '../core/use-cases/reconcile-reviews.js';
import type { CursorStore } from '../core/ports/cursor-store.js';
import type { EventQueue } from '../core/ports/event-queue.js';
import type { HttpFunctionDefinition, Provider } from './definition.js';
import { json, toHttpResponse } from './http-response.js';

export interface HealthStatus {
  readonly ok: boolean;
  readonly detail: string;
}

/** PhotoShelter's health, plus what its answers are read with (docs/photoshelter-wire.md). */
export interface PhotoShelterHealth extends HealthStatus {
  /** The zone naive record times are read in: `env` (configured), `session` (tz) or `default` (UTC). */
  readonly timeZone?: { readonly name: string; readonly source: 'env' | 'session' | 'default' };
  /** Behaviours the connector relies on that no live tenant has confirmed yet (README). */
  readonly unverified?: readonly string[];
}

/** What health looks at: storage, PhotoShelter, the last reconcile sweep and the webhooks queue. */
export interface HealthDeps {
  checkStorage(): Promise<HealthStatus & { readonly queue?: { active: number; poison: number } }>;
  readonly archive: { checkHealth(): Promise<PhotoShelterHealth> };
  readonly cursors: CursorStore;
  readonly webhookQueue: Pick<EventQueue, 'depth'>;
  /** Ziflow, when configured: reachable, and its webhook to this host on. Not part of `down`. */
  readonly checkZiflow?: (() => Promise<HealthStatus & { readonly webhook: string }>) | undefined;
  /** Preservica, when configured: reachable, and whether its webhooks come here. Not in `down`. */
  readonly checkPreservica?:
    (() => Promise<HealthStatus & { readonly webhook: string }>) | undefined;
}

/**
 * GET /api/v1/health: 200 when storage and PhotoShelter answer and the library's baseline is
 * recorded, else 503 naming what is not in `down`; plus lagging reviews and poison counts.
 * Keyless, so only our words, never an upstream's text.
 */
export function health(services: Provider<HealthDeps>): HttpFunctionDefinition {
  return {
    trigger: 'http',
    name: 'health',
    route: 'v1/health',
    methods: ['GET'],
    handler: async (_request, context) => {
      try {
        const s = await services();
        const [storage, photoShelter, baseline, reconciled, webhookDepth, ziflow, preservica] =
          await Promise.all([
            s.checkStorage(),
            s.archive.checkHealth(),
            // Until the first poll records the baseline, an upload would be folded into it unreported:
            // not ready, so nobody is invited to upload yet (issue 16).
            s.cursors.get(PHOTOSHELTER_CURSOR, libraryCursorSchema).then(
              (cursor) => cursor !== undefined,
              () => undefined,
            ),
            // Work that needs a person or is still catching up: counts only, no ids (no key here).
            lastReconcile(s).catch(() => undefined),
            s.webhookQueue.depth().catch(() => undefined),
            s.checkZiflow?.(),
            s.checkPreservica?.(),
          ]);
        const down = [
          ...(storage.ok ? [] : ['storage']),
          ...(photoShelter.ok ? [] : ['photoShelter']),
        ];
        const isStarting = down.length === 0 && baseline === false;
        return json(down.length === 0 && !isStarting ? 200 : 503, {
          status: isStarting ? 'starting' : down.length === 0 ? 'ok' : 'degraded',
          down,
          storage,
          photoShelter,
          baseline: baseline
            ? { ok: true, detail: 'library baseline recorded' }
            : { ok: false, detail: 'starting: baseline not recorded' },
          lagging:
            reconciled === undefined
              ? null
              : { reviews: reconciled.lagging, checked: reconciled.checked, at: reconciled.at },
          poison: {
            events: storage.queue?.poison ?? null,
            webhooks: webhookDepth?.poison ?? null,
          },
          // Reviews go on in Teams while Ziflow is out; it is reported, not counted as down.
          ...(ziflow === undefined ? {} : { ziflow }),
          // Packages wait (and are retried) while Preservica is out: reported, not counted as down.
          ...(preservica === undefined ? {} : { preservica }),
        });
      } catch (e: unknown) {
        return toHttpResponse(e, context);
      }
    },
  };
}
