import { parseArgs } from 'node:util';

import { FakeGraphServer } from './fake-graph-server.js';

// Prints one JSON line once listening — `{"url","graphUrl","seeded"}` — so a parent process can
// read where Graph lives from stdout. SIGTERM and SIGINT stop it cleanly.

const USAGE = `Usage: tsx simulators/graph/main.ts [options]
  --port N          port to listen on (default 0: any free port)
  --host H          address to bind (default 127.0.0.1)
  --seed N          seed for generated plan and bucket ids (default 1)
  --page-size N     tasks per page of GET /planner/plans/{id}/tasks (default 100)
  --rps N           throttle above N requests per second (default: no throttle)
  --no-auth         accept requests without a bearer token
  --help            this text`;

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a whole number, got '${value}'.\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: '1' },
      'page-size': { type: 'string' },
      rps: { type: 'string' },
      'no-auth': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
}
try {
  parsed = parse();
} catch (e: unknown) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
  process.exit(2);
}
const { values } = parsed;

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const pageSize = numberOption('page-size', values['page-size']);
const rps = numberOption('rps', values.rps);
const server = new FakeGraphServer({
  seed: numberOption('seed', values.seed) ?? 1,
  requireToken: !values['no-auth'],
  ...(pageSize === undefined ? {} : { pageSize }),
  ...(rps === undefined ? {} : { throttle: { requestsPerSecond: rps } }),
});

const { url } = await server.start(numberOption('port', values.port) ?? 0, values.host);
process.stdout.write(
  `${JSON.stringify({ url, graphUrl: server.graphUrl, seeded: server.seeded })}\n`,
);

const shutdown = (): void => {
  void server.stop().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
