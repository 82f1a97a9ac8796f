import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { FakeBotConnectorServer } from './fake-bot-connector-server.js';

// `tsx simulators/bot-connector/main.ts [--port 0] [--host 127.0.0.1] [--bot-app-id …]
//  [--tenant-id …] [--require-bot-token] [--bot-endpoint http://…/api/messages]
//  [--https-key key.pem --https-cert cert.pem [--https-port 0]]`
// Prints one JSON line once listening, so a parent process can read the URLs from stdout.

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'bot-app-id': { type: 'string' },
    'bot-app-password': { type: 'string' },
    'tenant-id': { type: 'string' },
    'require-bot-token': { type: 'boolean', default: false },
    'bot-endpoint': { type: 'string' },
    'https-key': { type: 'string' },
    'https-cert': { type: 'string' },
    'https-port': { type: 'string', default: '0' },
  },
});

const httpsKey = values['https-key'];
const httpsCert = values['https-cert'];

const server = new FakeBotConnectorServer({
  requireBotToken: values['require-bot-token'],
  ...(values['bot-app-id'] === undefined ? {} : { botAppId: values['bot-app-id'] }),
  ...(values['bot-app-password'] === undefined
    ? {}
    : { botAppPassword: values['bot-app-password'] }),
  ...(values['tenant-id'] === undefined ? {} : { tenantId: values['tenant-id'] }),
  ...(values['bot-endpoint'] === undefined ? {} : { botEndpoint: values['bot-endpoint'] }),
  ...(httpsKey === undefined || httpsCert === undefined
    ? {}
    : {
        https: {
          key: readFileSync(httpsKey),
          cert: readFileSync(httpsCert),
          port: Number(values['https-port']),
        },
      }),
});

const started = await server.start(Number(values.port), values.host);
process.stdout.write(`${JSON.stringify(started)}\n`);

const shutdown = (): void => {
  void server.stop().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
