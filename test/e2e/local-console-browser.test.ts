import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LocalHost } from '../../composition/local-host.js';
import { SEEDED_FOLDERS } from '../../simulators/preservica/store.js';
import { DEFAULT_USERS } from '../../simulators/preservica/tokens.js';
import { type PackageAsset, writePackage } from '../integration/simulators/preservica/support.js';
import { hasChromium, launchChromium } from '../support/chromium.js';
import { galleriesUnder, settle, upload } from '../support/demo-driver.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

// The console as a person uses it in a browser (`npm start` → http://localhost:7071/): the Teams
// chat pane, the Planner board, the library pane, the Ziflow proofs and what Preservica keeps, with
// their every-3-seconds refresh.

/** Longer than the console's refresh period (3 s), so at least one refresh runs in between. */
const PAST_A_REFRESH_MS = 4_000;

interface SimProof {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly public_link: string;
}

const MEGAN = 'MeganB@contoso.onmicrosoft.com';
const DC = 'http://purl.org/dc/elements/1.1/';

interface LibraryGallery {
  readonly id: string;
  readonly imageCount: number;
  readonly thumbnails: readonly { imageId: string }[];
}

describe.skipIf(!hasChromium() && process.env.CI !== 'true')(
  'the local console in a browser',
  () => {
    let running: TestHost;
    let host: LocalHost;
    let browser: Awaited<ReturnType<typeof launchChromium>>;
    let page: Page;
    let uploadedId: string;

    const library = async (): Promise<LibraryGallery[]> =>
      (
        (await (await fetch(`${host.simulatorUrl}/_sim/library`)).json()) as {
          galleries: LibraryGallery[];
        }
      ).galleries;

    const openPane = (pane: string) => page.locator(`nav.tabs button[data-pane="${pane}"]`).click();

    /** Picks the acting user whose option matches `label`, as a person would. */
    const actAs = async (label: RegExp) => {
      const options = await page
        .locator('#acting-user option')
        .evaluateAll((all) =>
          all.map((o) => ({ label: o.textContent ?? '', value: o.getAttribute('value') ?? '' })),
        );
      const option = options.find((o) => label.test(o.label));
      expect(option, `an acting user ${label.source}`).toBeDefined();
      await page.locator('#acting-user').selectOption(option?.value ?? '');
    };

    let cardActivityId: string | undefined;
    /** The review card's bubble in the "Photo reviews" channel (found by its buttons once). */
    const cardBubble = async () => {
      cardActivityId ??=
        (await page
          .locator('#chat .bubble')
          .filter({ has: page.locator('button', { hasText: 'Approve' }) })
          .last()
          .getAttribute('data-activity-id')) ?? '';
      return page.locator(`#chat .bubble[data-activity-id="${cardActivityId}"]`);
    };

    beforeAll(async () => {
      running = await startTestHost({ SIM_ASSETS: '120' });
      host = running.host;
      await host.poll();
      const [gallery] = await galleriesUnder(host, 'Athletics');
      uploadedId = await upload(host, gallery?.id ?? '');
      await settle(host);
      browser = await launchChromium();
      page = await browser.context.newPage();
      await page.goto(host.url);
      await page.locator('#library .gallery').first().waitFor();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await running?.stop();
      if (packages !== undefined) await rm(packages, { recursive: true, force: true });
    });

    let packages: string | undefined;
    /** Sends `asset` to the Preservica simulator as a one-asset package, as its clients upload. */
    const preserve = async (asset: PackageAsset): Promise<string> => {
      const base = host.preservicaUrl ?? '';
      const [manager] = DEFAULT_USERS;
      const login = await fetch(`${base}/api/accesstoken/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          username: manager?.username ?? '',
          password: manager?.password ?? '',
          tenant: 'LIGHTDESK',
        }),
      });
      const { token } = (await login.json()) as { token: string };
      packages ??= await mkdtemp(join(tmpdir(), 'lightdesk-console-pv-'));
      const zip = await readFile(await writePackage(packages, [asset]));
      const put = await fetch(`${base}/api/s3/buckets/lightdesk.package.upload/${asset.ref}.zip`, {
        method: 'PUT',
        headers: {
          authorization: `AWS4-HMAC-SHA256 Credential=${token}/20261203/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00`,
          'x-amz-meta-structuralobjectreference': SEEDED_FOLDERS.approved,
        },
        body: new Uint8Array(zip),
      });
      expect(put.status).toBe(200);
      return put.headers.get('preservica-progress-token') ?? '';
    };

    it('names personal chats after the person, not "undefined"', async () => {
      await openPane('teams');
      const names = await page
        .locator('#conversation option')
        .evaluateAll((options) => options.map((o) => o.textContent ?? ''));
      expect(names).toContain('Personal chat with Adele Vance');
      expect(names.join('\n')).not.toMatch(/undefined/);
    });

    it('lets someone who is not a reviewer press a card button and shows them the read-only card', async () => {
      await openPane('teams');
      await actAs(/not a reviewer/);
      await (await cardBubble()).locator('button', { hasText: 'Approve' }).click();
      await expect
        .poll(async () => (await cardBubble()).textContent(), { timeout: 10_000 })
        .toContain('Only assigned reviewers can decide');
      expect(await (await cardBubble()).locator('.meta').textContent()).toContain('your view');
    });

    it('keeps a Re-review comment being typed through the refresh', async () => {
      await openPane('teams');
      await actAs(/^Adele Vance$/);
      await (await cardBubble()).locator('button', { hasText: 'Re-review' }).click();
      const comment = (await cardBubble()).getByPlaceholder('Tell the photographer what to change');
      await comment.fill('The horizon is tilted');
      await page.waitForTimeout(PAST_A_REFRESH_MS);
      expect(await comment.inputValue()).toBe('The horizon is tilted');
      await expect.poll(() => comment.evaluate((e) => e === document.activeElement)).toBe(true);
    });

    it('says what the Teams simulator answered when it refuses a press', async () => {
      await openPane('teams');
      await actAs(/^Adele Vance$/);
      const bubble = await cardBubble();
      const before = await page.locator('#conversation').inputValue();
      // A conversation the simulator does not know (deleted since the page loaded): a real refusal.
      await page.locator('#conversation').evaluate((select) => {
        const element = select as HTMLSelectElement;
        element.append(new Option('Gone', '19:gone@thread.tacv2'));
        element.value = '19:gone@thread.tacv2';
      });
      await bubble.locator('button', { hasText: 'Approve' }).click();
      await expect
        .poll(() => page.locator('#toast').textContent(), { timeout: 10_000 })
        .toMatch(/^Teams simulator answered 404: .*19:gone@thread\.tacv2/);
      await page.locator('#conversation').selectOption(before);
    });

    it('keeps the "Move to…" dropdown in use through the refresh', async () => {
      await openPane('planner');
      const move = page.locator('#board .task select').first();
      await move.waitFor();
      await move.focus();
      await page.waitForTimeout(PAST_A_REFRESH_MS);
      expect(
        await page.evaluate(() => document.activeElement?.closest('#board .task') !== null),
      ).toBe(true);
    });

    it("shows each image's review status, and an upload to a gallery of more than 12 images", async () => {
      await openPane('library');
      const uploaded = page.locator(`#library .thumb[data-image-id="${uploadedId}"] .status`);
      await expect.poll(() => uploaded.textContent(), { timeout: 10_000 }).toBe('pending review');

      const big = (await library()).find((g) => g.imageCount > 12);
      expect(big).toBeDefined();
      const gallery = page.locator(`#library .gallery[data-gallery-id="${big?.id ?? ''}"]`);
      await gallery.locator('button', { hasText: 'Upload image' }).click();
      await expect
        .poll(async () => (await library()).find((g) => g.id === big?.id)?.imageCount)
        .toBe((big?.imageCount ?? 0) + 1);
      const after = (await library()).find((g) => g.id === big?.id);
      const newest = after?.thumbnails.at(-1)?.imageId ?? '';
      await expect
        .poll(() => gallery.locator(`.thumb[data-image-id="${newest}"]`).count(), {
          timeout: 10_000,
        })
        .toBe(1);
    });

    it('shows an @mention in a message as the name', async () => {
      await openPane('teams');
      await actAs(/^Adele Vance$/);
      const conversation = page.locator('#conversation');
      const personal = await conversation
        .locator('option', { hasText: 'Personal chat with Adele Vance' })
        .getAttribute('value');
      await conversation.selectOption(personal ?? '');
      await page.locator('#say').fill('help');
      await page.locator('#send').click();
      const sent = page.locator('#chat .bubble', { hasText: 'Adele Vance' }).first();
      await expect.poll(() => sent.locator('.mention').textContent()).toBe('@Lightdesk');
      expect(await sent.textContent()).not.toContain('<at>');
    });

    it('says so in the proofs and preserved panes when Ziflow and Preservica are real', async () => {
      // The settings of a host with ZIFLOW_API_KEY and PRESERVICA_BASE_URL set (no simulators).
      const real = await browser.context.newPage();
      await real.route('**/console/settings.json', async (route) => {
        const answer = await route.fetch();
        const settings = (await answer.json()) as Record<string, unknown>;
        await route.fulfill({
          response: answer,
          json: { ...settings, ziflowUrl: null, preservicaUrl: null },
        });
      });
      await real.goto(host.url);
      await real.locator('nav.tabs button[data-pane="proofs"]').click();
      await expect
        .poll(() => real.locator('#proofs').textContent())
        .toMatch(/^Ziflow is not simulated here/);
      await real.locator('nav.tabs button[data-pane="preserved"]').click();
      expect(await real.locator('#preserved').textContent()).toMatch(
        /^Preservica is not simulated here/,
      );
      expect(await real.locator('#fail-next-ingest').isDisabled()).toBe(true);
      await real.close();
    });

    it('shows a Ziflow proof and lets a seeded reviewer comment and decide there, which the review follows', async () => {
      // The demo rules review Brand Assets in Teams and Ziflow (config/routing-rules.json).
      const [brand] = await galleriesUnder(host, 'Brand Assets');
      await upload(host, brand?.id ?? '');
      await settle(host);
      const proofs = async () =>
        (
          (await (await fetch(`${host.ziflowUrl ?? ''}/_sim/proofs`)).json()) as {
            proofs: SimProof[];
          }
        ).proofs;
      await expect
        .poll(async () => (await proofs()).filter((p) => p.status !== 'uploading').length, {
          timeout: 15_000,
        })
        .toBe(1);
      const [proof] = await proofs();
      const review = (await host.services.reviews.list({ limit: 20 }))
        .map((s) => s.review)
        .find((r) => r.proof?.proofId === proof?.id);
      expect(review).toBeDefined();

      await openPane('proofs');
      const card = page.locator(`#proofs .proof[data-proof-id="${proof?.id ?? ''}"]`);
      await expect.poll(() => card.textContent(), { timeout: 10_000 }).toContain('Brand review');
      const text = (await card.textContent()) ?? '';
      expect(text).toContain(proof?.name ?? '?');
      expect(proof?.name).toContain(review?.id ?? '?');
      expect(text).toContain('version 1');
      expect(text).toContain('0 comment(s)');
      expect(await card.locator('a', { hasText: 'Open proof' }).getAttribute('href')).toBe(
        proof?.public_link,
      );
      const megan = card.locator(`tr[data-reviewer="${MEGAN}"] .decision`);
      expect(await megan.textContent()).toBe('waiting');

      // Alex is no reviewer of this proof: the console says what the simulator answered.
      await page.locator('#ziflow-reviewer').selectOption('AlexW@contoso.onmicrosoft.com');
      await card.locator('button', { hasText: 'Approve' }).click();
      await expect
        .poll(() => page.locator('#toast').textContent())
        .toBe('Failed: 403 AlexW@contoso.onmicrosoft.com may not make decisions on this proof.');
      await page.locator('#ziflow-reviewer').selectOption(MEGAN);
      await card.getByPlaceholder('Comment as the reviewer').fill('Logo too close to the edge');
      await card.locator('button', { hasText: 'Comment' }).click();
      await expect
        .poll(() => card.locator('.comments-count').textContent(), { timeout: 10_000 })
        .toBe('1 comment(s)');
      expect(await card.textContent()).toContain(`${MEGAN}: Logo too close to the edge`);
      await card.locator('button', { hasText: 'Changes required' }).click();
      await expect
        .poll(() => megan.textContent(), { timeout: 10_000 })
        .toMatch(/^Changes required /);
      // Ziflow's signed webhook reaches the host; the review records Megan's decision from Ziflow.
      await expect
        .poll(
          async () => {
            await settle(host, 2_000);
            return (await host.services.reviews.get(review?.id ?? ''))?.review.decisions;
          },
          { timeout: 20_000 },
        )
        .toContainEqual(expect.objectContaining({ reviewerName: 'Megan Bowen', source: 'ziflow' }));
    }, 60_000);

    it('shows what Preservica keeps and its ingests, and fails or finishes ingests from its buttons', async () => {
      // Ingests wait for the button: an hour pending on the simulator's clock.
      await fetch(`${host.preservicaUrl ?? ''}/_sim/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pendingMs: 3_600_000 }),
      });
      const ref = '5f2b8c1e-2222-4a6b-8c9d-0000000000a1';
      const token = await preserve({
        ref,
        title: 'Relay final <b>bold</b>',
        identifiers: [{ type: 'photoshelter-asset', value: uploadedId }],
        metadata: [
          {
            schemaUri: DC,
            xml: `<dc:dc xmlns:dc="${DC}"><dc:creator>Adele Vance</dc:creator></dc:dc>`,
          },
        ],
        files: [{ name: 'relay.jpg', bytes: Buffer.alloc(2048, 7) }],
      });
      await openPane('preserved');
      const ingest = page.locator(`#ingests .ingest[data-token="${token}"]`);
      await expect.poll(() => ingest.textContent(), { timeout: 10_000 }).toContain('PENDING');
      expect(await ingest.textContent()).toContain('0% · Queued');

      await page.locator('#complete-ingests').click();
      await expect.poll(() => ingest.textContent(), { timeout: 10_000 }).toContain('COMPLETED');
      expect(await ingest.textContent()).toContain('100% · Complete');
      const asset = page.locator(`#preserved .asset[data-ref="${ref}"]`);
      await asset.waitFor();
      // Titles are text, never markup.
      expect(await asset.locator('strong').textContent()).toBe('Relay final <b>bold</b>');
      const rows = await asset
        .locator('tr')
        .evaluateAll((all) =>
          all.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent ?? '')),
        );
      expect(rows).toContainEqual(['photoshelter-asset', uploadedId]);
      expect(rows).toContainEqual(['creator', 'Adele Vance']);
      expect(rows).toContainEqual([
        'Preservation relay.jpg',
        expect.stringMatching(/^2\.0 KB · SHA-256 [0-9a-f]{12}…$/),
      ]);
      const heading = await asset.locator('.title').textContent();
      expect(heading).toContain('security tag open');
      expect(heading).toContain(ref);
      // It sits in the tree under its folder: Lightdesk / Approved.
      const tree = await page
        .locator('#preserved > *')
        .evaluateAll((all) => all.map((n) => n.getAttribute('data-ref')));
      expect(tree.indexOf(ref)).toBeGreaterThan(tree.indexOf(SEEDED_FOLDERS.approved));
      expect(tree.indexOf(SEEDED_FOLDERS.approved)).toBeGreaterThan(
        tree.indexOf(SEEDED_FOLDERS.lightdesk),
      );

      await page.locator('#fail-reason').fill('Workflow suspended by the archivist');
      await page.locator('#fail-next-ingest').click();
      await expect
        .poll(() => page.locator('#toast').textContent())
        .toBe('The next ingest fails: Workflow suspended by the archivist');
      const failing = await preserve({
        ref: '5f2b8c1e-2222-4a6b-8c9d-0000000000a2',
        title: 'Never kept',
        files: [{ name: 'never.jpg', bytes: Buffer.from('never') }],
      });
      await page.locator('#complete-ingests').click();
      const failed = page.locator(`#ingests .ingest[data-token="${failing}"]`);
      await expect.poll(() => failed.textContent(), { timeout: 10_000 }).toContain('FAILED');
      expect(await failed.locator('.pane-error').textContent()).toBe(
        'Workflow suspended by the archivist',
      );
      expect(await failed.locator('.messages .Error').count()).toBeGreaterThan(0);
    }, 60_000);
  },
);
