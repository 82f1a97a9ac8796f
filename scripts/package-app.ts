import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { buildAppPackage } from '../manifest/build-manifest.js';

// `npm run package [-- --env env/.env.dev] [--out appPackage/build]`: the Teams app package admins
// sideload. Values come from the environment; an --env file (KEY=VALUE lines, as env/ holds) fills
// what the environment leaves unset.

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

/** KEY=VALUE lines; # comments; optional quotes. The same shape Agents Toolkit writes to env/. */
function readEnvFile(path: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match === null || line.trimStart().startsWith('#')) continue;
    values[match[1] ?? ''] = (match[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

const envFile = option('--env');
const fromFile = envFile === undefined ? {} : readEnvFile(resolve(envFile));
const env: Record<string, string | undefined> = { ...fromFile };
for (const [key, value] of Object.entries(process.env)) {
  if (value !== undefined && value !== '') env[key] = value;
}
const packageJson = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as {
  version: string;
};

const result = await buildAppPackage({
  env,
  outDir: resolve(option('--out') ?? 'appPackage/build'),
  defaultVersion: packageJson.version,
});
for (const warning of result.warnings) console.warn(`warning: ${warning}`);
if (result.zipPath === undefined) {
  console.error('The app package was not built:');
  for (const problem of result.problems) console.error(`  - ${problem}`);
  process.exitCode = 1;
} else {
  console.log(`Teams app package: ${result.zipPath} (manifest and icons at the root; validated)`);
}
