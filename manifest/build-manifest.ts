import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { AppManifestUtils } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { z } from 'zod';

import { guidSchema } from '../core/model/ids.js';

import { colorIcon, outlineIcon } from './icons.js';
import { teamsRules } from './teams-rules.js';

// `npm run package`: fills manifest.template.json from the environment, validates it offline against
// the official schema (@microsoft/app-manifest maps the $schema URL to its bundled copy) and the
// Teams rules the schema leaves out, and zips manifest and icons at the root, as Teams expects.

// t3-env's rationale, as in composition/config.ts: an empty value in an env file means "not set".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
const publicUrl = z
  .url()
  .refine(
    (url) => url.startsWith('https://'),
    'must be https; Teams loads tabs only over https (use a tunnel locally)',
  )
  .refine((url) => {
    const parsed = new URL(url);
    return parsed.search === '' && parsed.hash === '';
  }, 'must have no query or fragment');

/** The variables the package reads; the same names the app and env/ files use. */
export const packageEnvSchema = z
  .object({
    TEAMS_APP_ID: optional(guidSchema).describe(
      'The Teams app id (manifest id); Agents Toolkit writes it to env/.',
    ),
    MicrosoftAppId: optional(guidSchema).describe("The bot's Entra app id (bots[0].botId)."),
    BOT_ID: optional(guidSchema).describe(
      'The same id under the name Agents Toolkit writes to env/; used when MicrosoftAppId is unset.',
    ),
    TAB_SSO_CLIENT_ID: optional(guidSchema).describe(
      'Entra app of tab SSO (webApplicationInfo.id). Default: the bot id.',
    ),
    PUBLIC_BASE_URL: optional(publicUrl).describe(
      'Where Teams reaches Lightdesk (the Function App or a tunnel): https, optionally with a path.',
    ),
    BOT_ENDPOINT: optional(publicUrl).describe(
      "The tunnel's https URL in env/.env.local; used when PUBLIC_BASE_URL is unset.",
    ),
    APP_VERSION: optional(
      z.string().regex(/^\d+\.\d+\.\d+$/, 'must be major.minor.patch'),
    ).describe(
      "The manifest version; raise it for Teams to offer an update. Default: package.json's.",
    ),
    APP_NAME_SUFFIX: optional(z.string().max(10)).describe(
      'Appended to the short name, e.g. "-dev", so environments can be told apart in Teams.',
    ),
  })
  .superRefine((env, ctx) => {
    // A shell that still exports one environment's id would otherwise quietly win over the other.
    const [appId, botId] = [env.MicrosoftAppId, env.BOT_ID];
    if (guidSchema.safeParse(appId).success && guidSchema.safeParse(botId).success) {
      if (appId?.toLowerCase() !== botId?.toLowerCase()) {
        ctx.addIssue({
          code: 'custom',
          path: ['MicrosoftAppId'],
          message: 'differs from BOT_ID; set one of them, or both to the same id',
        });
      }
    }
  });

/**
 * Stand-ins when a value is not configured, so a package can be built and inspected without a tenant.
 * Teams accepts the file, but nothing answers behind these values: the warnings say so.
 */
export const localPlaceholders = {
  TEAMS_APP_ID: '7c1d0e9a-5b3f-4c2e-9d8a-1f6b2a4c3e5d',
  MicrosoftAppId: '00000000-0000-4000-8000-00000000b07d',
  // `.localhost` names resolve to loopback, and no one can own the name; Teams itself cannot load
  // the local host's plain-http pages, so nothing better than a stand-in exists without a tunnel.
  PUBLIC_BASE_URL: 'https://lightdesk.localhost',
} as const;

/** The variables that may stand in for each placeholder's, named in the "not set" problem. */
const alternatives: Record<keyof typeof localPlaceholders, string> = {
  TEAMS_APP_ID: '',
  MicrosoftAppId: ' (nor BOT_ID)',
  PUBLIC_BASE_URL: ' (nor BOT_ENDPOINT)',
};

const placeholderConsequence: Record<keyof typeof localPlaceholders, string> = {
  TEAMS_APP_ID: 'every such package is the same app to Teams; give each environment its own id',
  MicrosoftAppId: 'no bot is registered under it, so the bot will not answer in Teams',
  PUBLIC_BASE_URL:
    'Teams will not load the tabs; set it (or BOT_ENDPOINT) to the https address of the Function App or of a tunnel to the local host',
};

export type Env = Readonly<Record<string, string | undefined>>;

export interface PackageOptions {
  readonly env: Env;
  /** Where lightdesk.zip, manifest.json and the icons are written. */
  readonly outDir: string;
  /** Version to use when APP_VERSION is unset (package.json's). */
  readonly defaultVersion: string;
  readonly templatePath?: string;
  /**
   * Stand in `localPlaceholders` for unset ids and URL, with a warning (the default). False for a
   * package bound for a real tenant, where a placeholder would upload an app that cannot work.
   */
  readonly allowPlaceholders?: boolean;
}

