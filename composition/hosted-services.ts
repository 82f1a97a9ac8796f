import { ensureError } from '../core/errors.js';
import { warmUpRoutes } from '../core/use-cases/warm-up-routes.js';
import type { ServicesProvider } from '../functions/definition.js';
import { loadConfig, requireHostedServices } from './config.js';
import { createServices, type Services } from './create-services.js';

let services: Promise<Services> | undefined;

/**
 * Checks the app settings when the Functions host loads the entry, so a deployment without API_KEY or
 * MicrosoftAppId (an open API, an unauthenticated bot) stops at start-up with one message naming them.
 */
export function checkHostedSettings(): void {
  loadConfig(process.env, 'azure');
}

/**
 * Services for the Azure Functions host, built on first use from the app settings. A failure is not
 * cached, so a fixed setting takes effect on the next invocation without a restart.
 */
export const hostedServices: ServicesProvider = () => {
  services ??= (async () => {
    const config = loadConfig(process.env, 'azure');
    const built = await createServices(config, {
      ...requireHostedServices(config),
      embedded: { storage: false, photoShelter: false, graph: false },
    });
    // Not awaited: the invocation that built the services must not wait on Graph. Until it is done a
    // batch looks up what it needs itself.
    const logger = built.logger.child('routes');
    warmUpRoutes({ ...built, logger }).catch((e: unknown) => {
      logger.error('route warm-up failed', { error: ensureError(e).message });
    });
    return built;
  })().catch((e: unknown) => {
    services = undefined;
    throw e;
  });
  return services;
};
