import { existsSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { configSlices } from '../../../composition/config.js';

// teamsapp.yml, teamsapp.local.yml, env/ and infra/ hold together: every setting Lightdesk reads is
// provided in Azure, every Bicep parameter gets a value, every ${{VAR}} has a source, every file the
// YAML names exists (or is built by a named step).

const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

/** Settings that are never set in Azure, and why (a new setting must be added here or to the Bicep). */
const localOnly: Record<string, string> = {
  PORT: 'the local host only; the Functions host picks its own port',
  LIGHTDESK_DATA_DIR: 'the local host keeps Azurite and the simulator there',
  SIM_SEED: 'the embedded PhotoShelter simulator',
  SIM_ASSETS: 'the embedded PhotoShelter simulator',
  AZURE_CLIENT_SECRET: 'Azure uses the managed identity: no Graph secret exists',
  BOT_OPENID_METADATA_URL: 'test override of the Bot Framework OpenID metadata',
  BOT_LOGIN_URL: 'test override of the token authority',
  BOT_TRUSTED_CA_FILE: 'test override for a self-signed authority',
  ENTRA_OPENID_METADATA_URL: 'test override of the Entra OpenID metadata',
};

const bicep = read('infra/azure.bicep');
const parameters = JSON.parse(read('infra/azure.parameters.json')) as {
  parameters: Record<string, { value: string }>;
};

/** `{ name: 'X', value: … }` entries of the Function App's appSettings. */
function appSettingNames(text: string): string[] {
  const start = text.indexOf('appSettings: [');
  const end = text.indexOf(']', start);
  expect(start).toBeGreaterThan(-1);
  return [...text.slice(start, end).matchAll(/name:\s*'([^']+)'/g)].map((m) => m[1] ?? '');
}

/** `param name type [= default]` declarations. */
function bicepParams(text: string): { name: string; hasDefault: boolean }[] {
  return [...text.matchAll(/^param\s+(\w+)\s+\w+(\s*=.*)?$/gm)].map((m) => ({
    name: m[1] ?? '',
    hasDefault: m[2] !== undefined,
  }));
}

function envFile(path: string): Record<string, string> {
  if (!existsSync(new URL(path, root))) return {};
  return Object.fromEntries(
    read(path)
      .split('\n')
      .filter((line) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

const placeholders = (text: string): string[] =>
  [...text.matchAll(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1] ?? '');

interface Step {
  uses: string;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}
interface Project {
  version: string;
  environmentFolderPath: string;
  provision?: Step[];
  deploy?: Step[];
  publish?: Step[];
}

const projects = {
  'teamsapp.yml': { env: 'dev', text: read('teamsapp.yml') },
  'teamsapp.local.yml': { env: 'local', text: read('teamsapp.local.yml') },
} as const;

describe('provisioning', () => {
  const keys = configSlices.flatMap((slice) => Object.keys(slice.shape));

  it('sets every configuration variable in the Function App, or says why it is local only', () => {
    const settings = new Set(appSettingNames(bicep));
    const missing = keys.filter((key) => !settings.has(key) && localOnly[key] === undefined);
    expect(missing).toEqual([]);
    // And lists no stale local-only names.
    expect(Object.keys(localOnly).filter((key) => !keys.includes(key))).toEqual([]);
  });

  it('sets what the Functions host itself needs', () => {
    const settings = appSettingNames(bicep);
    for (const name of [
      'FUNCTIONS_EXTENSION_VERSION',
      'FUNCTIONS_WORKER_RUNTIME',
      'AzureWebJobsStorage',
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
    ]) {
      expect(settings).toContain(name);
    }
    expect(bicep).toContain("linuxFxVersion: 'Node|20'");
    expect(new Set(settings).size).toBe(settings.length);
  });

  it('gives every Bicep parameter without a default a value, and no value to an unknown one', () => {
    const declared = bicepParams(bicep);
    const given = Object.keys(parameters.parameters);
    expect(declared.filter((p) => !p.hasDefault && !given.includes(p.name))).toEqual([]);
    expect(given.filter((name) => !declared.some((p) => p.name === name))).toEqual([]);
  });

  it('has balanced braces and brackets in the Bicep', () => {
    const text = bicep.replace(/'(?:[^'\\]|\\.)*'/g, "''").replace(/\/\/.*$/gm, '');
    for (const [open, close] of [
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
    ] as const) {
      expect(text.split(open).length, open).toBe(text.split(close).length);
    }
  });

  describe.each(Object.entries(projects))('%s', (file, { env, text }) => {
    const project = parse(text) as Project;
    const steps = [
      ...(project.provision ?? []),
      ...(project.deploy ?? []),
      ...(project.publish ?? []),
    ];
    const envValues = {
      ...envFile(`env/.env.${env}`),
      ...envFile(`env/.env.${env}.user.example`),
    };

    it('is a project of a schema version the toolkit knows, with its stages', () => {
      expect(project.version).toMatch(/^v1\.([7-9]|1[0-4])$/);
      expect(project.environmentFolderPath).toBe('./env');
      expect(project.provision?.length).toBeGreaterThan(0);
      if (file === 'teamsapp.yml') {
        expect(project.deploy?.some((s) => s.uses === 'azureFunctions/zipDeploy')).toBe(true);
        expect(project.publish?.some((s) => s.uses === 'teamsApp/publishAppPackage')).toBe(true);
      }
    });

    it('names only files that exist or that a step before it builds', () => {
      const built = ['./appPackage/build/manifest.json', './appPackage/build/lightdesk.zip'];
      const paths: string[] = [];
      for (const step of steps) {
        const w = step.with ?? {};
        for (const key of ['manifestPath', 'appPackagePath', 'ignoreFile'] as const) {
          if (typeof w[key] === 'string') paths.push(w[key]);
        }
        for (const template of (w.templates as
          { path: string; parameters: string }[] | undefined) ?? []) {
          paths.push(template.path, template.parameters);
        }
      }
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) {
        if (built.includes(path)) {
          // Built by `npm run package`, which a step before runs.
          const packageStep = steps.findIndex(
            (s) => s.uses === 'cli/runNpmCommand' && String(s.with?.args).startsWith('run package'),
          );
          const user = steps.findIndex((s) => Object.values(s.with ?? {}).includes(path));
          expect(packageStep, path).toBeGreaterThan(-1);
          expect(packageStep, path).toBeLessThan(user);
        } else {
          expect(existsSync(new URL(path, root)), path).toBe(true);
        }
      }
      expect(existsSync(new URL(project.environmentFolderPath, root))).toBe(true);
    });

    it('has a source for every ${{VAR}}: its env files, or a step that writes it', () => {
      const written = new Set<string>(
        steps.flatMap((s) => Object.values(s.writeToEnvironmentFile ?? {})),
      );
      if (steps.some((s) => s.uses === 'arm/deploy')) {
        // arm/deploy writes each Bicep output to the env file under its own name.
        for (const m of bicep.matchAll(/^output\s+(\w+)/gm)) written.add(m[1] ?? '');
      }
      const used = [
        ...placeholders(text),
        ...(steps.some((s) => s.uses === 'arm/deploy')
          ? placeholders(read('infra/azure.parameters.json'))
          : []),
        ...(steps.some((s) => s.uses === 'aadApp/update')
          ? placeholders(read('aad.manifest.json'))
          : []),
      ];
      const unsourced = [...new Set(used)].filter(
        (name) => !(name in envValues) && !written.has(name),
      );
      expect(unsourced).toEqual([]);
    });
  });
});
