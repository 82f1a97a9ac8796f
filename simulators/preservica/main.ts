import { COMMON_USAGE, type CommonOptions, runCli, stringOption, wholeOption } from '../kit/cli.js';
import { FakePreservicaServer } from './fake-preservica-server.js';
import { SEEDED_FOLDERS } from './store.js';

// `tsx simulators/preservica/main.ts --port 0 --data-dir .lightdesk`: the Preservica simulator in its
// own process; prints one JSON line (URL, credentials, bucket, seeded folders) once it listens.

const USAGE = `Usage: tsx simulators/preservica/main.ts [options]

Runs the Preservica simulator and prints one JSON line once it listens:
  {"url":…,"username":…,"password":…,"tenant":…,"bucket":…,"folders":{…}}
Stops cleanly on SIGINT or SIGTERM.

Options:
${COMMON_USAGE}
  (--seed: of generated refs, default 1; --data-dir keeps the repository in preservica.json and
   bitstream bytes in preservica-files/)
  --tenant <name>          tenant name (default LIGHTDESK; the bucket is <tenant lowercase>.package.upload)
  --valid-for <minutes>    access token lifetime (default 15)
  --max-stored-mb <n>      bitstream bytes kept on disk, in MB (default 512)
  --rps <n>                throttle above n requests per second (default: none)
  --public-base-url <url>  base of the absolute links handed out (default: the request's Host)`;

const spec = {
  name: 'preservica simulator',
  usage: USAGE,
  options: {
    tenant: { type: 'string' },
    'valid-for': { type: 'string' },
    'max-stored-mb': { type: 'string' },
    rps: { type: 'string' },
    'public-base-url': { type: 'string' },
  },
  start: async (
    values: Readonly<
      Record<
        'tenant' | 'valid-for' | 'max-stored-mb' | 'rps' | 'public-base-url',
        string | boolean | undefined
      >
    >,
    common: CommonOptions,
  ) => {
    const validFor = wholeOption(spec, 'valid-for', values['valid-for']);
    const maxStoredMb = wholeOption(spec, 'max-stored-mb', values['max-stored-mb']);
    const rps = wholeOption(spec, 'rps', values.rps);
    const tenant = stringOption(values.tenant);
    const publicBaseUrl = stringOption(values['public-base-url']);
    const stateFile = common.stateFile('preservica.json');
    const server = new FakePreservicaServer({
      seed: common.seed ?? 1,
      ...(tenant === undefined ? {} : { tenant }),
      ...(validFor === undefined ? {} : { validForMinutes: validFor }),
      ...(maxStoredMb === undefined ? {} : { maxStoredBytes: maxStoredMb * 1024 * 1024 }),
      ...(rps === undefined ? {} : { throttle: { requestsPerSecond: rps } }),
      ...(publicBaseUrl === undefined ? {} : { publicBaseUrl }),
      ...(stateFile === undefined ? {} : { stateFile }),
    });
    const { url } = await server.start(common.port, common.host);
    return {
      line: { url, ...server.credentials, bucket: server.bucket, folders: SEEDED_FOLDERS },
      stop: () => server.stop(),
    };
  },
} as const;

await runCli(spec);
