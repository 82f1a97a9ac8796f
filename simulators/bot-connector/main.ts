import { readFileSync } from 'node:fs';

import { COMMON_USAGE, type CommonOptions, runCli, stringOption, wholeOption } from '../kit/cli.js';
import { FakeBotConnectorServer } from './fake-bot-connector-server.js';

// Prints one JSON line once listening — `{"url","openIdMetadataUrl","authorityUrl","httpsUrl"?}` —
// so a parent process can read the URLs from stdout. SIGTERM and SIGINT stop it cleanly.

const USAGE = `Usage: tsx simulators/bot-connector/main.ts [options]
${COMMON_USAGE}
  --bot-app-id <id>         the bot's app id
  --bot-app-password <pw>   the client secret the token endpoint checks
  --tenant-id <id>          the tenant id
  --require-bot-token       connector calls need a token from the token endpoint
  --bot-endpoint <url>      the bot's /api/messages for /_sim/send|install|message|invoke
  --https-key <pem file> --https-cert <pem file> [--https-port <n>]
                            also serve the identity routes over TLS (MSAL wants https)`;

const spec = {
  name: 'bot connector simulator',
  usage: USAGE,
  options: {
    'bot-app-id': { type: 'string' },
    'bot-app-password': { type: 'string' },
    'tenant-id': { type: 'string' },
    'require-bot-token': { type: 'boolean' },
    'bot-endpoint': { type: 'string' },
    'https-key': { type: 'string' },
    'https-cert': { type: 'string' },
    'https-port': { type: 'string' },
  },
  start: async (
    values: Readonly<Record<string, string | boolean | undefined>>,
    common: CommonOptions,
  ) => {
    const stateFile = common.stateFile('teams-conversations.json');
    const botAppId = stringOption(values['bot-app-id']);
    const botAppPassword = stringOption(values['bot-app-password']);
    const tenantId = stringOption(values['tenant-id']);
    const botEndpoint = stringOption(values['bot-endpoint']);
    const httpsKey = stringOption(values['https-key']);
    const httpsCert = stringOption(values['https-cert']);
    const server = new FakeBotConnectorServer({
      requireBotToken: values['require-bot-token'] === true,
      ...(stateFile === undefined ? {} : { stateFile }),
      ...(botAppId === undefined ? {} : { botAppId }),
      ...(botAppPassword === undefined ? {} : { botAppPassword }),
      ...(tenantId === undefined ? {} : { tenantId }),
      ...(botEndpoint === undefined ? {} : { botEndpoint }),
      ...(httpsKey === undefined || httpsCert === undefined
        ? {}
        : {
            https: {
              key: readFileSync(httpsKey),
              cert: readFileSync(httpsCert),
              port: wholeOption(spec, 'https-port', values['https-port']) ?? 0,
            },
          }),
    });
    return { line: await server.start(common.port, common.host), stop: () => server.stop() };
  },
} as const;

await runCli(spec);
