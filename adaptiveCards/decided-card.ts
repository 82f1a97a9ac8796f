import type { Decision, DecisionVerb, Review, ReviewStatus } from '../core/model/review.js';
import type { DecidedCardModel } from './card-model.js';
import {
  adaptiveCard,
  andMore,
  cardDate,
  cardDateTime,
  decidedBy,
  limits,
  oneLine,
  plainHeading,
  plainLine,
  plural,
  reviewLinks,
  shownThumbnails,
  statusBadge,
  text,
  truncate,
} from './card-parts.js';
import { firstThatFits } from './card-size.js';
import type { AdaptiveCard, CardElement } from './card-types.js';
import { plain } from './plain-text.js';

const DEFAULT_THUMBNAILS = 4;
/** Fewer thumbnails when the card would not fit its budget (card-size.ts); the comment stays whole. */
const thumbnailTiers: readonly [number, ...number[]] = [limits.thumbnails, 4, 2, 0];
const MAX_NAMES_LISTED = 5;

const settledBy: Partial<Record<ReviewStatus, DecisionVerb>> = {
  approved: 'approve',
  rereview: 'rereview',
  archived: 'archive',
};

const outcomeWords: Record<ReviewStatus, string> = {
  approved: 'Approved',
  rereview: 'Sent back for re-review',
  archived: 'Archived',
  superseded: 'Superseded by a newer review of this gallery',
  pending: 'Waiting for review',
};

/** Names as `decidedBy` gives them: shortened and escaped already. */
function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES_LISTED);
  const others = names.length - shown.length;
  if (others > 0) return `${shown.join(', ')} and ${plural(others, 'other')}`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown.at(-1) ?? ''}`;
}

/** The sentence that says how the review ended, and the decision that ended it. */
function outcome(review: Review): { sentence: string; decision: Decision | undefined } {
  const verb = settledBy[review.status];
  const decision =
    verb === undefined ? undefined : review.decisions.findLast((d) => d.verb === verb);
  const words = outcomeWords[review.status];
  const when = review.closedAt ?? decision?.at;
  const on = when === undefined ? '' : ` on ${cardDateTime(when)}`;
  if (decision === undefined) return { sentence: `${words}${on}.`, decision };

  // With `approval: all` every reviewer's approval was needed, so every one of them is named.
  const approvers =
    review.status === 'approved' && review.approval === 'all' && decision.source !== 'planner'
      ? [
          ...new Set(
            review.decisions
              .filter((d) => d.round === decision.round && d.verb === 'approve')
              .map(decidedBy),
          ),
        ]
      : [decidedBy(decision)];
  return { sentence: `${words} by ${listNames(approvers)}${on}.`, decision };
}

/** Where the review's package stands in Preservica (rules that preserve; docs/preservica.md). */
function preservationLine(review: Review): CardElement[] {
  const p = review.preservation;
  if (p === undefined) return [];
  const what =
    p.scope === 'gallery' ? 'The whole gallery' : plural(Object.keys(p.references).length, 'image');
  switch (p.status) {
    case 'ingesting':
      return [
        text(`Preserving in Preservica: ${what} on the way.`, { isSubtle: true }),
        // Why it is taking long (Preservica not answering), as the last try found it.
        ...(p.reason === undefined
          ? []
          : [text(plainLine(p.reason, limits.reason), { color: 'Warning', spacing: 'None' })]),
      ];
    case 'preserved':
      return [
        text(`Preserved in Preservica on ${cardDateTime(p.preservedAt ?? p.startedAt)}.`, {
          color: 'Good',
          weight: 'Bolder',
        }),
      ];
    case 'failed':
      return [
        {
          type: 'Container' as const,
          style: 'attention' as const,
          items: [
            text(
              `Preservation failed (attempt ${String(p.attempt)}): ${plainLine(p.reason ?? 'Preservica gave no reason', limits.reason)}. Reviewers: the Planner task is open again; retry from Lightdesk once the cause is fixed.`,
            ),
          ],
        },
      ];
  }
}

/**
 * The card once a review is settled: the outcome, who, when and why; only links remain. Thumbnails
 * the card leaves out are counted in a "…and N more" line.
 */
export function buildDecidedCard(model: DecidedCardModel): AdaptiveCard {
  return firstThatFits(thumbnailTiers, (maxThumbnails) => render(model, maxThumbnails));
}

function render(model: DecidedCardModel, tierThumbnails: number): AdaptiveCard {
  const { review } = model;
  const { sentence, decision } = outcome(review);
  const thumbnails = shownThumbnails(
    model.thumbnails ?? [],
    Math.min(model.maxThumbnails ?? DEFAULT_THUMBNAILS, tierThumbnails),
    DEFAULT_THUMBNAILS,
  );
  const comment = decision?.comment;

  const body: CardElement[] = [
    plainHeading(review.galleryName),
    {
      type: 'ColumnSet',
      columns: [
        {
          type: 'Column',
          width: 'auto',
          verticalContentAlignment: 'Center',
          items: [text(plural(review.assets.length, 'image'))],
        },
        statusBadge(review.status),
        {
          type: 'Column',
          width: 'stretch',
          verticalContentAlignment: 'Center',
          items: [text(`Due ${cardDate(review.dueAt)}`, { isSubtle: true })],
        },
      ],
    },
    text(sentence, { weight: 'Bolder', spacing: 'Medium' }),
    ...preservationLine(review),
    ...(model.note === undefined || model.note === ''
      ? []
      : [
          {
            type: 'Container' as const,
            style: 'emphasis' as const,
            items: [text(oneLine(model.note, limits.reason))],
          },
        ]),
    // The deciding comment is the point of this card, so it is shown whole (the domain caps it).
    ...(comment === undefined || comment === ''
      ? []
      : [
          text(`“${plain(truncate(comment.trim(), 2000))}”`, {
            isSubtle: true,
            spacing: 'Small',
          }),
        ]),
    ...(thumbnails.length === 0
      ? []
      : [
          {
            type: 'ImageSet' as const,
            imageSize: 'Small' as const,
            images: thumbnails.map((t) => ({
              type: 'Image' as const,
              url: t.url,
              altText: oneLine(t.fileName, limits.name),
            })),
          },
          ...andMore(review.assets.length - thumbnails.length),
        ]),
  ];

  const links = reviewLinks(review, model.taskUrl);
  return adaptiveCard(body, {
    ...(links.length === 0 ? {} : { actions: links }),
    msteams: { width: 'Full' },
  });
}
