import { existsSync, readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { configSlices } from '../../../composition/config.js';
import { storageNames } from '../../../connectors/azure-storage/config.js';
import { allFunctions } from '../../../functions/all-functions.js';

// teamsapp.yml, teamsapp.local.yml, env/, infra/ and .funcignore hold together, offline: every
// setting Lightdesk reads (configSlices, read from the schemas, so a new key is picked up) reaches the
// Function App from env/ or is derived there, or is local only; every ${{VAR}} has a source before
// it is used; every file the YAML names exists or is built by a step before it; the deployed zip keeps
// what the app loads. No Bicep CLI here, so the Bicep is read as text.

const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const exists = (path: string): boolean => existsSync(new URL(path, root));

// ---- What each configuration key is in Azure. A key added to configSlices must land in one of
// ---- these, or be set in the Bicep from a line of env/.env.dev (or env/.env.dev.user.example as
// ---- SECRET_<KEY>) of its own name.

/** Never set in the Function App, and why. */
const localOnly: Record<string, string> = {
  PORT: 'port of the local host; the Functions host listens where Azure tells it',
  LIGHTDESK_DATA_DIR: 'where the local host keeps Azurite data and the simulated library',
  SIM_SEED: 'seed of the embedded PhotoShelter simulator, which Azure never runs',
  SIM_ASSETS: 'size of the embedded simulator library',
  AZURE_CLIENT_SECRET: 'Azure calls Graph as the managed identity: no Graph secret exists',
  BOT_OPENID_METADATA_URL: 'test override of the Bot Framework OpenID metadata',
  BOT_LOGIN_URL: 'test override of the authority outbound bot tokens come from',
  BOT_TRUSTED_CA_FILE: 'test override: trust a self-signed token authority',
  ENTRA_OPENID_METADATA_URL: 'test override of the Entra keys that sign tab SSO tokens',
  LIGHTDESK_CONSOLE: 'the console and development sign-in exist only on the local host',
  WEBSITE_INSTANCE_ID: 'set by the App Service platform on every instance, never by us',
  AzureWebJobsStorage:
    'a connection string carries an account key: Azure reaches storage as the identity instead',
};

/** Set in the Function App from what the template itself creates or fixes: no env line could set them. */
const derivedInAzure: Record<string, string> = {
  AzureWebJobsStorage__accountName: 'name of the storage account the template creates',
  AzureWebJobsStorage__clientId: 'client id of the identity the template gives storage roles',
  AZURE_CLIENT_ID: 'client id of the managed identity the template creates for Graph',
  PUBLIC_BASE_URL: "the Function App's own https host (also an output, for the app package)",
  MicrosoftAppType: "SingleTenant, as the Azure Bot's msaAppType in the same template",
};

/** Set from what provisioning creates, under the name the toolkit writes to env/. */
const provisionedAs: Record<string, string> = {
  MicrosoftAppId: 'BOT_ID',
  MicrosoftAppPassword: 'SECRET_BOT_PASSWORD',
  MicrosoftAppTenantId: 'AAD_APP_TENANT_ID',
  AZURE_TENANT_ID: 'AAD_APP_TENANT_ID',
  TAB_SSO_CLIENT_ID: 'BOT_ID',
  TAB_SSO_TENANT_ID: 'AAD_APP_TENANT_ID',
};

// ---- Bicep, read as text.

/**
 * Bicep without comments. Literal text of strings is kept (brackets in it blanked, so they cannot
 * unbalance anything) or, with `literals: false`, dropped, leaving only the code of `${…}`
 * interpolations: then every identifier left is a reference.
 */
function bicepCode(text: string, literals = true): string {
  let i = 0;
  const code = (closer: boolean): string => {
    let out = '';
    let depth = 0;
    while (i < text.length) {
      const c = text.charAt(i);
      if (c === '/' && text.charAt(i + 1) === '/') {
        while (i < text.length && text.charAt(i) !== '\n') i += 1;
      } else if (c === '/' && text.charAt(i + 1) === '*') {
        const end = text.indexOf('*/', i + 2);
        i = end === -1 ? text.length : end + 2;
      } else if (c === "'") {
        out += string();
      } else {
        if (closer && c === '}' && depth === 0) {
          i += 1;
          return out;
        }
        if (c === '{') depth += 1;
        if (c === '}') depth -= 1;
        out += c;
        i += 1;
      }
    }
    return out;
  };
  const string = (): string => {
    if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      const body = text.slice(i + 3, end === -1 ? text.length : end);
      i = end === -1 ? text.length : end + 3;
      return literals ? `'${body.replace(/[{}[\]()']/g, ' ')}'` : "''";
    }
    i += 1;
    let out = "'";
    while (i < text.length && text.charAt(i) !== "'") {
      if (text.charAt(i) === '\\') {
        if (literals) out += text.slice(i, i + 2);
        i += 2;
      } else if (text.startsWith('${', i)) {
        i += 2;
        const inner = code(true);
        out += literals ? `\${${inner}}` : `' (${inner}) '`;
      } else {
        if (literals) out += /[{}[\]()]/.test(text.charAt(i)) ? ' ' : text.charAt(i);
        i += 1;
      }
    }
    i += 1;
    return `${out}'`;
  };
  return code(false);
}

