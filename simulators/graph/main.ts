import { COMMON_USAGE, type CommonOptions, runCli, wholeOption } from '../kit/cli.js';
import { FakeGraphServer } from './fake-graph-server.js';

// Prints one JSON line once listening — `{"url","graphUrl","seeded"}` — so a parent process can
// read where Graph lives from stdout. SIGTERM and SIGINT stop it cleanly.

const USAGE = `Usage: tsx simulators/graph/main.ts [options]
${COMMON_USAGE}
  --page-size N     tasks per page of GET /planner/plans/{id}/tasks (default 100)
  --rps N           throttle above N requests per second (default: no throttle)
  --no-auth         accept requests without a bearer token
(--seed: generated plan and bucket ids, default 1; --data-dir is not used: Graph keeps no state)`;

const spec = {
  name: 'graph simulator',
  usage: USAGE,
  options: {
    'page-size': { type: 'string' },
    rps: { type: 'string' },
    'no-auth': { type: 'boolean' },
  },
  start: async (
    values: Readonly<Record<'page-size' | 'rps' | 'no-auth', string | boolean | undefined>>,
    common: CommonOptions,
  ) => {
    const pageSize = wholeOption(spec, 'page-size', values['page-size']);
    const rps = wholeOption(spec, 'rps', values.rps);
    const stateFile = common.stateFile('graph-planner.json');
    const server = new FakeGraphServer({
      seed: common.seed ?? 1,
      requireToken: values['no-auth'] !== true,
      ...(pageSize === undefined ? {} : { pageSize }),
      ...(rps === undefined ? {} : { throttle: { requestsPerSecond: rps } }),
      ...(stateFile === undefined ? {} : { stateFile }),
    });
    const { url } = await server.start(common.port, common.host);
    return {
      line: { url, graphUrl: server.graphUrl, seeded: server.seeded },
      stop: () => server.stop(),
    };
  },
} as const;

await runCli(spec);