export interface PackageResult {
  /** The filled manifest; undefined when the environment itself was invalid. */
  readonly manifest: unknown;
  /** The package's entries by their name at the zip root (manifest.json, color.png, outline.png). */
  readonly files: ReadonlyMap<string, Buffer>;
  /** Undefined when there were problems: nothing is written then. */
  readonly zipPath: string | undefined;
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

const placeholderPattern = /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Replaces `${{NAME}}`; unknown names stay, so the rules report them by field. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): unknown {
  const filled = template.replace(placeholderPattern, (whole, name: string) => {
    const value = values[name];
    // JSON-escaped, so a value can never break out of its string.
    return value === undefined ? whole : JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(filled) as unknown;
}

/** Values for the template, with a warning for each placeholder used (or a problem, if refused). */
export function templateValues(
  env: Env,
  defaultVersion: string,
  { allowPlaceholders = true }: { allowPlaceholders?: boolean } = {},
): { values: Record<string, string>; problems: string[]; warnings: string[] } {
  const parsed = packageEnvSchema.safeParse(env);
  if (!parsed.success) {
    // Keys and rules only: a value may be a secret pasted into the wrong variable.
    return {
      values: {},
      problems: parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`),
      warnings: [],
    };
  }
  const e = parsed.data;
  const warnings: string[] = [];
  const problems: string[] = [];
  const pick = (key: keyof typeof localPlaceholders, value: string | undefined): string => {
    if (value !== undefined) return value;
    if (!allowPlaceholders) {
      problems.push(`${key}: not set${alternatives[key]}`);
    } else {
      warnings.push(
        `${key} is not set: using the local placeholder ${localPlaceholders[key]}; ${placeholderConsequence[key]}`,
      );
    }
    return localPlaceholders[key];
  };
  const teamsAppId = pick('TEAMS_APP_ID', e.TEAMS_APP_ID);
  const botId = pick('MicrosoftAppId', e.MicrosoftAppId ?? e.BOT_ID);
  const base = new URL(pick('PUBLIC_BASE_URL', e.PUBLIC_BASE_URL ?? e.BOT_ENDPOINT));
  if (problems.length > 0) return { values: {}, problems, warnings };
  return {
    values: {
      TEAMS_APP_ID: teamsAppId,
      BOT_ID: botId,
      TAB_SSO_CLIENT_ID: e.TAB_SSO_CLIENT_ID ?? botId,
      // The same trimming as composition/config.ts, so manifest and Planner links agree on the tab.
      PUBLIC_BASE_URL: `${base.origin}${base.pathname}`.replace(/\/+$/, ''),
      PUBLIC_HOST: base.host,
      APP_VERSION: e.APP_VERSION ?? defaultVersion,
      APP_NAME_SUFFIX: e.APP_NAME_SUFFIX ?? '',
    },
    problems: [],
    warnings,
  };
}

/** `/bots/0/botId` (the validator's JSON pointer) as `bots[0].botId`, the way the rules name fields. */
function fieldPath(pointer: string): string {
  if (pointer === '') return '(root)';
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (path, part) =>
        /^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`,
      '',
    );
}

/** Schema problems first, then the Teams rules; each starts with the field it is about. */
export async function validateManifest(
  manifest: unknown,
  files: ReadonlyMap<string, Buffer>,
): Promise<string[]> {
  const schemaProblems = await AppManifestUtils.validateAgainstSchema(
    manifest as Parameters<typeof AppManifestUtils.validateAgainstSchema>[0],
  );
  return [
    ...schemaProblems.map((problem) => {
      // ajv's wording: "<JSON pointer> <message>. Details: {…}", the pointer empty for the root.
      const match = /^(\/\S*)?\s*(.*)$/s.exec(problem);
      return `${fieldPath(match?.[1] ?? '')}: ${(match?.[2] ?? problem).trim()} (schema)`;
    }),
    ...teamsRules(manifest, files),
  ];
}

export async function buildAppPackage(options: PackageOptions): Promise<PackageResult> {
  const template = await readFile(
    options.templatePath ?? new URL('./manifest.template.json', import.meta.url),
    'utf8',
  );
  const { values, problems, warnings } = templateValues(options.env, options.defaultVersion, {
    allowPlaceholders: options.allowPlaceholders ?? true,
  });
  if (problems.length > 0) {
    return { manifest: undefined, files: new Map(), zipPath: undefined, problems, warnings };
  }
  const manifest = fillTemplate(template, values);
  const files = new Map<string, Buffer>([
    ['manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)],
    ['color.png', colorIcon()],
    ['outline.png', outlineIcon()],
  ]);
  const found = await validateManifest(manifest, files);
  if (found.length > 0) return { manifest, files, zipPath: undefined, problems: found, warnings };

  const zip = new JSZip();
  // A fixed date, so the same inputs give the same bytes (and no spurious "changed" uploads).
  const date = new Date(Date.UTC(2020, 0, 1));
  for (const [name, bytes] of files) zip.file(name, bytes, { date });
  await mkdir(options.outDir, { recursive: true });
  const zipPath = join(options.outDir, 'lightdesk.zip');
  await writeFile(
    zipPath,
    await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' }),
  );
  // Loose copies beside the zip, for teamsApp/validateManifest and for people to read.
  for (const [name, bytes] of files) await writeFile(join(options.outDir, name), bytes);
  return { manifest, files, zipPath, problems: [], warnings };
}
