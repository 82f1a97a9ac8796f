import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type LocalHost, startLocalHost } from '../../composition/local-host.js';
import { RecordingLogger } from '../doubles/recording-logger.js';
import { hasChromium, launchChromium } from '../support/chromium.js';
import { galleriesUnder, settle, upload } from '../support/demo-driver.js';

// The review-queue tab in headless Debian Chromium against the local host: development sign-in (the
// tab outside Teams), the queue, its filters, a followed gallery link and a screenshot.

const ADELE = 'fd1c0001-f855-4ced-a457-a855155daca6'; // reviewer of the Athletics rule
const ADELE_UPN = 'AdeleV@contoso.onmicrosoft.com';

// CI installs Chromium (.ci/run), so there a missing browser is a failure, not a skip.
const runs = hasChromium() || process.env.CI === 'true';

describe.skipIf(!runs)('review queue tab in Chromium', () => {
  let host: LocalHost;
  let dataDir: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const logger = new RecordingLogger();
  const galleries: { id: string; name: string }[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-tab-'));
    host = await startLocalHost(
      { PORT: '0', SIM_ASSETS: '80', SIM_SEED: '5', LIGHTDESK_DATA_DIR: dataDir },
      { inMemoryStorage: true, runTriggers: false, logger },
    );
    await host.poll(); // baseline
    galleries.push(...(await galleriesUnder(host, 'Athletics')).slice(0, 2));
    for (const gallery of galleries) await upload(host, gallery.id);
    await settle(host);
    // Decide the second gallery's review, so the queue has one open and one decided review.
    const { reviews } = (await (await fetch(`${host.url}/api/v1/reviews`)).json()) as {
      reviews: { id: string; galleryId: string }[];
    };
    const second = reviews.find((r) => r.galleryId === galleries[1]?.id);
    const decided = await fetch(`${host.url}/api/v1/reviews/${second?.id ?? ''}/decisions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reviewerId: ADELE, verb: 'approve' }),
    });
    expect(decided.status).toBe(201);
    await settle(host);
    browser = await launchChromium();
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('signs in outside Teams with a development token and lists the open review', async () => {
    await page.goto(`${host.url}/api/tab/`);
    await page.locator('#signin').waitFor({ state: 'visible' });
    // The picker offers the people the routing rules name.
    const offered = await page
      .locator('#signin-users option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toContain(ADELE_UPN);
    await page.fill('#signin-user', ADELE_UPN);
    await page.click('#signin button[type=submit]');

    await expect.poll(() => page.locator('#who').textContent()).toContain('Adele Vance');
    const open = page.locator('.review');
    await expect.poll(() => open.count()).toBe(1);
    expect(await open.locator('h2').textContent()).toBe(galleries[0]?.name);
    expect(await page.locator('[data-count="open"]').textContent()).toBe('(1)');
    expect(await page.locator('[data-count="decided"]').textContent()).toBe('(1)');
    // The reviewers of the Athletics rule, neither has voted yet; the Planner task is linked.
    const votes = await open.locator('.votes li').allTextContents();
    expect(votes).toContain('Adele Vance: no vote yet');
    const taskLink = await open.getByRole('link', { name: 'Planner task' }).getAttribute('href');
    expect(taskLink).toMatch(/^https:\/\/planner\.cloud\.microsoft\/webui\/plan\//);
    // Thumbnails are real images the PhotoShelter simulator serves.
    const thumbnail = open.locator('.thumbs img').first();
    await expect
      .poll(() => thumbnail.evaluate((img) => (img as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
  });

  it('switches to decided reviews and shows the vote that closed it', async () => {
    await page.getByRole('tab', { name: /Decided/ }).click();
    await expect
      .poll(() => page.locator('.review h2').allTextContents())
      .toEqual([galleries[1]?.name]);
    expect(await page.locator('.review .badge').first().textContent()).toBe('approved');
    // Decided through the API (below): the tab says so.
    expect(await page.locator('.review .votes li').allTextContents()).toContain(
      'Adele Vance: approved via the API',
    );
  });

  it('filters by text and by "only mine", and says when nothing matches', async () => {
    await page.getByRole('tab', { name: /^All/ }).click();
    await expect.poll(() => page.locator('.review').count()).toBe(2);
    await page.fill('#search', 'no gallery is called this');
    await expect.poll(() => page.locator('#status').textContent()).toBe('No reviews here.');
    await page.fill('#search', (galleries[0]?.name ?? '').slice(0, 12));
    await expect.poll(() => page.locator('.review').count()).toBeGreaterThanOrEqual(1);
    await page.fill('#search', '');
    await page.check('#mine');
    // Adele reviews Athletics: both reviews stay.
    await expect.poll(() => page.locator('.review').count()).toBe(2);
  });

  it('opens the gallery link in a new window at PhotoShelter', async () => {
    const link = page.locator('.review').first().getByRole('link', { name: 'Open gallery' });
    const href = await link.getAttribute('href');
    const [popup] = await Promise.all([page.waitForEvent('popup'), link.click()]);
    await popup.waitForLoadState('domcontentloaded');
    expect(popup.url()).toBe(href);
    expect(await popup.locator('h1').textContent()).toBeTruthy();
    await popup.close();
  });

  it('follows the dark theme and takes a screenshot', async () => {
    await page.goto(`${host.url}/api/tab/?theme=dark`);
    await expect.poll(() => page.locator('.review').count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.body.className)).toBe('theme-dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(31, 31, 31)');
    const file = join(dataDir, 'tab.png');
    await page.screenshot({ path: file, fullPage: true });
    const png = PNG.sync.read(await readFile(file));
    expect(png.width).toBe(1100);
    expect(png.height).toBeGreaterThanOrEqual(800);
  });

  it('highlights the review a Planner task links to', async () => {
    const { reviews } = (await (await fetch(`${host.url}/api/v1/reviews`)).json()) as {
      reviews: { id: string; galleryId: string }[];
    };
    const target = reviews.find((r) => r.galleryId === galleries[0]?.id);
    await page.goto(`${host.url}/api/tab/?review=${encodeURIComponent(target?.id ?? '')}`);
    await expect
      .poll(() => page.locator('.review.highlight h2').textContent())
      .toBe(galleries[0]?.name);
  });

  it('asks for sign-in again when the development token is refused', async () => {
    await page.evaluate(() => sessionStorage.setItem('lightdesk.devToken', 'not.a.token'));
    await page.goto(`${host.url}/api/tab/`);
    await page.locator('#signin').waitFor({ state: 'visible' });
    await page.fill('#signin-user', 'nobody@contoso.onmicrosoft.com');
    await page.click('#signin button[type=submit]');
    await expect
      .poll(() => page.locator('#signin-error').textContent())
      .toMatch(/not found|nobody/i);
  });
});
