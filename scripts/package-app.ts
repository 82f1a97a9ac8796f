import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { buildAppPackage, packageEnvSchema } from '../manifest/build-manifest.js';

// `npm run package [-- --env env/.env.dev] [--out appPackage/build] [--strict]`: the Teams app
// package admins sideload (docs/sideload.md). Values come from the environment; an --env file fills
// what the environment leaves unset, as dotenv does, so CI can override one value of a provisioned
// env file. An env file names a real environment (teamsapp.yml uploads the result), so with one,
// unset ids are errors rather than local placeholders.

const usage = `Usage: npm run package [-- --env FILE] [--out DIR] [--strict]

Builds DIR/lightdesk.zip (default appPackage/build) from manifest/manifest.template.json.
--env FILE   KEY=VALUE lines (e.g. env/.env.dev); the environment wins over the file.
             Implies --strict.
--strict     Fail when an id or the public URL is unset, instead of using local placeholders.

Variables:
${Object.entries(packageEnvSchema.shape)
  .map(([key, schema]) => `  ${key.padEnd(18)} ${schema.description ?? ''}`)
  .join('\n')}`;

/** KEY=VALUE lines, `#` comments, optional `export` and quotes: what Agents Toolkit writes to env/. */
function readEnvFile(path: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    if (line.trimStart().startsWith('#')) continue;
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] === undefined) continue;
    values[match[1]] = (match[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

function fail(lines: readonly string[]): never {
  for (const line of lines) console.error(line);
  process.exit(1);
}

let args;
try {
  args = parseArgs({
    options: {
      env: { type: 'string' },
      out: { type: 'string', default: 'appPackage/build' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (e: unknown) {
  fail([e instanceof Error ? e.message : String(e), '', usage]);
}
if (args.help === true) {
  console.log(usage);
  process.exit(0);
}

let fromFile: Record<string, string> = {};
if (args.env !== undefined) {
  try {
    fromFile = readEnvFile(resolve(args.env));
  } catch (e: unknown) {
    fail([`--env ${args.env}: ${e instanceof Error ? e.message : String(e)}`]);
  }
}
const env: Record<string, string | undefined> = { ...fromFile };
for (const [key, value] of Object.entries(process.env)) {
  // An empty variable means "not set", so it does not hide the file's value.
  if (value !== undefined && value !== '') env[key] = value;
}
const packageJson = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

const result = await buildAppPackage({
  env,
  outDir: resolve(args.out),
  defaultVersion: packageJson.version,
  allowPlaceholders: !args.strict && args.env === undefined,
});
for (const warning of result.warnings) console.warn(`warning: ${warning}`);
if (result.zipPath === undefined) {
  fail([
    'The Teams app package was not built:',
    ...result.problems.map((problem) => `  - ${problem}`),
  ]);
}
const manifest = result.manifest as {
  id: string;
  version: string;
  bots: [{ botId: string }];
  validDomains: string[];
};
console.log(`Teams app package: ${result.zipPath}`);
console.log(
  `  app ${manifest.id} v${manifest.version}, bot ${manifest.bots[0].botId}, host ${manifest.validDomains.join(', ')}`,
);
console.log(
  '  manifest.json, color.png and outline.png at the root; schema v1.23 and Teams rules ok',
);
