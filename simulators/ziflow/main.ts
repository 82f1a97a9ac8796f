import { COMMON_USAGE, type CommonOptions, runCli, stringOption, wholeOption } from '../kit/cli.js';
import { SIGNATURE_MODES, type SignatureMode } from './inferred.js';
import { FakeZiflowServer } from './fake-ziflow-server.js';

// `tsx simulators/ziflow/main.ts --port 0`: the Ziflow simulator in its own process. Prints one
// JSON line once listening — `{"url","apiUrl","adminApiKey","users"}` — and stops on SIGINT/SIGTERM.

const USAGE = `Usage: tsx simulators/ziflow/main.ts [options]

Runs the Ziflow simulator and prints one JSON line once it listens:
  {"url":…,"apiUrl":…,"adminApiKey":…,"users":[{"email","apikey","admin"}…]}
Stops cleanly on SIGINT or SIGTERM.

Options:
${COMMON_USAGE}
  (--seed: of the generated ids, default 17; --data-dir keeps proofs and webhooks in ziflow.json)
  --rps <n>                  throttle above n requests per second (default: no throttle)
  --signature-mode <mode>    ${SIGNATURE_MODES.join(' | ')} (default ${SIGNATURE_MODES[0]})
  --no-auto-process          fetch a proof's files only on POST /_sim/process
  --public-base-url <url>    base of the proof links handed out (default the listening URL)`;

const spec = {
  name: 'ziflow simulator',
  usage: USAGE,
  options: {
    rps: { type: 'string' },
    'signature-mode': { type: 'string' },
    'no-auto-process': { type: 'boolean' },
    'public-base-url': { type: 'string' },
  },
  start: async (
    values: Readonly<
      Record<
        'rps' | 'signature-mode' | 'no-auto-process' | 'public-base-url',
        string | boolean | undefined
      >
    >,
    common: CommonOptions,
  ) => {
    const rps = wholeOption(spec, 'rps', values.rps);
    const mode = stringOption(values['signature-mode']);
    if (mode !== undefined && !(SIGNATURE_MODES as readonly string[]).includes(mode)) {
      process.stderr.write(
        `--signature-mode must be one of ${SIGNATURE_MODES.join(', ')}\n\n${USAGE}\n`,
      );
      process.exit(2);
    }
    const stateFile = common.stateFile('ziflow.json');
    const publicBaseUrl = stringOption(values['public-base-url']);
    const server = new FakeZiflowServer({
      seed: common.seed ?? 17,
      autoProcess: values['no-auto-process'] !== true,
      ...(rps === undefined ? {} : { throttle: { requestsPerSecond: rps } }),
      ...(mode === undefined ? {} : { signatureMode: mode as SignatureMode }),
      ...(stateFile === undefined ? {} : { stateFile }),
      ...(publicBaseUrl === undefined ? {} : { publicBaseUrl }),
    });
    const { url } = await server.start(common.port, common.host);
    return {
      line: {
        url,
        apiUrl: server.apiUrl,
        adminApiKey: server.adminApiKey,
        users: server.users.map((u) => ({ email: u.email, apikey: u.apiKey, admin: u.admin })),
      },
      stop: () => server.stop(),
    };
  },
} as const;

await runCli(spec);
