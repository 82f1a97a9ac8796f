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
const env = {
  TEAMS_APP_ID: '0f5c2a9e-3b1d-4e7f-8a6c-2d4e6f8a0b1c',
  MicrosoftAppId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  PUBLIC_BASE_URL: 'https://lightdesk.contoso.com',
};

describe('npm run package', () => {
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

    const zip = await JSZip.loadAsync(await readFile(join(out, 'lightdesk.zip')));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse((await zip.file('manifest.json')?.async('string')) ?? '') as {
      id: string;
      version: string;
      icons: { color: string; outline: string };
    };
    expect(manifest.id).toBe(env.TEAMS_APP_ID);
    expect(manifest.version).toBe('0.1.0');
    expect(await AppManifestUtils.validateAgainstSchema(manifest as never)).toEqual([]);

    const color = iconFacts(
      await (zip.file(manifest.icons.color)?.async('nodebuffer') ?? Buffer.alloc(0)),
    );
    const outline = iconFacts(
      await (zip.file(manifest.icons.outline)?.async('nodebuffer') ?? Buffer.alloc(0)),
    );
    expect([color.width, color.height, outline.width, outline.height]).toEqual([192, 192, 32, 32]);
    expect(outline.notWhiteOrClear).toBe(0);
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

  it('runs as a command: reads an env file, prints where the zip is, fails with the field named', async () => {
    const envFile = join(out, '.env.dev');
    await writeFile(
      envFile,
      [
        '# written by Agents Toolkit',
        `TEAMS_APP_ID=${env.TEAMS_APP_ID}`,
        `MicrosoftAppId="${env.MicrosoftAppId}"`,
        `PUBLIC_BASE_URL=${env.PUBLIC_BASE_URL}`,
        'APP_NAME_SUFFIX=-dev',
      ].join('\n'),
    );
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const ok = await run(
      tsx,
      ['scripts/package-app.ts', '--env', envFile, '--out', join(out, 'build')],
      {
        env: { PATH: process.env.PATH },
      },
    );
    expect(ok.stdout).toContain(join(out, 'build', 'lightdesk.zip'));
    const written = JSON.parse(await readFile(join(out, 'build', 'manifest.json'), 'utf8')) as {
      name: { short: string };
    };
    expect(written.name.short).toBe('Lightdesk-dev');

    const failed = await run(tsx, ['scripts/package-app.ts', '--out', join(out, 'bad')], {
      env: { PATH: process.env.PATH, PUBLIC_BASE_URL: 'http://insecure.example' },
    }).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('PUBLIC_BASE_URL: must be https');
  });
});
