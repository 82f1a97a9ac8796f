import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { AppManifestUtils } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { z } from 'zod';

import { colorIcon, outlineIcon } from './icons.js';
import { teamsRules } from './teams-rules.js';

// `npm run package`: fills manifest.template.json from the environment, validates it offline against
// the official schema (@microsoft/app-manifest maps the $schema URL to its bundled copy) and the
// Teams rules the schema leaves out, and zips manifest and icons at the root, as Teams expects.

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');

/** The variables the package reads; the same names the app and env/ files use. */
export const packageEnvSchema = z.object({
  TEAMS_APP_ID: optional(guid).describe(
    'The Teams app id (manifest id); Agents Toolkit writes it.',
  ),
  MicrosoftAppId: optional(guid).describe("The bot's Entra app id (bots[0].botId)."),
  BOT_ID: optional(guid).describe('The same, under the name Agents Toolkit writes to env/.'),
  TAB_SSO_CLIENT_ID: optional(guid).describe('Entra app of tab SSO. Default: MicrosoftAppId.'),
  PUBLIC_BASE_URL: optional(
    z
      .url()
      .refine(
        (url) => url.startsWith('https://'),
        'must be https; Teams loads tabs only over https (use a tunnel locally)',
      ),
  ).describe('Where Teams reaches Lightdesk: an https origin.'),
  APP_VERSION: optional(z.string().regex(/^\d+\.\d+\.\d+$/, 'must be major.minor.patch')),
  APP_NAME_SUFFIX: optional(z.string().max(10)).describe(
    'Appended to the short name, e.g. "-dev".',
  ),
});

/**
 * Stand-ins when a value is not configured, so a package can be built and inspected locally. Teams
 * accepts the file, but a bot id nobody registered answers nothing: the warnings say so.
 */
export const localPlaceholders = {
  TEAMS_APP_ID: '7c1d0e9a-5b3f-4c2e-9d8a-1f6b2a4c3e5d',
  MicrosoftAppId: '00000000-0000-4000-8000-00000000b07d',
  PUBLIC_BASE_URL: 'https://lightdesk.localhost',
} as const;

export interface PackageResult {
  /** Absent when there were problems: nothing is written then. */
  readonly zipPath: string | undefined;
  readonly manifest: unknown;
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

export interface PackageOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly outDir: string;
  /** Version to use when APP_VERSION is unset (package.json's). */
  readonly defaultVersion: string;
  readonly templatePath?: string;
}

/** Replaces `${{NAME}}`; unknown names stay, so the rules report them by field. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): unknown {
  const filled = template.replace(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => {
    const value = values[name];
    // JSON-escaped, so a value can never break out of its string.
    return value === undefined ? whole : JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(filled) as unknown;
}

/** Values for the template, with a warning for each placeholder used. */
export function templateValues(
  env: Readonly<Record<string, string | undefined>>,
  defaultVersion: string,
): { values: Record<string, string>; problems: string[]; warnings: string[] } {
  const parsed = packageEnvSchema.safeParse(env);
  if (!parsed.success) {
    return {
      values: {},
      problems: parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`),
      warnings: [],
    };
  }
  const e = parsed.data;
  const warnings: string[] = [];
  const pick = (key: keyof typeof localPlaceholders, value: string | undefined): string => {
    if (value !== undefined) return value;
    warnings.push(`${key} is not set: using the local placeholder ${localPlaceholders[key]}`);
    return localPlaceholders[key];
  };
  const botId = pick('MicrosoftAppId', e.MicrosoftAppId ?? e.BOT_ID);
  const base = new URL(pick('PUBLIC_BASE_URL', e.PUBLIC_BASE_URL));
  return {
    values: {
      TEAMS_APP_ID: pick('TEAMS_APP_ID', e.TEAMS_APP_ID),
      BOT_ID: botId,
      TAB_SSO_CLIENT_ID: e.TAB_SSO_CLIENT_ID ?? botId,
      PUBLIC_BASE_URL: base.origin,
      PUBLIC_HOST: base.host,
      APP_VERSION: e.APP_VERSION ?? defaultVersion,
      APP_NAME_SUFFIX: e.APP_NAME_SUFFIX ?? '',
    },
    problems: [],
    warnings,
  };
}

/** Schema problems first (as the validator words them, with their JSON path), then Teams rules. */
export async function validateManifest(
  manifest: unknown,
  files: ReadonlyMap<string, Buffer>,
): Promise<string[]> {
  const schemaProblems = await AppManifestUtils.validateAgainstSchema(
    manifest as Parameters<typeof AppManifestUtils.validateAgainstSchema>[0],
  );
  return [
    ...schemaProblems.map((p) => `schema${p.startsWith('/') ? ' ' : ': '}${p.trim()}`),
    ...teamsRules(manifest, files),
  ];
}

export async function buildAppPackage(options: PackageOptions): Promise<PackageResult> {
  const template = await readFile(
    options.templatePath ?? new URL('./manifest.template.json', import.meta.url),
    'utf8',
  );
  const { values, problems, warnings } = templateValues(options.env, options.defaultVersion);
  if (problems.length > 0) return { zipPath: undefined, manifest: undefined, problems, warnings };
  const manifest = fillTemplate(template, values);
  const files = new Map<string, Buffer>([
    ['color.png', colorIcon()],
    ['outline.png', outlineIcon()],
  ]);
  const found = await validateManifest(manifest, files);
  if (found.length > 0) return { zipPath: undefined, manifest, problems: found, warnings };

  const zip = new JSZip();
  const manifestJson = `${JSON.stringify(manifest, null, 2)}\n`;
  zip.file('manifest.json', manifestJson);
  for (const [name, bytes] of files) zip.file(name, bytes);
  await mkdir(options.outDir, { recursive: true });
  const zipPath = join(options.outDir, 'lightdesk.zip');
  await writeFile(
    zipPath,
    await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' }),
  );
  // Beside the zip, for teamsApp/validateManifest and for people to read.
  await writeFile(join(options.outDir, 'manifest.json'), manifestJson);
  for (const [name, bytes] of files) await writeFile(join(options.outDir, name), bytes);
  return { zipPath, manifest, problems: [], warnings };
}
