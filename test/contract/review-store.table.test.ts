import { ensureStorage, storageClients } from '../../connectors/azure-storage/storage-clients.js';
import { TableReviewStore } from '../../connectors/azure-storage/table-review-store.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../support/azurite.js';
import { describeReviewStoreContract } from './review-store.contract.js';

describeReviewStoreContract('TableReviewStore on Azurite', async () => {
  const clients = storageClients(azuriteConnectionString(), { prefix: uniqueStoragePrefix() });
  await ensureStorage(clients);
  return new TableReviewStore(clients.tables.reviews);
});
