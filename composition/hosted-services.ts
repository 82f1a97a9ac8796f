import type { ServicesProvider } from '../functions/definition.js';
import { loadConfig, requireHostedServices } from './config.js';
import { createServices, type Services } from './create-services.js';

let services: Promise<Services> | undefined;

/**
 * Services for the Azure Functions host, built on first use from the app settings. A failure is not
 * cached, so a fixed setting takes effect on the next invocation without a restart.
 */
export const hostedServices: ServicesProvider = () => {
  services ??= (async () => {
    const config = loadConfig(process.env);
    return createServices(config, {
      ...requireHostedServices(config),
      embedded: { storage: false, photoShelter: false, graph: false },
    });
  })().catch((e: unknown) => {
    services = undefined;
    throw e;
  });
  return services;
};