/** The text from `open` (an index of `{`, `[` or `(`) to its closing partner, both included. */
function enclosed(code: string, open: number): string {
  const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
  const stack: string[] = [];
  for (let i = open; i < code.length; i += 1) {
    const c = code.charAt(i);
    if (pairs[c] !== undefined) stack.push(pairs[c]);
    else if (c === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return code.slice(open, i + 1);
    }
  }
  return code.slice(open);
}

/** The `{ … }` objects directly inside an array's text. */
function objectsIn(array: string): string[] {
  const objects: string[] = [];
  for (let i = 1; i < array.length - 1; i += 1) {
    if (array.charAt(i) === '{') {
      const object = enclosed(array, i);
      objects.push(object);
      i += object.length - 1;
    }
  }
  return objects;
}

interface Bicep {
  readonly code: string;
  /** Top-level `resource` symbolic name → its type (e.g. Microsoft.KeyVault/vaults/secrets) and body. */
  readonly resources: ReadonlyMap<string, { readonly type: string; readonly body: string }>;
  readonly params: ReadonlyMap<string, { readonly hasDefault: boolean; readonly secure: boolean }>;
  /** Top-level `var` name → its expression. */
  readonly vars: ReadonlyMap<string, string>;
  readonly outputs: readonly string[];
  /** The Function App's appSettings, name → value expression, in order (duplicates kept). */
  readonly appSettings: readonly { readonly name: string; readonly value: string }[];
}

function readBicep(text: string): Bicep {
  const code = bicepCode(text);
  // A declaration starts at the left margin; anything indented or closing belongs to the one above.
  const declarations = code.split(/\n(?=[^\s}\])])/);
  const params = new Map<string, { hasDefault: boolean; secure: boolean }>();
  const vars = new Map<string, string>();
  const outputs: string[] = [];
  const resources = new Map<string, { type: string; body: string }>();
  let secureNext = false;
  for (const declaration of declarations) {
    if (declaration.startsWith('@secure()')) secureNext = true;
    const param = /^param\s+(\w+)\s+[^=\n]+?(\s*=.*)?$/m.exec(declaration);
    if (param?.[1] !== undefined && declaration.startsWith('param')) {
      params.set(param[1], { hasDefault: param[2] !== undefined, secure: secureNext });
    }
    const variable = /^var\s+(\w+)\s*=\s*([\s\S]*)$/.exec(declaration);
    if (variable?.[1] !== undefined) vars.set(variable[1], variable[2] ?? '');
    const output = /^output\s+(\w+)\s/.exec(declaration);
    if (output?.[1] !== undefined) outputs.push(output[1]);
    const resource = /^resource\s+(\w+)\s+'([^'@]+)@[^']*'\s*=([\s\S]*)$/.exec(declaration);
    if (resource?.[1] !== undefined) {
      resources.set(resource[1], { type: resource[2] ?? '', body: resource[3] ?? '' });
    }
    if (!declaration.startsWith('@')) secureNext = false;
  }
  const start = code.search(/\bappSettings:\s*\[/);
  const appSettings =
    start === -1
      ? []
      : objectsIn(enclosed(code, code.indexOf('[', start))).map((object) => {
          const inner = object.slice(1, -1);
          const name = /\bname:\s*'([^']*)'/.exec(inner)?.[1] ?? '';
          const valueAt = inner.search(/\bvalue:/);
          const value =
            valueAt === -1
              ? ''
              : (inner
                  .slice(valueAt + 'value:'.length)
                  .split(/,?\s*\bname:/)[0]
                  ?.trim()
                  .replace(/,$/, '') ?? '');
          return { name, value };
        });
  return { code, resources, params, vars, outputs, appSettings };
}

