// One product worker of `npm run chaos`: a local host on storage and simulators that run in other
// processes, as one Function App instance among several. Configuration comes from the environment
// (AzureWebJobsStorage, PHOTOSHELTER_*, PORT, API_KEY, …); where Graph and Teams live, and whether
// this worker runs the timers, from the command line. Prints `{"ready":url}` once it serves, then
// the product's JSON log lines; SIGTERM stops it cleanly (the chaos run kills it with SIGKILL too).
import { parseArgs } from 'node:util';

import { startLocalHost } from '../composition/local-host.js';

const { values } = parseArgs({
  options: {
    'teams-url': { type: 'string' },
    'graph-url': { type: 'string' },
    'plan-id': { type: 'string' },
    timers: { type: 'boolean', default: false },
  },
  strict: true,
});

const teamsUrl = values['teams-url'];
const graphUrl = values['graph-url'];
const planId = values['plan-id'];
if (teamsUrl === undefined || graphUrl === undefined || planId === undefined) {
  process.stderr.write('chaos-worker needs --teams-url, --graph-url and --plan-id\n');
  process.exit(2);
}

const host = await startLocalHost(process.env, {
  external: { teamsUrl, graph: { url: graphUrl, planId } },
  runTimers: values.timers,
});
process.stdout.write(`${JSON.stringify({ ready: host.url })}\n`);

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  host.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
