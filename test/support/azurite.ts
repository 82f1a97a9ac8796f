import { randomBytes } from 'node:crypto';

import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

/** The connection string of the Azurite that test/support/azurite-global-setup.ts started. */
export function azuriteConnectionString(): string {
  return inject('azuriteConnectionString');
}

/**
 * A table/queue name prefix no other test file uses: a letter, then lowercase letters and digits
 * (table names allow no hyphens).
 */
export function uniqueStoragePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}
