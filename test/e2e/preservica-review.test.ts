import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LocalHost } from '../../composition/local-host.js';
import type { Review } from '../../core/model/review.js';
import { checkDrift, REPORT_ONLY } from '../../core/use-cases/drift.js';
import { galleriesUnder, settle, upload } from '../support/demo-driver.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

// Preservation as `npm start` runs it: the local host starts the Preservica simulator and subscribes
// its webhooks; an approved batch of the demo rule "Events" goes to Preservica as one package, the
// ingest's outcome comes back (webhook and scheduled checks), and the card, the Planner task and
// PhotoShelter say so. A failed ingest re-opens the task; a retry continues the same package.

const MEGAN = 'MeganB@contoso.onmicrosoft.com';
const APPROVED_FOLDER = '7c1d4c0e-4f1a-4c57-9a3e-5d0e6b1a0002';
const RETIRED_FOLDER = '7c1d4c0e-4f1a-4c57-9a3e-5d0e6b1a0003';

interface SimAsset {
  ref: string;
  title: string;
  parent: string | null;
  securityTag: string;
  identifiers: { type: string; value: string }[];
  bitstreams: { representation: string; filename: string; size: number; sha256: string }[];
}

describe('preservation in Preservica, end to end on the local host', () => {
  let running: TestHost;
  let host: LocalHost;
  let dir: string;

  const getJson = async <T>(url: string, init?: RequestInit): Promise<T> =>
    (await fetch(url, init)).json() as Promise<T>;
  const postJson = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const preservica = (path: string, init?: RequestInit) =>
    getJson<unknown>(`${host.preservicaUrl ?? ''}${path}`, init);
  const simAssets = async () =>
    ((await preservica('/_sim/entities')) as { assets: SimAsset[] }).assets;
  const reviewOf = async (galleryId: string): Promise<Review | undefined> =>
    (await host.services.reviews.listOfGallery(galleryId)).at(-1)?.review;
  const until = async (what: string, ok: () => Promise<boolean>) => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      await settle(host, 1_000);
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect.fail(`waited in vain for ${what}`);
  };
  async function task(taskId: string | undefined) {
    const state = await getJson<{
      plans: {
        tasks: { id: string; percentComplete: number; details?: { description?: string } }[];
      }[];
    }>(`${host.graphUrl ?? ''}/_sim/state`);
    return state.plans.flatMap((p) => p.tasks).find((t) => t.id === taskId);
  }
  async function cardText(activityId: string | undefined): Promise<string> {
    const seed = await getJson<{ photoReviewsChannel: { id: string } }>(
      `${host.teamsUrl ?? ''}/_sim/seed`,
    );
    const detail = await getJson<{
      activities: { id: string; latest: { attachments?: { content: unknown }[] } | null }[];
    }>(
      `${host.teamsUrl ?? ''}/_sim/conversations/${encodeURIComponent(seed.photoReviewsChannel.id)}`,
    );
    const activity = detail.activities.find((a) => a.id === activityId);
    return JSON.stringify(activity?.latest?.attachments?.[0]?.content ?? null);
  }
  async function approve(review: Review | undefined): Promise<void> {
    const answer = await postJson(
      `${host.url}/api/v1/reviews/${encodeURIComponent(review?.id ?? '')}/decisions`,
      { reviewerId: MEGAN, verb: 'approve' },
    );
    expect(answer.status).toBe(201);
  }
  async function imageIptc(imageId: string): Promise<string> {
    return JSON.stringify(
      await getJson<unknown>(`${host.simulatorUrl ?? ''}/_sim/images/${imageId}`),
    );
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lightdesk-preservica-'));
    const rules = JSON.parse(await readFile('config/routing-rules.json', 'utf8')) as {
      rules: Record<string, unknown>[];
    };
    // Campus Life galleries are retired: archived, the whole gallery preserved, then hidden.
    rules.rules.splice(rules.rules.length - 1, 0, {
      name: 'Campus Life',
      match: { path: 'Campus Life/**' },
      planner: { bucket: 'To review' },
      reviewers: [MEGAN],
      conversation: 'channel:Marketing/Photo reviews',
      archive: { action: 'hide' },
      preserve: { when: 'on-retire', folder: RETIRED_FOLDER, securityTag: 'closed' },
    });
    const rulesFile = join(dir, 'rules.json');
    await writeFile(rulesFile, JSON.stringify(rules));
    running = await startTestHost({
      ROUTING_RULES_FILE: rulesFile,
      PRESERVICA_POLL_SECONDS: '1',
    });
    host = running.host;
    await host.poll(); // baseline
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('preserves an approved batch as one package, then says Preserved on the card, the task and in PhotoShelter', async () => {
    expect(host.preservicaUrl).toBeDefined();
    // Start-up subscribed the signed webhooks to this host (the handshake answered).
    const { subscriptions } = (await preservica('/_sim/subscriptions')) as {
      subscriptions: { url: string; triggerType: string }[];
    };
    expect(subscriptions.map((s) => s.triggerType).sort()).toEqual([
      'FULL_TEXT_INDEXED',
      'INGEST_FAILED',
    ]);
    expect(subscriptions[0]?.url).toBe(`${host.url}/api/v1/hooks/preservica`);

    const [gallery] = await galleriesUnder(host, 'Events');
    const first = await upload(host, gallery?.id ?? '');
    const second = await upload(host, gallery?.id ?? '');
    await settle(host);
    const opened = await reviewOf(gallery?.id ?? '');
    expect(opened?.assets.map((a) => a.assetId).sort()).toEqual([first, second].sort());
    expect(await simAssets()).toEqual([]); // nothing goes before the decision

    await approve(opened);
    await until('the package to be preserved', async () => {
      await preservica('/_sim/complete-ingests', { method: 'POST' });
      return (await reviewOf(gallery?.id ?? ''))?.preservation?.status === 'preserved';
    });
    const review = await reviewOf(gallery?.id ?? '');
    const references = review?.preservation?.references ?? {};
    expect(Object.keys(references).sort()).toEqual([first, second].sort());

    // One package, one ingest; each asset under the reference Lightdesk chose, with its
    // PhotoShelter id as an identifier, its original and a rights statement, fixity recorded.
    const { ingests } = (await preservica('/_sim/ingests')) as { ingests: unknown[] };
    expect(ingests).toHaveLength(1);
    const assets = await simAssets();
    expect(assets.map((a) => a.ref).sort()).toEqual(Object.values(references).sort());
    for (const asset of assets) {
      expect(asset.parent).toBe(APPROVED_FOLDER);
      expect(asset.securityTag).toBe('open');
      const assetId = asset.identifiers.find((i) => i.type === 'photoshelter-asset')?.value;
      expect(references[assetId ?? '']).toBe(asset.ref);
      expect(asset.bitstreams.map((b) => b.filename)).toContain('rights.txt');
      for (const b of asset.bitstreams) expect(b.sha256).toMatch(/^[0-9a-f]{64}$/);
    }

    // The task is complete only now; its details, the card and PhotoShelter say preserved.
    const done = await task(review?.planner.taskId);
    expect(done?.percentComplete).toBe(100);
    expect(done?.details?.description).toContain('Preservica: preserved 2 assets');
    expect(await cardText(review?.teams.activityId)).toContain('Preserved in Preservica');
    for (const id of [first, second]) {
      const iptc = await imageIptc(id);
      expect(iptc).toContain('Preservation status: preserved');
      expect(iptc).toContain(`Preservation reference: ${references[id] ?? '?'}`);
    }
    const api = await getJson<{ preservation: { status: string; attempt: number } }>(
      `${host.url}/api/v1/reviews/${encodeURIComponent(review?.id ?? '')}`,
    );
    expect(api.preservation).toMatchObject({ status: 'preserved', attempt: 1 });
  });

  it('re-opens the task with the reason when the ingest fails, and a retry continues the same package', async () => {
    const [, gallery] = await galleriesUnder(host, 'Events');
    const image = await upload(host, gallery?.id ?? '');
    await settle(host);
    await postJson(`${host.preservicaUrl ?? ''}/_sim/fail-next-ingest`, {
      reason: 'Workflow "Ingest" is not active',
    });
    const before = (await simAssets()).length;
    await approve(await reviewOf(gallery?.id ?? ''));
    await until('the ingest to fail', async () => {
      await preservica('/_sim/complete-ingests', { method: 'POST' });
      return (await reviewOf(gallery?.id ?? ''))?.preservation?.status === 'failed';
    });
    const failed = await reviewOf(gallery?.id ?? '');
    expect(failed?.preservation?.reason).toContain('Workflow "Ingest" is not active');
    expect((await simAssets()).length).toBe(before); // a failed ingest makes nothing
    const reopened = await task(failed?.planner.taskId);
    expect(reopened?.percentComplete).toBe(50);
    expect(reopened?.details?.description).toContain('preservation FAILED');
    expect(await cardText(failed?.teams.activityId)).toContain('Preservation failed');
    expect(await imageIptc(image)).toContain('Preservation status: failed');

    // A retry of a review whose preservation did not fail is refused; this one is taken.
    const retry = (id: string) =>
      fetch(`${host.url}/api/v1/reviews/${encodeURIComponent(id)}/preservation/retry`, {
        method: 'POST',
      });
    const [preserved] = await galleriesUnder(host, 'Events');
    const other = await reviewOf(preserved?.id ?? '');
    expect((await retry(other?.id ?? '')).status).toBe(409);
    expect((await retry('no-such-review')).status).toBe(404);
    const answer = await retry(failed?.id ?? '');
    expect(answer.status).toBe(202);
    await until('the retried package to be preserved', async () => {
      await preservica('/_sim/complete-ingests', { method: 'POST' });
      return (await reviewOf(gallery?.id ?? ''))?.preservation?.status === 'preserved';
    });
    const retried = await reviewOf(gallery?.id ?? '');
    expect(retried?.preservation).toMatchObject({ status: 'preserved', attempt: 2 });
    // Same references as the failed attempt: one entity for the image, not two.
    expect(retried?.preservation?.references).toEqual(failed?.preservation?.references);
    const entities = (await simAssets()).filter((a) =>
      a.identifiers.some((i) => i.type === 'photoshelter-asset' && i.value === image),
    );
    expect(entities).toHaveLength(1);
    expect((await task(retried?.planner.taskId))?.percentComplete).toBe(100);
  });

  it('refuses forged Preservica deliveries and changes nothing on a replayed one', async () => {
    const hook = `${host.url}/api/v1/hooks/preservica`;
    const body = JSON.stringify({
      subscriptionId: 'x',
      trigger: 'INGEST_FAILED',
      events: [{ entityRef: '11111111-2222-4333-8444-555555555555', entityType: 'IO' }],
    });
    const forged = createHmac('sha256', 'not-the-secret')
      .update(`preservica-webhook-auth${body}`)
      .digest('hex');
    const depth = (await host.services.queue.depth()).active;
    for (const signature of [undefined, forged]) {
      const answer = await fetch(hook, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature === undefined ? {} : { 'preservica-signature': signature }),
        },
        body,
      });
      expect(answer.status).toBe(401);
    }
    expect((await host.services.queue.depth()).active).toBe(depth);

    // Preservica's own deliveries replayed: the preserved reviews stay as they are.
    const [gallery] = await galleriesUnder(host, 'Events');
    const before = await reviewOf(gallery?.id ?? '');
    const { deliveries } = (await preservica('/_sim/deliveries')) as {
      deliveries: { id: string; state: string }[];
    };
    // Every delivery so far was taken (none forged, none failed).
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.filter((d) => d.state !== 'delivered')).toEqual([]);
    const redelivered = (await (
      await postJson(`${host.preservicaUrl ?? ''}/_sim/redeliver`, {
        deliveryIds: deliveries.map((d) => d.id),
      })
    ).json()) as { redelivered: string[] };
    expect(redelivered.redelivered.length).toBeGreaterThan(0);
    await settle(host, 3_000);
    const after = await reviewOf(gallery?.id ?? '');
    expect(after?.preservation).toEqual(before?.preservation);
    expect(after?.cardVersion).toBe(before?.cardVersion);
  });

  it('retires a gallery: the whole gallery is preserved, then hidden in PhotoShelter', async () => {
    // A gallery people can see, so hiding it shows.
    const library = await getJson<{ galleries: { id: string; mode: string }[] }>(
      `${host.simulatorUrl ?? ''}/_sim/library`,
    );
    const shown = new Set(library.galleries.filter((g) => g.mode !== 'private').map((g) => g.id));
    const gallery = (await galleriesUnder(host, 'Campus Life')).find((g) => shown.has(g.id));
    const galleryImages = async () =>
      (
        await getJson<{ images: { imageId: string }[] }>(
          `${host.simulatorUrl ?? ''}/_sim/galleries/${gallery?.id ?? ''}/images?page=1&per_page=500`,
        )
      ).images.map((i) => i.imageId);
    const existing = await galleryImages();
    await upload(host, gallery?.id ?? '');
    await settle(host);
    const review = await reviewOf(gallery?.id ?? '');
    const mode = async () =>
      (
        await getJson<{ galleries: { id: string; mode: string }[] }>(
          `${host.simulatorUrl ?? ''}/_sim/library`,
        )
      ).galleries.find((g) => g.id === gallery?.id)?.mode;
    const modeBefore = await mode();
    expect(modeBefore).not.toBe('private');

    const answer = await postJson(
      `${host.url}/api/v1/reviews/${encodeURIComponent(review?.id ?? '')}/decisions`,
      { reviewerId: MEGAN, verb: 'archive' },
    );
    expect(answer.status).toBe(201);
    await settle(host, 2_000);
    // Not hidden while Preservica does not have it yet.
    expect(await mode()).toBe(modeBefore);
    await until('the gallery to be preserved', async () => {
      await preservica('/_sim/complete-ingests', { method: 'POST' });
      return (await reviewOf(gallery?.id ?? ''))?.preservation?.status === 'preserved';
    });
    const retired = await reviewOf(gallery?.id ?? '');
    expect(retired?.preservation?.scope).toBe('gallery');
    // Every image of the gallery, not only the batch, under the retired folder, closed.
    const all = await galleryImages();
    expect(all.length).toBeGreaterThan(existing.length);
    expect(Object.keys(retired?.preservation?.references ?? {}).sort()).toEqual([...all].sort());
    const kept = (await simAssets()).filter((a) => a.parent === RETIRED_FOLDER);
    expect(kept).toHaveLength(all.length);
    expect(new Set(kept.map((a) => a.securityTag))).toEqual(new Set(['closed']));
    await settle(host, 2_000);
    expect(await mode()).toBe('private');
  });

  it('brings a preserved asset back into a gallery for review, once, by the API and by the bot', async () => {
    const [source, target, other] = await galleriesUnder(host, 'Events');
    const preserved = await reviewOf(source?.id ?? '');
    const [[assetId, reference] = ['', '']] = Object.entries(
      preserved?.preservation?.references ?? {},
    );
    const restore = (ref: string, body: unknown) =>
      fetch(`${host.url}/api/v1/preserved/${encodeURIComponent(ref)}/restore`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-lightdesk-client': 'Reuse flow' },
        body: JSON.stringify(body),
      });
    // Bad input: a clear 4xx, nothing made.
    expect((await restore('not-a-reference', { galleryId: target?.id })).status).toBe(400);
    expect(
      (await restore('11111111-2222-4333-8444-555555555555', { galleryId: target?.id })).status,
    ).toBe(404);
    expect((await restore(reference, { galleryId: 'G0000NoSuchGalle' })).status).toBe(404);
    expect((await restore(reference, { galleryId: target?.id, colour: 'red' })).status).toBe(400);

    const first = await restore(reference, {
      galleryId: target?.id,
      metadata: { title: 'Back for the anniversary issue' },
    });
    expect(first.status).toBe(201);
    const restored = (await first.json()) as { assetId: string; outcome: string };
    expect(restored.outcome).toBe('restored');
    const again = await restore(reference, { galleryId: target?.id });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { assetId: string }).assetId).toBe(restored.assetId);

    // The preserved original's bytes, the new title and where it came from, in PhotoShelter.
    const bytes = async (id: string) =>
      Buffer.from(
        await (await fetch(`${host.simulatorUrl ?? ''}/_sim/images/${id}/original`)).arrayBuffer(),
      );
    expect((await bytes(restored.assetId)).equals(await bytes(assetId))).toBe(true);
    const image = await imageIptc(restored.assetId);
    expect(image).toContain('Back for the anniversary issue');
    expect(image).toContain(`Restored from Preservica: ${reference}`);
    // And it is reviewed like an upload: the gallery's review holds it.
    await settle(host);
    const review = await reviewOf(target?.id ?? '');
    expect(review?.assets.map((a) => a.assetId)).toContain(restored.assetId);

    // The bot: `restore <reference> to <gallery>` in the channel, answered with a card.
    const seed = await getJson<{
      photoReviewsChannel: { id: string };
      users: { megan: { aadObjectId: string } };
    }>(`${host.teamsUrl ?? ''}/_sim/seed`);
    const say = async (text: string): Promise<string> => {
      await postJson(`${host.teamsUrl ?? ''}/_sim/message`, {
        conversationId: seed.photoReviewsChannel.id,
        user: seed.users.megan.aadObjectId,
        text,
        mentionBot: true,
      });
      const detail = await getJson<{
        activities: {
          direction: string;
          latest: { attachments?: { content: unknown }[] } | null;
        }[];
      }>(
        `${host.teamsUrl ?? ''}/_sim/conversations/${encodeURIComponent(seed.photoReviewsChannel.id)}`,
      );
      const last = detail.activities.filter((a) => a.direction === 'fromBot').at(-1);
      return JSON.stringify(last?.latest?.attachments?.[0]?.content ?? null);
    };
    expect(await say('restore')).toContain('Which asset, and into which gallery?');
    expect(
      await say(`restore 11111111-2222-4333-8444-555555555555 to ${other?.id ?? ''}`),
    ).toContain('not found');
    const answer = await say(`restore ${reference} to ${other?.id ?? ''}`);
    expect(answer).toContain('Brought back into');
    expect(answer).toContain(other?.name ?? '?');
  });

  it('reports metadata drift between PhotoShelter and Preservica, and syncs each field one way as configured', async () => {
    const [source] = await galleriesUnder(host, 'Events');
    const preserved = await reviewOf(source?.id ?? '');
    const [[assetId, reference] = ['', '']] = Object.entries(
      preserved?.preservation?.references ?? {},
    );
    // Someone edits the title in PhotoShelter after preservation.
    const edit = await postJson(`${host.simulatorUrl ?? ''}/_sim/metadata`, {
      imageId: assetId,
      title: 'Retitled after preservation',
    });
    expect(edit.status).toBe(200);
    await host.checkDrift();
    const drift = await getJson<{
      report: {
        differences: number;
        synced: number;
        listed: {
          assetId: string;
          reference: string;
          field: string;
          photoshelter: string;
          action: string;
        }[];
      };
    }>(`${host.url}/api/v1/drift`);
    expect(drift.report.listed).toContainEqual(
      expect.objectContaining({
        assetId,
        reference,
        field: 'title',
        photoshelter: 'Retitled after preservation',
        action: 'reported',
      }),
    );
    expect(drift.report.synced).toBe(0);
    // Report only (the default): Preservica keeps its title.
    const entity = (await simAssets()).find((a) => a.ref === reference);
    expect(entity?.title).not.toBe('Retitled after preservation');

    // DRIFT_SYNC "title=to-preservica,credit=to-photoshelter": each field one way.
    await postJson(`${host.simulatorUrl ?? ''}/_sim/metadata`, {
      imageId: assetId,
      credit: 'Changed in PhotoShelter',
    });
    const report = await checkDrift(host.services, {
      ...REPORT_ONLY,
      title: 'to-preservica',
      credit: 'to-photoshelter',
    });
    expect(
      report.listed.filter((d) => d.assetId === assetId).map((d) => [d.field, d.action]),
    ).toEqual([
      ['title', 'synced-to-preservica'],
      ['credit', 'synced-to-photoshelter'],
    ]);
    expect((await simAssets()).find((a) => a.ref === reference)?.title).toBe(
      'Retitled after preservation',
    );
    const meta = await host.services.archive.getAssetMetadata(assetId);
    expect(meta.credit).not.toBe('Changed in PhotoShelter');
    // Nothing left to differ on those two fields.
    const after = await checkDrift(host.services, REPORT_ONLY);
    expect(after.listed.filter((d) => d.assetId === assetId)).toEqual([]);
  });

  it('survives an upload whose answer was lost: the package is sent again and nothing is made twice', async () => {
    const gallery = (await galleriesUnder(host, 'Events'))[3];
    expect(gallery).toBeDefined();
    const image = await upload(host, gallery?.id ?? '');
    await settle(host);
    // Preservica takes the package, then the connection drops before its answer arrives.
    const armed = await postJson(`${host.preservicaUrl ?? ''}/_sim/faults`, {
      path: '/api/s3/buckets',
      method: 'PUT',
      lostResponse: true,
    });
    expect(armed.status).toBe(201);
    const ingestsBefore = ((await preservica('/_sim/ingests')) as { ingests: unknown[] }).ingests
      .length;
    await approve(await reviewOf(gallery?.id ?? ''));
    await until('the package to be preserved after the lost answer', async () => {
      await preservica('/_sim/complete-ingests', { method: 'POST' });
      return (await reviewOf(gallery?.id ?? ''))?.preservation?.status === 'preserved';
    });
    const { ingests } = (await preservica('/_sim/ingests')) as { ingests: unknown[] };
    expect(ingests.length - ingestsBefore).toBe(2); // the lost one and the one sent again
    const entities = (await simAssets()).filter((a) =>
      a.identifiers.some((i) => i.type === 'photoshelter-asset' && i.value === image),
    );
    expect(entities).toHaveLength(1);
    const review = await reviewOf(gallery?.id ?? '');
    expect(entities[0]?.ref).toBe(review?.preservation?.references[image]);
  });

  it('shows Preservica trouble on the card: an outage is retried, a refusal fails the attempt', async () => {
    // New batches in two galleries whose earlier reviews are closed: each opens a new review.
    const [gallery, refused] = await galleriesUnder(host, 'Events');
    expect(refused).toBeDefined();
    await upload(host, gallery?.id ?? '');
    await upload(host, refused?.id ?? '');
    await settle(host);
    // Preservica's upload endpoint answers 503 for a while.
    await postJson(`${host.preservicaUrl ?? ''}/_sim/faults`, {
      path: '/api/s3/buckets',
      status: 503,
      times: 40,
    });
    await approve(await reviewOf(gallery?.id ?? ''));
    await settle(host, 2_000);
    const waiting = await reviewOf(gallery?.id ?? '');
    expect(waiting?.preservation?.status).toBe('ingesting');
    expect(waiting?.preservation?.reason).toContain('Preservica is not answering');
    expect(await cardText(waiting?.teams.activityId)).toContain('Lightdesk keeps trying');
    // Preservica is back: the same attempt goes through and the trouble is gone from the card.
    await fetch(`${host.preservicaUrl ?? ''}/_sim/faults`, { method: 'DELETE' });
    await until('the package to go through after the outage', async () => {
      await preservica('/_sim/complete-ingests', { method: 'POST' });
      return (await reviewOf(gallery?.id ?? ''))?.preservation?.status === 'preserved';
    });
    const preserved = await reviewOf(gallery?.id ?? '');
    expect(preserved?.preservation).toMatchObject({ attempt: 1 });
    expect(preserved?.preservation?.reason).toBeUndefined();
    expect(await cardText(preserved?.teams.activityId)).not.toContain('Lightdesk keeps trying');

    // Refused for good (the folder is gone): the attempt fails with the reason, nothing poisoned.
    await postJson(`${host.preservicaUrl ?? ''}/_sim/faults`, {
      path: '/api/s3/buckets',
      status: 403,
      code: 'AccessDenied',
      message: 'Access to the ingest bucket is denied',
      times: 10,
    });
    await approve(await reviewOf(refused?.id ?? ''));
    await settle(host, 2_000);
    const failed = await reviewOf(refused?.id ?? '');
    expect(failed?.preservation?.status).toBe('failed');
    expect(failed?.preservation?.reason).toContain('Preservica refused the package');
    expect(await cardText(failed?.teams.activityId)).toContain('Preservation failed');
    expect((await host.services.queue.depth()).poison).toBe(0);
    await fetch(`${host.preservicaUrl ?? ''}/_sim/faults`, { method: 'DELETE' });
  });
});
