import { readFileSync } from 'node:fs';

import { fillTemplate, templateValues } from '../../../manifest/build-manifest.js';
import { colorIcon, outlineIcon } from '../../../manifest/icons.js';

export const template = readFileSync(
  new URL('../../../manifest/manifest.template.json', import.meta.url),
  'utf8',
);

export const anEnv = {
  TEAMS_APP_ID: '0f5c2a9e-3b1d-4e7f-8a6c-2d4e6f8a0b1c',
  MicrosoftAppId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  PUBLIC_BASE_URL: 'https://lightdesk.contoso.com',
} as const;

export interface Command {
  title: string;
  description: string;
}

export interface CommandList {
  scopes: string[];
  commands: Command[];
}

export interface Bot {
  botId: string;
  scopes: string[];
  supportsFiles: boolean;
  isNotificationOnly: boolean;
  commandLists: [CommandList, ...CommandList[]];
}

export interface StaticTab {
  entityId: string;
  name?: string;
  contentUrl?: string;
  websiteUrl?: string;
  scopes: string[];
}

/** The parts of the manifest the tests read or change. */
export interface Manifest {
  $schema: string;
  manifestVersion: string;
  id: string;
  version: string;
  name: { short: string; full: string };
  description: { short: string; full: string };
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  icons: { color: string; outline: string; color32x32?: string };
  accentColor: string;
  bots: [Bot, ...Bot[]];
  staticTabs: [StaticTab, ...StaticTab[]];
  configurableTabs: [{ configurationUrl: string; scopes: string[] }, ...unknown[]];
  permissions?: string[];
  validDomains: string[];
  webApplicationInfo: { id: string; resource: string };
}

/** The template filled from `env` (default: a complete configuration), as JSON a test may change. */
export function aManifest(env: Readonly<Record<string, string>> = anEnv): Manifest {
  const { values, problems } = templateValues(env, '1.2.3');
  if (problems.length > 0) throw new TypeError(problems.join('; '));
  return fillTemplate(template, values) as Manifest;
}

/** The files of a good package: the icons the build draws, by the names the manifest gives them. */
export function theIcons(): Map<string, Buffer> {
  return new Map([
    ['color.png', colorIcon()],
    ['outline.png', outlineIcon()],
  ]);
}
