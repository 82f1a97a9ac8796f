import { parseArgs } from 'node:util';

import {
  DEFAULT_API_KEY,
  DEFAULT_ORG,
  DEFAULT_USER,
  FakePhotoShelterServer,
  type FakePhotoShelterServerOptions,
} from './fake-photoshelter-server.js';

// `tsx simulators/photoshelter/main.ts --port 0 --seed 42 --assets 100000`: runs the simulator in its
// own process (the benchmark does) and prints one JSON line with its URL and credentials once it
// listens. Nothing else goes to stdout, so callers can read that first line.

const USAGE = `Usage: tsx simulators/photoshelter/main.ts [options]

Runs the PhotoShelter simulator and prints one JSON line once it listens:
  {"url":…,"apiKey":…,"email":…,"password":…,"orgId":…,"userId":…,"seed":…,"assets":…}
Stops cleanly on SIGINT or SIGTERM.

Options:
  --port <n>              port to listen on; 0 picks a free one (default 0)
  --host <addr>           address to bind (default 127.0.0.1)
  --seed <n>              seed of the generated library (default 42)
  --assets <n>            images in the generated library (default 400)
  --api-key <key>         API key clients must send (default ${DEFAULT_API_KEY})
  --email <email>         log-in email (default ${DEFAULT_USER.email})
  --password <password>   log-in password (default ${DEFAULT_USER.password})
  --user-id <U0000…>      the user's id (default ${DEFAULT_USER.userId})
  --org-id <O0000…>       the organization the user belongs to (default ${DEFAULT_ORG.id})
  --org-name <name>       its name (default "${DEFAULT_ORG.name}")
  --no-org                the user belongs to no organization
  --idle-timeout-ms <n>   session idle timeout (default 7200000, 2 h)
  --public-base-url <url> base of links handed out (default the listening URL)
  --state-file <path>     keep the library in this JSON file across restarts
  -h, --help              show this help
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function whole(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) fail(`--${name} must be a whole number, got "${text}"`);
  return Number(text);
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (e: unknown) {
    fail(e instanceof Error ? e.message : String(e));
  }
  const values = parsed.values;
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }

  const org = {
    id: values['org-id'] ?? DEFAULT_ORG.id,
    name: values['org-name'] ?? DEFAULT_ORG.name,
  };
  const hasOrg = values['no-org'] !== true;
  const user = {
    ...DEFAULT_USER,
    email: values.email ?? DEFAULT_USER.email,
    password: values.password ?? DEFAULT_USER.password,
    userId: values['user-id'] ?? DEFAULT_USER.userId,
    orgIds: hasOrg ? [org.id] : [],
  };
  const options: FakePhotoShelterServerOptions = {
    apiKey: values['api-key'] ?? DEFAULT_API_KEY,
    users: [user],
    orgs: hasOrg ? [org] : [],
    seed: whole('seed', values.seed, 42),
    assets: whole('assets', values.assets, 400),
    idleTimeoutMs: whole('idle-timeout-ms', values['idle-timeout-ms'], 2 * 60 * 60 * 1000),
    ...(values['public-base-url'] === undefined
      ? {}
      : { publicBaseUrl: values['public-base-url'] }),
    ...(values['state-file'] === undefined ? {} : { stateFile: values['state-file'] }),
  };
  const port = whole('port', values.port, 0);
  if (port > 65_535) fail('--port must be at most 65535');

  const server = new FakePhotoShelterServer(options);
  const { url } = await server.start(port, values.host ?? '127.0.0.1');
  const credentials = server.credentials;
  process.stdout.write(
    `${JSON.stringify({
      url,
      apiKey: credentials.apiKey,
      email: credentials.email,
      password: credentials.password,
      orgId: credentials.orgId ?? null,
      userId: credentials.userId,
      seed: options.seed,
      assets: server.library().assets,
    })}\n`,
  );

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    server.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`photoshelter simulator: stop failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

function parse() {
  return parseArgs({
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      assets: { type: 'string' },
      'api-key': { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      'user-id': { type: 'string' },
      'org-id': { type: 'string' },
      'org-name': { type: 'string' },
      'no-org': { type: 'boolean' },
      'idle-timeout-ms': { type: 'string' },
      'public-base-url': { type: 'string' },
      'state-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

main().catch((e: unknown) => {
  process.stderr.write(
    `photoshelter simulator failed: ${e instanceof Error ? e.message : String(e)}\n`,
  );
  process.exit(1);
});
