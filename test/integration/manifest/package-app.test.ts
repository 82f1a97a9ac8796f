import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { AppManifestUtils } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildAppPackage } from '../../../manifest/build-manifest.js';
import { iconFacts } from '../../../manifest/icons.js';

const run = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const env = {
  TEAMS_APP_ID: '0f5c2a9e-3b1d-4e7f-8a6c-2d4e6f8a0b1c',
  MicrosoftAppId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  PUBLIC_BASE_URL: 'https://lightdesk.contoso.com',
};

interface PackagedManifest {
  id: string;
  version: string;
  name: { short: string };
  bots: [{ botId: string }];
  icons: { color: string; outline: string };
  validDomains: string[];
}

async function unzip(path: string) {
  const zip = await JSZip.loadAsync(await readFile(path));
  const bytes = async (name: string) => {
    const entry = zip.file(name);
    if (entry === null) throw new TypeError(`${name} is not in the zip`);
    return entry.async('nodebuffer');
  };
  return { names: Object.keys(zip.files).sort(), bytes };
}

/** Runs the command as `npm run package` does, with only the environment given. */
async function packageCommand(args: string[], environment: Record<string, string>) {
  return run(tsx, ['scripts/package-app.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', ...environment },
  }).then(
    (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
    (e: unknown) => {
      const failed = e as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    },
  );
}

