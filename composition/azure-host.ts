import azureFunctions from '@azure/functions';

import { ensureError } from '../core/errors.js';
import { warmUpRoutes } from '../core/use-cases/warm-up-routes.js';
import { allFunctions, type FunctionProviders } from '../functions/all-functions.js';
import type { FunctionDefinition } from '../functions/definition.js';
import { type Config, loadConfig, requireHostedServices } from './config.js';
import {
  createPollingServices,
  createReviewStore,
  createServices,
  type PollingServices,
  type Services,
} from './create-services.js';

// @azure/functions is CommonJS: Node's ESM loader exposes only its default export.
const { app } = azureFunctions;

/**
 * Builds `build` on first use and keeps it; a failure is not kept, so a fixed app setting takes
 * effect on the next invocation without a restart.
 */
function once<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= build().catch((e: unknown) => {
      built = undefined;
      throw e;
    });
    return built;
  };
}

/**
 * Both services' webhooks to this app's public URL, made (or found) once per instance as its
 * services are built; not awaited, like the route warm-up. Health shows where they point.
 */
function subscribeWebhooks(built: Services, settings: Config): void {
  const log = built.logger.child('webhooks');
  const { proofing, preservicaArchive } = built;
  if (proofing !== undefined && settings.ziflow !== undefined) {
    const target = `${settings.publicBaseUrl}/api/v1/hooks/ziflow`;
    proofing.ensureWebhook(target, settings.ziflow.webhookKey).then(
      (outcome) => {
        log.info('Ziflow webhook', { target, subscription: outcome });
      },
      (e: unknown) => {
        log.error('could not register the Ziflow webhook; Ziflow decisions will not arrive', {
          error: ensureError(e).message,
        });
      },
    );
  }
  const secret = settings.preservica?.webhookSecret;
  if (preservicaArchive !== undefined && secret !== undefined) {
    const target = `${settings.publicBaseUrl}/api/v1/hooks/preservica`;
    preservicaArchive.ensureWebhook(target, secret).then(
      (outcome) => {
        log.info('Preservica webhook', { target, subscription: outcome });
      },
      (e: unknown) => {
        log.error('could not subscribe to Preservica webhooks; ingests are followed by polling', {
          error: ensureError(e).message,
        });
      },
    );
  }
}

/**
 * The providers the Functions host hands the functions, each building only what its functions use
 * (docs/decisions.md "Providers by need").
 */
export function hostedProviders(
  env: Readonly<Record<string, string | undefined>>,
): FunctionProviders {
  const config = (): Config => loadConfig(env, 'azure');
  const polling = once<PollingServices>(() =>
    createPollingServices(config(), requireHostedServices(config())),
  );
  const services = once<Services>(async () => {
    const settings = config();
    const { ziflow, preservica } = settings;
    const built = await createServices(
      settings,
      {
        ...requireHostedServices(settings),
        ...(preservica === undefined
          ? {}
          : {
              preservica: {
                ...preservica,
                hookTarget: () => `${settings.publicBaseUrl}/api/v1/hooks/preservica`,
              },
            }),
        ...(ziflow === undefined
          ? {}
          : {
              ziflow: {
                ...ziflow,
                hookTarget: () => `${settings.publicBaseUrl}/api/v1/hooks/ziflow`,
              },
            }),
      },
      {},
      await polling(),
    );
    // Not awaited: the invocation that built the services must not wait on Graph. Until it is done a
    // batch looks up what it needs itself.
    const logger = built.logger.child('routes');
    warmUpRoutes({ ...built, logger }).catch((e: unknown) => {
      logger.error('route warm-up failed', { error: ensureError(e).message });
    });
    subscribeWebhooks(built, settings);
    return built;
  });
  const storedReviews = once(async () => {
    const built = await polling();
    return { ...built, reviews: createReviewStore(built.storage) };
  });
  return {
    polling,
    storedReviews,
    reviewLoop: services,
    bot: async () => (await services()).bot,
  };
}

/**
 * Registers every function with the Functions host (package.json `main`), the twin of
 * local-host.ts. Throws on a bad setting or a missing API_KEY / MicrosoftAppId, so nothing
 * registers unprotected.
 */
export function registerFunctions(env: Readonly<Record<string, string | undefined>>): void {
  loadConfig(env, 'azure');
  for (const definition of allFunctions(hostedProviders(env))) register(definition);
}

function register(definition: FunctionDefinition): void {
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

registerFunctions(process.env);
