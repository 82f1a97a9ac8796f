import {
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';

import type { GraphEnvironment } from './config.js';

/**
 * The app-only credential for Planner (`Tasks.ReadWrite.All`): the client secret when configured,
 * else the managed identity (user-assigned when AZURE_CLIENT_ID names one).
 * https://learn.microsoft.com/javascript/api/overview/azure/identity-readme
 */
export function createCredential(
  env: Pick<GraphEnvironment, 'AZURE_TENANT_ID' | 'AZURE_CLIENT_ID' | 'AZURE_CLIENT_SECRET'>,
): TokenCredential {
  const { AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: clientId } = env;
  const secret = env.AZURE_CLIENT_SECRET;
  if (secret !== undefined && tenantId !== undefined && clientId !== undefined) {
    return new ClientSecretCredential(tenantId, clientId, secret);
  }
  return clientId === undefined
    ? new ManagedIdentityCredential()
    : new ManagedIdentityCredential({ clientId });
}
