import azureFunctions from '@azure/functions';
import { describe, expect, it } from 'vitest';

import { AdaptiveReviewCards } from '../../../adaptiveCards/adaptive-review-cards.js';
import type { Services } from '../../../composition/create-services.js';
import { decideReview } from '../../../core/use-cases/decide-review.js';
import { parseQueueMessage } from '../../../core/model/queue-message.js';
import { processEvent } from '../../../core/use-cases/process-event.js';
import { getReview, listReviews, recordDecision } from '../../../functions/reviews.js';
import { findAll } from '../adaptiveCards/card-checks.js';
import { aReviewLoop, ada, ben, CHANNEL, pam } from '../core/use-cases/review-loop.js';

// POST /api/v1/reviews/{id}/decisions through its exported handler, on the review loop's in-memory
// systems with the real card builders: what the channel card, the Planner task, the audit trail and
// the API then say of a decision an application recorded for a reviewer.

// @azure/functions is CommonJS: Node's ESM loader exposes only its default export.
const { HttpRequest, InvocationContext } = azureFunctions;

const API_KEY = 'reviews-test-key-0123456789';

async function aWorld() {
  const loop = aReviewLoop();
  const deps = { ...loop.deps, cards: new AdaptiveReviewCards() };
  // recordDecision and getReview use these; nothing else of Services is reached.
  const used = { ...deps, config: { apiKey: API_KEY } } satisfies Pick<
    Services,
    'reviews' | 'queue' | 'clock' | 'logger' | 'directory'
  > & { config: Pick<Services['config'], 'apiKey'> };
  const services = () => Promise.resolve(used as unknown as Services);

  /** The events worker, until the queue is empty. */
  async function work(): Promise<void> {
    for (;;) {
      const batch = await loop.queue.receive(16, 30_000);
      if (batch.length === 0) return;
      for (const message of batch) {
        await processEvent(deps, parseQueueMessage(JSON.parse(message.body) as unknown));
        await loop.queue.complete(message);
      }
    }
  }

  await processEvent(deps, parseQueueMessage(loop.upload(loop.galleries.mediaDay)));
  await work();
  const review = loop.onlyReviewOf(loop.galleries.mediaDay);

  async function call(
    definition: ReturnType<typeof recordDecision>,
    id: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const request = new HttpRequest({
      method: definition.methods[0] ?? 'GET',
      url: `http://127.0.0.1/api/v1/reviews/${encodeURIComponent(id)}`,
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json', ...options.headers },
      params: { id },
      ...(options.body === undefined ? {} : { body: { string: JSON.stringify(options.body) } }),
    });
    const context = new InvocationContext({
      functionName: definition.name,
      logHandler: () => undefined,
    });
    const response = await definition.handler(request, context);
    return { status: response.status, body: response.jsonBody as Record<string, unknown> };
  }

  const decide = (body: unknown, headers?: Record<string, string>) =>
    call(recordDecision(services), review.id, { body, ...(headers ? { headers } : {}) });

  /** The channel card as people see it now: the text of its TextBlocks. */
  const channelCard = (): string[] => {
    const [post] = loop.chat.posts(CHANNEL);
    return findAll(post?.card, 'TextBlock').map((t) => String(t.text));
  };
  const plannerDescription = () =>
    loop.board.detailsOf(loop.reviews.reviewOf(review.id).planner.taskId ?? '').description;
  const decidedSummaries = () =>
    loop.audit.entries.filter((e) => e.kind === 'review.decided').map((e) => e.summary);

  return {
    loop,
    deps,
    review,
    services,
    call,
    decide,
    work,
    channelCard,
    plannerDescription,
    decidedSummaries,
  };
}

