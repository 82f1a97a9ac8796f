import type { TestProject } from 'vitest/node';

import { startAzurite } from '../../composition/azurite.js';

/**
 * One in-memory Azurite for the whole integration project. Test files share it and keep apart by
 * giving their tables and queues a unique prefix (see `uniqueStoragePrefix`).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide('azuriteConnectionString', azurite.connectionString);
  return () => azurite.stop();
}
