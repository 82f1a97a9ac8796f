import { COMMON_USAGE, runCli, stringOption, wholeOption } from '../kit/cli.js';
import {
  DEFAULT_API_KEY,
  DEFAULT_ORG,
  DEFAULT_USER,
  FakePhotoShelterServer,
  type FakePhotoShelterServerOptions,
} from './fake-photoshelter-server.js';

// `tsx simulators/photoshelter/main.ts --port 0 --seed 42 --assets 100000`: runs the simulator in its
// own process (the benchmark does) and prints one JSON line with its URL and credentials once it
// listens.

const USAGE = `Usage: tsx simulators/photoshelter/main.ts [options]

Runs the PhotoShelter simulator and prints one JSON line once it listens:
  {"url":…,"apiKey":…,"email":…,"password":…,"orgId":…,"userId":…,"seed":…,"assets":…,"timeZone":…}
Stops cleanly on SIGINT or SIGTERM.

Options:
${COMMON_USAGE}
  (--seed: of the generated library, default 42; --data-dir keeps it in photoshelter.json)
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
  --time-zone <zone>      the account's IANA zone, for record times and the session's tz
                          (default PHOTOSHELTER_SIM_TIME_ZONE, else UTC)`;

const spec = {
  name: 'photoshelter simulator',
  usage: USAGE,
  options: {
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
    'time-zone': { type: 'string' },
  },
  start: async (
    values: Readonly<Record<string, string | boolean | undefined>>,
    common: {
      port: number;
      host: string;
      seed: number | undefined;
      stateFile(name: string): string | undefined;
    },
  ) => {
    const org = {
      id: stringOption(values['org-id']) ?? DEFAULT_ORG.id,
      name: stringOption(values['org-name']) ?? DEFAULT_ORG.name,
    };
    const hasOrg = values['no-org'] !== true;
    const user = {
      ...DEFAULT_USER,
      email: stringOption(values['email']) ?? DEFAULT_USER.email,
      password: stringOption(values['password']) ?? DEFAULT_USER.password,
      userId: stringOption(values['user-id']) ?? DEFAULT_USER.userId,
      orgIds: hasOrg ? [org.id] : [],
    };
    const publicBaseUrl = stringOption(values['public-base-url']);
    const timeZone = stringOption(values['time-zone']);
    const stateFile = stringOption(values['state-file']) ?? common.stateFile('photoshelter.json');
    const options: FakePhotoShelterServerOptions = {
      apiKey: stringOption(values['api-key']) ?? DEFAULT_API_KEY,
      users: [user],
      orgs: hasOrg ? [org] : [],
      seed: common.seed ?? 42,
      assets: wholeOption(spec, 'assets', values['assets']) ?? 400,
      idleTimeoutMs:
        wholeOption(spec, 'idle-timeout-ms', values['idle-timeout-ms']) ?? 2 * 60 * 60 * 1000,
      ...(publicBaseUrl === undefined ? {} : { publicBaseUrl }),
      ...(stateFile === undefined ? {} : { stateFile }),
      ...(timeZone === undefined ? {} : { timeZone }),
    };
    const server = new FakePhotoShelterServer(options);
    const { url } = await server.start(common.port, common.host);
    const credentials = server.credentials;
    return {
      line: {
        url,
        apiKey: credentials.apiKey,
        email: credentials.email,
        password: credentials.password,
        orgId: credentials.orgId ?? null,
        userId: credentials.userId,
        seed: options.seed,
        assets: server.library().assets,
        timeZone: server.timeZone,
      },
      stop: () => server.stop(),
    };
  },
} as const;

await runCli(spec);
