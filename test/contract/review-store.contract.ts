import { randomBytes } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import { ConflictError, ValidationError } from '../../core/errors.js';
import type { Review } from '../../core/model/review.js';
import type { ReviewStore } from '../../core/ports/review-store.js';

export const t0 = Date.parse('2026-11-23T12:00:00.000Z');
export const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();

/** A fresh PhotoShelter-shaped gallery id, so tests sharing the table never share a partition. */
export const aGalleryId = () => `G0000${randomBytes(8).toString('hex').slice(0, 11)}`;

// Each gallery id is fresh, so the suite's tests never share a partition (or a gallery's open slot).
export function aReview(overrides: Partial<Review> & { readonly galleryId?: string } = {}): Review {
  const galleryId = overrides.galleryId ?? aGalleryId();
  return {
    id: `${galleryId}~${(t0 / 1000).toString(36)}`,
    galleryId,
    galleryName: 'Autumn campaign',
    galleryUrl: 'https://example.photoshelter.com/galleries/autumn',
    rule: 'marketing',
    route: {
      rule: 'marketing',
      planId: 'plan-1',
      bucket: 'To review',
      buckets: { approved: 'Approved', rereview: 'Re-review', archived: 'Archived' },
      labels: [],
      priority: 5,
      checklist: [],
      archive: { action: 'none' },
      review: 'teams',
      proof: { stages: [{ name: 'Review' }] },
    },
    status: 'pending',
    assets: [{ assetId: 'I0000aaaaaaaaaaa', fileName: 'a.jpg', addedAt: at(0) }],
    reviewers: [{ id: 'aad-1', name: 'Ada Reviewer', upn: 'ada@example.com' }],
    approval: 'any',
    decisions: [],
    round: 1,
    cardVersion: 1,
    planner: { planId: 'plan-1' },
    teams: { conversation: 'channel:Marketing/Photo reviews' },
    dueAt: at(60 * 24),
    openedAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

const approved = (review: Review, minutes: number): Review => ({
  ...review,
  status: 'approved',
  cardVersion: review.cardVersion + 1,
  updatedAt: at(minutes),
  closedAt: at(minutes),
});

/**
 * The behaviour every ReviewStore must show: opaque versions that change on every write and refuse a
 * stale save, one open slot per gallery claimed by `open` and released by the save that closes the
 * review, `listOfGallery`, and `list` by status, newest change first, up to its limit. Run against the
 * in-memory double and TableReviewStore on Azurite, so neither can drift from the other.
 */
export function describeReviewStoreContract(
  name: string,
  makeStore: () => Promise<ReviewStore>,
): void {
  describe(`ReviewStore contract: ${name}`, () => {
    let store: ReviewStore;

    beforeAll(async () => {
      store = await makeStore();
    });

    it('finds nothing for a gallery without reviews, or an id of no gallery', async () => {
      expect(await store.findOpen(aGalleryId())).toBeUndefined();
      expect(await store.get(`${aGalleryId()}~nothing`)).toBeUndefined();
      expect(await store.get('not-a-review-id')).toBeUndefined();
    });

    it('opens a review that get and findOpen then return with the same version', async () => {
      const review = aReview();
      const opened = await store.open(review);

      expect(opened.review).toEqual(review);
      expect(opened.version).not.toBe('');
      expect(await store.get(review.id)).toEqual(opened);
      expect(await store.findOpen(review.galleryId)).toEqual(opened);
    });

    it('refuses a second open for the same gallery and keeps the first', async () => {
      const first = aReview();
      const opened = await store.open(first);
      const second = aReview({ galleryId: first.galleryId, id: `${first.galleryId}~second` });

      await expect(store.open(second)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.findOpen(first.galleryId)).toEqual(opened);
      expect(await store.get(second.id)).toBeUndefined();
    });

    it('lets exactly one of ten concurrent opens for a gallery win', async () => {
      const galleryId = aGalleryId();
      const reviews = Array.from({ length: 10 }, (_, n) =>
        aReview({ galleryId, id: `${galleryId}~worker${n}` }),
      );

      const results = await Promise.allSettled(reviews.map((r) => store.open(r)));

      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((r) => r.reason)).toEqual(
        Array.from({ length: 9 }, () => expect.any(ConflictError) as unknown),
      );
      const winner = won[0]?.value;
      expect(await store.findOpen(galleryId)).toEqual(winner);
      const stored = await Promise.all(reviews.map((r) => store.get(r.id)));
      expect(stored.filter((s) => s !== undefined)).toEqual([winner]);
    });

    it('lets exactly one of ten concurrent opens win on a gallery whose last review closed', async () => {
      const galleryId = aGalleryId();
      const first = aReview({ galleryId, id: `${galleryId}~first` });
      await store.save(approved(first, 1), (await store.open(first)).version);
      const reviews = Array.from({ length: 10 }, (_, n) =>
        aReview({ galleryId, id: `${galleryId}~worker${n}` }),
      );

      const results = await Promise.allSettled(reviews.map((r) => store.open(r)));

      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').map((r) => r.reason)).toEqual(
        Array.from({ length: 9 }, () => expect.any(ConflictError) as unknown),
      );
      expect(await store.findOpen(galleryId)).toEqual(won[0]?.value);
    });

    it('lets a closed review reopening and a new review opening at once leave exactly one open', async () => {
      const galleryId = aGalleryId();
      const first = aReview({ galleryId, id: `${galleryId}~first` });
      const closed = await store.save(approved(first, 1), (await store.open(first)).version);
      const next = aReview({ galleryId, id: `${galleryId}~next` });

      const [reopened, opened] = await Promise.allSettled([
        store.save({ ...closed.review, status: 'pending' }, closed.version),
        store.open(next),
      ]);

      const winners = [reopened, opened].filter((r) => r.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      expect(
        [reopened, opened].filter((r) => r.status === 'rejected').map((r) => r.reason),
      ).toEqual([expect.any(ConflictError)]);
      expect(await store.findOpen(galleryId)).toEqual(winners[0]?.value);
    });

    it('saves with the current version, returning a new one', async () => {
      const review = aReview();
      const opened = await store.open(review);
      const changed: Review = { ...review, cardVersion: 2, updatedAt: at(5) };

      const saved = await store.save(changed, opened.version);

      expect(saved.review).toEqual(changed);
      expect(saved.version).not.toBe(opened.version);
      expect(await store.get(review.id)).toEqual(saved);
      expect(await store.findOpen(review.galleryId)).toEqual(saved);
    });

    it('refuses a save with a stale version and leaves the stored review as it was', async () => {
      const review = aReview();
      const opened = await store.open(review);
      const current = await store.save({ ...review, cardVersion: 2 }, opened.version);

      await expect(store.save(approved(review, 9), opened.version)).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await store.get(review.id)).toEqual(current);
      expect(await store.findOpen(review.galleryId)).toEqual(current);
    });

    it('frees the gallery slot when a review closes, so the next open succeeds', async () => {
      const first = aReview();
      const opened = await store.open(first);

      const closed = await store.save(approved(first, 10), opened.version);
      expect(await store.findOpen(first.galleryId)).toBeUndefined();
      expect(await store.get(first.id)).toEqual(closed);

      const next = aReview({ galleryId: first.galleryId, id: `${first.galleryId}~next` });
      const reopened = await store.open(next);
      expect(await store.findOpen(first.galleryId)).toEqual(reopened);

      // Saving the closed review again (say, recording its Planner task) leaves the new slot alone.
      await store.save(
        { ...closed.review, planner: { planId: 'plan-1', taskId: 't1' } },
        closed.version,
      );
      expect(await store.findOpen(first.galleryId)).toEqual(reopened);
    });

    it("lists a gallery's reviews, open and closed, oldest opened first, and no other gallery's", async () => {
      const first = aReview({ openedAt: at(0) });
      const opened = await store.open(first);
      const closed = await store.save(approved(first, 10), opened.version);
      const next = aReview({
        galleryId: first.galleryId,
        id: `${first.galleryId}~next`,
        openedAt: at(20),
      });
      const reopened = await store.open(next);
      await store.open(aReview());

      expect(await store.listOfGallery(first.galleryId)).toEqual([closed, reopened]);
      expect(await store.listOfGallery(aGalleryId())).toEqual([]);
    });

    it('keeps the slot through a re-review, which is still open', async () => {
      const review = aReview();
      const opened = await store.open(review);
      const rereview = await store.save({ ...review, status: 'rereview' }, opened.version);
      expect(await store.findOpen(review.galleryId)).toEqual(rereview);
    });

    it('claims the slot back when a closed review is saved open again and the gallery is free', async () => {
      const review = aReview();
      const closed = await store.save(approved(review, 1), (await store.open(review)).version);

      const reopened = await store.save({ ...closed.review, status: 'pending' }, closed.version);
      expect(await store.findOpen(review.galleryId)).toEqual(reopened);
      await expect(
        store.open(aReview({ galleryId: review.galleryId, id: `${review.galleryId}~x` })),
      ).rejects.toBeInstanceOf(ConflictError);
    });

    it('refuses to make a second review of a gallery open by saving it', async () => {
      const first = aReview();
      const closed = await store.save(approved(first, 1), (await store.open(first)).version);
      const other = aReview({ galleryId: first.galleryId, id: `${first.galleryId}~other` });
      const open = await store.open(other);

      await expect(
        store.save({ ...closed.review, status: 'pending' }, closed.version),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store.get(first.id)).toEqual(closed);
      expect(await store.findOpen(first.galleryId)).toEqual(open);
    });

    it('refuses reviews it could not read back', async () => {
      const review = aReview();
      await expect(store.open({ ...review, id: 'no-gallery-here' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(store.open({ ...review, id: `${aGalleryId()}~1` })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(store.open({ ...review, status: 'archived' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(store.open({ ...review, dueAt: 'tomorrow' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      expect(await store.findOpen(review.galleryId)).toBeUndefined();
    });
  });

  describe(`ReviewStore contract: ${name}, list`, () => {
    let store: ReviewStore;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      store = await makeStore();

      // Each in its own gallery, opened and then moved to its status at a known time.
      const plan: readonly { name: string; status: Review['status']; minutes: number }[] = [
        { name: 'pendingOld', status: 'pending', minutes: 1 },
        { name: 'approvedMid', status: 'approved', minutes: 2 },
        { name: 'rereviewNew', status: 'rereview', minutes: 3 },
        { name: 'pendingNewest', status: 'pending', minutes: 4 },
        { name: 'archived', status: 'archived', minutes: 5 },
      ];
      for (const { name, status, minutes } of plan) {
        const review = aReview();
        ids[name] = review.id;
        const opened = await store.open(review);
        // One review in another offset, to check ordering compares times rather than strings.
        const updatedAt =
          name === 'rereviewNew' ? `2026-11-23T14:0${minutes}:00.000+02:00` : at(minutes);
        await store.save({ ...review, status, updatedAt }, opened.version);
      }
    });

    it('lists every status, newest updatedAt first, up to the limit', async () => {
      const all = await store.list({ limit: 10 });
      expect(all.map((s) => s.review.id)).toEqual([
        ids.archived,
        ids.pendingNewest,
        ids.rereviewNew,
        ids.approvedMid,
        ids.pendingOld,
      ]);

      const two = await store.list({ limit: 2 });
      expect(two.map((s) => s.review.id)).toEqual([ids.archived, ids.pendingNewest]);
    });

    it('lists only the given statuses', async () => {
      const open = await store.list({ statuses: ['pending', 'rereview'], limit: 10 });
      expect(open.map((s) => s.review.id)).toEqual([
        ids.pendingNewest,
        ids.rereviewNew,
        ids.pendingOld,
      ]);
      expect(open.every((s) => s.version !== '')).toBe(true);

      const newestOpen = await store.list({ statuses: ['pending', 'rereview'], limit: 1 });
      expect(newestOpen.map((s) => s.review.id)).toEqual([ids.pendingNewest]);

      expect(await store.list({ statuses: ['superseded'], limit: 10 })).toEqual([]);
      expect(await store.list({ statuses: [], limit: 10 })).toEqual([]);
      expect(await store.list({ limit: 0 })).toEqual([]);
    });

    it('returns what get returns, versions included', async () => {
      const [newest] = await store.list({ limit: 1 });
      expect(newest).toEqual(await store.get(ids.archived ?? ''));
    });
  });
}