/** The params an expression depends on, through vars. */
function paramsOf(bicep: Bicep, expression: string, seen = new Set<string>()): Set<string> {
  const found = new Set<string>();
  const references = bicepCode(expression, false).matchAll(/(?<![.\w])([A-Za-z_]\w*)/g);
  for (const [, name = ''] of references) {
    if (bicep.params.has(name)) found.add(name);
    const body = bicep.vars.get(name);
    if (body !== undefined && !seen.has(name)) {
      seen.add(name);
      for (const param of paramsOf(bicep, body, seen)) found.add(param);
    }
  }
  return found;
}

/** The Key Vault secrets (symbolic names) an app setting's value refers to, through vars. */
function vaultSecretsOf(bicep: Bicep, expression: string): string[] {
  return [
    ...expanded(bicep, expression).matchAll(
      // bicepCode blanks the brackets of string literals, so the reference's parentheses are spaces.
      /'@Microsoft\.KeyVault[( ]SecretUri=\$\{(\w+)\.properties\.secretUri}[) ]'/g,
    ),
  ]
    .map((m) => m[1] ?? '')
    .filter((name) => bicep.resources.get(name)?.type === 'Microsoft.KeyVault/vaults/secrets');
}

/** The params a Key Vault secret resource stores (its `value:`). */
function storedParams(bicep: Bicep, secret: string): Set<string> {
  const body = bicep.resources.get(secret)?.body ?? '';
  return paramsOf(bicep, /\bvalue:\s*([^\n]*)/.exec(body)?.[1] ?? '');
}

/** The expression with every var it uses spelled out after it, for looking at its whole source. */
function expanded(bicep: Bicep, expression: string, seen = new Set<string>()): string {
  let text = expression;
  for (const [, name = ''] of bicepCode(expression, false).matchAll(/(?<![.\w])([A-Za-z_]\w*)/g)) {
    const body = bicep.vars.get(name);
    if (body !== undefined && !seen.has(name)) {
      seen.add(name);
      text += `\n${expanded(bicep, body, seen)}`;
    }
  }
  return text;
}

// ---- env files, YAML and the parameters file.

function envFile(path: string): Map<string, string> {
  if (!exists(path)) return new Map();
  const entries = read(path)
    .split(/\r?\n/)
    .filter((line) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line))
    .map((line): [string, string] => [
      line.slice(0, line.indexOf('=')),
      line.slice(line.indexOf('=') + 1),
    ]);
  return new Map(entries);
}

const placeholders = (text: string): string[] =>
  [...text.matchAll(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1] ?? '');

interface Step {
  readonly uses: string;
  readonly name?: string;
  readonly with?: Record<string, unknown>;
  readonly writeToEnvironmentFile?: Record<string, string>;
}
interface Project {
  readonly version?: unknown;
  readonly environmentFolderPath?: unknown;
  readonly provision?: readonly Step[];
  readonly deploy?: readonly Step[];
  readonly publish?: readonly Step[];
}

const bicepText = read('infra/azure.bicep');
const bicep = readBicep(bicepText);
const parametersText = read('infra/azure.parameters.json');
const parameters = (
  JSON.parse(parametersText) as { parameters: Record<string, { value: unknown }> }
).parameters;
const keys = configSlices.flatMap((slice) => Object.keys(slice.shape));

/** What arm/deploy writes: each output, upper-cased, non-alphanumerics as `_`. */
const armOutputs = bicep.outputs.map((name) => name.toUpperCase().replace(/[^A-Z0-9]/g, '_'));

/** Env names a step writes without a writeToEnvironmentFile entry. */
function implicitOutputs(step: Step): string[] {
  switch (step.uses) {
    case 'arm/deploy':
      return armOutputs;
    case 'aadApp/update':
      // Generated when empty (https://aka.ms/teamsfx-actions/aadapp-update).
      return ['AAD_APP_ACCESS_AS_USER_PERMISSION_ID'];
    case 'teamsApp/create':
    case 'teamsApp/update':
      return ['TEAMS_APP_TENANT_ID'];
    case 'script': {
      // `::set-teamsfx-env NAME=…` lines, written in the step or printed by the script it runs.
      const run = typeof step.with?.run === 'string' ? step.with.run : '';
      const script = /scripts\/[\w-]+\.ts/.exec(run)?.[0];
      const text = `${run}\n${script === undefined ? '' : read(script)}`;
      return [...text.matchAll(/::set-teamsfx-env ([A-Za-z0-9_]+)=/g)].map((m) => m[1] ?? '');
    }
    default:
      return [];
  }
}

/** Files a step reads besides the YAML: their placeholders are its inputs too. */
function filesRead(step: Step): string[] {
  const w = step.with ?? {};
  if (step.uses === 'arm/deploy') {
    return ((w.templates ?? []) as { parameters?: string }[]).flatMap((t) =>
      t.parameters === undefined ? [] : [t.parameters],
    );
  }
  if (step.uses === 'aadApp/update' && typeof w.manifestPath === 'string') return [w.manifestPath];
  return [];
}

