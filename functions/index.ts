import azureFunctions from '@azure/functions';

import { checkHostedSettings, hostedServices } from '../composition/hosted-services.js';
import { allFunctions } from './all-functions.js';

// @azure/functions is CommonJS: Node's ESM loader exposes only its default export.
const { app } = azureFunctions;

// Azure Functions entry point (package.json "main"). Settings are read as %NAME% binding expressions,
// so the schedule and queue name live in app settings, not in code.
// Throws, and the host registers nothing, when a setting is bad or API_KEY / MicrosoftAppId is missing.
checkHostedSettings();

for (const definition of allFunctions(hostedServices)) {
  switch (definition.trigger) {
    case 'http':
      app.http(definition.name, {
        route: definition.route,
        methods: [...definition.methods],
        authLevel: 'anonymous',
        handler: definition.handler,
      });
      break;
    case 'timer':
      app.timer(definition.name, {
        schedule: `%${definition.scheduleSetting}%`,
        handler: definition.handler,
      });
      break;
    case 'queue':
      app.storageQueue(definition.name, {
        queueName: `%${definition.queueSetting}%`,
        connection: 'AzureWebJobsStorage',
        handler: definition.handler,
      });
      break;
  }
}
