import { guidPattern } from '../core/model/ids.js';
import { iconFacts } from './icons.js';

// Teams rules the JSON schema does not check (http URLs, icon files, domain lists), from
// https://learn.microsoft.com/microsoftteams/platform/resources/schema/manifest-schema and
// …/concepts/build-and-test/apps-package. Each message names the field.

const semver = /^\d+\.\d+\.\d+$/;
/** [INF] The manifest reference gives bot command titles 32 characters; the schema allows 128. */
const MAX_COMMAND_TITLE = 32;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(value: Json, path: string, visit: (path: string, key: string, value: Json) => void) {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`, visit));
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      visit(childPath, key, child);
      walk(child, childPath, visit);
    }
  }
}

function domainCovers(domain: string, host: string): boolean {
  if (domain.startsWith('*.')) return host.endsWith(domain.slice(1)) && host !== domain.slice(2);
  return domain.toLowerCase() === host.toLowerCase();
}

function length(problems: string[], path: string, value: unknown, max: number): void {
  if (typeof value === 'string' && value.length > max) {
    problems.push(`${path}: ${value.length} characters, at most ${max}`);
  }
}

function count(problems: string[], path: string, value: unknown, max: number): void {
  if (Array.isArray(value) && value.length > max) {
    problems.push(`${path}: ${value.length} entries, at most ${max}`);
  }
}

/** Problems with the filled manifest and its icons; empty when Teams should accept the package. */
export function teamsRules(manifest: unknown, files: ReadonlyMap<string, Buffer>): string[] {
  const problems: string[] = [];
  if (!isObject(manifest)) return ['(root): the manifest is not a JSON object'];
  const urls: { path: string; url: URL }[] = [];

  walk(manifest, '', (path, key, value) => {
    if (typeof value !== 'string') return;
    const placeholder = /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/.exec(value);
    if (placeholder !== null)
      problems.push(`${path}: \${{${placeholder[1] ?? ''}}} was not filled`);
    if (/url$/i.test(key) && key !== '$schema') {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        problems.push(`${path}: not a URL`);
        return;
      }
      if (url.protocol !== 'https:')
        problems.push(`${path}: must be an https URL (Teams loads nothing else)`);
      urls.push({ path, url });
    }
  });

  if (typeof manifest.version !== 'string' || !semver.test(manifest.version)) {
    problems.push('version: must be major.minor.patch, e.g. 1.0.0');
  }
  for (const [path, value] of [
    ['id', manifest.id],
    [
      'webApplicationInfo.id',
      isObject(manifest.webApplicationInfo) ? manifest.webApplicationInfo.id : undefined,
    ],
    ...(Array.isArray(manifest.bots)
      ? manifest.bots.map(
          (b, i) => [`bots[${i}].botId`, isObject(b) ? b.botId : undefined] as const,
        )
      : []),
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || !guidPattern.test(value))) {
      problems.push(`${path}: must be a GUID`);
    }
  }

  const name = isObject(manifest.name) ? manifest.name : {};
  const description = isObject(manifest.description) ? manifest.description : {};
  const developer = isObject(manifest.developer) ? manifest.developer : {};
  length(problems, 'name.short', name.short, 30);
  length(problems, 'name.full', name.full, 100);
  length(problems, 'description.short', description.short, 80);
  length(problems, 'description.full', description.full, 4000);
  length(problems, 'developer.name', developer.name, 32);

  count(problems, 'bots', manifest.bots, 1);
  count(problems, 'staticTabs', manifest.staticTabs, 16);
  count(problems, 'configurableTabs', manifest.configurableTabs, 1);
  count(problems, 'validDomains', manifest.validDomains, 16);
  (Array.isArray(manifest.bots) ? manifest.bots : []).forEach((bot, b) => {
    if (!isObject(bot)) return;
    count(problems, `bots[${b}].commandLists`, bot.commandLists, 3);
    const botScopes = Array.isArray(bot.scopes) ? bot.scopes : [];
    (Array.isArray(bot.commandLists) ? bot.commandLists : []).forEach((list, l) => {
      if (!isObject(list)) return;
      // [INF] A menu for a scope the bot is not installed in could never show; Teams refuses it.
      for (const scope of Array.isArray(list.scopes) ? list.scopes : []) {
        if (!botScopes.includes(scope)) {
          problems.push(
            `bots[${b}].commandLists[${l}].scopes: ${JSON.stringify(scope)} is not one of the bot's scopes`,
          );
        }
      }
      count(problems, `bots[${b}].commandLists[${l}].commands`, list.commands, 10);
      (Array.isArray(list.commands) ? list.commands : []).forEach((command, c) => {
        if (isObject(command)) {
          length(
            problems,
            `bots[${b}].commandLists[${l}].commands[${c}].title`,
            command.title,
            MAX_COMMAND_TITLE,
          );
        }
      });
    });
  });

  // Teams tells tabs apart by entityId; two alike and one of them is unreachable.
  const entityIds = new Set<Json>();
  (Array.isArray(manifest.staticTabs) ? manifest.staticTabs : []).forEach((tab, i) => {
    if (!isObject(tab) || tab.entityId === undefined) return;
    if (entityIds.has(tab.entityId)) {
      problems.push(`staticTabs[${i}].entityId: ${JSON.stringify(tab.entityId)} is used twice`);
    }
    entityIds.add(tab.entityId);
  });

  // Every page Teams frames must come from a valid domain; a domain is a host, never a URL.
  const domains = Array.isArray(manifest.validDomains)
    ? manifest.validDomains.filter((d): d is string => typeof d === 'string')
    : [];
  domains.forEach((domain, i) => {
    if (/[/:]/.test(domain.replace(/:\d+$/, '')) || domain.includes('://')) {
      problems.push(`validDomains[${i}]: "${domain}" must be a host name, without scheme or path`);
    }
  });
  for (const { path, url } of urls) {
    const framed = /(contentUrl|configurationUrl|websiteUrl)$/.test(path) && /Tabs\[/.test(path);
    if (framed && !domains.some((d) => domainCovers(d, url.host))) {
      problems.push(`${path}: host ${url.host} is not in validDomains`);
    }
  }
  const sso = isObject(manifest.webApplicationInfo) ? manifest.webApplicationInfo : undefined;
  if (sso !== undefined && typeof sso.resource === 'string') {
    // Teams SSO: the Application ID URI is api://{a valid domain}/{client id}.
    const match = /^api:\/\/([^/]+)\/(.+)$/.exec(sso.resource);
    if (match === null || match[2] !== sso.id) {
      problems.push('webApplicationInfo.resource: must be api://{host}/{webApplicationInfo.id}');
    } else if (!domains.some((d) => domainCovers(d, match[1] ?? ''))) {
      problems.push(`webApplicationInfo.resource: host ${match[1] ?? ''} is not in validDomains`);
    }
  }

  const icons = isObject(manifest.icons) ? manifest.icons : {};
  for (const [key, size] of [
    ['color', 192],
    ['outline', 32],
    ['color32x32', 32],
  ] as const) {
    const file = icons[key];
    if (file === undefined && key === 'color32x32') continue;
    if (typeof file !== 'string') {
      problems.push(`icons.${key}: missing`);
      continue;
    }
    const bytes = files.get(file);
    if (bytes === undefined) {
      problems.push(`icons.${key}: ${file} is not in the package`);
      continue;
    }
    let facts;
    try {
      facts = iconFacts(bytes);
    } catch {
      problems.push(`icons.${key}: ${file} is not a PNG`);
      continue;
    }
    if (facts.width !== size || facts.height !== size) {
      problems.push(
        `icons.${key}: ${file} is ${facts.width}×${facts.height}, must be ${size}×${size}`,
      );
    }
    if (key === 'outline' && facts.notWhiteOrClear > 0) {
      problems.push(
        `icons.outline: ${file} has ${facts.notWhiteOrClear} pixels that are neither white nor transparent`,
      );
    }
    if (key === 'outline' && facts.transparent === 0) {
      problems.push('icons.outline: must have a transparent background');
    }
  }
  return problems;
}
