import { parseArgs } from 'node:util';

import { FakeGraphServer } from './fake-graph-server.js';

// `tsx simulators/graph/main.ts [--port 0] [--host 127.0.0.1] [--seed 1] [--page-size 100]
//  [--no-auth] [--rps N]`
// Prints one JSON line once listening, so a parent process can read the URL from stdout.

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    'page-size': { type: 'string' },
    'no-auth': { type: 'boolean', default: false },
    rps: { type: 'string' },
  },
});

const server = new FakeGraphServer({
  seed: Number(values.seed),
  requireToken: !values['no-auth'],
  ...(values['page-size'] === undefined ? {} : { pageSize: Number(values['page-size']) }),
  ...(values.rps === undefined ? {} : { throttle: { requestsPerSecond: Number(values.rps) } }),
});

const { url } = await server.start(Number(values.port), values.host);
process.stdout.write(
  `${JSON.stringify({ url, graphUrl: server.graphUrl, seeded: server.seeded })}\n`,
);

const shutdown = (): void => {
  void server.stop().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
