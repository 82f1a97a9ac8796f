import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type LocalHost, startLocalHost } from '../../composition/local-host.js';
import { RecordingLogger } from '../doubles/recording-logger.js';
import { hasChromium, launchChromium } from '../support/chromium.js';
import { galleriesUnder, settle, upload } from '../support/demo-driver.js';
import { EntraOpenIdServer } from '../support/entra-openid-server.js';

// The tab inside a Teams-like host: the page is framed by a host page at https://teams.microsoft.com
// (an origin teams-js trusts) that answers teams-js's postMessage calls the way Teams does —
// initialize, getContext (dark theme) and authentication.getAuthToken with an Entra-signed SSO token.
// Both origins are https in the browser; Playwright routes them to the host page and the local host.

const CLIENT_ID = '3f2b8c1e-7a4d-4e6f-9b0a-5c1d2e3f4a5b';
const TAB_ORIGIN = 'https://lightdesk.test';
const adele = { oid: 'fd1c0001-f855-4ced-a457-a855155daca6', name: 'Adele Vance' };

const hostPage = (tabUrl: string, token: string) => `<!doctype html><html><body>
<iframe id="tab" src="${tabUrl}" style="width:1000px;height:700px;border:0"></iframe>
<script>
  window.calls = [];
  window.ssoToken = ${JSON.stringify(token)};
  window.addEventListener('message', (event) => {
    const message = event.data;
    if (!message || typeof message.func !== 'string') return;
    window.calls.push(message.func);
    const reply = (args) =>
      event.source.postMessage({ id: message.id, uuidAsString: message.uuidAsString, args }, event.origin);
    if (message.func === 'initialize') reply(['content', 'web', undefined, '2.0.0']);
    else if (message.func === 'getContext')
      reply([{ theme: 'dark', locale: 'en-us', frameContext: 'content', hostClientType: 'web',
               entityId: 'lightdesk-review-queue', userObjectId: '${adele.oid}' }]);
    else if (message.func === 'authentication.getAuthToken') reply([window.ssoToken !== '', window.ssoToken || 'consent_required']);
  });
</script></body></html>`;

describe.skipIf(!hasChromium() && process.env.CI !== 'true')(
  'review queue tab inside Teams',
  () => {
    const entra = new EntraOpenIdServer();
    let host: LocalHost;
    let dataDir: string;
    let browser: Awaited<ReturnType<typeof launchChromium>>;
    let page: Page;
    let galleryName: string | undefined;

    beforeAll(async () => {
      await entra.start();
      dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-tab-teams-'));
      host = await startLocalHost(
        {
          PORT: '0',
          SIM_ASSETS: '60',
          SIM_SEED: '7',
          LIGHTDESK_DATA_DIR: dataDir,
          PUBLIC_BASE_URL: TAB_ORIGIN,
          TAB_SSO_CLIENT_ID: CLIENT_ID,
          TAB_SSO_TENANT_ID: entra.tenantId,
          ENTRA_OPENID_METADATA_URL: entra.metadataUrl,
        },
        { inMemoryStorage: true, runTriggers: false, logger: new RecordingLogger() },
      );
      await host.poll();
      const [gallery] = await galleriesUnder(host, 'Athletics');
      galleryName = gallery?.name;
      await upload(host, gallery?.id ?? '');
      await settle(host);

      browser = await launchChromium();
      const { context } = browser;
      await context.route('https://res.cdn.office.net/**', (route) => route.abort());
      // Two Teams "hosts": one hands out a token for Lightdesk, the other one for some other app.
      const tokens = {
        lightdesk: await entra.token(CLIENT_ID, { oid: adele.oid, name: adele.name }),
        other: await entra.token('5b0c2f9e-0000-4000-8000-00000000a11e', { oid: adele.oid }),
      };
      await context.route('https://teams.microsoft.com/**', (route) => {
        const which = route.request().url().endsWith('/other') ? 'other' : 'lightdesk';
        return route.fulfill({
          contentType: 'text/html',
          body: hostPage(`${TAB_ORIGIN}/api/tab/?inTeams=1`, tokens[which]),
        });
      });
      await context.route(`${TAB_ORIGIN}/**`, async (route) => {
        const url = route.request().url().replace(TAB_ORIGIN, host.url);
        route.fulfill({ response: await route.fetch({ url }) }).catch(() => undefined);
      });
      page = await context.newPage();
    });

    afterAll(async () => {
      await browser?.close();
      await host?.stop();
      await entra.stop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('signs in with the Teams SSO token, follows the Teams theme and lists the queue', async () => {
      await page.goto('https://teams.microsoft.com/l/entity/lightdesk');
      const tab = page.frameLocator('#tab');
      await expect
        .poll(() => tab.locator('#who').textContent(), { timeout: 15_000 })
        .toBe(adele.name);
      await expect.poll(() => tab.locator('.review h2').allTextContents()).toEqual([galleryName]);
      expect(await tab.locator('body').getAttribute('class')).toBe('theme-dark');
      // No development sign-in where an Entra app is configured.
      expect(await tab.locator('#signin').isHidden()).toBe(true);
      const calls = await page.evaluate(() => (window as unknown as { calls: string[] }).calls);
      expect(calls).toEqual(
        expect.arrayContaining(['initialize', 'getContext', 'authentication.getAuthToken']),
      );
    });

    it('says why when Teams hands over a token for another app, and lists nothing', async () => {
      await page.goto('https://teams.microsoft.com/l/entity/other');
      const tab = page.frameLocator('#tab');
      await expect
        .poll(() => tab.locator('#status').textContent(), { timeout: 15_000 })
        .toBe('The sign-in token is for another app');
      expect(await tab.locator('.review').count()).toBe(0);
    });
  },
);
