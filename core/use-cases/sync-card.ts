import { z } from 'zod';

import { AuthError, NotFoundError } from '../errors.js';
import { cardInstanceOf } from '../model/card-instance.js';
import type { Review } from '../model/review.js';
import type { ChatNotifier } from '../ports/chat-notifier.js';
import type { Clock } from '../ports/clock.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { Logger } from '../ports/logger.js';
import type { PhotoArchive } from '../ports/photo-archive.js';
import type { ReviewCards } from '../ports/review-cards.js';
import type { TaskBoard } from '../ports/task-board.js';
import { cardContext } from './card-context.js';
import { runOnce } from './run-once.js';

/** What an effect step uses to record what it made on the review and to note it on the audit trail. */
export type RecordReview = (change: (r: Review) => Review | undefined) => Promise<Review>;
export type NoteEffect = (kind: string, review: Review, summary: string) => Promise<void>;

export interface SyncCardDeps {
  readonly archive: PhotoArchive;
  readonly board: TaskBoard;
  readonly chat: ChatNotifier;
  readonly cards: ReviewCards;
  readonly ledger: EffectLedger;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Longer than any write of ours may stall (10-35 s timeouts) before it lands. */
export const QUIET_MS = 2 * 60_000;

/** Whether a review has gone without changes long enough for late writes to have landed. */
export const isQuiet = (review: Review, now: Date): boolean =>
  now.getTime() - Date.parse(review.updatedAt) >= QUIET_MS;

/** The key of the once-more update of a quiet review's card. */
export const finalCardKey = (review: Review): string =>
  `teams.final:${review.id}:v${review.cardVersion}`;

/**
 * What the ledger keeps of a card post: the activity, the card instance it carries, and whether it
 * shows the Planner task link (a task made by another worker while the post was in flight is not).
 */
const postedSchema = z.object({
  activityId: z.string().min(1),
  cardInstance: z.string().min(1),
  taskShown: z.boolean().optional(),
});
type Posted = z.infer<typeof postedSchema>;

const postedResult = (posted: Posted): string => JSON.stringify(posted);

/** A post's ledger result; posts from before card instances recorded the bare activity id. */
function readPosted(result: string): {
  activityId: string;
  cardInstance: string | undefined;
  taskShown: boolean | undefined;
} {
  if (result.startsWith('{')) {
    try {
      const parsed = postedSchema.safeParse(JSON.parse(result));
      if (parsed.success) return { ...parsed.data, taskShown: parsed.data.taskShown };
    } catch {
      // Not JSON after all: an activity id of its own.
    }
  }
  return { activityId: result, cardInstance: undefined, taskShown: undefined };
}

/**
 * 5: the review's Teams card, posted once and updated whenever the card version moves. A Teams
 * refusal (removed, blocked) is noted, not thrown. A post with an unknown outcome is posted again
 * as a new card instance recorded first, so only one card per review is ever actionable.
 */
export async function syncCard(
  deps: SyncCardDeps,
  current: Review,
  record: RecordReview,
  note: NoteEffect,
): Promise<Review> {
  const log = deps.logger.child('sync-review');
  let review = current;
  const context = await cardContext(deps, review);
  try {
    if (review.teams.activityId === undefined) {
      const made: { shown?: Review } = {};
      const posted = await runOnce(deps, `teams.card:${review.id}`, async (attempt) => {
        const cardInstance = cardInstanceOf(review.id, attempt);
        // An earlier attempt may have posted a card and lost its answer, or died before recording
        // it; nothing can find that card again. Recording the new instance before posting makes
        // that card read-only (its presses answer "moved to a newer card") before this one appears.
        const shown =
          attempt > 1
            ? await record((r) =>
                r.teams.cardInstance === cardInstance
                  ? undefined
                  : { ...r, teams: { ...r.teams, cardInstance } },
              )
            : review;
        made.shown = shown;
        const { activityId } = await deps.chat.postCard(
          shown.teams.conversation,
          deps.cards.shared({ ...shown, teams: { ...shown.teams, cardInstance } }, context),
          `Review ${shown.galleryName}: ${shown.assets.length} images`,
        );
        return postedResult({
          activityId,
          cardInstance,
          taskShown: context.taskUrl !== undefined,
        });
      });
      const { activityId, cardInstance, taskShown } = readPosted(posted.result);
      if (posted.isFresh && made.shown !== undefined) {
        // The card just posted shows this version: without this record the next sync would
        // "update" the card to what it already shows.
        await runOnce(deps, `teams.card:${review.id}:v${made.shown.cardVersion}`, () =>
          Promise.resolve(activityId),
        );
      }
      // Activity and instance are recorded together. A task recorded while the post was in flight
      // saw no card to bump, so this record moves the version (docs/decisions.md "Outages").
      review = await record((r) =>
        r.teams.activityId === activityId &&
        (cardInstance === undefined || r.teams.cardInstance === cardInstance)
          ? undefined
          : {
              ...r,
              cardVersion:
                r.teams.activityId === undefined &&
                r.planner.taskId !== undefined &&
                taskShown !== true
                  ? r.cardVersion + 1
                  : r.cardVersion,
              teams: {
                ...r.teams,
                activityId,
                ...(cardInstance === undefined ? {} : { cardInstance }),
              },
            },
      );
      if (posted.isFresh)
        await note('teams.card.posted', review, `card posted to ${review.teams.conversation}`);
    }
    // The card as posted may already lag the review (the version moved while it was in flight);
    // the update of a version the post showed is recorded done above, so this is a ledger read.
    if (review.teams.activityId !== undefined) {
      const activityId = review.teams.activityId;
      // The review may have moved on since the context was read (a task recorded meanwhile).
      const shown = review;
      const card = async () =>
        deps.cards.shared(shown, shown === current ? context : await cardContext(deps, shown));
      const update = async (): Promise<string> => {
        try {
          await deps.chat.updateCard(review.teams.conversation, activityId, await card());
        } catch (e: unknown) {
          // Someone deleted the card's message: nothing will ever update it, and the review lives
          // on in Planner, PhotoShelter and the tab. Done, not a failure to retry or poison.
          if (!(e instanceof NotFoundError)) throw e;
          return 'gone';
        }
        return activityId;
      };
      const updated = await runOnce(deps, `teams.card:${review.id}:v${review.cardVersion}`, update);
      // An update that stalled may land after a newer one (Teams applies it late): once the review
      // has been quiet a while, its card is written once more (reconcileReviews asks for it).
      if (updated.result !== 'gone' && isQuiet(review, deps.clock.now())) {
        await runOnce(deps, finalCardKey(review), update);
      }
      if (updated.isFresh && updated.result === 'gone') {
        await note('teams.card.gone', review, 'the card was deleted in Teams; not updated');
        log.warn('the card was deleted in Teams', { reviewId: review.id, activityId });
      } else if (updated.isFresh) {
        await note('teams.card.updated', review, `card v${review.cardVersion} for everyone`);
      }
    }
  } catch (e: unknown) {
    if (!(e instanceof AuthError)) throw e;
    // Teams refuses the bot there (removed, blocked): the conversation is marked by the notifier and
    // the rest of the review still converges. Nothing is lost: the next sync posts once it is fixed.
    await note('teams.card.refused', review, `Teams refused the card: ${e.message}`);
    log.warn('Teams refused the card', {
      reviewId: review.id,
      conversation: review.teams.conversation,
    });
  }

  return review;
}
