import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type LocalHost, startLocalHost } from '../../composition/local-host.js';
import { RecordingLogger } from '../doubles/recording-logger.js';

export interface TestHost {
  readonly host: LocalHost;
  readonly logger: RecordingLogger;
  stop(): Promise<void>;
}

/**
 * The local host as `npm start` runs it, on a small demo library, storage in memory and the triggers
 * left to the test; `env` adds or overrides settings.
 */
export async function startTestHost(env: Record<string, string> = {}): Promise<TestHost> {
  const dir = await mkdtemp(join(tmpdir(), 'lightdesk-test-host-'));
  const logger = new RecordingLogger();
  const host = await startLocalHost(
    { PORT: '0', SIM_ASSETS: '30', SIM_SEED: '5', LIGHTDESK_DATA_DIR: dir, ...env },
    { inMemoryStorage: true, runTriggers: false, logger },
  );
  return {
    host,
    logger,
    stop: async () => {
      await host.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
