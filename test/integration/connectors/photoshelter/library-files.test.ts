import { Readable } from 'node:stream';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  PhotoShelterArchive,
  type PhotoShelterArchiveOptions,
} from '../../../../connectors/photoshelter/photoshelter-archive.js';
import { UpstreamError } from '../../../../core/errors.js';
import type { LibraryFile } from '../../../../core/ports/photo-archive.js';
import { detectChanges } from '../../../../core/use-cases/detect-changes.js';
import { FakePhotoShelterServer } from '../../../../simulators/photoshelter/fake-photoshelter-server.js';
import { renderPng } from '../../../../simulators/photoshelter/png.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { InMemoryCursorStore } from '../../../doubles/in-memory-cursor-store.js';
import { InMemoryEventQueue } from '../../../doubles/in-memory-event-queue.js';
import { InMemorySnapshotStore } from '../../../doubles/in-memory-snapshot-store.js';
import { RecordingClock } from '../../../doubles/recording-clock.js';
import { RecordingLogger } from '../../../doubles/recording-logger.js';
import { SimClient } from '../../../support/photoshelter-sim-client.js';

// The file calls (wire doc #20–#25) over HTTP: throttling and expired sessions on streamed bodies,
// creates that must not repeat after a lost answer, big files in chunks, and the change detector
// seeing a replacement made through the connector.

const DOWNLOAD = 'GET /psapi/v3/mem/image/:id/download';
const UPLOAD = 'POST /psapi/v3/mem/image/upload';
const VERSIONS = 'POST /psapi/v4.0/media/:id/versions';
const CREATE_GALLERY = 'POST /psapi/v4.0/galleries';
const ADD_MEDIA = 'PATCH /psapi/v4.0/galleries/:id/media';

function fileOf(fileName: string, bytes: Uint8Array, chunk = 64 * 1024): LibraryFile {
  return {
    fileName,
    size: bytes.byteLength,
    body: Readable.from(
      Array.from({ length: Math.ceil(bytes.byteLength / chunk) }, (_, i) =>
        bytes.slice(i * chunk, (i + 1) * chunk),
      ),
    ),
  };
}

async function readAll(
  body: AsyncIterable<Uint8Array>,
): Promise<{ bytes: Buffer; chunks: number }> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return { bytes: Buffer.concat(chunks), chunks: chunks.length };
}

const png = (seed: string, width = 40, height = 30) =>
  new Uint8Array(renderPng(seed, width, height));

/** A PNG header followed by `size` bytes of noise: the simulator reads only the header. */
function bigPng(size: number): Uint8Array {
  const head = renderPng('big', 8, 8).subarray(0, 33);
  const bytes = new Uint8Array(size);
  bytes.set(head);
  for (let i = head.length; i < size; i += 1) bytes[i] = (i * 31 + 7) % 251;
  return bytes;
}

