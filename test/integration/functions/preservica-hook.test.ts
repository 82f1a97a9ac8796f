import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { serveFunction } from '../../../composition/http-adapter.js';
import {
  challengeAnswer,
  preservicaSignature,
  verifyPreservicaSignature,
} from '../../../connectors/preservica/webhook-signature.js';
import { parseQueueMessage } from '../../../core/model/queue-message.js';
import { preservicaHook } from '../../../functions/preservica-hook.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { InMemoryEventQueue } from '../../doubles/in-memory-event-queue.js';
import { RecordingLogger } from '../../doubles/recording-logger.js';
import { usePreservica } from '../connectors/preservica/support.js';

// POST /api/v1/hooks/preservica served as the local host serves it: the simulator subscribes through
// the real handshake and sends its real signed deliveries; bad input is refused with nothing queued.

const SECRET = 'preservica-hook-secret-0123456789';

describe('the Preservica webhook', () => {
  const pv = usePreservica();
  let server: Server;
  let hookUrl: string;
  let queue: InMemoryEventQueue;
  let configured = true;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    let base = '';
    const definitions = [
      preservicaHook(() =>
        Promise.resolve({
          apiKey: undefined,
          preservicaHook: configured
            ? {
                verify: (raw: Buffer, signature: string | undefined) =>
                  verifyPreservicaSignature(SECRET, raw, signature),
                answer: (code: string) => challengeAnswer(SECRET, code),
              }
            : undefined,
          queue,
          clock: new FixedClock('2026-12-03T09:00:00.000Z'),
          logger,
        }),
      ),
    ];
    server = createServer((request, response) => {
      void serveFunction(definitions, request, response, base, logger);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    hookUrl = `${base}/api/v1/hooks/preservica`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    queue = new InMemoryEventQueue();
    configured = true;
  });

  const queued = async () =>
    (await queue.receive(32, 30_000)).map((m) => parseQueueMessage(JSON.parse(m.body) as unknown));
  const send = (body: string | Buffer, signature?: string, path = hookUrl) =>
    fetch(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature === undefined ? {} : { 'Preservica-Signature': signature }),
      },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });

  it('answers the subscription handshake and queues each signed delivery of an ingest', async () => {
    const archive = pv().archive();
    expect(await archive.ensureWebhook(hookUrl, SECRET)).toBe('created');
    const ingest = await archive.ingest({
      packageKey: 'preservica:r1',
      folderRef: '7c1d4c0e-4f1a-4c57-9a3e-5d0e6b1a0002',
      securityTag: 'open',
      items: [
        {
          assetId: 'I0000aaaaaaaaaaa',
          reference: '0b8c6a1e-3c1d-4a51-9d55-1a2b3c4d5e01',
          metadata: { title: 'Gala', caption: '', keywords: [], credit: '', rights: '' },
          provenance: {},
          original: {
            fileName: 'gala.jpg',
            open: () =>
              Promise.resolve(
                (async function* () {
                  yield await Promise.resolve(Buffer.from('jpeg bytes'));
                })(),
              ),
          },
          documents: [],
        },
      ],
    });
    expect(ingest.progressToken).not.toBe('');
    await pv().sim('POST', '/complete-ingests');
    const until = Date.now() + 5_000;
    while ((await queue.depth()).active === 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const [message, ...more] = await queued();
    expect(more).toEqual([]);
    expect(message).toMatchObject({
      type: 'preservica.event',
      trigger: 'FULL_TEXT_INDEXED',
      entityRefs: ['0b8c6a1e-3c1d-4a51-9d55-1a2b3c4d5e01'],
    });
  });

  it('refuses unsigned, forged, malformed and oversize deliveries, queueing nothing', async () => {
    const body = JSON.stringify({
      trigger: 'FULL_TEXT_INDEXED',
      events: [{ entityRef: 'r1', entityType: 'IO' }],
    });
    expect((await send(body)).status).toBe(401);
    expect(
      (await send(body, preservicaSignature('another-secret-0123456', Buffer.from(body)))).status,
    ).toBe(401);
    expect((await send(body, 'zz')).status).toBe(401);
    const notJson = '{"events": [';
    expect((await send(notJson, preservicaSignature(SECRET, Buffer.from(notJson)))).status).toBe(
      400,
    );
    const noEvents = JSON.stringify({ trigger: 'FULL_TEXT_INDEXED', events: [] });
    const answer = await send(noEvents, preservicaSignature(SECRET, Buffer.from(noEvents)));
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { message: string } }).error.message).toContain(
      'entityRef',
    );
    const huge = Buffer.alloc(1024 * 1024 + 10, 0x20);
    expect((await send(huge, preservicaSignature(SECRET, huge))).status).toBe(413);
    expect((await send('x', undefined, `${hookUrl}?challengeCode=`)).status).toBe(400);
    expect((await queue.depth()).active).toBe(0);

    // The same signed delivery twice: queued under the same id (the worker's look changes nothing).
    const signed = preservicaSignature(SECRET, Buffer.from(body));
    expect((await send(body, signed)).status).toBe(200);
    expect((await send(body, signed)).status).toBe(200);
    const [first, second] = await queued();
    expect(first?.id).toBe(second?.id);
  });

  it('says so when Preservica webhooks are not configured here', async () => {
    configured = false;
    const answer = await send('{}', 'x');
    expect(answer.status).toBe(404);
    expect((await queue.depth()).active).toBe(0);
  });
});
