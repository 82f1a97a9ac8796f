import azureFunctions from '@azure/functions';
import { describe, expect, it } from 'vitest';

import { PHOTOSHELTER_CURSOR } from '../../../core/use-cases/detect-changes.js';
import { health, type HealthDeps } from '../../../functions/health.js';
import { InMemoryCursorStore } from '../../doubles/in-memory-cursor-store.js';
import { InMemoryEventQueue } from '../../doubles/in-memory-event-queue.js';

// @azure/functions is CommonJS: Node's ESM loader exposes only its default export.
const { HttpRequest, InvocationContext } = azureFunctions;

async function ask(
  cursors: InMemoryCursorStore,
  photoShelter: Awaited<ReturnType<HealthDeps['archive']['checkHealth']>> = {
    ok: true,
    detail: 'signed in',
  },
) {
  const deps: HealthDeps = {
    checkStorage: () => Promise.resolve({ ok: true, detail: 'tables and queues answer' }),
    archive: { checkHealth: () => Promise.resolve(photoShelter) },
    cursors,
    webhookQueue: new InMemoryEventQueue(),
  };
  const response = await health(() => Promise.resolve(deps)).handler(
    new HttpRequest({ method: 'GET', url: 'http://localhost/api/v1/health' }),
    new InvocationContext({ functionName: 'health' }),
  );
  return { status: response.status, body: response.jsonBody as Record<string, unknown> };
}

describe('GET /api/v1/health', () => {
  it('is not ready until the library baseline is recorded, then is', async () => {
    const cursors = new InMemoryCursorStore();
    expect(await ask(cursors)).toMatchObject({
      status: 503,
      body: {
        status: 'starting',
        baseline: { ok: false, detail: 'starting: baseline not recorded' },
      },
    });

    const at = '2026-12-03T15:00:00.000Z';
    await cursors.save(
      PHOTOSHELTER_CURSOR,
      { baselineAt: at, mediaUpTo: at, galleriesUpTo: at },
      undefined,
    );
    expect(await ask(cursors)).toMatchObject({
      status: 200,
      body: { status: 'ok', down: [], baseline: { ok: true } },
    });
  });

  it('says which zone PhotoShelter times are read in, and what is unverified', async () => {
    const photoShelter = {
      ok: true,
      detail: 'logged in',
      timeZone: { name: 'America/New_York', source: 'session' as const },
      unverified: ['a share moves the gallery modified_at'],
    };

    const { body } = await ask(new InMemoryCursorStore(), photoShelter);

    expect(body['photoShelter']).toEqual(photoShelter);
  });
});
