import { isOpen, type Review, type ReviewStatus } from '../core/model/review.js';
import {
  adaptiveCard,
  cardDate,
  decisionLines,
  heading,
  limits,
  openUrl,
  plainHeading,
  plainLine,
  plural,
  statusBadge,
  text,
} from './card-parts.js';
import { firstThatFits } from './card-size.js';
import type { AdaptiveCard, CardElement, Container } from './card-types.js';

// Answers to the chat commands (help, pending, status), sent by the bot as cards.

const MAX_LISTED = 20;
/** Fewer reviews listed when the card would not fit its budget (card-size.ts). */
const listedTiers: readonly [number, ...number[]] = [MAX_LISTED, 10, 5, 1];
const MAX_QUERY = 100;

const statusWords: Record<ReviewStatus, string> = {
  pending: 'waiting for a decision',
  rereview: 'sent back for re-review',
  approved: 'approved',
  archived: 'archived',
  superseded: 'superseded by a newer review',
};

const commands = [
  { title: 'help', value: 'this message' },
  {
    title: 'pending',
    value:
      'the open reviews, newest first; in a personal chat, a card to decide each one you review',
  },
  { title: 'status <gallery>', value: 'where the review of a gallery stands (its name or id)' },
  {
    title: 'restore <reference> to <gallery id>',
    value: 'brings an asset preserved in Preservica back into a PhotoShelter gallery for review',
  },
] as const;

export function buildHelpCard(): AdaptiveCard {
  return adaptiveCard([
    heading('Lightdesk'),
    text('Lightdesk posts a card here for every batch of PhotoShelter images to review.'),
    text('Reviewers press **Approve**, **Re-review** (with a comment) or **Archive** on the card.'),
    text('Commands', { weight: 'Bolder', spacing: 'Medium' }),
    { type: 'FactSet', facts: commands },
  ]);
}

function pendingItem(review: Review, now: Date): Container {
  const overdue = isOpen(review) && Date.parse(review.dueAt) < now.getTime();
  const line = [
    plural(review.assets.length, 'image'),
    statusWords[review.status],
    `due ${cardDate(review.dueAt)}${overdue ? ' · overdue' : ''}`,
  ].join(' · ');
  const [link] = openUrl('Open gallery', review.galleryUrl);
  return {
    type: 'Container',
    separator: true,
    items: [
      text(plainLine(review.galleryName, limits.title), { weight: 'Bolder' }),
      text(
        line,
        overdue ? { color: 'Attention', spacing: 'None' } : { isSubtle: true, spacing: 'None' },
      ),
    ],
    // The whole entry opens the gallery; a button per entry would crowd the card.
    ...(link === undefined ? {} : { selectAction: link }),
  };
}

/**
 * The open reviews, newest first as given. `total` is how many there are in all when `reviews` is a
 * page of them; at most 20 are listed either way, fewer when long names would not fit the budget.
 */
export function buildPendingCard(
  reviews: readonly Review[],
  now: Date,
  total: number = reviews.length,
): AdaptiveCard {
  if (reviews.length === 0) {
    return adaptiveCard([heading('Open reviews'), text('No reviews are open. 🎉')]);
  }
  const all = Math.max(total, reviews.length);
  return firstThatFits(listedTiers, (maxListed) => {
    const listed = reviews.slice(0, maxListed);
    const more = all - listed.length;
    return adaptiveCard([
      heading(`Open reviews (${all.toLocaleString('en-US')})`),
      text('Newest first.', { isSubtle: true, spacing: 'None' }),
      ...listed.map((review) => pendingItem(review, now)),
      ...(more > 0 ? [text(`…and ${more.toLocaleString('en-US')} more.`, { isSubtle: true })] : []),
    ]);
  });
}

/** Where the review of one gallery stands, or why there is nothing to show. */
export function buildStatusCard(review: Review | undefined, galleryQuery: string): AdaptiveCard {
  const query = plainLine(galleryQuery, MAX_QUERY);
  if (review === undefined) {
    return adaptiveCard([
      heading('Gallery status'),
      text(
        query === ''
          ? 'Tell me which gallery: `status <gallery name or id>`.'
          : `I found no review for a gallery called or numbered "${query}".`,
      ),
    ]);
  }
  const reviewers = review.reviewers.slice(0, 10).map((r) => plainLine(r.name, limits.name));
  const hidden = review.reviewers.length - reviewers.length;
  const last = review.decisions.at(-1);
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
      ],
    },
    {
      type: 'FactSet',
      facts: [
        { title: 'Status', value: statusWords[review.status] },
        {
          title: 'Reviewers',
          value: `${reviewers.join(', ')}${hidden > 0 ? ` and ${plural(hidden, 'other')}` : ''}`,
        },
        { title: 'Due', value: review.dueAt.slice(0, 10) },
      ],
    },
    ...(last === undefined
      ? []
      : [
          text('Last decision', { weight: 'Bolder', spacing: 'Medium' }),
          ...decisionLines(last, review.round),
        ]),
  ];
  const links = openUrl('Open gallery', review.galleryUrl);
  return adaptiveCard(body, links.length === 0 ? {} : { actions: links });
}

/** What a `restore` command did, or why it could not. */
export function buildRestoreCard(
  outcome:
    | {
        readonly kind: 'restored' | 'alreadyRestored';
        readonly assetId: string;
        readonly galleryName: string;
      }
    | { readonly kind: 'refused'; readonly message: string },
): AdaptiveCard {
  switch (outcome.kind) {
    case 'refused':
      return adaptiveCard([
        heading('Restore from Preservica'),
        text(plainLine(outcome.message, limits.reason), { color: 'Attention' }),
        text(
          'Try `restore <Preservica reference> to <gallery id>`, e.g. `restore 1b2c…-… to G0000abc…`.',
          {
            isSubtle: true,
          },
        ),
      ]);
    case 'restored':
    case 'alreadyRestored':
      return adaptiveCard([
        heading('Restore from Preservica'),
        text(
          `${outcome.kind === 'restored' ? 'Brought back' : 'Already brought back'} into ${plainLine(outcome.galleryName, limits.title)} as ${plainLine(outcome.assetId, limits.name)}. Its review card follows when the gallery's rule routes it.`,
        ),
      ]);
  }
}
