import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import type { LocalHost } from '../../composition/local-host.js';
import {
  createSeed,
  DEFAULT_BOT_APP_ID,
  DEFAULT_TENANT_ID,
} from '../../simulators/bot-connector/seed.js';
import { hasChromium, launchChromium } from '../support/chromium.js';
import { galleriesUnder, settle, upload } from '../support/demo-driver.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

// `npm run play` as a reviewer uses it: Microsoft 365 Agents Playground (the real one, offline) is
// pointed at the local host's bot, its user is the config file's Alex Wilber, and in headless
// Chromium he asks `pending` in personal chat and approves the review from the card it answers.

const CONFIG_FILE = resolve('.m365agentsplayground.yml');
const PLAYGROUND_CLI = resolve('node_modules/@microsoft/m365agentsplayground/cli.js');

interface PlaygroundUser {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
  readonly userPrincipleName: string;
}

interface PlaygroundConfig {
  readonly tenantId: string;
  readonly bot: { readonly id: string };
  readonly currentUser: PlaygroundUser;
  readonly users: readonly PlaygroundUser[];
}

const readConfig = async (): Promise<PlaygroundConfig> =>
  parse(await readFile(CONFIG_FILE, 'utf8')) as PlaygroundConfig;

describe("the Playground's identity", () => {
  it('is Alex Wilber of the demo tenant, a reviewer of the demo Athletics rule', async () => {
    const config = await readConfig();
    const seed = createSeed(DEFAULT_TENANT_ID, DEFAULT_BOT_APP_ID);
    const alex = seed.users.alex;
    expect(config.tenantId).toBe(seed.tenantId);
    expect(config.bot.id).toBe(seed.bot.id);
    expect(config.currentUser).toMatchObject({
      id: alex.mri,
      name: alex.name,
      aadObjectId: alex.aadObjectId,
      userPrincipleName: alex.userPrincipalName,
    });
    // The simulators' other people keep their ids in the Playground too.
    for (const person of [seed.users.adele, seed.users.megan, seed.users.diego]) {
      expect(config.users).toContainEqual(
        expect.objectContaining({ id: person.mri, aadObjectId: person.aadObjectId }),
      );
    }
    const rules = JSON.parse(await readFile('config/routing-rules.json', 'utf8')) as {
      rules: { name: string; reviewers: string[] }[];
    };
    const athletics = rules.rules.find((r) => r.name === 'Athletics');
    expect(athletics?.reviewers.map((r) => r.toLowerCase())).toContain(
      alex.userPrincipalName.toLowerCase(),
    );
  });
});

/** A port nothing listens on now (the Playground falls back to a random one when taken). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new TypeError('no port');
  return address.port;
}

/** Starts the Playground CLI as `npm run play` does, and waits until it serves its page. */
async function startPlayground(
  botUrl: string,
  dir: string,
): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      PLAYGROUND_CLI,
      '-e',
      `${botUrl}/api/messages`,
      '-c',
      'msteams',
      '--disable-telemetry',
      '-p',
      String(port),
    ],
    {
      cwd: dir,
      env: {
        ...process.env,
        TEAMSAPPTESTER_BROWSER: 'none',
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: CONFIG_FILE,
        M365_AGENTS_PLAYGROUND_LOGFILE: join(dir, 'playground.log'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new TypeError(`the Playground exited: ${output}`);
    const up = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { url, child, output: () => output };
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new TypeError(`the Playground did not start: ${output}`);
}

describe.skipIf(!hasChromium() && process.env.CI !== 'true')(
  'Microsoft 365 Agents Playground in a browser',
  () => {
    let running: TestHost;
    let host: LocalHost;
    let dir: string;
    let playground: Awaited<ReturnType<typeof startPlayground>> | undefined;
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
    let page: Page;
    let galleryName: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lightdesk-playground-'));
      running = await startTestHost();
      host = running.host;
      await host.poll();
      const [gallery] = await galleriesUnder(host, 'Athletics');
      galleryName = gallery?.name ?? '';
      await upload(host, gallery?.id ?? '');
      await settle(host);
      playground = await startPlayground(host.url.replace(/\/$/, ''), dir);
      browser = await launchChromium();
      page = await browser.context.newPage();
      await page.goto(playground.url);
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      if (playground !== undefined && playground.child.exitCode === null) {
        playground.child.kill('SIGTERM');
        await once(playground.child, 'exit');
      }
      await running?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('answers `pending` with a card Alex approves on, and the card is replaced', async () => {
      const composer = page.locator('[data-lexical-editor="true"]');
      await composer.click();
      await page.keyboard.type('pending');
      await page.keyboard.press('Enter');

      // The list, then the review's own card with its buttons, headed by the gallery's name.
      await page.getByText('Open reviews (1)').waitFor({ timeout: 20_000 });
      const approve = page.getByRole('button', { name: 'Approve', exact: true });
      await approve.waitFor({ timeout: 20_000 });
      await expect(page.getByRole('button', { name: 'Re-review…' }).count()).resolves.toBe(1);
      await expect(page.getByRole('button', { name: 'Archive' }).count()).resolves.toBe(1);
      // Named in the list and as the card's heading.
      await expect(page.getByText(galleryName, { exact: true }).count()).resolves.toBe(2);

      await approve.click();
      // The answer replaces the card: no buttons left, and it says who approved.
      await page.getByText(/Approved by Alex Wilber/).waitFor({ timeout: 20_000 });
      await expect(approve.count()).resolves.toBe(0);

      const [review] = (await host.services.reviews.list({ limit: 10 })).map((s) => s.review);
      expect(review).toMatchObject({ galleryName, status: 'approved' });
      expect(review?.decisions).toMatchObject([
        { reviewerId: 'b69cf5ce-9016-43fe-bb37-d61040d824be', verb: 'approve', source: 'teams' },
      ]);
    }, 60_000);
  },
);
