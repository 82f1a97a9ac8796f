import { type Decision, isOpen, type Review } from '../core/model/review.js';
import type { ReviewCardModel } from './card-model.js';
import {
  actionSet,
  adaptiveCard,
  andMore,
  cardDate,
  decisionLines,
  executeAction,
  limits,
  oneLine,
  plainHeading,
  plainLine,
  plural,
  reviewActionData,
  reviewLinks,
  shownThumbnails,
  statusBadge,
  text,
} from './card-parts.js';
import { firstThatFits } from './card-size.js';
import type {
  AdaptiveCard,
  CardAction,
  CardElement,
  Fact,
  Refresh,
  ShowCardAction,
} from './card-types.js';
import { maxCommentLength } from './action-data.js';
import { verbs } from './verbs.js';

const DEFAULT_THUMBNAILS = 8;

/**
 * How much of a long review a card shows; later tiers apply only when a card would not fit its
 * budget (card-size.ts). Issue 16's worst case (card-worst-case.test.ts) fits by the second tier.
 */
type Tier = {
  readonly thumbnails: number;
  readonly history: number;
  readonly comment: number;
  readonly reviewers: number;
  readonly refreshUsers: number;
};
const tiers: readonly [Tier, ...Tier[]] = [
  {
    thumbnails: limits.thumbnails,
    history: 5,
    comment: limits.comment,
    reviewers: 20,
    refreshUsers: 60,
  },
  { thumbnails: 8, history: 3, comment: limits.comment, reviewers: 20, refreshUsers: 60 },
  { thumbnails: 4, history: 2, comment: 140, reviewers: 20, refreshUsers: 60 },
  { thumbnails: 4, history: 1, comment: 140, reviewers: 10, refreshUsers: 60 },
  // 60 user ids as long as allowed would take 30 KB alone; 20 covers the reviewers of a big batch.
  { thumbnails: 2, history: 1, comment: 140, reviewers: 5, refreshUsers: 20 },
  // Links as long as allowed (2,048 characters) leave room for no thumbnail.
  { thumbnails: 0, history: 1, comment: 80, reviewers: 5, refreshUsers: 20 },
];

/**
 * The review card, with Approve / Re-review / Archive for an assigned reviewer while open. Inputs
 * are capped; a card still over budget shows fewer thumbnails, decisions and reviewers, each list
 * ending in "…and N more", until it fits.
 */
export function buildReviewCard(model: ReviewCardModel): AdaptiveCard {
  return firstThatFits(tiers, (tier) => render(model, tier));
}

function render(model: ReviewCardModel, tier: Tier): AdaptiveCard {
  const { review } = model;
  const open = isOpen(review);
  const thumbnails = shownThumbnails(
    model.thumbnails,
    Math.min(model.maxThumbnails ?? DEFAULT_THUMBNAILS, tier.thumbnails),
    DEFAULT_THUMBNAILS,
  );
  const more = review.assets.length - thumbnails.length;

  const body: CardElement[] = [
    plainHeading(review.galleryName),
    summaryRow(review, model.now),
    ...(model.reason === undefined || model.reason === ''
      ? []
      : [
          {
            type: 'Container' as const,
            style: 'emphasis' as const,
            items: [text(plainLine(model.reason, limits.reason))],
          },
        ]),
    ...(thumbnails.length === 0
      ? []
      : [
          {
            type: 'ImageSet' as const,
            imageSize: 'Medium' as const,
            images: thumbnails.map((t) => ({
              type: 'Image' as const,
              url: t.url,
              altText: oneLine(t.fileName, limits.name),
            })),
          },
          ...andMore(more),
        ]),
    ...reviewerSection(review, tier.reviewers),
    ...proofSection(review, tier.reviewers),
    ...historySection(review, tier.history, tier.comment),
    ...actionSet(model.view === 'reviewer' && open ? decisionActions(review) : []),
  ];

  const links = reviewLinks(review, model.taskUrl);
  return adaptiveCard(body, {
    ...(links.length === 0 ? {} : { actions: links }),
    // A closed review's card is final: refreshing it would only cost invokes. A card the review
    // moved away from is final too: a refresh would bring the buttons back on a second card.
    ...(open && model.view !== 'moved'
      ? { refresh: refreshFor(review, model.refreshUserIds, tier.refreshUsers) }
      : {}),
    // Teams-only: the full conversation width gives the thumbnails room.
    // https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format#full-width-adaptive-card
    msteams: { width: 'Full' },
  });
}

function summaryRow(review: Review, now: Date): CardElement {
  const open = isOpen(review);
  const overdue = open && Date.parse(review.dueAt) < now.getTime();
  const due = `Due ${cardDate(review.dueAt)}${overdue ? ' · overdue' : ''}`;
  const round = review.round > 1 ? ` · round ${review.round}` : '';
  return {
    type: 'ColumnSet',
    columns: [
      {
        type: 'Column',
        width: 'auto',
        verticalContentAlignment: 'Center',
        items: [text(`${plural(review.assets.length, 'image')}${round}`)],
      },
      statusBadge(review.status),
      {
        type: 'Column',
        width: 'stretch',
        verticalContentAlignment: 'Center',
        items: [
          text(
            due,
            overdue ? { color: 'Attention', weight: 'Bolder' } : open ? {} : { isSubtle: true },
          ),
        ],
      },
    ],
  };
}

