import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { describe, expect, it } from 'vitest';

import {
  challengeAnswer,
  verifyPreservicaSignature,
} from '../../../../connectors/preservica/webhook-signature.js';
import {
  AuthError,
  NotFoundError,
  UpstreamError,
  ValidationError,
} from '../../../../core/errors.js';
import {
  bytesOf,
  FOLDER,
  pattern,
  REFS,
  settle,
  sha256Of,
  simAssets,
  threeItems,
  usePreservica,
} from './support.js';

// The Preservica connector against the Preservica simulator on 127.0.0.1: one streamed package per
// ingest, its progress and Preservica's reasons, the assets read back (metadata, originals), the
// access token's life, webhooks, and Preservica's errors in domain words.

describe('PreservicaArchive against the Preservica simulator', () => {
  const harness = usePreservica();

  const ingestThree = async () => {
    const h = harness();
    const archive = h.archive();
    const { progressToken } = await archive.ingest({
      packageKey: 'G0000aBcDeFgHiJk~r1',
      folderRef: FOLDER,
      securityTag: 'open',
      items: threeItems(),
    });
    return { h, archive, progressToken, state: await settle(h, archive, progressToken) };
  };

  describe('ingest', () => {
    it('packages three items into one upload; each asset arrives with its fixities, identifier and metadata', async () => {
      const { h, state } = await ingestThree();
      expect(state).toEqual({ state: 'completed' });
      const assets = await simAssets(h);
      expect(assets.map((a) => a.ref).sort()).toEqual([...REFS]);
      const items = threeItems();
      for (const item of items) {
        const asset = assets.find((a) => a.ref === item.reference);
        expect(asset).toMatchObject({
          title: item.metadata.title,
          description: item.metadata.caption,
          securityTag: 'open',
          parent: FOLDER,
        });
        expect(asset?.identifiers).toEqual([
          expect.objectContaining({ type: 'photoshelter-asset', value: item.assetId }),
        ]);
        const files = [item.original, ...item.documents];
        expect(asset?.bitstreams.map((b) => [b.representation, b.filename, b.sha256])).toEqual(
          await Promise.all(
            files.map(async (f) => ['Preservation', f.fileName, await sha256Of(await f.open())]),
          ),
        );
        expect(asset?.metadata).toHaveLength(1);
        expect(asset?.metadata[0]?.schemaUri).toBe('https://lightdesk.example/ns/asset/v1');
        expect(asset?.metadata[0]?.content).toContain('<keyword>basketball</keyword>');
        expect(asset?.metadata[0]?.content).toContain(
          `<source name="review">${item.provenance['review'] ?? ''}</source>`,
        );
      }
      // One object, one ingest: a single PutObject (the package fits in one part).
      expect(await h.calls('PUT /api/s3/buckets/:bucket/*')).toBe(1);
      const ingests = await h.sim<{ ingests: { key: string; folderRef: string }[] }>(
        'GET',
        '/ingests',
      );
      expect(ingests.ingests).toHaveLength(1);
      expect(ingests.ingests[0]?.folderRef).toBe(FOLDER);
      expect(ingests.ingests[0]?.key).toMatch(/^G0000aBcDeFgHiJk_r1-[0-9a-f-]{36}\.zip$/);
    });

    it('opens each file once, when the package reaches it', async () => {
      const h = harness();
      const items = threeItems();
      await h.archive().ingest({
        packageKey: 'G0000aBcDeFgHiJk~r1',
        folderRef: FOLDER,
        securityTag: 'closed',
        items,
      });
      const opened = items.flatMap((i) => [i.original, ...i.documents]) as unknown as {
        opened: number;
      }[];
      expect(opened.map((f) => f.opened)).toEqual([1, 1, 1, 1]);
    });

    it('a retried ingest of the same references makes nothing twice', async () => {
      const { h, archive } = await ingestThree();
      const again = await archive.ingest({
        packageKey: 'G0000aBcDeFgHiJk~r1',
        folderRef: FOLDER,
        securityTag: 'open',
        items: threeItems(),
      });
      expect(await settle(h, archive, again.progressToken)).toEqual({ state: 'completed' });
      expect(await simAssets(h)).toHaveLength(3);
      const ingests = await h.sim<{ ingests: { created: string[]; skipped: string[] }[] }>(
        'GET',
        '/ingests',
      );
      expect(ingests.ingests.map((i) => [i.created.length, i.skipped.length])).toEqual([
        [3, 0],
        [0, 3],
      ]);
    });

    it('a byte changed on the way fails the ingest with the fixity Preservica checked', async () => {
      const h = harness();
      // A proxy that flips one byte of the first photo in every upload it passes on.
      const marker = Buffer.from((await bytesOf(pattern(1, 150_000))).subarray(5000, 5064));
      const corrupting: typeof fetch = async (input, init) => {
        const href =
          input instanceof URL ? input.href : typeof input === 'string' ? input : input.url;
        if (init?.body instanceof Uint8Array && href.includes('/api/s3/')) {
          const body = Buffer.from(init.body);
          const at = body.indexOf(marker);
          if (at >= 0) body[at] = (body[at] ?? 0) ^ 0xff;
          return fetch(input, { ...init, body });
        }
        return fetch(input, init);
      };
      const archive = h.archive({ fetch: corrupting });
      const { progressToken } = await archive.ingest({
        packageKey: 'G0000aBcDeFgHiJk~r1',
        folderRef: FOLDER,
        securityTag: 'open',
        items: threeItems(),
      });
      const state = await settle(h, archive, progressToken);
      expect(state.state).toBe('failed');
      expect(state.state === 'failed' ? state.reason : '').toMatch(
        /^Fixity check failed for p1\/IMG_1\.JPG: expected SHA256 [0-9a-f]{64}, computed [0-9a-f]{64}$/,
      );
      expect(await simAssets(h)).toEqual([]);
    });

    it("a failed ingest carries Preservica's reason", async () => {
      const h = harness();
      await h.sim('POST', '/fail-next-ingest', { reason: 'Virus detected in IMG_2.JPG' });
      const archive = h.archive();
      const { progressToken } = await archive.ingest({
        packageKey: 'G0000aBcDeFgHiJk~r1',
        folderRef: FOLDER,
        securityTag: 'open',
        items: threeItems(),
      });
      expect(await settle(h, archive, progressToken)).toEqual({
        state: 'failed',
        reason: 'Virus detected in IMG_2.JPG',
      });
    });

    it('reports pending, then active, on the clock', async () => {
      const h = harness();
      const archive = h.archive();
      const { progressToken } = await archive.ingest({
        packageKey: 'k',
        folderRef: FOLDER,
        securityTag: 'open',
        items: threeItems().slice(0, 1),
      });
      expect(await archive.ingestStatus(progressToken)).toEqual({ state: 'pending' });
      h.clock.advance(1500);
      expect(await archive.ingestStatus(progressToken)).toEqual({ state: 'active' });
    });

    it('an upload Preservica refuses is an error, and its parts are aborted', async () => {
      const h = harness();
      await h.sim('POST', '/faults', {
        path: '/api/s3/buckets',
        method: 'PUT',
        status: 400,
        code: 'EntityTooLarge',
        message: 'Your proposed upload exceeds the maximum allowed size',
      });
      const error = await h
        .archive()
        .ingest({ packageKey: 'k', folderRef: FOLDER, securityTag: 'open', items: threeItems() })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect((error as Error).message).toBe(
        'preservica: PUT /api/s3/buckets/:bucket/:key answered 400: Your proposed upload exceeds the maximum allowed size',
      );
    });

    it('a file that cannot be opened fails the ingest before anything is uploaded', async () => {
      const h = harness();
      const [first] = threeItems();
      if (first === undefined) throw new TypeError('no item');
      const error = await h
        .archive()
        .ingest({
          packageKey: 'k',
          folderRef: FOLDER,
          securityTag: 'open',
          items: [
            {
              ...first,
              original: {
                fileName: 'gone.jpg',
                open: () => Promise.reject(new NotFoundError('Original', first.assetId)),
              },
            },
          ],
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((await h.sim<{ ingests: unknown[] }>('GET', '/ingests')).ingests).toEqual([]);
    });

    it('nothing to preserve is a ValidationError, and nothing is uploaded', async () => {
      const h = harness();
      await expect(
        h.archive().ingest({ packageKey: 'k', folderRef: FOLDER, securityTag: 'open', items: [] }),
      ).rejects.toThrow('Preservation package: items: none to preserve');
      expect(await h.calls('PUT /api/s3/buckets/:bucket/*')).toBe(0);
    });

    it('503 on a part is retried; the package still arrives whole', async () => {
      const h = harness();
      await h.sim('POST', '/faults', { path: '/api/s3/buckets', method: 'PUT', status: 503 });
      const archive = h.archive();
      const { progressToken } = await archive.ingest({
        packageKey: 'k',
        folderRef: FOLDER,
        securityTag: 'open',
        items: threeItems(),
      });
      expect(await settle(h, archive, progressToken)).toEqual({ state: 'completed' });
      expect(await h.calls('PUT /api/s3/buckets/:bucket/*')).toBe(2);
      expect(h.clock.sleeps).toHaveLength(1);
    });
  });

  describe('assets', () => {
    it('finds an asset by reference and by its photo-library id', async () => {
      const { archive } = await ingestThree();
      const expected = {
        reference: REFS[1],
        assetId: 'I0000aBcDeFgHiJ2',
        title: 'Basketball 2',
        securityTag: 'open',
        folderRef: FOLDER,
      };
      expect(await archive.findAsset(REFS[1])).toEqual(expected);
      expect(await archive.findByAssetId('I0000aBcDeFgHiJ2')).toEqual(expected);
      expect(await archive.findByAssetId('I0000nOtThErE000')).toBeUndefined();
      expect(await archive.findAsset('9a1f0c1e-0000-4000-8000-0000000000ff')).toBeUndefined();
    });

    it('reads the metadata it preserved, and writes changed fields back', async () => {
      const { h, archive } = await ingestThree();
      expect(await archive.readMetadata(REFS[0])).toEqual(threeItems()[0]?.metadata);
      await archive.writeMetadata(REFS[0], {
        title: 'Basketball: the winning shot',
        keywords: ['basketball', 'winning shot'],
      });
      expect(await archive.readMetadata(REFS[0])).toEqual({
        ...threeItems()[0]?.metadata,
        title: 'Basketball: the winning shot',
        keywords: ['basketball', 'winning shot'],
      });
      const [asset] = (await simAssets(h)).filter((a) => a.ref === REFS[0]);
      expect(asset?.title).toBe('Basketball: the winning shot');
      expect(asset?.metadata).toHaveLength(1);
      // Provenance stays with the fields that changed.
      expect(asset?.metadata[0]?.content).toContain(
        '<source name="gallery">G0000aBcDeFgHiJk</source>',
      );
      expect(asset?.metadata[0]?.content).toContain('<keyword>winning shot</keyword>');
    });

    it('writes a Lightdesk fragment onto an asset that has none', async () => {
      const { h, archive } = await ingestThree();
      const [before] = (await simAssets(h)).filter((a) => a.ref === REFS[1]);
      const login = (await (
        await fetch(`${h.url}/api/accesstoken/login`, {
          method: 'POST',
          body: new URLSearchParams(h.server.credentials),
        })
      ).json()) as { token: string };
      const removed = await fetch(
        `${h.url}/api/entity/information-objects/${REFS[1]}/metadata/${before?.metadata[0]?.ref ?? ''}`,
        { method: 'DELETE', headers: { 'Preservica-Access-Token': login.token } },
      );
      expect(removed.status).toBe(204);
      expect(await archive.readMetadata(REFS[1])).toEqual({
        title: 'Basketball 2',
        caption: 'Riverside at home, frame 2 & more',
        keywords: [],
        credit: '',
        rights: '',
      });
      await archive.writeMetadata(REFS[1], { credit: 'Sam Staff', keywords: ['found'] });
      expect(await archive.readMetadata(REFS[1])).toEqual({
        title: 'Basketball 2',
        caption: 'Riverside at home, frame 2 & more',
        keywords: ['found'],
        credit: 'Sam Staff',
        rights: '',
      });
      const [after] = (await simAssets(h)).filter((a) => a.ref === REFS[1]);
      expect(after?.metadata.map((m) => m.schemaUri)).toEqual([
        'https://lightdesk.example/ns/asset/v1',
      ]);
      expect(after?.metadata[0]?.content).toContain('<assetId>I0000aBcDeFgHiJ2</assetId>');
    });

    it('reads an archivist’s edit of title and caption from the entity', async () => {
      const { h, archive } = await ingestThree();
      await h.sim('PATCH', `/entities/${REFS[2]}`, { title: 'Edited', description: 'By hand' });
      expect(await archive.readMetadata(REFS[2])).toMatchObject({
        title: 'Edited',
        caption: 'By hand',
        keywords: ['basketball', 'frame-3'],
      });
    });

    it('unknown references are NotFoundError', async () => {
      const archive = harness().archive();
      const ref = '9a1f0c1e-0000-4000-8000-0000000000ff';
      await expect(archive.readMetadata(ref)).rejects.toThrow(
        new NotFoundError('Preserved asset', ref),
      );
      await expect(archive.writeMetadata(ref, { title: 'x' })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(archive.openOriginal(ref)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('opens the preserved original: the same bytes that went in', async () => {
      const { archive } = await ingestThree();
      const original = await archive.openOriginal(REFS[0]);
      expect(original.fileName).toBe('IMG_1.JPG');
      expect(original.size).toBe(150_000);
      expect((await bytesOf(original.body)).equals(await bytesOf(pattern(1, 150_000)))).toBe(true);
    });
  });

  describe('the access token', () => {
    it('logs in once, refreshes before the token runs out, and logs in again after it did', async () => {
      const { h, archive } = await ingestThree();
      expect(await h.calls('POST /api/accesstoken/login')).toBe(1);
      expect(await h.calls('POST /api/accesstoken/refresh')).toBe(0);
      h.clock.advance(14.5 * 60_000);
      await archive.findAsset(REFS[0]);
      expect(await h.calls('POST /api/accesstoken/refresh')).toBe(1);
      await archive.findAsset(REFS[0]);
      expect(await h.calls('POST /api/accesstoken/refresh')).toBe(1);
      // Past the refreshed token's lifetime, the refresh token is gone too: a new login.
      h.clock.advance(16 * 60_000);
      expect((await archive.findAsset(REFS[0]))?.reference).toBe(REFS[0]);
      expect(await h.calls('POST /api/accesstoken/login')).toBe(2);
      expect(await h.calls('POST /api/accesstoken/refresh')).toBe(1);
    });

    it('a refused token: logs in again once and repeats the call', async () => {
      const { h, archive } = await ingestThree();
      await h.sim('POST', '/expire-tokens');
      expect((await archive.findAsset(REFS[0]))?.assetId).toBe('I0000aBcDeFgHiJ1');
      expect(await h.calls('POST /api/accesstoken/login')).toBe(2);
      expect(await h.calls('POST /api/accesstoken/refresh')).toBe(0);
      expect(await h.calls('GET /api/entity/information-objects/:ref')).toBe(2);
    });

    it('a refused upload token: logs in again and sends the package', async () => {
      const h = harness();
      const archive = h.archive();
      await archive.findAsset(REFS[0]);
      await h.sim('POST', '/expire-tokens');
      const { progressToken } = await archive.ingest({
        packageKey: 'k',
        folderRef: FOLDER,
        securityTag: 'open',
        items: threeItems(),
      });
      expect(await settle(h, archive, progressToken)).toEqual({ state: 'completed' });
      expect(await h.calls('POST /api/accesstoken/login')).toBe(2);
    });

    it('bad credentials are an AuthError that never repeats the password; nothing logs a token', async () => {
      const h = harness();
      const error = await h
        .archive({ password: 'wrong-password-1234' })
        .findAsset(REFS[0])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect((error as Error).message).toBe(
        'Preservica refused the login (401): Authentication failed: bad credentials',
      );
      const good = h.archive();
      await good.findAsset(REFS[0]);
      const text = h.logger.text();
      expect(text).not.toContain('wrong-password-1234');
      expect(text).not.toContain(h.server.credentials.password);
      const token = (
        (await (
          await fetch(`${h.url}/api/accesstoken/login`, {
            method: 'POST',
            body: new URLSearchParams(h.server.credentials),
          })
        ).json()) as { token: string }
      ).token;
      expect(token).toMatch(/-/);
      expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    });
  });

  describe('webhooks', () => {
    const receiver = async (secret: string) => {
      const deliveries: { body: Buffer; signature: string | undefined }[] = [];
      const server = createServer((req, res) => {
        const code = new URL(req.url ?? '/', 'http://x').searchParams.get('challengeCode');
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          if (code === null) {
            const signature = req.headers['preservica-signature'];
            deliveries.push({
              body: Buffer.concat(chunks),
              signature: typeof signature === 'string' ? signature : undefined,
            });
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(code === null ? {} : challengeAnswer(secret, code)));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/hooks/preservica`,
        deliveries,
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
    };

    it('once subscribed, each ingested asset is announced, signed with the secret', async () => {
      const h = harness();
      const secret = 'preservica-shared-secret-0001';
      const hook = await receiver(secret);
      try {
        const archive = h.archive();
        await archive.ensureWebhook(hook.url, secret);
        const { progressToken } = await archive.ingest({
          packageKey: 'k',
          folderRef: FOLDER,
          securityTag: 'open',
          items: threeItems(),
        });
        expect(await settle(h, archive, progressToken)).toEqual({ state: 'completed' });
        for (let i = 0; i < 250 && hook.deliveries.length < 3; i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(hook.deliveries).toHaveLength(3);
        for (const delivery of hook.deliveries) {
          expect(verifyPreservicaSignature(secret, delivery.body, delivery.signature)).toBe(true);
        }
        const events = hook.deliveries.flatMap(
          (d) =>
            (
              JSON.parse(d.body.toString('utf8')) as {
                trigger: string;
                events: { entityRef: string; identifiers: Record<string, string>[] }[];
              }
            ).events,
        );
        expect(events.map((e) => e.entityRef).sort()).toEqual([...REFS]);
        expect(events.find((e) => e.entityRef === REFS[0])?.identifiers).toEqual([
          { 'photoshelter-asset': 'I0000aBcDeFgHiJ1' },
        ]);
      } finally {
        await hook.close();
      }
    });

    it('subscribes once per trigger after the handshake; a second call changes nothing', async () => {
      const h = harness();
      const secret = 'preservica-shared-secret-0001';
      const hook = await receiver(secret);
      try {
        const archive = h.archive();
        expect(await archive.ensureWebhook(hook.url, secret)).toBe('created');
        expect(await archive.ensureWebhook(hook.url, secret)).toBe('unchanged');
        const { subscriptions } = await h.sim<{
          subscriptions: { url: string; triggerType: string }[];
        }>('GET', '/subscriptions');
        expect(subscriptions.map((s) => [s.url, s.triggerType])).toEqual([
          [hook.url, 'FULL_TEXT_INDEXED'],
          [hook.url, 'INGEST_FAILED'],
        ]);
      } finally {
        await hook.close();
      }
    });

    it('a receiver that cannot answer the challenge is an error saying so', async () => {
      const h = harness();
      const hook = await receiver('another-secret-entirely-00');
      try {
        const error = await h
          .archive()
          .ensureWebhook(hook.url, 'preservica-shared-secret-0001')
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UpstreamError);
        expect((error as Error).message).toContain(
          'POST /api/webhook/subscriptions answered 400: Webhook challenge failed',
        );
      } finally {
        await hook.close();
      }
    });

    it('a user without the manager role is refused: AuthError', async () => {
      const h = harness();
      const error = await h
        .archive({ username: 'viewer@lightdesk.example', password: 'preservica-view' })
        .ensureWebhook('http://127.0.0.1:9/hook', 'preservica-shared-secret-0001')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect((error as Error).message).toBe(
        'Preservica refused GET /api/webhook/subscriptions (403): This needs the ROLE_SDB_MANAGER_USER role',
      );
    });
  });

  describe("Preservica's errors", () => {
    it('an XML <Error> body is read into the error', async () => {
      const h = harness();
      await h.sim('POST', '/faults', {
        path: '/api/entity/information-objects',
        status: 409,
        message: 'The entity is locked by another process',
      });
      await expect(h.archive().findAsset(REFS[0])).rejects.toThrow(
        'preservica: GET /api/entity/information-objects/:ref answered 409: The entity is locked by another process',
      );
    });

    it('a plain-text error body is read too', async () => {
      const h = harness();
      await h.sim('POST', '/settings', { entityErrorBody: 'text' });
      await h.sim('POST', '/faults', {
        path: '/api/entity/entities/by-identifier',
        status: 400,
        message: 'Bad identifier query',
      });
      await expect(h.archive().findByAssetId('I0000aBcDeFgHiJ1')).rejects.toThrow(
        'preservica: GET /api/entity/entities/by-identifier answered 400: Bad identifier query',
      );
    });

    it('503 is retried; past the retries it is an UpstreamError', async () => {
      const { h, archive } = await ingestThree();
      await h.sim('POST', '/faults', {
        path: '/api/entity/information-objects',
        status: 503,
        times: 2,
      });
      expect((await archive.findAsset(REFS[0]))?.reference).toBe(REFS[0]);
      await h.sim('POST', '/faults', {
        path: '/api/entity/information-objects',
        status: 503,
        times: 4,
      });
      const error = await archive.findAsset(REFS[0]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect((error as UpstreamError).status).toBe(503);
    });

    it('an answer of another shape is a ValidationError', async () => {
      const { h, archive } = await ingestThree();
      await h.sim('POST', '/faults', { path: '/api/entity/information-objects', malformed: true });
      await expect(archive.findAsset(REFS[0])).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('health', () => {
    it("says Preservica's version, and asks again only after 15 s", async () => {
      const h = harness();
      const archive = h.archive();
      expect(await archive.checkHealth()).toEqual({
        ok: true,
        detail: 'Preservica 7.7.0 answers',
        version: '7.7.0',
      });
      await archive.checkHealth();
      expect(await h.calls('GET /api/entity/versiondetails/version')).toBe(1);
      h.clock.advance(15_000);
      await archive.checkHealth();
      expect(await h.calls('GET /api/entity/versiondetails/version')).toBe(2);
    });

    it('a refused login is unhealthy, in our words only', async () => {
      const health = await harness().archive({ password: 'nope-nope-nope' }).checkHealth();
      expect(health).toEqual({
        ok: false,
        detail: 'Preservica refused the login',
        version: undefined,
      });
    });
  });
});
