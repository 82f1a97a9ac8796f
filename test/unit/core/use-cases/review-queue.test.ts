import { describe, expect, it } from 'vitest';

import { findReviews, reviewQueue } from '../../../../core/use-cases/review-queue.js';
import { InMemoryReviewStore } from '../../../doubles/in-memory-review-store.js';
import {
  aDecision,
  anAsset,
  aReview,
  aReviewer,
  at,
  someAssets,
  t0,
} from '../../../support/review-builders.js';

const hours = (n: number) => new Date(t0.getTime() + n * 3_600_000);
const taskUrl = (task: { taskId: string; planId: string }) =>
  `https://planner.example/${task.planId}/${task.taskId}`;

const adele = aReviewer(1);
const ben = aReviewer(2);

/** Four galleries: one on time, one overdue, one approved, one re-review with a comment. */
function library(): InMemoryReviewStore {
  const store = new InMemoryReviewStore();
  store.given(
    aReview({
      id: 'G0000ontime00001~a',
      galleryId: 'G0000ontime00001',
      galleryName: 'Spring launch',
      reviewers: [adele, ben],
      approval: 'all',
      // Ben's approval came through the API, on his behalf.
      decisions: [aDecision(ben, 'approve', { source: 'api', via: 'Power Automate' })],
      dueAt: at(48 * 60),
      assets: someAssets(6),
    }),
  );
  store.given(
    aReview({
      id: 'G0000overdue0001~a',
      galleryId: 'G0000overdue0001',
      galleryName: 'Athletics — home opener',
      rule: 'Athletics',
      reviewers: [ben],
      dueAt: at(2 * 60),
    }),
  );
  store.given(
    aReview({
      id: 'G0000approved001~a',
      galleryId: 'G0000approved001',
      galleryName: 'Board portraits',
      status: 'approved',
      decisions: [aDecision(adele, 'approve', { minutes: 60 })],
      closedAt: at(60),
      updatedAt: at(60),
      planner: { planId: 'plan-1', taskId: 'task-approved' },
    }),
  );
  store.given(
    aReview({
      id: 'G0000rereview001~a',
      galleryId: 'G0000rereview001',
      galleryName: 'Campus tour',
      status: 'rereview',
      decisions: [aDecision(adele, 'rereview', { comment: 'Crop the sky', minutes: 90 })],
      dueAt: at(72 * 60),
      planner: { planId: 'plan-1' },
      assets: [anAsset(1, { thumbnailUrl: undefined })],
    }),
  );
  return store;
}