const voteLabel: Record<Decision['verb'], string> = {
  approve: '✓ approved',
  rereview: '↺ re-review',
  archive: 'archived',
};

function reviewerSection(review: Review, maxShown: number): CardElement[] {
  const thisRound = review.decisions.filter((d) => d.round === review.round);
  const voteOf = new Map<string, Decision>();
  for (const decision of thisRound) voteOf.set(decision.reviewerId, decision);
  const approvals = review.reviewers.filter((r) => voteOf.get(r.id)?.verb === 'approve').length;

  const rule =
    review.approval === 'all'
      ? `Every reviewer must approve (${approvals} of ${review.reviewers.length} so far).`
      : 'The first reviewer to decide settles the batch.';
  const facts: Fact[] = review.reviewers.slice(0, maxShown).map((reviewer) => {
    const vote = voteOf.get(reviewer.id);
    return {
      title: plainLine(reviewer.name === '' ? reviewer.upn : reviewer.name, limits.name),
      value: vote === undefined ? (isOpen(review) ? 'waiting' : '—') : voteLabel[vote.verb],
    };
  });
  const hidden = review.reviewers.length - facts.length;
  return [
    text('Reviewers', { weight: 'Bolder', spacing: 'Medium', separator: true }),
    text(rule, { isSubtle: true, spacing: 'None' }),
    { type: 'FactSet', facts },
    ...andMore(hidden, 'reviewer'),
  ];
}

/** Where each Ziflow stage stands: how many reviewers decided what (reviews proofed in Ziflow). */
function proofSection(review: Review, maxShown: number): CardElement[] {
  const proof = review.proof;
  // Why the proof is missing or behind, until Lightdesk's next try gets through.
  const trouble =
    review.proofTrouble === undefined
      ? []
      : [
          text(plainLine(review.proofTrouble, limits.reason), {
            color: 'Warning',
            spacing: proof === undefined ? 'Medium' : 'None',
          }),
        ];
  if (proof === undefined) return trouble;
  const versions = proof.versionIds.length;
  const stages = proof.stages.slice(0, maxShown);
  const counts = (stage: (typeof proof.stages)[number]): string =>
    [
      [stage.approved, 'approved'],
      [stage.approvedWithChanges, 'approved with changes'],
      [stage.changesRequired, 'changes required'],
      [stage.notRelevant, 'not relevant'],
      [stage.waiting, 'waiting'],
    ]
      .filter(([n]) => Number(n) > 0)
      .map(([n, label]) => `${String(n)} ${String(label)}`)
      .join(' · ') || 'no reviewers';
  return [
    text(`Ziflow proof${versions > 1 ? `, version ${versions}` : ''}`, {
      weight: 'Bolder',
      spacing: 'Medium',
    }),
    ...stages.map((stage) =>
      text(`${plainLine(stage.name, limits.name)}: ${counts(stage)}`, { spacing: 'None' }),
    ),
    ...andMore(proof.stages.length - stages.length, 'stage'),
    ...trouble,
  ];
}

function historySection(review: Review, maxShown: number, maxComment: number): CardElement[] {
  if (maxShown === 0 || review.decisions.length === 0) return [];
  const latest = review.decisions.slice(-maxShown).reverse();
  const earlier = review.decisions.length - latest.length;
  return [
    text('History', { weight: 'Bolder', spacing: 'Medium', separator: true }),
    ...latest.flatMap((d) => decisionLines(d, review.round, maxComment)),
    ...andMore(earlier, 'decision'),
  ];
}

function decisionActions(review: Review): CardAction[] {
  const data = reviewActionData(review);
  // The comment lives in a ShowCard so Approve and Archive stay one press; Teams checks `isRequired`
  // before it sends the Execute, and the domain refuses an empty comment anyway.
  const rereview: ShowCardAction = {
    type: 'Action.ShowCard',
    title: 'Re-review…',
    card: {
      type: 'AdaptiveCard',
      body: [
        {
          type: 'Input.Text',
          id: 'comment',
          label: 'What needs another look?',
          placeholder: 'Tell the photographer what to change',
          isMultiline: true,
          maxLength: maxCommentLength,
          isRequired: true,
          errorMessage: 'Add a comment to ask for a re-review.',
        },
        ...actionSet([executeAction('Send for re-review', verbs.rereview, data)]),
      ],
    },
  };
  return [
    executeAction('Approve', verbs.approve, data, 'positive'),
    rereview,
    executeAction('Archive', verbs.archive, data, 'destructive'),
  ];
}

/**
 * The listed users' clients fetch their own view (`verb: refresh`); Teams honours at most 60 ids,
 * and `[]` leaves only the menu's "Refresh card".
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards#user-ids-in-refresh
 */
function refreshFor(review: Review, userIds: readonly string[], maxUsers: number): Refresh {
  const ids = [...new Set(userIds)].filter((id) => id !== '' && id.length <= limits.userId);
  return {
    action: {
      type: 'Action.Execute',
      verb: verbs.refresh,
      data: reviewActionData(review),
    },
    userIds: ids.slice(0, Math.min(maxUsers, limits.refreshUsers)),
  };
}
