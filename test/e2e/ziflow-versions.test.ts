import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LocalHost } from '../../composition/local-host.js';
import type { Review } from '../../core/model/review.js';
import { FakePhotoShelterServer } from '../../simulators/photoshelter/fake-photoshelter-server.js';
import { galleriesUnder, settle, upload } from '../support/demo-driver.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

// A proofed batch whose image is replaced in PhotoShelter, as `npm start` runs it (PhotoShelter,
// Ziflow, Graph and Teams simulators on loopback): the proof gets its next version instead of a
// new proof, the review opens again, and a redelivered replace makes no second version. On
// approval, Lightdesk's own version (PhotoShelter's display rendition) leaves the original alone;
// a version a person uploads in Ziflow is adopted, and its approved file becomes the original.

interface SimProof {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly version: number;
  readonly version_previous_id: string | null;
  readonly source_files: readonly { name: string }[];
}

const ALEX = 'AlexW@contoso.onmicrosoft.com';
const MEGAN = 'MeganB@contoso.onmicrosoft.com';
const SIM_SEED = 5;
const SIM_ASSETS = 30;

describe('a replaced image of a review in Ziflow, end to end on the local host', () => {
  let running: TestHost;
  let host: LocalHost;
  let dir: string;
  let sharedCollectionId: string;

  const getJson = async <T>(url: string, init?: RequestInit): Promise<T> =>
    (await fetch(url, init)).json() as Promise<T>;
  const postJson = <T>(url: string, body: unknown): Promise<T> =>
    getJson<T>(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const proofs = async () =>
    (await getJson<{ proofs: SimProof[] }>(`${host.ziflowUrl ?? ''}/_sim/proofs`)).proofs;
  const stored = async (reviewId: string): Promise<Review> =>
    (await host.services.reviews.get(reviewId))?.review ?? expect.fail('the review is gone');
  /** The images of the rule's shared gallery "Approved for use" (one such gallery). */
  const publishedImages = async (): Promise<string[]> => {
    const library = await getJson<{
      galleries: { id: string; name: string; collectionIds: string[] }[];
    }>(`${host.simulatorUrl ?? ''}/_sim/library`);
    const published = library.galleries.filter(
      (g) => g.name === 'Approved for use' && g.collectionIds.includes(sharedCollectionId),
    );
    expect(published).toHaveLength(1);
    const held = await getJson<{ images: { imageId: string }[] }>(
      `${host.simulatorUrl ?? ''}/_sim/galleries/${published[0]?.id ?? ''}/images`,
    );
    return held.images.map((i) => i.imageId);
  };
  const until = async (what: string, ok: () => Promise<boolean>) => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect.fail(`waited in vain for ${what}`);
  };
  const taskDescriptions = async (): Promise<string[]> => {
    const state = await getJson<{
      plans: { tasks: { details?: { description?: string } }[] }[];
    }>(`${host.graphUrl ?? ''}/_sim/state`);
    return (state.plans[0]?.tasks ?? []).map((t) => t.details?.description ?? '');
  };
  const cardTexts = async (): Promise<string[]> => {
    const seed = await getJson<{ photoReviewsChannel: { id: string } }>(
      `${host.teamsUrl ?? ''}/_sim/seed`,
    );
    const detail = await getJson<{
      activities: {
        direction: string;
        latest: { attachments?: { content: unknown }[] } | null;
      }[];
    }>(
      `${host.teamsUrl ?? ''}/_sim/conversations/${encodeURIComponent(seed.photoReviewsChannel.id)}`,
    );
    return detail.activities
      .filter((a) => a.direction === 'fromBot' && (a.latest?.attachments?.length ?? 0) > 0)
      .map((a) => JSON.stringify(a.latest?.attachments?.[0]?.content));
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lightdesk-ziflow-versions-'));
    const rules = JSON.parse(await readFile('config/routing-rules.json', 'utf8')) as {
      rules: { name: string; review?: string; ziflow?: unknown }[];
    };
    // The host's library, seeded alike, names the shared collection approved images go to.
    const seeded = new FakePhotoShelterServer({ seed: SIM_SEED, assets: SIM_ASSETS });
    await seeded.start(0);
    const shared = seeded.library().collections.find((c) => c.name === 'Brand Assets');
    await seeded.stop();
    sharedCollectionId = shared?.id ?? expect.fail('no shared collection in the library');
    for (const rule of rules.rules) {
      if (rule.name === 'Athletics') {
        rule.review = 'both';
        rule.ziflow = {
          stages: [{ name: 'Creative' }],
          publishTo: { collectionId: sharedCollectionId, galleryName: 'Approved for use' },
        };
      }
    }
    const rulesFile = join(dir, 'rules.json');
    await writeFile(rulesFile, JSON.stringify(rules));
    running = await startTestHost({
      ROUTING_RULES_FILE: rulesFile,
      SIM_SEED: String(SIM_SEED),
      SIM_ASSETS: String(SIM_ASSETS),
    });
    host = running.host;
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('adds version 2 to the proof and opens the review again, once', async () => {
    await host.poll();
    const [gallery] = await galleriesUnder(host, 'Athletics');
    const imageId = await upload(host, gallery?.id ?? '');
    await settle(host);
    const [first, ...others] = await proofs();
    expect(others).toEqual([]);
    const [listed] = await host.services.reviews.list({ limit: 10 });
    const reviewId = listed?.review.id ?? expect.fail('no review opened');
    await until('the proof to be processed', async () =>
      (await proofs()).every((p) => p.status !== 'uploading'),
    );

    // Alex asks for changes in Ziflow: the review waits for new files.
    await postJson(`${host.ziflowUrl ?? ''}/_sim/decide`, {
      email: ALEX,
      proofId: first?.id,
      decision: 'changes_required',
    });
    await until('the re-review from Ziflow', async () => {
      await settle(host, 2_000);
      return (await stored(reviewId)).status === 'rereview';
    });

    // The photographer replaces the image in PhotoShelter; the poll sees it.
    await postJson(`${host.simulatorUrl ?? ''}/_sim/replace`, { imageId });
    await settle(host);

    const chain = await proofs();
    expect(chain).toHaveLength(2);
    const second = chain.find((p) => p.version === 2) ?? expect.fail('no version 2');
    expect(second.version_previous_id).toBe(first?.id);
    expect(second.source_files).toHaveLength(1);
    const reopened = await stored(reviewId);
    expect(reopened).toMatchObject({
      status: 'pending',
      round: 2,
      proof: { proofId: second.id, versionIds: [first?.id, second.id] },
    });
    expect(reopened.closedAt).toBeUndefined();
    // Round 1's decision stays in the history.
    expect(reopened.decisions).toMatchObject([{ verb: 'rereview', source: 'ziflow', round: 1 }]);
    // No second review of the gallery.
    expect(await host.services.reviews.listOfGallery(gallery?.id ?? '')).toHaveLength(1);
    // The Planner task and the Teams card show version 2.
    expect(await taskDescriptions()).toEqual([expect.stringContaining('Ziflow proof (version 2)')]);
    const cards = (await cardTexts()).filter((c) => c.includes(reviewId));
    expect(cards).toEqual([expect.stringContaining('Ziflow proof, version 2')]);

    // The same replace delivered again (a queue redelivery) makes no third version.
    const seen = (await host.services.audit.recent(200)).find((e) => e.kind === 'asset.replaced');
    const meta = await host.services.archive.getAssetMetadata(imageId);
    const file = {
      fileName: meta.fileName,
      fileSize: meta.fileSize,
      width: meta.width,
      height: meta.height,
    };
    await host.services.queue.enqueue({
      type: 'asset.replaced',
      id: String(seen?.data['eventId'] ?? expect.fail('the replace was not recorded')),
      galleryId: gallery?.id ?? '',
      assetId: imageId,
      file,
      previousFile: file,
      detectedAt: new Date().toISOString(),
      occurredAt: meta.modifiedAt,
    });
    await settle(host);
    expect(await proofs()).toHaveLength(2);
    expect((await stored(reviewId)).proof?.versionIds).toHaveLength(2);
  }, 120_000);
  it("leaves PhotoShelter's original alone when Lightdesk's own version is approved: fields and publish, once", async () => {
    const [, gallery] = await galleriesUnder(host, 'Athletics');
    const galleryId = gallery?.id ?? expect.fail('a second Athletics gallery');
    const imageId = await upload(host, galleryId);
    await settle(host);
    const reviewId =
      (await host.services.reviews.listOfGallery(galleryId))[0]?.review.id ??
      expect.fail('no review opened');
    const proofId = (await stored(reviewId)).proof?.proofId ?? expect.fail('no proof');
    await until('the proof to be processed', async () =>
      (await proofs()).every((p) => p.status !== 'uploading'),
    );
    const original = async () =>
      Buffer.from(
        await (
          await fetch(`${host.simulatorUrl ?? ''}/_sim/images/${imageId}/original`)
        ).arrayBuffer(),
      );
    const before = await original();
    const metaBefore = await host.services.archive.getAssetMetadata(imageId);

    await postJson(`${host.ziflowUrl ?? ''}/_sim/decide`, {
      email: ALEX,
      proofId,
      decision: 'approved',
    });
    await until('the approval from Ziflow', async () => {
      await settle(host, 2_000);
      return (await stored(reviewId)).status === 'approved';
    });
    await settle(host);
    await settle(host);

    // PhotoShelter's original is the photographer's file still, not Ziflow's display rendition.
    expect(await original()).toEqual(before);
    const metaAfter = await host.services.archive.getAssetMetadata(imageId);
    expect([metaAfter.fileName, metaAfter.fileSize]).toEqual([
      metaBefore.fileName,
      metaBefore.fileSize,
    ]);
    // The decision is in the asset's workflow fields.
    const image = await getJson<{ instructions: string }>(
      `${host.simulatorUrl ?? ''}/_sim/images/${imageId}`,
    );
    expect(image.instructions).toContain('approved for use');
    expect(image.instructions).toContain('Alex Wilber');
    // Published once into the rule's shared collection.
    expect(await publishedImages()).toEqual([imageId]);
    // No replace in PhotoShelter, and each effect once.
    const trail = await host.services.audit.recent(500);
    expect(trail.filter((e) => e.subject === `${galleryId}/${imageId}`).map((e) => e.kind)).toEqual(
      ['asset.uploaded'],
    );
    const kinds = trail.filter((e) => e.subject === reviewId).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'photoshelter.final.written')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'photoshelter.published')).toHaveLength(1);
    expect(await stored(reviewId)).toMatchObject({
      status: 'approved',
      proof: { versionIds: [proofId] },
    });
    expect((await stored(reviewId)).proof?.finals).toBeUndefined();
    expect(await host.services.reviews.listOfGallery(galleryId)).toHaveLength(1);
  }, 120_000);

  it("adopts a person's version made in Ziflow, writes its approved file back, and chains the next version onto it", async () => {
    // The review of the first test: pending on Lightdesk's version 2.
    const [gallery] = await galleriesUnder(host, 'Athletics');
    const galleryId = gallery?.id ?? expect.fail('the first Athletics gallery');
    const review =
      (await host.services.reviews.listOfGallery(galleryId))[0]?.review ?? expect.fail('no review');
    const reviewId = review.id;
    const imageId = review.assets[0]?.assetId ?? expect.fail('no image');
    const second = review.proof?.proofId ?? expect.fail('no proof');

    // Megan, a retoucher, uploads version 3 in Ziflow's web app; its webhook reaches Lightdesk.
    const retouched = (
      await (
        await fetch(`${host.simulatorUrl ?? ''}/_sim/images/${imageId}/original`)
      ).arrayBuffer()
    ).slice(0, 4096);
    const bytes = Buffer.concat([Buffer.from(retouched), Buffer.from('retouched by Megan')]);
    const made = await postJson<{ id: string }>(`${host.ziflowUrl ?? ''}/_sim/versions`, {
      proofId: second,
      email: MEGAN,
      files: [{ name: 'IMG_retouched.jpg', contentBase64: bytes.toString('base64') }],
    });
    await until('the version to be adopted', async () => {
      await settle(host, 2_000);
      return (await stored(reviewId)).proof?.proofId === made.id;
    });
    await settle(host);
    const adopted = await stored(reviewId);
    expect(adopted.proof?.versionIds).toHaveLength(3);
    expect(adopted.proof?.ownVersionIds).not.toContain(made.id);
    // The card and the Planner task show version 3.
    const cards = (await cardTexts()).filter((c) => c.includes(reviewId));
    expect(cards).toEqual([expect.stringContaining('Ziflow proof, version 3')]);
    expect(await taskDescriptions()).toContainEqual(
      expect.stringContaining('Ziflow proof (version 3)'),
    );
    // The proof's history, versions included, is on the audit trail (GET /api/v1/activity).
    const activity = (await (await fetch(`${host.url}/api/v1/activity?limit=200`)).json()) as {
      entries: { kind: string; subject: string; data: { version?: number } }[];
    };
    const versions = activity.entries
      .filter((e) => e.subject === reviewId && e.kind.startsWith('ziflow.version'))
      .map((e) => e.kind);
    expect(versions).toEqual(['ziflow.version.adopted', 'ziflow.version.created']);

    // Alex approves version 3 in Ziflow: the decision counts, and Megan's file becomes the original.
    await postJson(`${host.ziflowUrl ?? ''}/_sim/decide`, {
      email: ALEX,
      proofId: made.id,
      decision: 'approved',
    });
    await until('the approval from Ziflow', async () => {
      await settle(host, 2_000);
      return (await stored(reviewId)).status === 'approved';
    });
    await settle(host);
    await settle(host);
    const original = await fetch(`${host.simulatorUrl ?? ''}/_sim/images/${imageId}/original`);
    expect(Buffer.from(await original.arrayBuffer())).toEqual(bytes);
    const meta = await host.services.archive.getAssetMetadata(imageId);
    expect([meta.fileName, meta.fileSize]).toEqual(['IMG_retouched.jpg', bytes.length]);
    const image = await getJson<{ instructions: string }>(
      `${host.simulatorUrl ?? ''}/_sim/images/${imageId}`,
    );
    expect(image.instructions).toContain('approved for use');
    expect(await publishedImages()).toContain(imageId);
    let kinds = (await host.services.audit.recent(500))
      .filter((e) => e.subject === reviewId)
      .map((e) => e.kind);
    expect(kinds.filter((k) => k === 'photoshelter.final.written')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'photoshelter.published')).toHaveLength(1);
    // The written file's echo from PhotoShelter made no version.
    expect((await stored(reviewId)).proof?.versionIds).toHaveLength(3);

    // The photographer replaces the image again: version 4 chains onto Megan's version.
    await postJson(`${host.simulatorUrl ?? ''}/_sim/replace`, { imageId });
    await settle(host);
    await settle(host);
    const fourth = (await proofs()).find((p) => p.version === 4) ?? expect.fail('no version 4');
    expect(fourth.version_previous_id).toBe(made.id);
    expect(await stored(reviewId)).toMatchObject({
      status: 'pending',
      proof: { proofId: fourth.id, versionIds: [expect.any(String), second, made.id, fourth.id] },
    });
    kinds = (await host.services.audit.recent(500))
      .filter((e) => e.subject === reviewId)
      .map((e) => e.kind);
    expect(kinds.filter((k) => k === 'ziflow.version.created')).toHaveLength(2);
  }, 180_000);
});
