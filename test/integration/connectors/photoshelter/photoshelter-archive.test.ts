import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  AuthError,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
  ValidationError,
} from '../../../../core/errors.js';
import {
  PhotoShelterArchive,
  type PhotoShelterArchiveOptions,
  UNVERIFIED_BEHAVIOURS,
} from '../../../../connectors/photoshelter/photoshelter-archive.js';
import { JsonLogger } from '../../../../connectors/system/json-logger.js';
import { FakePhotoShelterServer } from '../../../../simulators/photoshelter/fake-photoshelter-server.js';
import { RecordingClock } from '../../../doubles/recording-clock.js';
import { SimClient } from '../../../support/photoshelter-sim-client.js';

// The connector against its simulator over a real loopback socket, with faults switched
// on through `/_sim/faults`. Backoff waits go through an injected clock that only records them.

const GALLERY = 'GET /psapi/v3/mem/gallery/:id';
const LOGIN = 'POST /psapi/v3/mem/authenticate';
const ORG_SWITCH = 'POST /psapi/v3/mem/organization/:id/authenticate';

describe('PhotoShelterArchive over a socket, with faults', () => {
  let server: FakePhotoShelterServer;
  let url: string;
  let sim: SimClient;
  let clock: RecordingClock;
  let logLines: string[];
  /** Every X-PS-Auth-Token the connector sent: none may show up in a log line or error. */
  let tokensSent: Set<string>;
  let galleryId: string;

  /** The connector, with a fetch that notes the tokens it carries (the transport we inject). */
  function anArchive(overrides: Partial<PhotoShelterArchiveOptions> = {}): PhotoShelterArchive {
    const recordingFetch: typeof fetch = (input, init) => {
      const token = new Headers(init?.headers).get('x-ps-auth-token');
      if (token !== null) tokensSent.add(token);
      return fetch(input, init);
    };
    return new PhotoShelterArchive({
      baseUrl: url,
      webBaseUrl: 'https://lightdesk-test.photoshelter.com',
      apiKey: server.credentials.apiKey,
      email: server.credentials.email,
      password: server.credentials.password,
      orgId: server.credentials.orgId,
      clock,
      logger: new JsonLogger('photoshelter', 'debug', (line) => logLines.push(line)),
      fetch: recordingFetch,
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 5_000 },
      timeoutMs: 2_000,
      ...overrides,
    });
  }

  beforeEach(async () => {
    server = new FakePhotoShelterServer({ seed: 7, assets: 12 });
    ({ url } = await server.start(0));
    sim = new SimClient(url);
    clock = new RecordingClock();
    logLines = [];
    tokensSent = new Set();
    const { galleries } = await sim.library();
    const first = galleries[0];
    if (first === undefined) expect.fail('the simulator library has no gallery');
    galleryId = first.id;
  });

  afterEach(async () => {
    // Whatever happened, nothing the connector logged may carry a secret.
    const secrets = [server.credentials.password, server.credentials.apiKey, ...tokensSent];
    for (const line of logLines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
    await server.stop();
  });

  it('retries a 500 once and succeeds', async () => {
    const archive = anArchive();
    await archive.getGallery(galleryId); // logged in; the fault hits the next call
    await sim.resetCalls();
    await sim.fault({ path: '/psapi/v3/mem/gallery', status: 500, times: 1 });

    const gallery = await archive.getGallery(galleryId);

    expect(gallery.id).toBe(galleryId);
    expect(await sim.callsTo(GALLERY)).toBe(2);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('gives up on a 503 after the retry budget with UpstreamError', async () => {
    const archive = anArchive();
    await archive.getGallery(galleryId);
    await sim.resetCalls();
    await sim.fault({ path: '/psapi/v3/mem/gallery', status: 503, times: 10 });

    const failure = await archive.getGallery(galleryId).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ service: 'photoshelter', status: 503 });
    expect(await sim.callsTo(GALLERY)).toBe(3);
    // The simulator sends Retry-After: 1 with a 503, and that is honoured like a 429's.
    expect(clock.sleeps).toHaveLength(2);
    expect(clock.sleeps.every((ms) => ms >= 1_000)).toBe(true);
  });

  it('backs off exponentially, with jitter, when no Retry-After is given', async () => {
    const archive = anArchive();
    await archive.getGallery(galleryId);
    await sim.fault({ path: '/psapi/v3/mem/gallery', status: 502, times: 10 });

    const failure = await archive.getGallery(galleryId).catch((e: unknown) => e);

    expect(failure).toMatchObject({ code: 'upstream', status: 502 });
    // baseDelayMs 10: the first wait is within [5, 10], the second within [10, 20].
    const [first, second] = clock.sleeps;
    expect(first).toBeGreaterThanOrEqual(5);
    expect(first).toBeLessThanOrEqual(10);
    expect(second).toBeGreaterThanOrEqual(10);
    expect(second).toBeLessThanOrEqual(20);
  });

  it('waits out a 429 for at least its Retry-After, then succeeds', async () => {
    const archive = anArchive();
    await sim.fault({ path: '/psapi/v4.0/galleries', status: 429, retryAfterSeconds: 2, times: 1 });

    const page = await archive.listGalleriesByModification();

    expect(page.items.length).toBeGreaterThan(0);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(2_000);
  });

  it('reports RateLimitedError with the wait when 429s outlast the retries', async () => {
    const archive = anArchive();
    await sim.fault({
      path: '/psapi/v4.0/galleries',
      status: 429,
      retryAfterSeconds: 1,
      times: 10,
    });

    const failure = await archive.listGalleriesByModification().catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(RateLimitedError);
    expect(failure).toMatchObject({ retryAfterMs: 1_000 });
    expect(clock.sleeps.every((ms) => ms >= 1_000)).toBe(true);
  });

  it('does not sleep through a Retry-After longer than maxDelayMs; the caller comes back later', async () => {
    const archive = anArchive();
    await sim.fault({ path: '/psapi/v4.0/galleries', status: 429, retryAfterSeconds: 600 });

    const failure = await archive.listGalleriesByModification().catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(RateLimitedError);
    expect(failure).toMatchObject({ retryAfterMs: 600_000 });
    expect(clock.sleeps).toEqual([]);
  });

  it('retries a dropped connection', async () => {
    const archive = anArchive();
    await archive.getGallery(galleryId);
    await sim.fault({ path: '/psapi/v3/mem/gallery', drop: true, times: 1 });

    const gallery = await archive.getGallery(galleryId);

    expect(gallery.id).toBe(galleryId);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('retries an answer slower than the request timeout, then succeeds', async () => {
    const archive = anArchive({ timeoutMs: 200 });
    await archive.getGallery(galleryId);
    await sim.fault({ path: '/psapi/v3/mem/gallery', latencyMs: 1_500, times: 1 });

    const gallery = await archive.getGallery(galleryId);

    expect(gallery.id).toBe(galleryId);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('fails with UpstreamError when every attempt runs past the timeout', async () => {
    const archive = anArchive({ timeoutMs: 200 });
    await archive.getGallery(galleryId);
    await sim.fault({ path: '/psapi/v3/mem/gallery', latencyMs: 1_500, times: 10 });

    const failure = await archive.getGallery(galleryId).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).message).toMatch(/timed out/);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('logs in again exactly once when the session expired, then succeeds', async () => {
    const archive = anArchive();
    await archive.getGallery(galleryId);
    await sim.resetCalls();
    await sim.expireSessions();

    const gallery = await archive.getGallery(galleryId);

    expect(gallery.id).toBe(galleryId);
    expect(await sim.callsTo(LOGIN)).toBe(1);
    expect(await sim.callsTo(GALLERY)).toBe(2); // the 401, then the retry
    expect(await sim.callsTo(ORG_SWITCH)).toBe(1); // the new token acts for the org again
    expect(tokensSent.size).toBe(2);

    // The same on a v4 call, whose 401 has the v4 envelope.
    await sim.resetCalls();
    await sim.expireSessions();
    const page = await archive.listGalleriesByModification();
    expect(page.items.length).toBeGreaterThan(0);
    expect(await sim.callsTo(LOGIN)).toBe(1);
    expect(await sim.callsTo('GET /psapi/v4.0/galleries')).toBe(2);
  });

  it('acts for the first organization the login reports when no orgId is configured', async () => {
    const archive = anArchive({ orgId: undefined });

    const changes = await archive.listMediaChanges({
      since: new Date(Date.now() - 60_000),
      until: new Date(),
    });

    expect(changes.items).toEqual([]);
    expect(await sim.callsTo(ORG_SWITCH)).toBe(1);
    expect(await sim.callsTo('GET /psapi/v4.0/user/session')).toBe(0);
  });

  it('falls back to the user context, with the user id from the session, when there is no org', async () => {
    await server.stop();
    server = new FakePhotoShelterServer({
      seed: 7,
      assets: 12,
      users: [
        {
          email: 'solo@lightdesk.example',
          password: 'solo-password-1',
          userId: 'U0000SoloShooter',
          orgIds: [],
        },
      ],
    });
    ({ url } = await server.start(0));
    sim = new SimClient(url);
    const archive = anArchive();
    const since = new Date();
    const [target] = (await sim.library()).galleries;
    if (target === undefined) expect.fail('the simulator library has no gallery');
    const assetId = await sim.control().upload(target.id);

    const changes = await archive.listMediaChanges({ since, until: new Date() });
    await archive.listMediaChanges({ since, until: new Date() });

    expect(changes.items.map((item) => item.assetId)).toEqual([assetId]);
    expect(await sim.callsTo(ORG_SWITCH)).toBe(0);
    expect(await sim.callsTo('GET /psapi/v4.0/user/session')).toBe(1); // looked up once
  });

  it('logs in once for concurrent first calls', async () => {
    const archive = anArchive();

    await Promise.all([
      archive.getGallery(galleryId),
      archive.listChildren(),
      archive.listGalleriesByModification(),
    ]);

    expect(await sim.callsTo(LOGIN)).toBe(1);
  });

  it('refuses a wrong password with AuthError that does not contain the password', async () => {
    const password = 'not-the-password-9f8e7d';
    const archive = anArchive({ password });

    const failure = await archive.getGallery(galleryId).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(AuthError);
    expect(String((failure as AuthError).message)).not.toContain(password);
    expect(JSON.stringify((failure as AuthError).details)).not.toContain(password);
    expect(logLines.join('\n')).not.toContain(password);
    expect(await sim.callsTo(LOGIN)).toBe(1); // a refusal is not retried
  });

  it('refuses a wrong API key with AuthError', async () => {
    const archive = anArchive({ apiKey: 'wrongApiKey' });

    await expect(archive.getGallery(galleryId)).rejects.toBeInstanceOf(AuthError);
    await expect(archive.listGalleriesByModification()).rejects.toBeInstanceOf(AuthError);
  });

  it('names the failing field when PhotoShelter answers an unexpected shape', async () => {
    const archive = anArchive();
    await archive.getGallery(galleryId);
    await sim.fault({ path: '/psapi/v3/mem/gallery', malformed: true, times: 1 });

    const failure = await archive.getGallery(galleryId).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ValidationError);
    const error = failure as ValidationError;
    expect(error.message).toContain(`PhotoShelter ${GALLERY} answered an unexpected shape`);
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.issues.join('; ')).toMatch(/^[\w.()]+: /);
  });

  it('answers NotFoundError for an unknown gallery', async () => {
    const archive = anArchive();

    const failure = await archive.getGallery('G0000nonexistent').catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(NotFoundError);
    expect((failure as NotFoundError).message).toContain('G0000nonexistent');
  });

  it('reports health without throwing, and without secrets when the login fails', async () => {
    expect(await anArchive().checkHealth()).toMatchObject({ ok: true });

    const password = 'wrong-password-for-health';
    const health = await anArchive({ password }).checkHealth();
    expect(health.ok).toBe(false);
    expect(health.detail).toBe('PhotoShelter refused our credentials');
    expect(health.detail).not.toContain(password);
  });

  it('says PhotoShelter is down in its own words, not the upstream error text', async () => {
    await server.stop();
    const health = await anArchive({
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    }).checkHealth();
    expect(health).toEqual({
      ok: false,
      detail: 'PhotoShelter did not answer as expected',
      // Never logged in, so no session zone yet: what health says must say so.
      timeZone: { name: 'UTC', source: 'default' },
      unverified: UNVERIFIED_BEHAVIOURS,
    });
    server = new FakePhotoShelterServer({ seed: 7, assets: 12 });
    ({ url } = await server.start(0));
  });

  it('logs out, and logs in again on the next call', async () => {
    const archive = anArchive();
    await archive.getGallery(galleryId);

    await archive.logout();
    await archive.getGallery(galleryId);

    expect(await sim.callsTo('GET /psapi/v3/mem/authenticate/logout')).toBe(1);
    expect(await sim.callsTo(LOGIN)).toBe(2);
  });
});
