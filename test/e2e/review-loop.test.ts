import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type LocalHost, startLocalHost } from '../../composition/local-host.js';
import { RecordingLogger } from '../doubles/recording-logger.js';
import {
  galleriesUnder,
  settle as settleHost,
  type SimGallery,
  upload as uploadTo,
} from '../support/demo-driver.js';

// The whole review loop over loopback: PhotoShelter, Planner and Teams simulators, Azurite, the local
// host serving the same function definitions as Azure, and the bot behind /api/messages.

const ADELE = 'fd1c0001-f855-4ced-a457-a855155daca6'; // reviewer of the Athletics rule
const MEGAN = 'd474143d-8716-44b6-83c8-8d48b5737dc3'; // not a reviewer of the Athletics rule

interface PlannerTask {
  id: string;
  title: string;
  bucketId: string;
  percentComplete: number;
  details?: { references?: Record<string, { alias?: string }> };
}
interface ReviewView {
  id: string;
  galleryId: string;
  status: string;
  cardVersion: number;
  plannerTaskId: string | null;
  assetCount: number;
}

describe('review loop end to end (npm start on loopback)', () => {
  let host: LocalHost;
  let dataDir: string;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lightdesk-loop-'));
    host = await startLocalHost(
      { PORT: '0', SIM_ASSETS: '80', SIM_SEED: '5', LIGHTDESK_DATA_DIR: dataDir },
      { inMemoryStorage: true, runTriggers: false, logger },
    );
    await host.poll(); // baseline
  });

  afterAll(async () => {
    await host?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const getJson = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>;
  const postJson = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  async function athleticsGallery(index: number): Promise<SimGallery> {
    const gallery = (await galleriesUnder(host, 'Athletics'))[index];
    if (gallery === undefined)
      throw new TypeError('the seeded library has too few Athletics galleries');
    return gallery;
  }

  const upload = (galleryId: string): Promise<string> => uploadTo(host, galleryId);

  /** Polls and runs the queue until it is empty, as the timer and the queue trigger would. */
  const settle = (): Promise<void> => settleHost(host);

  async function reviewsOf(galleryId: string): Promise<ReviewView[]> {
    const body = await getJson<{ reviews: ReviewView[] }>(`${host.url}/api/v1/reviews?limit=100`);
    return body.reviews.filter((r) => r.galleryId === galleryId);
  }

  async function plannerTasks(): Promise<PlannerTask[]> {
    const state = await getJson<{
      plans: { tasks: PlannerTask[]; buckets: { id: string; name: string }[] }[];
    }>(`${host.graphUrl}/_sim/state`);
    return state.plans[0]?.tasks ?? [];
  }

  async function bucketName(bucketId: string): Promise<string | undefined> {
    const state = await getJson<{ plans: { buckets: { id: string; name: string }[] }[] }>(
      `${host.graphUrl}/_sim/state`,
    );
    return state.plans[0]?.buckets.find((b) => b.id === bucketId)?.name;
  }

  async function channelCards(): Promise<{ id: string; versions: number; card: unknown }[]> {
    const seed = await getJson<{ photoReviewsChannel: { id: string } }>(
      `${host.teamsUrl}/_sim/seed`,
    );
    const detail = await getJson<{
      activities: {
        id: string;
        direction: string;
        latest: { type: string; attachments?: { content: unknown }[] } | null;
        versions: unknown[];
      }[];
    }>(`${host.teamsUrl}/_sim/conversations/${encodeURIComponent(seed.photoReviewsChannel.id)}`);
    return detail.activities
      .filter((a) => a.direction === 'fromBot' && (a.latest?.attachments?.length ?? 0) > 0)
      .map((a) => ({
        id: a.id,
        versions: a.versions.length,
        card: a.latest?.attachments?.[0]?.content,
      }));
  }

  async function press(user: string, activityId: string, verb: string, data: object) {
    const seed = await getJson<{ photoReviewsChannel: { id: string } }>(
      `${host.teamsUrl}/_sim/seed`,
    );
    const answer = await postJson(`${host.teamsUrl}/_sim/invoke`, {
      conversationId: seed.photoReviewsChannel.id,
      user,
      replyToId: activityId,
      verb,
      data,
    });
    return (await answer.json()) as {
      status: number;
      body: { statusCode: number; type: string; value: unknown };
    };
  }

  it("knows every rule's reviewers, bucket and roster from start-up, so a first batch costs four calls", async () => {
    expect(logger.records).toContainEqual(
      expect.objectContaining({
        message: 'routes warmed up',
        fields: expect.objectContaining({ rules: 4, problems: 0 }),
      }),
    );
    const gallery = await athleticsGallery(4);
    await Promise.all([
      fetch(`${host.graphUrl}/_sim/calls`, { method: 'DELETE' }),
      fetch(`${host.teamsUrl}/_sim/calls`, { method: 'DELETE' }),
    ]);

    for (let i = 0; i < 3; i += 1) await upload(gallery.id);
    await settle();

    const calls = await Promise.all([
      getJson<{ byEndpoint: Record<string, number> }>(`${host.graphUrl}/_sim/calls`),
      getJson<{ byEndpoint: Record<string, number> }>(`${host.teamsUrl}/_sim/calls`),
    ]);
    expect({ ...calls[0].byEndpoint, ...calls[1].byEndpoint }).toEqual({
      'POST /planner/tasks': 1,
      'GET /planner/tasks/:id/details': 1,
      'PATCH /planner/tasks/:id/details': 1,
      'POST /v3/conversations/:conversationId/activities/:activityId': 1,
    });
  });

  it('turns uploads into one review with one Planner task and one card, then approves it from Teams', async () => {
    const gallery = await athleticsGallery(0);
    const cardsBefore = (await channelCards()).length;
    const tasksBefore = (await plannerTasks()).length;

    const first = await upload(gallery.id);
    await settle();
    const second = await upload(gallery.id);
    await settle();

    const [review, ...others] = await reviewsOf(gallery.id);
    expect(others).toEqual([]);
    expect(review).toMatchObject({ status: 'pending', assetCount: 2 });
    expect(first).not.toBe(second);

    const tasks = await plannerTasks();
    expect(tasks).toHaveLength(tasksBefore + 1);
    const task = tasks.find((t) => t.id === review?.plannerTaskId);
    expect(task?.title).toBe(`Review: ${gallery.name}`);
    const references = Object.keys(task?.details?.references ?? {}).map((k) =>
      decodeURIComponent(k),
    );
    expect(references.some((url) => url.includes(gallery.id))).toBe(true);
    expect(references.some((url) => url.includes('/api/tab/?review='))).toBe(true);

    const cards = await channelCards();
    expect(cards).toHaveLength(cardsBefore + 1);
    const card = cards.at(-1);
    expect(card?.versions).toBeGreaterThan(1); // the second upload updated the card for everyone

    const answer = await press(ADELE, card?.id ?? '', 'approve', {
      reviewId: review?.id,
      cardVersion: review?.cardVersion,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.type).toBe('application/vnd.microsoft.card.adaptive');

    await settle();
    const [decided] = await reviewsOf(gallery.id);
    expect(decided?.status).toBe('approved');
    const approvedTask = (await plannerTasks()).find((t) => t.id === review?.plannerTaskId);
    expect(approvedTask?.percentComplete).toBe(100);
    expect(await bucketName(approvedTask?.bucketId ?? '')).toBe('Approved');
    const images = await getJson<{ images: { imageId: string; reviewStatus?: string }[] }>(
      `${host.simulatorUrl}/_sim/galleries/${gallery.id}/images?page=1&per_page=500`,
    );
    const statuses = images.images.filter((i) => i.imageId === first || i.imageId === second);
    expect(statuses.map((i) => i.reviewStatus)).toEqual(['approved', 'approved']);
    const updated = (await channelCards()).find((c) => c.id === card?.id);
    expect(JSON.stringify(updated?.card)).not.toContain('"verb":"approve"');
  });

  it('comes back to a throttled Planner call when Graph says, not after the queue timeout', async () => {
    const gallery = await athleticsGallery(5);
    // Every try of the task create is refused (the connector makes four), each asking for 1 s.
    const armed = await postJson(`${host.graphUrl}/_sim/faults`, {
      path: '/planner/tasks',
      method: 'POST',
      status: 429,
      retryAfterSeconds: 1,
      times: 4,
    });
    expect(armed.status).toBe(201);

    await upload(gallery.id);
    await settle(); // waits up to 15 s: half the queue's visibility timeout

    const [review] = await reviewsOf(gallery.id);
    expect(review?.plannerTaskId).toEqual(expect.any(String));
    const tasks = (await plannerTasks()).filter((t) => t.id === review?.plannerTaskId);
    expect(tasks).toHaveLength(1);
    expect(await host.services.queue.depth()).toEqual({ active: 0, poison: 0 });
  });

  it('refuses a non-reviewer with a read-only card and changes nothing', async () => {
    const gallery = await athleticsGallery(1);
    await upload(gallery.id);
    await settle();
    const [review] = await reviewsOf(gallery.id);
    const card = (await channelCards()).at(-1);

    const answer = await press(MEGAN, card?.id ?? '', 'approve', {
      reviewId: review?.id,
      cardVersion: review?.cardVersion,
    });

    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body.value)).toMatch(/reviewer/i);
    const [after] = await reviewsOf(gallery.id);
    expect(after?.status).toBe('pending');
    expect(after?.cardVersion).toBe(review?.cardVersion);
  });

  it('records decisions through the API with the same rules as the card, and explains bad input', async () => {
    const gallery = await athleticsGallery(3);
    await upload(gallery.id);
    await settle();
    const [review] = await reviewsOf(gallery.id);
    const decide = (body: unknown, id = review?.id ?? '') =>
      postJson(`${host.url}/api/v1/reviews/${encodeURIComponent(id)}/decisions`, body);

    const badVerb = await decide({ reviewerId: ADELE, verb: 'maybe' });
    expect(badVerb.status).toBe(400);
    expect(JSON.stringify(await badVerb.json())).toContain('verb');
    const noComment = await decide({ reviewerId: ADELE, verb: 'rereview' });
    expect(noComment.status).toBe(400);
    expect(JSON.stringify(await noComment.json())).toContain('comment');
    expect((await decide({ reviewerId: MEGAN, verb: 'approve' })).status).toBe(403);
    expect(
      (await decide({ reviewerId: ADELE, verb: 'approve' }, 'G0000nothinghere~1')).status,
    ).toBe(404);
    const [unchanged] = await reviewsOf(gallery.id);
    expect(unchanged?.status).toBe('pending');

    const rereview = await decide({ reviewerId: ADELE, verb: 'rereview', comment: 'Crop tighter' });
    expect(rereview.status).toBe(201);
    await settle();
    const [after] = await reviewsOf(gallery.id);
    expect(after?.status).toBe('rereview');
    const task = (await plannerTasks()).find((t) => t.id === after?.plannerTaskId);
    expect(await bucketName(task?.bucketId ?? '')).toBe('Re-review');
  });

  it('converges when the task is completed in Planner', async () => {
    const gallery = await athleticsGallery(2);
    const imageId = await upload(gallery.id);
    await settle();
    const [review] = await reviewsOf(gallery.id);

    const edit = await fetch(`${host.graphUrl}/_sim/tasks/${review?.plannerTaskId ?? ''}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ percentComplete: 100 }),
    });
    expect(edit.status).toBe(200);
    await host.syncPlanner();
    await settle();

    const [after] = await reviewsOf(gallery.id);
    expect(after?.status).toBe('approved');
    const images = await getJson<{ images: { imageId: string; reviewStatus?: string }[] }>(
      `${host.simulatorUrl}/_sim/galleries/${gallery.id}/images?page=1&per_page=500`,
    );
    expect(images.images.find((i) => i.imageId === imageId)?.reviewStatus).toBe('approved');
  });
});
