import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { isOpen, type Review, type ReviewStatus, reviewSchema } from '../../core/model/review.js';
import type { ReviewStore, StoredReview } from '../../core/ports/review-store.js';

/**
 * ReviewStore kept in memory, with the table store's rules (connectors/azure-storage): one open slot
 * per gallery claimed by `open` and released by the `save` that closes the review; every write gets a
 * new opaque version and a stale one is a ConflictError; reviews are checked against the schema and
 * must be `{galleryId}~{suffix}`, so core cannot store what a real read would refuse. Stored reviews
 * are copies: changing an object after saving it does not change the store.
 */
export class InMemoryReviewStore implements ReviewStore {
  private readonly rows = new Map<string, StoredReview>();
  /** galleryId → id of its open review. */
  private readonly openSlots = new Map<string, string>();
  private sequence = 0;
  /** Successful writes (open and save): a test asserts "nothing changed" with it. */
  writeCount = 0;
  /** Reads (get and findOpen): a test asserts that a copy saved a read with it. */
  readCount = 0;
  /** Makes the next open throw, to simulate an outage at that point. */
  failNextOpen: Error | undefined;
  /** Makes the next save throw, to simulate an outage at that point. */
  failNextSave: Error | undefined;
  /** Stores the next save, then throws this: the write landed but its answer was lost (a crash). */
  loseNextSaveAnswer: Error | undefined;

  /** Stores a review as it stands (any status), claiming the gallery's slot when it is open. */
  given(review: Review): StoredReview {
    const checked = checkReview(review);
    const slot = this.openSlots.get(checked.galleryId);
    if (isOpen(checked) && slot !== undefined && slot !== checked.id) {
      throw new ConflictError(`gallery ${checked.galleryId} already has an open review, ${slot}`);
    }
    if (isOpen(checked)) this.openSlots.set(checked.galleryId, checked.id);
    return this.put(checked);
  }

  /** The stored review; NotFoundError when there is none. */
  reviewOf(reviewId: string): Review {
    const stored = this.rows.get(reviewId);
    if (stored === undefined) throw new NotFoundError('Review', reviewId);
    return structuredClone(stored.review);
  }

  /** Every stored review, in the order they were first stored. */
  all(): readonly Review[] {
    return [...this.rows.values()].map((s) => structuredClone(s.review));
  }

  get(reviewId: string): Promise<StoredReview | undefined> {
    this.readCount += 1;
    const stored = this.rows.get(reviewId);
    return Promise.resolve(stored === undefined ? undefined : copy(stored));
  }

  findOpen(galleryId: string): Promise<StoredReview | undefined> {
    this.readCount += 1;
    const reviewId = this.openSlots.get(galleryId);
    const stored = reviewId === undefined ? undefined : this.rows.get(reviewId);
    return Promise.resolve(
      stored === undefined || !isOpen(stored.review) ? undefined : copy(stored),
    );
  }

  listOfGallery(galleryId: string): Promise<readonly StoredReview[]> {
    this.readCount += 1;
    return Promise.resolve(
      [...this.rows.values()]
        .filter((s) => s.review.galleryId === galleryId)
        .map(copy)
        .sort((a, b) => Date.parse(a.review.openedAt) - Date.parse(b.review.openedAt)),
    );
  }

  open(review: Review): Promise<StoredReview> {
    return attempt(() => {
      if (this.failNextOpen !== undefined) {
        const failure = this.failNextOpen;
        this.failNextOpen = undefined;
        throw failure;
      }
      const checked = checkReview(review);
      if (!isOpen(checked)) {
        throw new ValidationError(`Review ${checked.id} cannot be opened`, [
          `status: ${checked.status} is not an open status`,
        ]);
      }
      if (this.rows.has(checked.id) || this.openSlots.has(checked.galleryId)) {
        throw new ConflictError(
          `gallery ${checked.galleryId} already has an open review (or review ${checked.id} exists)`,
        );
      }
      this.openSlots.set(checked.galleryId, checked.id);
      return this.put(checked);
    });
  }

  save(review: Review, version: string): Promise<StoredReview> {
    return attempt(() => {
      if (this.failNextSave !== undefined) {
        const failure = this.failNextSave;
        this.failNextSave = undefined;
        throw failure;
      }
      const checked = checkReview(review);
      const current = this.rows.get(checked.id);
      if (current?.version !== version) {
        throw new ConflictError(`review ${checked.id} was changed by someone else`);
      }
      const slot = this.openSlots.get(checked.galleryId);
      if (isOpen(checked)) {
        if (slot !== undefined && slot !== checked.id) {
          throw new ConflictError(
            `gallery ${checked.galleryId} already has another open review, ${slot}`,
          );
        }
        this.openSlots.set(checked.galleryId, checked.id);
      } else if (slot === checked.id) {
        this.openSlots.delete(checked.galleryId);
      }
      const stored = this.put(checked);
      if (this.loseNextSaveAnswer !== undefined) {
        const failure = this.loseNextSaveAnswer;
        this.loseNextSaveAnswer = undefined;
        throw failure;
      }
      return stored;
    });
  }

  list(filter: {
    readonly statuses?: readonly ReviewStatus[];
    readonly limit: number;
  }): Promise<readonly StoredReview[]> {
    const { statuses, limit } = filter;
    const found = [...this.rows.values()]
      .filter((s) => statuses === undefined || statuses.includes(s.review.status))
      .sort(
        (a, b) =>
          Date.parse(b.review.updatedAt) - Date.parse(a.review.updatedAt) ||
          (a.review.id < b.review.id ? -1 : a.review.id > b.review.id ? 1 : 0),
      );
    return Promise.resolve(found.slice(0, Math.max(0, limit)).map(copy));
  }

  private put(review: Review): StoredReview {
    this.sequence += 1;
    this.writeCount += 1;
    const stored: StoredReview = {
      review: structuredClone(review),
      version: `W/"review-${this.sequence}"`,
    };
    this.rows.set(review.id, stored);
    return copy(stored);
  }
}

function checkReview(review: Review): Review {
  const parsed = reviewSchema.safeParse(review);
  if (!parsed.success) throw ValidationError.fromZod(`Review ${review.id}`, parsed.error);
  if (!parsed.data.id.startsWith(`${parsed.data.galleryId}~`)) {
    throw new ValidationError(
      `Review ${review.id} does not belong to gallery ${review.galleryId}`,
      ['id: must be {galleryId}~{suffix}'],
    );
  }
  return parsed.data;
}

function copy(stored: StoredReview): StoredReview {
  return { review: structuredClone(stored.review), version: stored.version };
}

/** A thrown error becomes a rejection, as an async store's would. */
function attempt<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (e: unknown) {
    return Promise.reject(e instanceof Error ? e : new ValidationError(String(e)));
  }
}
