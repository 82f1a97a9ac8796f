import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import { type QueueClient, QueueServiceClient } from '@azure/storage-queue';

import { storageNames } from './config.js';
import { toStorageError } from './errors.js';

export interface StorageTables {
  readonly cursors: TableClient;
  readonly snapshots: TableClient;
  readonly effects: TableClient;
  readonly audit: TableClient;
  readonly reviews: TableClient;
  readonly conversations: TableClient;
  readonly subscriptions: TableClient;
}

/** A queue and its poison queue (the events queue, or the webhooks queue). */
export interface StorageQueues {
  readonly events: QueueClient;
  readonly poison: QueueClient;
}

/** One client per table and queue of this connector (docs/architecture.md), all on one account. */
export interface StorageClients {
  readonly tables: StorageTables;
  readonly queues: StorageQueues;
  /** Webhook deliveries, apart from the events so a slow subscriber never delays a review. */
  readonly webhookQueues: StorageQueues;
}

/**
 * A storage account reached as an Entra identity, not with a key: what the Functions host reads from
 * `AzureWebJobsStorage__accountName` (and `__clientId` for a user-assigned identity)
 * (https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity).
 */
export interface StorageAccount {
  readonly accountName: string;
  /** Client id of the user-assigned managed identity; undefined: DefaultAzureCredential's choice. */
  readonly clientId: string | undefined;
}

/** A connection string (Azurite, or an account key), or an account reached as an identity. */
export type StorageConnection = string | StorageAccount;

/**
 * Clients for every table and queue. `prefix` (lowercase letters and digits) goes in front of every
 * name, so tests can share one Azurite without seeing each other's rows and messages.
 */
export function storageClients(
  connection: StorageConnection,
  options: {
    readonly eventsQueue?: string;
    readonly webhooksQueue?: string;
    readonly prefix?: string;
  } = {},
): StorageClients {
  const names = storageNames(options);
  let table: (name: string) => TableClient;
  let service: QueueServiceClient;
  if (typeof connection === 'string') {
    table = (name) => createTableClient(connection, name);
    service = QueueServiceClient.fromConnectionString(connection);
  } else {
    const credential = new DefaultAzureCredential(
      connection.clientId === undefined ? {} : { managedIdentityClientId: connection.clientId },
    );
    const { tableUrl, queueUrl } = storageAccountUrls(connection.accountName);
    table = (name) => new TableClient(tableUrl, name, credential);
    service = new QueueServiceClient(queueUrl, credential);
  }
  return {
    tables: {
      cursors: table(names.tables.cursors),
      snapshots: table(names.tables.snapshots),
      effects: table(names.tables.effects),
      audit: table(names.tables.audit),
      reviews: table(names.tables.reviews),
      conversations: table(names.tables.conversations),
      subscriptions: table(names.tables.subscriptions),
    },
    queues: {
      events: service.getQueueClient(names.queues.events),
      poison: service.getQueueClient(names.queues.eventsPoison),
    },
    webhookQueues: {
      events: service.getQueueClient(names.queues.webhooks),
      poison: service.getQueueClient(names.queues.webhooksPoison),
    },
  };
}

/** The public-cloud table and queue endpoints of an account. */
function storageAccountUrls(accountName: string): {
  readonly tableUrl: string;
  readonly queueUrl: string;
} {
  return {
    tableUrl: `https://${accountName}.table.core.windows.net`,
    queueUrl: `https://${accountName}.queue.core.windows.net`,
  };
}

export function createTableClient(connectionString: string, tableName: string): TableClient {
  return TableClient.fromConnectionString(connectionString, tableName, {
    // The tables SDK refuses a shared key over http unless told; allow it for Azurite only.
    allowInsecureConnection: isHttpEndpoint(connectionString, 'TableEndpoint'),
  });
}

/** Creates the tables and queues that do not exist yet; existing ones are left as they are. */
export async function ensureStorage(clients: StorageClients): Promise<void> {
  const tables: readonly TableClient[] = Object.values(clients.tables);
  const queues: readonly QueueClient[] = [
    clients.queues.events,
    clients.queues.poison,
    clients.webhookQueues.events,
    clients.webhookQueues.poison,
  ];
  await Promise.all([
    ...tables.map(async (table) => {
      try {
        // createTable already treats 409 TableAlreadyExists as success.
        await table.createTable();
      } catch (e: unknown) {
        throw toStorageError('azure-table', e, { what: 'table', id: table.tableName });
      }
    }),
    ...queues.map(async (queue) => {
      try {
        await queue.createIfNotExists();
      } catch (e: unknown) {
        throw toStorageError('azure-queue', e, { what: 'queue', id: queue.name });
      }
    }),
  ]);
}

/** Whether the connection string points the given service at plain http (Azurite). */
export function isHttpEndpoint(
  connectionString: string,
  endpoint: 'TableEndpoint' | 'QueueEndpoint',
): boolean {
  const settings = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0) {
      settings.set(part.slice(0, equals).trim().toLowerCase(), part.slice(equals + 1).trim());
    }
  }
  if (settings.get('usedevelopmentstorage')?.toLowerCase() === 'true') return true;
  const explicit = settings.get(endpoint.toLowerCase());
  if (explicit !== undefined) return explicit.toLowerCase().startsWith('http:');
  return settings.get('defaultendpointsprotocol')?.toLowerCase() === 'http';
}
