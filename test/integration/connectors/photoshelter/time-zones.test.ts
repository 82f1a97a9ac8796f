import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { PhotoShelterArchive } from '../../../../connectors/photoshelter/photoshelter-archive.js';
import {
  type DetectChangesDeps,
  detectChanges,
} from '../../../../core/use-cases/detect-changes.js';
import { FakePhotoShelterServer } from '../../../../simulators/photoshelter/fake-photoshelter-server.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { InMemoryCursorStore } from '../../../doubles/in-memory-cursor-store.js';
import { InMemoryEventQueue } from '../../../doubles/in-memory-event-queue.js';
import { InMemorySnapshotStore } from '../../../doubles/in-memory-snapshot-store.js';
import { RecordingLogger } from '../../../doubles/recording-logger.js';

// PhotoShelter writes record times as naive wall time in the account's Session.tz
// (docs/photoshelter-wire.md, "Time zones"). The real change detector polls the simulator over a
// socket, both on one injected clock, through both DST changes: every upload, edit and share must
// come out exactly once, including ones in the repeated fall-back hour, whose wall times are
// ambiguous, and ones at a poll boundary (upload time == the window's end, then its start).

type Step =
  | { readonly at: string; readonly upload: string }
  | { readonly at: string; readonly edit: string }
  | { readonly at: string; readonly share: true }
  | { readonly at: string; readonly poll: true };

interface Scenario {
  readonly zone: string;
  readonly start: string;
  readonly steps: readonly Step[];
}

const up = (at: string, name: string): Step => ({ at, upload: name });
const poll = (at: string): Step => ({ at, poll: true });

/** Polls every `minutes` from `from` to `to` (inclusive), as the timer trigger would. */
function polls(from: string, to: string, minutes: number): Step[] {
  const out: Step[] = [];
  for (let ms = Date.parse(from); ms <= Date.parse(to); ms += minutes * 60_000) {
    out.push(poll(new Date(ms).toISOString()));
  }
  return out;
}

/** Steps in time order; at one instant an upload comes before a poll (upload time == until). */
const inOrder = (steps: readonly Step[]): Step[] =>
  [...steps].sort((a, b) => {
    const byTime = Date.parse(a.at) - Date.parse(b.at);
    return byTime !== 0 ? byTime : Number('poll' in a) - Number('poll' in b);
  });

const scenarios: Record<string, Scenario> = {
  // 1 November 2026: 01:59:59 EDT (05:59:59Z) is followed by 01:00:00 EST (06:00Z).
  'New York, fall back': {
    zone: 'America/New_York',
    start: '2026-11-01T04:40:00.000Z',
    steps: inOrder([
      ...polls('2026-11-01T04:45:00.000Z', '2026-11-01T07:30:00.000Z', 10),
      up('2026-11-01T05:05:00.000Z', 'before-edt-0105.jpg'), // at a poll: == until
      up('2026-11-01T05:30:00.000Z', 'first-0130-edt.jpg'),
      up('2026-11-01T05:59:59.999Z', 'last-edt.jpg'),
      up('2026-11-01T06:00:00.000Z', 'first-est.jpg'),
      { at: '2026-11-01T06:10:00.000Z', share: true },
      up('2026-11-01T06:12:00.000Z', 'repeat-0112-est.jpg'),
      { at: '2026-11-01T06:20:00.000Z', edit: 'first-0130-edt.jpg' },
      up('2026-11-01T06:30:00.000Z', 'second-0130-est.jpg'), // same wall text as first-0130-edt
      up('2026-11-01T07:15:00.000Z', 'after-est-0215.jpg'),
    ]),
  },
  // 8 March 2026: 01:59:59 EST (06:59:59Z) is followed by 03:00:00 EDT (07:00Z).
  'New York, spring forward': {
    zone: 'America/New_York',
    start: '2026-03-08T06:30:00.000Z',
    steps: inOrder([
      ...polls('2026-03-08T06:35:00.000Z', '2026-03-08T07:40:00.000Z', 5),
      up('2026-03-08T06:50:00.000Z', 'est-0150.jpg'), // at a poll
      up('2026-03-08T06:59:59.999Z', 'est-last.jpg'),
      up('2026-03-08T07:00:00.000Z', 'edt-first.jpg'), // at a poll, the instant clocks jump
      { at: '2026-03-08T07:02:00.000Z', share: true },
      { at: '2026-03-08T07:03:00.000Z', edit: 'est-last.jpg' },
      up('2026-03-08T07:07:00.000Z', 'edt-0307.jpg'),
    ]),
  },
  // Sydney, 5 April 2026: 02:59:59 AEDT (15:59:59Z) is followed by 02:00:00 AEST (16:00Z).
  'Sydney, fall back': {
    zone: 'Australia/Sydney',
    start: '2026-04-04T15:00:00.000Z',
    steps: inOrder([
      ...polls('2026-04-04T15:05:00.000Z', '2026-04-04T17:05:00.000Z', 15),
      up('2026-04-04T15:20:00.000Z', 'aedt-0220.jpg'), // at a poll
      up('2026-04-04T16:20:00.000Z', 'aest-0220.jpg'), // at a poll, same wall text
      { at: '2026-04-04T16:25:00.000Z', share: true },
      up('2026-04-04T16:40:00.000Z', 'aest-0240.jpg'),
    ]),
  },
  // Sydney, 4 October 2026: 01:59:59 AEST (15:59:59Z) is followed by 03:00:00 AEDT (16:00Z).
  'Sydney, spring forward': {
    zone: 'Australia/Sydney',
    start: '2026-10-03T15:30:00.000Z',
    steps: inOrder([
      ...polls('2026-10-03T15:35:00.000Z', '2026-10-03T16:35:00.000Z', 10),
      up('2026-10-03T15:55:00.000Z', 'aest-0155.jpg'), // at a poll
      up('2026-10-03T16:00:00.000Z', 'aedt-0300.jpg'),
      up('2026-10-03T16:05:00.000Z', 'aedt-0305.jpg'), // at a poll
    ]),
  },
};