describe('PhotoShelterArchive file calls against the simulator', () => {
  let server: FakePhotoShelterServer;
  let url: string;
  let sim: SimClient;
  let galleryId: string;
  let assetId: string;

  function anArchive(overrides: Partial<PhotoShelterArchiveOptions> = {}): PhotoShelterArchive {
    return new PhotoShelterArchive({
      baseUrl: url,
      webBaseUrl: 'https://lightdesk-test.photoshelter.com',
      apiKey: server.credentials.apiKey,
      email: server.credentials.email,
      password: server.credentials.password,
      orgId: server.credentials.orgId,
      clock: new RecordingClock(),
      logger: new RecordingLogger('photoshelter'),
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 5_000 },
      timeoutMs: 5_000,
      ...overrides,
    });
  }

  const imagesIn = async (id: string) => (await sim.control().assetIdsIn(id)).length;

  beforeEach(async () => {
    server = new FakePhotoShelterServer({ seed: 11, assets: 24 });
    ({ url } = await server.start(0));
    sim = new SimClient(url);
    const gallery = server.library().galleries.find((g) => g.imageCount > 0);
    if (gallery === undefined) throw new TypeError('the simulator has no gallery with images');
    galleryId = gallery.id;
    assetId = (await sim.control().assetIdsIn(galleryId))[0] ?? '';
  });

  afterEach(async () => {
    await server.stop();
  });

  it('waits out a 429 on every file call and then succeeds, creating nothing twice', async () => {
    const archive = anArchive();
    const collectionId = server.library().collections[0]?.id ?? '';
    for (const [method, path] of [
      ['GET', `/psapi/v3/mem/image/${assetId}/download`],
      ['POST', '/psapi/v3/mem/image/upload'],
      ['POST', `/psapi/v4.0/media/${assetId}/versions`],
      ['POST', '/psapi/v4.0/galleries'],
      ['PATCH', '/psapi/v4.0/galleries/'],
    ] as const) {
      await sim.fault({ method, path, status: 429, retryAfterSeconds: 1, times: 1 });
    }
    const held = Buffer.from(await sim.original(assetId));
    const before = await imagesIn(galleryId);
    await sim.resetCalls();

    const original = await readAll((await archive.openOriginal(assetId)).body);
    const uploaded = await archive.uploadAsset(galleryId, fileOf('throttled.png', png('u')), {});
    await archive.replaceOriginal(assetId, fileOf('replaced.png', png('r')));
    const { galleryId: published } = await archive.publishToCollection(collectionId, 'Throttled', [
      assetId,
    ]);

    expect(original.bytes.equals(held)).toBe(true);
    expect(await sim.callsTo(DOWNLOAD)).toBe(2);
    expect(await sim.callsTo(UPLOAD)).toBe(2);
    expect(await sim.callsTo(VERSIONS)).toBe(2);
    expect(await sim.callsTo(CREATE_GALLERY)).toBe(2);
    expect(await sim.callsTo(ADD_MEDIA)).toBe(2);
    expect(await imagesIn(galleryId)).toBe(before + 1);
    expect(await sim.control().assetIdsIn(galleryId)).toContain(uploaded.assetId);
    expect(Buffer.from(await sim.original(assetId))).toEqual(Buffer.from(png('r')));
    const named = server.library().galleries.filter((g) => g.name === 'Throttled');
    expect(named.map((g) => g.id)).toEqual([published]);
    expect(await sim.control().assetIdsIn(published)).toEqual([assetId]);
  });

  it('does not repeat an upload or a gallery create after a 5xx or a lost answer', async () => {
    const archive = anArchive();
    const collectionId = server.library().collections[0]?.id ?? '';
    const before = await imagesIn(galleryId);
    const galleriesBefore = server.library().galleries.length;
    await sim.fault({ path: '/psapi/v3/mem/image/upload', status: 503, times: 1 });
    await sim.fault({ method: 'POST', path: '/psapi/v4.0/galleries', drop: true, times: 1 });
    await sim.resetCalls();

    await expect(
      archive.uploadAsset(galleryId, fileOf('once.png', png('once')), {}),
    ).rejects.toBeInstanceOf(UpstreamError);
    await expect(
      archive.publishToCollection(collectionId, 'Lost answer', [assetId]),
    ).rejects.toBeInstanceOf(UpstreamError);

    expect(await sim.callsTo(UPLOAD)).toBe(1);
    expect(await sim.callsTo(CREATE_GALLERY)).toBe(1);
    expect(await imagesIn(galleryId)).toBe(before);
    expect(server.library().galleries).toHaveLength(galleriesBefore);
  });

  it('gives up on a download that makes no progress, after its retries', async () => {
    const archive = anArchive({ timeoutMs: 200, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    await sim.fault({
      method: 'GET',
      path: `/psapi/v3/mem/image/${assetId}/download`,
      latencyMs: 2_000,
      times: 2,
    });

    const failure = await archive.openOriginal(assetId).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).message).toContain('timed out');
    expect(await sim.callsTo(DOWNLOAD)).toBe(2);
  });

  it('logs in again when the session expired and sends the whole file once more', async () => {
    const archive = anArchive();
    await archive.openOriginal(assetId).then(async (file) => readAll(file.body));
    await sim.expireSessions();
    const bytes = png('after-expiry', 60, 20);

    await archive.replaceOriginal(assetId, fileOf('after-expiry.png', bytes, 100));

    expect(Buffer.from(await sim.original(assetId))).toEqual(Buffer.from(bytes));
    expect(await sim.callsTo(VERSIONS)).toBe(2);
    expect(server.image(assetId)).toMatchObject({
      fileName: 'after-expiry.png',
      width: 60,
      height: 20,
    });
  });

  it('streams a large original up and down in chunks, byte for byte', async () => {
    const archive = anArchive();
    const bytes = bigPng(3 * 1024 * 1024 + 17);

    const { assetId: big } = await archive.uploadAsset(galleryId, fileOf('big.png', bytes), {
      title: 'Big',
    });
    const file = await archive.openOriginal(big);
    const read = await readAll(file.body);

    expect(file).toMatchObject({ fileName: 'big.png', size: bytes.byteLength });
    expect(read.chunks).toBeGreaterThan(1);
    expect(read.bytes.equals(Buffer.from(bytes))).toBe(true);
    expect(server.image(big)).toMatchObject({ fileSize: bytes.byteLength, title: 'Big' });
  });

  it('names a downloaded file from Content-Disposition, even with non-ASCII letters', async () => {
    const archive = anArchive();
    await archive.replaceOriginal(assetId, fileOf('Université été 2026.png', png('name')));

    const file = await archive.openOriginal(assetId);
    await readAll(file.body);

    expect(file.fileName).toBe('Université été 2026.png');
    expect(server.image(assetId).fileName).toBe(file.fileName);
  });

  it('shows the workflow fields on the asset where a person looks: the gallery page', async () => {
    const archive = anArchive();

    await archive.setWorkflowFields(assetId, { decision: 'approved', 'decided by': 'Alex Kim' });

    const page = await fetch(`${url}/gallery/Any/${galleryId}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('decision: approved\ndecided by: Alex Kim');
    expect(server.image(assetId).instructions).toContain('decided by: Alex Kim');
  });

  it('lets the change detector report a replacement made through the connector', async () => {
    await server.stop();
    const clock = new FixedClock('2026-09-01T10:00:00.000Z');
    server = new FakePhotoShelterServer({ seed: 5, assets: 12, now: () => clock.now() });
    ({ url } = await server.start(0));
    const logger = new RecordingLogger();
    const archive = anArchive({ clock, logger });
    const queue = new InMemoryEventQueue(() => clock.now().getTime());
    const deps = {
      archive,
      cursors: new InMemoryCursorStore(),
      snapshots: new InMemorySnapshotStore(),
      queue,
      clock,
      logger,
    };
    const options = { overlapMs: 120_000, maxPages: 20 };
    const gallery = server.library().galleries.find((g) => g.imageCount > 0);
    if (gallery === undefined) expect.fail('the simulator has no gallery with images');
    expect((await detectChanges(deps, options)).kind).toBe('baseline');

    clock.advance(60_000);
    const { assetId: uploaded } = await archive.uploadAsset(
      gallery.id,
      fileOf('first.png', png('first', 30, 30)),
      {},
    );
    clock.advance(60_000);
    await detectChanges(deps, options);
    clock.advance(60_000);
    await archive.replaceOriginal(uploaded, fileOf('second.png', png('second', 50, 30)));
    clock.advance(60_000);
    await detectChanges(deps, options);

    const reported = queue.sent
      .filter((event) => event.type !== 'gallery.shared')
      .map((event) => `${event.type} ${'assetId' in event ? event.assetId : ''}`);
    expect(reported).toEqual([`asset.uploaded ${uploaded}`, `asset.replaced ${uploaded}`]);
  });
});
