import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { startLocalHost } from '../composition/local-host.js';
import { hasChromium, launchChromium } from '../test/support/chromium.js';
import { galleriesUnder, settle, upload } from '../test/support/demo-driver.js';
import { RecordingLogger } from '../test/doubles/recording-logger.js';

// `npm run screenshots`: the README's pictures, taken from the real product on the embedded default —
// the review card in the console's Teams pane, the console, and the review-queue tab.

const out = resolve(process.argv[2] ?? 'docs/screenshots');

async function main(): Promise<void> {
  if (!hasChromium()) {
    console.error('Chromium is missing: apt-get install chromium (Debian) and run this again.');
    process.exitCode = 1;
    return;
  }
  await mkdir(out, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-shots-'));
  const host = await startLocalHost(
    {
      PORT: '0',
      SIM_ASSETS: '120',
      SIM_SEED: '42',
      LIGHTDESK_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    },
    { inMemoryStorage: true, runTriggers: false, logger: new RecordingLogger() },
  );
  const browser = await launchChromium();
  try {
    await host.poll(); // baseline
    const [athletics, second] = await galleriesUnder(host, 'Athletics');
    if (athletics === undefined || second === undefined)
      throw new TypeError('demo library too small');
    for (let i = 0; i < 3; i += 1) await upload(host, athletics.id);
    await upload(host, second.id);
    await settle(host);

    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(`${host.url}/`);
    await page.locator('#library .thumbs img').first().waitFor();
    await page.screenshot({ path: join(out, 'console.png') });

    await page.click('nav.tabs button[data-pane="teams"]');
    const card = page
      .locator('#chat .bubble')
      .filter({ has: page.locator('.ac-adaptiveCard img') })
      .last();
    await card.waitFor();
    await card.locator('img').last().waitFor();
    await card.screenshot({ path: join(out, 'card.png') });

    const tab = await browser.context.newPage();
    await tab.setViewportSize({ width: 1000, height: 640 });
    await tab.goto(`${host.url}/api/tab/`);
    await tab.fill('#signin-user', 'AdeleV@contoso.onmicrosoft.com');
    await tab.click('#signin button[type=submit]');
    await tab.locator('.review').first().waitFor();
    await tab.locator('.review img').first().waitFor();
    await tab.screenshot({ path: join(out, 'tab.png') });
    console.log(`screenshots written to ${out}: console.png, card.png, tab.png`);
  } finally {
    await browser.close();
    await host.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