const normal = (path: string): string => path.replace(/^\.\//, '');

/** A cli/runNpmCommand step's arguments, e.g. `run package -- --env ./env/.env.dev`. */
const argsOf = (step: Step): string => (typeof step.with?.args === 'string' ? step.with.args : '');

/** Files a step writes that a later step or command may name. */
function filesWritten(step: Step): string[] {
  const w = step.with ?? {};
  if (step.uses === 'cli/runNpmCommand' && /^run package\b/.test(argsOf(step))) {
    // `npm run package` (scripts/package-app.ts) writes both to appPackage/build/.
    return ['appPackage/build/manifest.json', 'appPackage/build/lightdesk.zip'];
  }
  if (step.uses === 'file/createOrUpdateEnvironmentFile' && typeof w.target === 'string') {
    return [normal(w.target)];
  }
  return [];
}

const projects = [
  { file: 'teamsapp.yml', env: 'dev' },
  { file: 'teamsapp.local.yml', env: 'local' },
] as const;

describe('configuration in Azure', () => {
  const settings = new Map(bicep.appSettings.map((s) => [s.name, s.value]));
  const devEnv = new Map([...envFile('env/.env.dev'), ...envFile('env/.env.dev.user.example')]);
  const devWritten = new Set(
    (parse(read('teamsapp.yml')) as Project).provision?.flatMap((step) => [
      ...Object.values(step.writeToEnvironmentFile ?? {}),
      ...implicitOutputs(step),
    ]),
  );

  /** The env names whose values reach a setting, through params and the parameters file. */
  const envSourcesOf = (setting: string): string[] => {
    const value = settings.get(setting) ?? '';
    const stored = vaultSecretsOf(bicep, value).flatMap((secret) => [
      ...storedParams(bicep, secret),
    ]);
    return [...paramsOf(bicep, value), ...stored].flatMap((param) =>
      placeholders(JSON.stringify(parameters[param]?.value ?? '')),
    );
  };
  const secureParams = [...bicep.params].filter(([, p]) => p.secure).map(([name]) => name);

  it('reads its configuration keys from the schemas', () => {
    expect(keys.length).toBeGreaterThan(20);
    expect(keys).toContain('PHOTOSHELTER_API_KEY');
  });

  it('sets every key in the Function App unless it is local only', () => {
    const missing = keys.filter((key) => localOnly[key] === undefined && !settings.has(key));
    expect(missing, 'set these in infra/azure.bicep or list them in localOnly').toEqual([]);
    expect(keys.filter((key) => localOnly[key] !== undefined && settings.has(key))).toEqual([]);
  });

  it('takes every key it sets from env/.env.dev, a secret, or what provisioning creates', () => {
    const unsourced: string[] = [];
    for (const key of keys) {
      if (localOnly[key] !== undefined || derivedInAzure[key] !== undefined) continue;
      const sources = envSourcesOf(key);
      const expected = provisionedAs[key] ?? [key, `SECRET_${key}`].find((n) => devEnv.has(n));
      if (expected === undefined || !sources.includes(expected) || !devEnv.has(expected)) {
        unsourced.push(`${key} (from ${sources.join(', ') || 'no env line'})`);
      }
      if (provisionedAs[key] !== undefined) expect(devWritten, key).toContain(provisionedAs[key]);
    }
    expect(unsourced, 'add KEY= to env/.env.dev (SECRET_KEY= to the .user.example)').toEqual([]);
  });

  it('takes secrets only from SECRET_ lines, into @secure() params', () => {
    for (const [param, { secure }] of bicep.params) {
      const names = placeholders(JSON.stringify(parameters[param]?.value ?? ''));
      const isSecretSource = names.some((name) => name.startsWith('SECRET_'));
      expect(isSecretSource, param).toBe(secure);
    }
    const secrets = [...bicep.params].filter(([, p]) => p.secure).map(([name]) => name);
    for (const output of bicep.code.match(/^output .*$/gm) ?? []) {
      expect(paramsOf(bicep, output.replace(/^output\s+\w+\s+\w+\s*=/, ''))).not.toSatisfy(
        (found: Set<string>) => secrets.some((s) => found.has(s)),
      );
    }
  });

  it('lists no key twice and no key the schemas have dropped', () => {
    const listed = [
      ...Object.keys(localOnly),
      ...Object.keys(derivedInAzure),
      ...Object.keys(provisionedAs),
    ];
    expect(listed.filter((key) => !keys.includes(key))).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);
    for (const reason of [...Object.values(localOnly), ...Object.values(derivedInAzure)]) {
      expect(reason.length).toBeGreaterThan(10);
    }
  });

  it('sets what the Functions host needs, once each', () => {
    // Flex Consumption refuses these: functionAppConfig carries the runtime instead
    // (https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations).
    for (const refused of [
      'FUNCTIONS_EXTENSION_VERSION',
      'FUNCTIONS_WORKER_RUNTIME',
      'WEBSITE_RUN_FROM_PACKAGE',
      'SCM_DO_BUILD_DURING_DEPLOYMENT',
      'ENABLE_ORYX_BUILD',
    ]) {
      expect(settings.has(refused), refused).toBe(false);
    }
    expect(settings.get('AzureWebJobsStorage__accountName')).toBe('storage.name');
    expect(settings.get('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
    expect(settings.has('APPLICATIONINSIGHTS_CONNECTION_STRING')).toBe(true);
    expect(bicep.code).not.toContain('linuxFxVersion');
    expect(bicep.code).toContain("kind: 'functionapp,linux'");
    const names = bicep.appSettings.map((s) => s.name);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
    expect(names.every((name) => name !== '')).toBe(true);
  });

  it('runs on Flex Consumption (FC1) with Node 22 or newer', () => {
    const plan = bicep.resources.get('plan');
    expect(plan?.type).toBe('Microsoft.Web/serverfarms');
    expect(plan?.body).toMatch(/name: 'FC1'/);
    expect(plan?.body).toMatch(/tier: 'FlexConsumption'/);
    const app = bicep.resources.get('functionApp')?.body ?? '';
    expect(app).toMatch(/serverFarmId: plan\.id/);
    const config = enclosed(app, app.indexOf('{', app.search(/\bfunctionAppConfig:/)));
    const runtime = enclosed(config, config.indexOf('{', config.search(/\bruntime:/)));
    expect(runtime).toMatch(/name: 'node'/);
    const version = /version: (\w+|'[^']*')/.exec(runtime)?.[1] ?? '';
    const literal = version.startsWith("'") ? version : (bicep.vars.get(version) ?? '');
    expect(Number(/^'(\d+)/.exec(literal.trim())?.[1])).toBeGreaterThanOrEqual(22);
    // One deploy puts the package in a blob container, read as an identity, not with a key.
    const storage = enclosed(config, config.indexOf('{', config.search(/\bstorage:/)));
    expect(storage).toMatch(/type: 'blobContainer'/);
    expect(storage).toMatch(/type: '(SystemAssignedIdentity|UserAssignedIdentity)'/);
    expect(config).toMatch(/instanceMemoryMB: \d+/);
    expect(config).toMatch(/maximumInstanceCount: \d+/);
  });

  it('puts no account key or connection string with a key in the app settings', () => {
    for (const { name, value } of bicep.appSettings) {
      const source = expanded(bicep, value);
      expect(source, name).not.toMatch(/listKeys|AccountKey|SharedAccessSignature|listAccountSas/i);
    }
    expect(bicep.code).not.toMatch(/listKeys\(/);
    expect(bicep.resources.get('storage')?.body).toMatch(/allowSharedKeyAccess: false/);
  });

  it('gives every secret setting as a Key Vault reference the app can read', () => {
    const secretSettings = bicep.appSettings.filter(({ value }) => {
      const stored = vaultSecretsOf(bicep, value).flatMap((s) => [...storedParams(bicep, s)]);
      return [...paramsOf(bicep, value), ...stored].some((p) => secureParams.includes(p));
    });
    expect(secretSettings.map((s) => s.name).sort()).toEqual(
      [
        'API_KEY',
        'MicrosoftAppPassword',
        'PHOTOSHELTER_API_KEY',
        'PHOTOSHELTER_PASSWORD',
        'PRESERVICA_PASSWORD',
        'PRESERVICA_WEBHOOK_SECRET',
        'WEBHOOK_SIGNING_SECRET',
        'ZIFLOW_API_KEY',
        'ZIFLOW_WEBHOOK_KEY',
      ].sort(),
    );
    for (const { name, value } of secretSettings) {
      const secrets = vaultSecretsOf(bicep, value);
      expect(secrets, `${name} is not a Key Vault reference`).toHaveLength(1);
      // The secure param reaches the setting only through the vault (or an empty() test).
      const direct = bicepCode(expanded(bicep, value), false).replace(/empty\(\w+\)/g, '');
      for (const param of secureParams) {
        expect(direct, `${name} carries ${param} itself`).not.toMatch(
          new RegExp(`(?<![.\\w])${param}(?!\\w)`),
        );
      }
    }
    // Azure RBAC on the vault, and the app's identity may read secrets and resolves the references.
    expect(bicep.code).toMatch(/enableRbacAuthorization: true/);
    expect(bicep.code).toContain('4633458b-17de-408a-b874-0445c86b69e6'); // Key Vault Secrets User
    expect(bicep.resources.get('functionApp')?.body).toMatch(/keyVaultReferenceIdentity: \w+\.id/);
  });

  it('grants the identity the storage roles the host and Lightdesk need', () => {
    for (const role of [
      'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', // Storage Blob Data Owner
      '974c5e8b-45b9-4653-ba55-5f855dd0fb88', // Storage Queue Data Contributor
      '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', // Storage Table Data Contributor
    ]) {
      expect(bicep.code).toContain(`'${role}'`);
    }
    // Storage Account Contributor would let it list the keys: not needed.
    expect(bicep.code).not.toContain('17d1049b-9a84-46fb-8f53-869881c3d3ab');
  });

  it('never leaves a trigger binding setting empty, and creates its queues', () => {
    const never = () => new Promise<never>(() => undefined);
    const providers = { polling: never, storedReviews: never, reviewLoop: never, bot: never };
    const bindings = allFunctions(providers).flatMap((f) =>
      f.trigger === 'timer' ? [f.scheduleSetting] : f.trigger === 'queue' ? [f.queueSetting] : [],
    );
    expect(bindings.length).toBeGreaterThan(0);
    for (const setting of bindings) {
      const value = settings.get(setting) ?? '';
      expect(value, setting).not.toBe('');
      // %SETTING% is resolved by the host before Lightdesk's own defaults apply.
      const source = expanded(bicep, value);
      for (const param of paramsOf(bicep, value)) {
        expect(source, `${setting}: ${param} may be empty`).toMatch(
          new RegExp(`empty\\(${param}\\)`),
        );
      }
    }
    // The queue and its poison queue, by the same expression the setting uses.
    const queueNames = bicep.vars.get('queueNames') ?? '';
    for (const f of allFunctions(providers)) {
      if (f.trigger !== 'queue') continue;
      const variable = settings.get(f.queueSetting) ?? '';
      expect(variable).toMatch(/^\w+$/);
      expect(queueNames).toMatch(new RegExp(`^\\s*${variable}$`, 'm'));
      expect(queueNames).toContain(`'\${${variable}}-poison'`);
    }
  });

  it('creates the tables Lightdesk keeps', () => {
    const tableNames = bicep.vars.get('tableNames') ?? '';
    for (const table of Object.values(storageNames().tables)) {
      expect(tableNames).toContain(`'${table}'`);
    }
  });
});

describe('infra/azure.bicep and its parameters', () => {
  it('gives every param without a default a value, and values only to declared params', () => {
    const given = Object.keys(parameters);
    const required = [...bicep.params].filter(([, p]) => !p.hasDefault).map(([name]) => name);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((name) => !given.includes(name))).toEqual([]);
    expect(given.filter((name) => !bicep.params.has(name))).toEqual([]);
  });

  it('uses every param and var it declares', () => {
    const references = bicepCode(bicep.code, false);
    for (const name of [...bicep.params.keys(), ...bicep.vars.keys()]) {
      const uses = references.match(new RegExp(`(?<![.\\w])${name}(?!\\w)`, 'g')) ?? [];
      expect(uses.length, name).toBeGreaterThan(1);
    }
  });

  it('has balanced braces, brackets and parentheses', () => {
    const code = bicepCode(bicepText, false);
    for (const [open, close] of [
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
    ] as const) {
      expect(code.split(open).length, open).toBe(code.split(close).length);
    }
    expect(enclosed(code, code.indexOf('{'))).toMatch(/}$/);
  });

  it('names outputs as the env variables arm/deploy writes', () => {
    expect(bicep.outputs).toContain('FUNCTION_APP_RESOURCE_ID');
    for (const output of bicep.outputs) expect(output).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });

  it('registers a single-tenant Azure Bot at the Function App, with the Teams channel', () => {
    expect(bicep.code).toContain("'Microsoft.BotService/botServices@");
    expect(bicep.code).toMatch(/msaAppType: 'SingleTenant'/);
    expect(bicep.code).toMatch(/endpoint: '\$\{publicBaseUrl}\/api\/messages'/);
    expect(bicep.code).toMatch(/channelName: 'MsTeamsChannel'/);
  });
});

describe.each(projects)('$file', ({ file, env }) => {
  const text = read(file);
  const project = parse(text) as Project;
  const stages = [
    ['provision', project.provision ?? []],
    ['deploy', project.deploy ?? []],
    ['publish', project.publish ?? []],
  ] as const;
  const steps = stages.flatMap(([, s]) => s);
  const envValues = new Map([
    ...envFile(`env/.env.${env}`),
    ...envFile(`env/.env.${env}.user.example`),
  ]);
  const uses = (stage: readonly Step[]) => stage.map((s) => s.uses);
  const expand = (path: string) => normal(path.replace(/\$\{\{\s*TEAMSFX_ENV\s*\}\}/g, env));

  it('parses, with a schema version the toolkit knows and its stages', () => {
    expect(String(project.version)).toMatch(/^v1\.\d+$/);
    expect(Number(String(project.version).slice(3))).toBeGreaterThanOrEqual(7);
    expect(project.environmentFolderPath).toBe('./env');
    expect(envValues.get('TEAMSFX_ENV')).toBe(env);
    expect(uses(project.provision ?? [])).toEqual(
      expect.arrayContaining(['teamsApp/create', 'teamsApp/validateManifest', 'teamsApp/update']),
    );
    expect(uses(project.provision ?? []).some((u) => /^(aadApp|botAadApp)\/create$/.test(u))).toBe(
      true,
    );
    if (file === 'teamsapp.yml') {
      expect(uses(project.provision ?? [])).toContain('arm/deploy');
      // Flex Consumption takes only one deploy, never Kudu's zip deploy.
      expect(uses(project.deploy ?? [])).not.toContain('azureFunctions/zipDeploy');
      expect(uses(project.deploy ?? [])).toContain('cli/runNpmCommand');
      const publish = project.deploy?.find((s) => s.uses === 'script');
      expect(String(publish?.with?.run)).toMatch(
        /^(func azure functionapp publish \$\{\{FUNCTION_APP_NAME}}|az functionapp (deploy|deployment source config-zip)) /,
      );
      expect(project.deploy?.some((s) => s.with?.args === 'run build')).toBe(true);
      expect(uses(project.publish ?? [])).toContain('teamsApp/publishAppPackage');
    } else {
      const bot = project.provision?.find((s) => s.uses === 'botFramework/create');
      expect(bot?.with?.messagingEndpoint).toBe('${{BOT_ENDPOINT}}/api/messages');
      expect(bot?.with?.channels).toEqual([{ name: 'msteams' }]);
      expect(uses(project.provision ?? [])).toContain('file/createOrUpdateEnvironmentFile');
      // The tunnel exposes the API: the local host behind it runs with a generated key.
      const dotEnv = project.provision?.find(
        (s) => s.uses === 'file/createOrUpdateEnvironmentFile',
      );
      expect(dotEnv?.with?.envs).toMatchObject({ API_KEY: '${{SECRET_API_KEY}}' });
    }
  });

  it('names only files that exist or that a step before it writes', () => {
    const checked: string[] = [];
    for (const [, stage] of stages) {
      const written = new Set<string>();
      // Build output must come from a step before it, whatever an earlier local run left on disk.
      const producible = new Set(stage.flatMap(filesWritten));
      const isBuilt = (path: string) =>
        path.startsWith('appPackage/build/') || producible.has(path);
      for (const step of stage) {
        const w = step.with ?? {};
        const paths: string[] = [...filesRead(step)];
        for (const key of ['manifestPath', 'appPackagePath', 'ignoreFile'] as const) {
          if (typeof w[key] === 'string') paths.push(w[key]);
        }
        for (const template of (w.templates ?? []) as { path: string }[]) paths.push(template.path);
        const envOption = /--env\s+(\S+)/.exec(argsOf(step))?.[1];
        if (envOption !== undefined) paths.push(envOption);
        for (const path of paths.map(expand)) {
          checked.push(path);
          expect(isBuilt(path) ? written.has(path) : exists(path), `${path} (${step.uses})`).toBe(
            true,
          );
        }
        for (const path of filesWritten(step)) written.add(path);
      }
    }
    expect(checked.length).toBeGreaterThan(2);
    expect(exists(String(project.environmentFolderPath))).toBe(true);
  });

  it('runs only npm scripts package.json has', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    for (const step of steps.filter((s) => s.uses === 'cli/runNpmCommand')) {
      const script = /^run\s+(\S+)/.exec(argsOf(step))?.[1];
      if (script !== undefined) expect(Object.keys(scripts), script).toContain(script);
    }
  });

  it('has a source for every ${{VAR}}: a step before its use, or the env files', () => {
    const writers = new Map<string, number>();
    steps.forEach((step, index) => {
      for (const name of [
        ...Object.values(step.writeToEnvironmentFile ?? {}),
        ...implicitOutputs(step),
      ]) {
        if (!writers.has(name)) writers.set(name, index);
      }
    });
    const problems: string[] = [];
    steps.forEach((step, index) => {
      const inputs = [
        ...placeholders(JSON.stringify(step.with ?? {})),
        ...filesRead(step).flatMap((path) => placeholders(read(expand(path)))),
      ];
      for (const name of inputs) {
        const writer = writers.get(name);
        // A step may read what it generates when empty (aadApp/update's permission id).
        const isOwn = writer === index && implicitOutputs(step).includes(name);
        if (writer === undefined ? !envValues.has(name) : writer >= index && !isOwn) {
          problems.push(`${name} in step ${index + 1} (${step.uses})`);
        }
      }
    });
    expect(problems).toEqual([]);
    // Everything provisioning writes has its line in the env files, where people look for it.
    for (const name of writers.keys()) {
      if (name !== 'TEAMS_APP_TENANT_ID') expect([...envValues.keys()], name).toContain(name);
    }
  });

  it('writes to .env only settings Lightdesk reads', () => {
    for (const step of steps.filter((s) => s.uses === 'file/createOrUpdateEnvironmentFile')) {
      const envs = Object.keys(step.with?.envs ?? {});
      expect(envs.length).toBeGreaterThan(0);
      expect(envs.filter((name) => !keys.includes(name))).toEqual([]);
    }
  });
});

describe('.funcignore', () => {
  const patterns = read('.funcignore')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  /** .gitignore matching, enough for the patterns this file uses (checked below). */
  const isIgnored = (path: string): boolean => {
    let ignored = false;
    for (const raw of patterns) {
      const negated = raw.startsWith('!');
      const pattern = raw.replace(/^!/, '').replace(/\/$/, '');
      const anchored = pattern.includes('/');
      const body = pattern.replace(/^\//, '');
      const regex = new RegExp(
        `^${body
          .split('*')
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]*')}$`,
      );
      const segments = path.split('/');
      const matches = anchored
        ? segments.some((_, k) => regex.test(segments.slice(0, k + 1).join('/')))
        : segments.some((segment) => regex.test(segment));
      if (matches) ignored = !negated;
    }
    return ignored;
  };

  it('uses only patterns this test understands', () => {
    for (const pattern of patterns)
      expect(pattern, pattern).toMatch(/^!?\/?[\w.*-]+(\/[\w.*-]+)*\/?$/);
  });

  it('keeps what the Function App loads', () => {
    const main = (JSON.parse(read('package.json')) as { main: string }).main;
    const kept = [
      main,
      'host.json',
      'package.json',
      'config/routing-rules.json',
      ...readdirSync(new URL('tab/public/', root)).map((name) => `tab/public/${name}`),
      'node_modules/axios/lib/env/data.js',
      'node_modules/@azure/functions/package.json',
    ];
    expect(kept.filter(isIgnored)).toEqual([]);
  });

  // Walks every file of the production dependencies: on a cold disk cache (a fresh `npm ci`, as in
  // CI) that alone can take longer than the default 5 s.
  it('keeps every file of the production dependencies', { timeout: 60_000 }, () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const production = Object.entries(lock.packages)
      .filter(([path, p]) => path.startsWith('node_modules/') && p.dev !== true)
      .map(([path]) => path);
    expect(production.length).toBeGreaterThan(10);
    const dropped: string[] = [];
    for (const dir of production.filter(exists)) {
      for (const entry of readdirSync(new URL(`${dir}/`, root), { recursive: true })) {
        const path = `${dir}/${String(entry).replaceAll('\\', '/')}`;
        if (isIgnored(path)) dropped.push(path);
      }
    }
    expect(dropped.slice(0, 10)).toEqual([]);
  });

  it('leaves out sources, tests, secrets and local data', () => {
    for (const path of [
      '.env',
      'env/.env.dev.user',
      'test/unit/provisioning/provisioning.test.ts',
      'simulators/photoshelter/fake-photoshelter-server.ts',
      'core/errors.ts',
      'composition/azure-host.ts',
      '.lightdesk/azurite/__queuestorage__',
      'appPackage/build/lightdesk.zip',
      'infra/azure.bicep',
      'local.settings.json',
      '.deployment/deployment.zip',
      'teamsapp.yml',
    ]) {
      expect(isIgnored(path), path).toBe(true);
    }
  });
});
