import { describe, expect, it } from 'vitest';

import { loadConfig, requireHostedServices } from '../../../composition/config.js';
import { storageClients } from '../../../connectors/azure-storage/storage-clients.js';
import { ConfigError } from '../../../core/errors.js';

// infra/azure.bicep gives the Function App no connection string: only the account name and the
// identity's client id, as the Functions host reads them. Lightdesk's clients must take the same.

const hosted = {
  PHOTOSHELTER_BASE_URL: 'https://www.photoshelter.com',
  PHOTOSHELTER_API_KEY: 'k3y.AbCdEf1',
  PHOTOSHELTER_EMAIL: 'ops@example.com',
  PHOTOSHELTER_PASSWORD: 'hunter2-very-secret',
  GRAPH_BASE_URL: 'https://graph.microsoft.com',
  AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555',
};

describe('storage reached as the managed identity', () => {
  it('reads the account name and client id the Bicep sets, with no connection string', () => {
    const config = loadConfig({
      ...hosted,
      AzureWebJobsStorage__accountName: 'lightdeskdevabc123',
      AzureWebJobsStorage__clientId: '99999999-8888-7777-6666-555555555555',
    });
    expect(requireHostedServices(config).storageConnectionString).toEqual({
      accountName: 'lightdeskdevabc123',
      clientId: '99999999-8888-7777-6666-555555555555',
    });
  });

  it('prefers a connection string when both are set, and needs one of them in Azure', () => {
    const both = loadConfig({
      ...hosted,
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      AzureWebJobsStorage__accountName: 'lightdeskdevabc123',
    });
    expect(both.storageConnectionString).toBe('UseDevelopmentStorage=true');
    expect(() => requireHostedServices(loadConfig(hosted))).toThrow(ConfigError);
  });

  it('refuses what is not a storage account name', () => {
    expect(() => loadConfig({ AzureWebJobsStorage__accountName: 'Not_An-Account' })).toThrow(
      /AzureWebJobsStorage__accountName/,
    );
  });

  it("points every table and queue client at the account's https endpoints", () => {
    const clients = storageClients({ accountName: 'lightdeskdevabc123', clientId: undefined });
    expect(clients.tables.reviews.url).toBe('https://lightdeskdevabc123.table.core.windows.net');
    expect(clients.tables.reviews.tableName).toBe('reviews');
    expect(clients.queues.events.url).toBe(
      'https://lightdeskdevabc123.queue.core.windows.net/events',
    );
    expect(clients.webhookQueues.poison.url).toBe(
      'https://lightdeskdevabc123.queue.core.windows.net/webhooks-poison',
    );
  });
});
