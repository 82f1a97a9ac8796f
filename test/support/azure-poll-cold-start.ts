import { createRequire } from 'node:module';

import azureFunctions, { type Timer } from '@azure/functions';

import { NotFoundError } from '../../core/errors.js';
import { hostedProviders } from '../../composition/azure-host.js';
import { allFunctions } from '../../functions/all-functions.js';

// Run in a process of its own by test/integration/composition/azure-host.test.ts: one cold start of
// the Azure host's poll timer, then which SDKs the process has loaded (CommonJS modules are listed in
// require.cache however they were imported). Prints one JSON line.

// @azure/functions is CommonJS: Node's ESM loader exposes only its default export.
const { InvocationContext } = azureFunctions;
const require = createRequire(import.meta.url);
const loaded = (name: string): boolean =>
  Object.keys(require.cache).some((path) => path.includes(`/node_modules/${name}/`));

const poll = allFunctions(hostedProviders(process.env)).find((d) => d.name === 'pollPhotoShelter');
if (poll?.trigger !== 'timer') throw new NotFoundError('Function', 'pollPhotoShelter');
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: true },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};
await poll.handler(timer, new InvocationContext({ functionName: poll.name }));
const afterPoll = {
  botbuilder: loaded('botbuilder'),
  graphClient: loaded('@microsoft/microsoft-graph-client'),
};
// The control: the same check sees botbuilder once something does load it.
await import('botbuilder');
process.stdout.write(`${JSON.stringify({ afterPoll, control: loaded('botbuilder') })}\n`);