describe('the Teams app package', () => {
  let out: string;
  beforeEach(async () => {
    out = await mkdtemp(join(tmpdir(), 'lightdesk-package-'));
  });
  afterEach(() => rm(out, { recursive: true, force: true }));

  it('zips manifest and icons at the root, and the manifest validates offline again', async () => {
    const result = await buildAppPackage({ env, outDir: out, defaultVersion: '0.1.0' });
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.zipPath).toBe(join(out, 'lightdesk.zip'));
    expect([...result.files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);

    const zip = await unzip(join(out, 'lightdesk.zip'));
    expect(zip.names).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(
      (await zip.bytes('manifest.json')).toString('utf8'),
    ) as PackagedManifest;
    expect(manifest).toMatchObject({
      id: env.TEAMS_APP_ID,
      version: '0.1.0',
      bots: [{ botId: env.MicrosoftAppId }],
      validDomains: ['lightdesk.contoso.com'],
    });
    expect(manifest).toEqual(result.manifest);
    expect(
      await AppManifestUtils.validateAgainstSchema(
        manifest as unknown as Parameters<typeof AppManifestUtils.validateAgainstSchema>[0],
      ),
    ).toEqual([]);

    const color = iconFacts(await zip.bytes(manifest.icons.color));
    const outline = iconFacts(await zip.bytes(manifest.icons.outline));
    expect([color.width, color.height, color.transparent]).toEqual([192, 192, 0]);
    expect([outline.width, outline.height, outline.notWhiteOrClear]).toEqual([32, 32, 0]);

    // The loose copies beside the zip are the same bytes.
    expect((await readdir(out)).sort()).toEqual([
      'color.png',
      'lightdesk.zip',
      'manifest.json',
      'outline.png',
    ]);
    for (const name of zip.names) {
      expect((await readFile(join(out, name))).equals(await zip.bytes(name)), name).toBe(true);
    }
  });

  it('gives the same bytes for the same configuration', async () => {
    await buildAppPackage({ env, outDir: join(out, 'a'), defaultVersion: '0.1.0' });
    await buildAppPackage({ env, outDir: join(out, 'b'), defaultVersion: '0.1.0' });
    const [a, b] = await Promise.all(
      ['a', 'b'].map((dir) => readFile(join(out, dir, 'lightdesk.zip'))),
    );
    expect(a?.equals(b ?? Buffer.alloc(0))).toBe(true);
  });

  it('writes nothing when a value is wrong, and says which', async () => {
    const result = await buildAppPackage({
      env: { ...env, MicrosoftAppId: 'lightdesk-bot', PUBLIC_BASE_URL: 'http://localhost:7071' },
      outDir: out,
      defaultVersion: '0.1.0',
    });
    expect(result.zipPath).toBeUndefined();
    expect(result.problems).toEqual([
      'MicrosoftAppId: must be a GUID',
      'PUBLIC_BASE_URL: must be https; Teams loads tabs only over https (use a tunnel locally)',
    ]);
    expect(await readdir(out)).toEqual([]);
  });

  it('writes nothing when the filled manifest breaks a Teams rule, and names the field', async () => {
    const template = join(out, 'manifest.template.json');
    const original = await readFile(
      new URL('../../../manifest/manifest.template.json', import.meta.url),
      'utf8',
    );
    await writeFile(
      template,
      original.replace('"short": "Lightdesk', '"short": "Lightdesk, the photo review desk of'),
    );
    const result = await buildAppPackage({
      env,
      outDir: join(out, 'build'),
      defaultVersion: '0.1.0',
      templatePath: template,
    });
    expect(result.zipPath).toBeUndefined();
    expect(result.problems).toEqual([
      'name.short: must NOT have more than 30 characters. Details: {"limit":30} (schema)',
      'name.short: 35 characters, at most 30',
    ]);
    expect(await readdir(out)).toEqual(['manifest.template.json']);
  });

  describe('as a command', () => {
    it('reads an env file as Agents Toolkit writes it, and prints where the zip is', async () => {
      const envFile = join(out, '.env.dev');
      await writeFile(
        envFile,
        [
          '# Written by provision.',
          `TEAMS_APP_ID=${env.TEAMS_APP_ID}`,
          `BOT_ID="${env.MicrosoftAppId}"`,
          'TAB_SSO_CLIENT_ID=',
          `PUBLIC_BASE_URL=${env.PUBLIC_BASE_URL}`,
          'APP_NAME_SUFFIX=-dev',
        ].join('\n'),
      );
      // An empty variable in the environment does not hide the file's value; a set one wins.
      const ok = await packageCommand(['--env', envFile, '--out', join(out, 'build')], {
        TEAMS_APP_ID: '',
        APP_VERSION: '2.3.4',
      });
      expect(ok.code).toBe(0);
      expect(ok.stderr).toBe('');
      expect(ok.stdout).toContain(join(out, 'build', 'lightdesk.zip'));
      expect(ok.stdout).toContain(`app ${env.TEAMS_APP_ID} v2.3.4, bot ${env.MicrosoftAppId}`);
      const written = JSON.parse(
        await readFile(join(out, 'build', 'manifest.json'), 'utf8'),
      ) as PackagedManifest;
      expect(written).toMatchObject({
        id: env.TEAMS_APP_ID,
        version: '2.3.4',
        name: { short: 'Lightdesk-dev' },
        bots: [{ botId: env.MicrosoftAppId }],
      });
    });

    it('builds with placeholders and warns when nothing is configured', async () => {
      const ok = await packageCommand(['--out', join(out, 'build')], {});
      expect(ok.code).toBe(0);
      expect(ok.stderr).toContain('warning: TEAMS_APP_ID is not set');
      expect(ok.stderr).toContain('warning: PUBLIC_BASE_URL is not set');
      expect(ok.stdout).toContain('host lightdesk.localhost');
    });

    it('uses no placeholder with an env file, which names a real environment', async () => {
      const envFile = join(out, '.env.local');
      await writeFile(
        envFile,
        ['TEAMSFX_ENV=local', 'BOT_ID=', 'BOT_ENDPOINT=', 'TEAMS_APP_ID='].join('\n'),
      );
      const failed = await packageCommand(['--env', envFile, '--out', join(out, 'build')], {});
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('  - TEAMS_APP_ID: not set\n');
      expect(failed.stderr).toContain('  - MicrosoftAppId: not set (nor BOT_ID)\n');
      expect(failed.stderr).toContain('  - PUBLIC_BASE_URL: not set (nor BOT_ENDPOINT)\n');
      expect(await readdir(out)).toEqual(['.env.local']);
    });

    it('exits non-zero with every problem listed by field', async () => {
      const failed = await packageCommand(['--out', join(out, 'bad')], {
        PUBLIC_BASE_URL: 'http://insecure.example',
        TEAMS_APP_ID: 'not-a-guid',
      });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('The Teams app package was not built:');
      expect(failed.stderr).toContain('  - TEAMS_APP_ID: must be a GUID');
      expect(failed.stderr).toContain('  - PUBLIC_BASE_URL: must be https');
      expect(failed.stderr).not.toContain('insecure.example');
      expect(await readdir(out)).toEqual([]);
    });

    it('refuses an env file it cannot read, and unknown options', async () => {
      const missing = await packageCommand(['--env', join(out, 'nope')], {});
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('--env');
      const unknown = await packageCommand(['--verbose'], {});
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('Usage: npm run package');
    });
  });
});
