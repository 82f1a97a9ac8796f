import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LocalHost } from '../../composition/local-host.js';
import { hasChromium, launchChromium } from '../support/chromium.js';
import { galleriesUnder, settle, upload } from '../support/demo-driver.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

// The console as a person uses it in a browser (`npm start` → http://localhost:7071/): the Teams
// chat pane, the Planner board and the library pane, with their every-3-seconds refresh.

/** Longer than the console's refresh period (3 s), so at least one refresh runs in between. */
const PAST_A_REFRESH_MS = 4_000;

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
    });

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
  },
);