describe('PhotoShelter time zones: polls across DST changes lose and repeat nothing', () => {
  let server: FakePhotoShelterServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  async function run(scenario: Scenario, overlapMs: number) {
    const clock = new FixedClock(scenario.start);
    server = new FakePhotoShelterServer({
      seed: 3,
      assets: 30,
      now: () => clock.now(),
      timeZone: scenario.zone,
    });
    const { url } = await server.start(0);
    const credentials = server.credentials;
    const logger = new RecordingLogger();
    const queue = new InMemoryEventQueue(() => clock.now().getTime());
    const deps: DetectChangesDeps = {
      archive: new PhotoShelterArchive({
        baseUrl: url,
        webBaseUrl: url,
        apiKey: credentials.apiKey,
        email: credentials.email,
        password: credentials.password,
        clock,
        logger,
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
      }),
      cursors: new InMemoryCursorStore(),
      snapshots: new InMemorySnapshotStore(),
      queue,
      clock,
      logger,
    };
    const options = { overlapMs, maxPages: 20 };
    expect((await detectChanges(deps, options)).kind).toBe('baseline');

    const gallery = server.library().galleries[0];
    if (gallery === undefined) expect.fail('the simulator library has no gallery');
    const uploaded = new Map<string, string>();
    const expected: string[] = [];
    for (const step of scenario.steps) {
      clock.advance(Date.parse(step.at) - clock.now().getTime());
      if ('upload' in step) {
        const { imageId } = server.upload({ galleryId: gallery.id, fileName: step.upload });
        uploaded.set(step.upload, imageId);
        expected.push(`asset.uploaded ${imageId}`);
      } else if ('edit' in step) {
        const imageId = uploaded.get(step.edit) ?? '';
        server.editMetadata({ imageId, caption: `edited at ${step.at}` });
        expected.push(`metadata.changed ${imageId}`);
      } else if ('share' in step) {
        server.share({ galleryId: gallery.id, email: `guest-${step.at}@example.com` });
        expected.push(`gallery.shared ${gallery.id}`);
      } else {
        await detectChanges(deps, options);
      }
    }
    const reported = queue.sent.map((event) =>
      event.type === 'gallery.shared'
        ? `${event.type} ${event.galleryId}`
        : `${event.type} ${event.assetId}`,
    );
    return { reported, expected, queue };
  }

  describe.each(Object.entries(scenarios))('%s', (_name, scenario) => {
    it.each([
      ['with the default 2-minute overlap', 120_000],
      ['with no overlap: each window starts exactly where the last one ended', 0],
    ])('reports each upload, edit and share exactly once (%s)', async (_label, overlapMs) => {
      const { reported, expected } = await run(scenario, overlapMs);

      expect([...reported].sort()).toEqual([...expected].sort());
    });
  });

  function anArchive(url: string, timeZone?: string): PhotoShelterArchive {
    const credentials = (server as FakePhotoShelterServer).credentials;
    return new PhotoShelterArchive({
      baseUrl: url,
      webBaseUrl: url,
      apiKey: credentials.apiKey,
      email: credentials.email,
      password: credentials.password,
      clock: new FixedClock('2026-07-01T12:00:00.000Z'),
      logger: new RecordingLogger(),
      timeZone,
    });
  }

  it('takes the zone from the session at log-in, and says so in health', async () => {
    server = new FakePhotoShelterServer({ seed: 3, assets: 10, timeZone: 'Asia/Kolkata' });
    const { url } = await server.start(0);
    const archive = anArchive(url);

    const health = await archive.checkHealth();

    expect(health).toMatchObject({
      ok: true,
      timeZone: { name: 'Asia/Kolkata', source: 'session' },
      unverified: expect.arrayContaining([
        'record timestamps without an offset are wall time in Session.tz',
      ]),
    });
    const imageId = server.library().galleries[0]?.thumbnails[0]?.imageId ?? '';
    const truth = server.image(imageId);
    // The simulator's own view is ISO in UTC; the connector must land on the same instants.
    expect(await archive.getAssetMetadata(imageId)).toMatchObject({
      uploadedAt: truth.uploadedAt,
      modifiedAt: truth.modifiedAt,
    });
    // Once per log-in, not per call.
    expect(server.calls().byEndpoint['GET /psapi/v3/mem/user/session']).toBe(1);
  });

  it('lets PHOTOSHELTER_TIME_ZONE win over the session', async () => {
    server = new FakePhotoShelterServer({ seed: 3, assets: 10, timeZone: 'Europe/Paris' });
    const { url } = await server.start(0);

    const health = await anArchive(url, 'Asia/Tokyo').checkHealth();

    expect(health.timeZone).toEqual({ name: 'Asia/Tokyo', source: 'env' });
    // Configured: the session is not even asked.
    expect(server.calls().byEndpoint['GET /psapi/v3/mem/user/session'] ?? 0).toBe(0);
  });

  it('falls back to UTC with a warning when the session names no zone Intl knows', async () => {
    server = new FakePhotoShelterServer({ seed: 3, assets: 10, timeZone: 'UTC' });
    const { url: simulatorUrl } = await server.start(0);
    // A loopback stand-in for a tenant whose session says something else: it answers the session
    // call itself and hands every other request to the simulator.
    const proxy = createServer((request, response) => {
      if ((request.url ?? '').startsWith('/psapi/v3/mem/user/session')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'ok', data: { Session: { tz: 'Eastern Time' } } }));
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const headers = Object.fromEntries(
          Object.entries(request.headers).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string',
          ),
        );
        void fetch(`${simulatorUrl}${request.url ?? '/'}`, {
          method: request.method ?? 'GET',
          headers,
          ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
        }).then(async (answer) => {
          response.writeHead(answer.status, { 'content-type': 'application/json' });
          response.end(Buffer.from(await answer.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as AddressInfo;
    try {
      const logger = new RecordingLogger();
      const credentials = server.credentials;
      const archive = new PhotoShelterArchive({
        baseUrl: `http://127.0.0.1:${port}`,
        webBaseUrl: simulatorUrl,
        apiKey: credentials.apiKey,
        email: credentials.email,
        password: credentials.password,
        clock: new FixedClock('2026-07-01T12:00:00.000Z'),
        logger,
      });

      const health = await archive.checkHealth();

      expect(health).toMatchObject({ ok: true, timeZone: { name: 'UTC', source: 'default' } });
      expect(logger.records).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: 'photoshelter session names no time zone we know; reading times as UTC',
          fields: expect.objectContaining({ sessionTz: 'Eastern Time' }),
        }),
      );
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('reads each upload time as the instant it happened, not as UTC wall time', async () => {
    const scenario = scenarios['New York, fall back'] as Scenario;
    const { queue } = await run(scenario, 120_000);

    const uploads = queue.sent.filter((event) => event.type === 'asset.uploaded');
    const times = uploads.map((event) => ('occurredAt' in event ? event.occurredAt : ''));
    expect(times).toEqual([
      '2026-11-01T05:05:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T05:59:59.999Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T06:12:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-01T07:15:00.000Z',
    ]);
  });
});