describe('reviewQueue (what the tab lists)', () => {
  it('lists open reviews, most urgent first, with counts for every view', async () => {
    const queue = await reviewQueue(
      { reviews: library(), taskUrl },
      adele,
      { view: 'open', limit: 50 },
      hours(5),
    );
    expect(queue.items.map((i) => i.galleryName)).toEqual([
      'Athletics — home opener',
      'Spring launch',
      'Campus tour',
    ]);
    expect(queue.counts).toEqual({ open: 3, pending: 2, overdue: 1, decided: 1 });
    expect(queue.items[0]?.overdue).toBe(true);
    expect(queue.generatedAt).toBe(hours(5).toISOString());
  });

  it("shows each reviewer's vote in the current round, and who has not voted", async () => {
    const queue = await reviewQueue(
      { reviews: library(), taskUrl },
      adele,
      { view: 'open', text: 'spring', limit: 50 },
      hours(5),
    );
    expect(queue.items).toHaveLength(1);
    expect(queue.items[0]?.votes.map((v) => [v.name, v.verb ?? null, v.via ?? null])).toEqual([
      [adele.name, null, null],
      [ben.name, 'approve', 'Power Automate'],
    ]);
    expect(queue.items[0]?.viewerIsReviewer).toBe(true);
    // At most four thumbnails, the newest files.
    expect(queue.items[0]?.thumbnails.map((t) => t.fileName)).toEqual([
      'IMG_0003.jpg',
      'IMG_0004.jpg',
      'IMG_0005.jpg',
      'IMG_0006.jpg',
    ]);
  });

  it('separates overdue from on-time reviews by the clock', async () => {
    const deps = { reviews: library(), taskUrl };
    const early = await reviewQueue(deps, adele, { view: 'overdue', limit: 50 }, hours(1));
    const late = await reviewQueue(deps, adele, { view: 'overdue', limit: 50 }, hours(50));
    expect(early.items).toEqual([]);
    expect(late.items.map((i) => i.galleryName)).toEqual([
      'Athletics — home opener',
      'Spring launch',
    ]);
  });

  it('lists decided reviews with their Planner task link and close time', async () => {
    const queue = await reviewQueue(
      { reviews: library(), taskUrl },
      adele,
      { view: 'decided', limit: 50 },
      hours(5),
    );
    expect(queue.items.map((i) => [i.galleryName, i.status, i.closedAt])).toEqual([
      ['Board portraits', 'approved', at(60)],
    ]);
    expect(queue.items[0]?.taskUrl).toBe('https://planner.example/plan-1/task-approved');
    expect(queue.items[0]?.overdue).toBe(false);
  });

  it("filters to the viewer's own reviews and matches reviewer names in the text filter", async () => {
    const deps = { reviews: library(), taskUrl };
    const mine = await reviewQueue(deps, ben, { view: 'all', mine: true, limit: 50 }, hours(5));
    expect(mine.items.map((i) => i.galleryName).sort()).toEqual([
      'Athletics — home opener',
      'Spring launch',
    ]);
    const byName = await reviewQueue(
      deps,
      ben,
      { view: 'all', text: ben.name.toUpperCase(), limit: 50 },
      hours(5),
    );
    expect(byName.items).toHaveLength(2);
  });

  it('keeps a comment with the vote and leaves out thumbnails and task links it does not have', async () => {
    const queue = await reviewQueue(
      { reviews: library(), taskUrl },
      adele,
      { view: 'open', text: 'campus', limit: 50 },
      hours(5),
    );
    const [item] = queue.items;
    expect(item?.votes[0]).toMatchObject({ verb: 'rereview', comment: 'Crop the sky' });
    expect(item?.thumbnails).toEqual([]);
    expect(item?.taskUrl).toBeUndefined();
  });

  it('stops at the limit', async () => {
    const queue = await reviewQueue(
      { reviews: library(), taskUrl },
      adele,
      { view: 'all', limit: 2 },
      hours(5),
    );
    expect(queue.items).toHaveLength(2);
  });
});

describe('findReviews (what the bot and the API read, through the same query as the tab)', () => {
  it("lists the open reviews newest opened first, with how many there are (the bot's pending)", async () => {
    const store = library();
    store.given(
      aReview({
        id: 'G0000newest00001~a',
        galleryId: 'G0000newest00001',
        galleryName: 'Newest',
        openedAt: at(30),
      }),
    );

    const open = await findReviews(
      { reviews: store },
      undefined,
      { view: 'open', order: 'newest', limit: 2 },
      hours(5),
    );

    expect(open.reviews.map((r) => r.galleryName)).toEqual(['Newest', 'Spring launch']);
    expect(open.matched).toBe(4);
  });

  it("finds a gallery by its id as well as its name (the bot's status)", async () => {
    const byId = await findReviews(
      { reviews: library() },
      undefined,
      { view: 'all', text: 'g0000approved001', limit: 10 },
      hours(5),
    );
    expect(byId.reviews.map((r) => r.galleryName)).toEqual(['Board portraits']);
  });

  it('keeps to the statuses asked for, superseded ones included, most recently changed first (the API)', async () => {
    const store = library();
    store.given(
      aReview({
        id: 'G0000superseded1~a',
        galleryId: 'G0000superseded1',
        galleryName: 'Replaced',
        status: 'superseded',
        closedAt: at(120),
        updatedAt: at(120),
      }),
    );

    const found = await findReviews(
      { reviews: store },
      undefined,
      { view: 'all', statuses: ['approved', 'superseded'], order: 'updated', limit: 10 },
      hours(5),
    );
    const tab = await findReviews({ reviews: store }, adele, { view: 'all', limit: 10 }, hours(5));

    expect(found.reviews.map((r) => r.galleryName)).toEqual(['Replaced', 'Board portraits']);
    expect(tab.reviews.map((r) => r.galleryName)).not.toContain('Replaced');
  });
});
