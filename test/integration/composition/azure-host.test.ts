import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FakePhotoShelterServer } from '../../../simulators/photoshelter/fake-photoshelter-server.js';
import { azuriteConnectionString, uniqueStoragePrefix } from '../../support/azurite.js';

// The Azure host hands each function only what it declared: a poll's cold start builds the
// PhotoShelter and storage clients, not Graph or the bot, and calls neither to warm routes.

const root = fileURLToPath(new URL('../../../', import.meta.url));

let photoShelter: FakePhotoShelterServer;
let graph: Server;
const graphRequests: string[] = [];

beforeAll(async () => {
  photoShelter = new FakePhotoShelterServer({ seed: 7, assets: 6 });
  await photoShelter.start(0);
  // Stands in for Graph and the Bot Connector: it only counts what reaches it.
  graph = createServer((request, response) => {
    graphRequests.push(`${request.method ?? ''} ${request.url ?? ''}`);
    response.writeHead(503).end();
  });
  await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await photoShelter.stop();
  await new Promise((resolve) => graph.close(resolve));
});

function coldStartPoll(env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'test/support/azure-poll-cold-start.ts'],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error === null) resolve({ stdout, stderr });
        else reject(new Error(`cold start failed: ${stderr}`, { cause: error }));
      },
    );
  });
}

describe('the Azure host', () => {
  it("builds neither Graph nor the bot on the poll's cold start, and calls neither", async () => {
    const graphUrl = `http://127.0.0.1:${(graph.address() as AddressInfo).port}`;
    const prefix = uniqueStoragePrefix();
    const { credentials } = photoShelter;
    const { stdout } = await coldStartPoll({
      API_KEY: 'a-key-of-sixteen-or-more',
      MicrosoftAppId: '8a0e4f5c-2d5b-4a53-9f0f-1c7b7e0e2a11',
      MicrosoftAppPassword: 'bot-secret-value',
      MicrosoftAppTenantId: '4c9a7e2d-6f1b-4e8a-b3d5-0a2f6c8e1b37',
      AzureWebJobsStorage: azuriteConnectionString(),
      EVENTS_QUEUE: `${prefix}-events`,
      WEBHOOKS_QUEUE: `${prefix}-webhooks`,
      PHOTOSHELTER_BASE_URL: photoShelter.url,
      PHOTOSHELTER_API_KEY: credentials.apiKey,
      PHOTOSHELTER_EMAIL: credentials.email,
      PHOTOSHELTER_PASSWORD: credentials.password,
      ...(credentials.orgId === undefined ? {} : { PHOTOSHELTER_ORG_ID: credentials.orgId }),
      GRAPH_BASE_URL: `${graphUrl}/v1.0`,
    });
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as unknown;
    expect(report).toEqual({ afterPoll: { botbuilder: false, graphClient: false }, control: true });
    expect(graphRequests).toEqual([]);
    // The poll did its work: PhotoShelter was asked what changed.
    expect(photoShelter.calls().total).toBeGreaterThan(0);
  });
});