describe('POST /api/v1/reviews/{id}/decisions', () => {
  it('records the decision for the reviewer via the API: the card, Planner, audit and API say so', async () => {
    const world = await aWorld();

    const answer = await world.decide({ reviewerId: ben.id, verb: 'archive', comment: 'Dupes' });
    await world.work();

    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      outcome: 'decided',
      review: { decisions: [{ reviewerId: ben.id, source: 'api', via: 'the API' }] },
    });
    expect(world.channelCard()).toContainEqual(
      expect.stringMatching(/^Archived by Ben Okafor via the API on /),
    );
    expect(world.plannerDescription()).toContain('Ben Okafor via the API: archive ("Dupes")');
    expect(world.decidedSummaries()).toEqual([
      'Ben Okafor via the API chose archive on Media Day: "Dupes"',
    ]);
    const read = await world.call(getReview(world.services), world.review.id);
    expect(read.body).toMatchObject({
      decisions: [{ reviewerName: 'Ben Okafor', via: 'the API' }],
    });
    // Subscribers hear it the same way.
    const [sync] = world.loop.queue.messages.filter(
      (m) => m.type === 'review.sync' && 'announce' in m,
    );
    expect(sync).toMatchObject({
      announce: { review: { lastDecision: { reviewerName: 'Ben Okafor', via: 'the API' } } },
    });
  });

  it('names the application the connector says it is, and shows the comment as typed', async () => {
    const world = await aWorld();

    const answer = await world.decide(
      { reviewerId: ben.id, verb: 'archive', comment: 'See [the brief](https://evil.example)' },
      { 'x-lightdesk-client': '  Power Automate ' },
    );
    await world.work();

    expect(answer.status).toBe(201);
    const card = world.channelCard();
    expect(card).toContainEqual(
      expect.stringMatching(/^Archived by Ben Okafor via Power Automate on /),
    );
    expect(card).toContain('“See \\[the brief\\]\\(https://evil.example\\)”');
    expect(world.plannerDescription()).toContain('Ben Okafor via Power Automate: archive');
    expect(world.decidedSummaries()).toEqual([
      'Ben Okafor via Power Automate chose archive on Media Day: "See [the brief](https://evil.example)"',
    ]);
  });

  it('leaves a decision pressed on the card to the reviewer alone', async () => {
    const world = await aWorld();

    await decideReview(world.deps, world.review.id, {
      reviewerId: ada.id,
      verb: 'archive',
      cardVersion: world.review.cardVersion,
      source: 'teams',
    });
    await world.work();

    expect(world.channelCard()).toContainEqual(
      expect.stringMatching(/^Archived by Ada Lovelace on /),
    );
    expect(world.channelCard().join('\n')).not.toContain('via');
    expect(world.plannerDescription()).toContain('\nAda Lovelace: archive\n');
    expect(world.decidedSummaries()).toEqual(['Ada Lovelace chose archive on Media Day']);
  });

  it('refuses an application name that is too long or not printable, and records nothing', async () => {
    const world = await aWorld();

    for (const client of ['x'.repeat(41), 'Power\u0007Automate']) {
      const answer = await world.decide(
        { reviewerId: ben.id, verb: 'approve' },
        { 'x-lightdesk-client': client },
      );
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        error: { code: 'validation', message: expect.stringContaining('x-lightdesk-client') },
      });
    }
    expect(world.loop.reviews.reviewOf(world.review.id).decisions).toEqual([]);
  });

  it('takes the reviewer by user principal name, as the directory knows them', async () => {
    const world = await aWorld();

    const answer = await world.decide({ reviewerId: ada.upn.toUpperCase(), verb: 'approve' });

    expect(answer.status).toBe(201);
    expect(world.loop.reviews.reviewOf(world.review.id).decisions).toEqual([
      expect.objectContaining({ reviewerId: ada.id, reviewerName: ada.name, via: 'the API' }),
    ]);
  });

  it('says a user principal name the directory does not know names no such user', async () => {
    const world = await aWorld();

    const answer = await world.decide({ reviewerId: 'nobody@contoso.example', verb: 'approve' });

    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      error: {
        code: 'not_found',
        message: 'reviewerId: no such user in the directory: nobody@contoso.example',
      },
    });
    expect(world.loop.reviews.reviewOf(world.review.id).decisions).toEqual([]);
  });

  it('refuses a known user who is not a reviewer of the batch, by id or by name', async () => {
    const world = await aWorld();

    for (const reviewerId of [pam.upn, pam.id]) {
      const answer = await world.decide({ reviewerId, verb: 'approve' });
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({
        error: { code: 'forbidden', message: `${reviewerId} is not a reviewer of this batch` },
      });
    }
    expect(world.loop.reviews.reviewOf(world.review.id).decisions).toEqual([]);
  });
});

describe('GET /api/v1/reviews', () => {
  async function list(world: Awaited<ReturnType<typeof aWorld>>, query: string) {
    const definition = listReviews(world.services);
    const request = new HttpRequest({
      method: 'GET',
      url: `http://127.0.0.1/api/v1/reviews${query}`,
      headers: { 'x-api-key': API_KEY },
    });
    const context = new InvocationContext({
      functionName: definition.name,
      logHandler: () => undefined,
    });
    const response = await definition.handler(request, context);
    return { status: response.status, body: response.jsonBody as { reviews: unknown[] } };
  }

  it('lists the reviews of the statuses asked for, each as GET /api/v1/reviews/{id} shows it', async () => {
    const world = await aWorld();
    const one = await world.call(getReview(world.services), world.review.id);

    const pending = await list(world, '?status=pending,rereview&limit=10');
    const approved = await list(world, '?status=approved');
    const all = await list(world, '');

    expect(pending).toEqual({ status: 200, body: { reviews: [one.body] } });
    expect(approved.body.reviews).toEqual([]);
    expect(all.body.reviews).toEqual([one.body]);
  });
});
