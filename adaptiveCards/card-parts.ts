import { decidedVia, type Decision, type Review, type ReviewStatus } from '../core/model/review.js';
import type {
  ActionData,
  ActionSet,
  AdaptiveCard,
  CardAction,
  CardElement,
  Column,
  ContainerStyle,
  ExecuteAction,
  OpenUrlAction,
  TextBlock,
  TextColor,
} from './card-types.js';
import { plain } from './plain-text.js';
import type { Verb } from './verbs.js';

// Small building blocks the card builders share. Each caps what it is given; the builders then trim
// lists until the card fits its budget (card-size.ts).

export const limits = {
  title: 150,
  name: 80,
  comment: 280,
  reason: 300,
  /** Longer links are left out rather than cut, since a cut link is a broken one. */
  url: 2048,
  /** MRIs are about 130 characters; anything far longer is not one. */
  userId: 256,
  /** Teams auto-refreshes for at most 60 user ids (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/overview). */
  refreshUsers: 60,
  thumbnails: 12,
} as const;

/** Shortens to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/** One line of text: newlines folded, then shortened. */
export const oneLine = (text: string, max: number): string =>
  truncate(text.replace(/\s+/g, ' ').trim(), max);

/** One line of someone else's text, shortened, then shown as typed (plain-text.ts). */
export const plainLine = (text: string, max: number): string => plain(oneLine(text, max));

export const plural = (n: number, word: string, words = `${word}s`): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? word : words}`;

/**
 * RFC 3339 without fractional seconds, for `{{DATE()}}`/`{{TIME()}}`, which Teams renders in the
 * reader's zone and locale.
 * https://learn.microsoft.com/adaptive-cards/authoring-cards/text-features#datetime-formatting-and-localization
 */
function rfc3339(iso: string): string | undefined {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function cardDate(iso: string): string {
  const at = rfc3339(iso);
  return at === undefined ? oneLine(iso, 40) : `{{DATE(${at}, SHORT)}}`;
}

export function cardDateTime(iso: string): string {
  const at = rfc3339(iso);
  return at === undefined ? oneLine(iso, 40) : `{{DATE(${at}, SHORT)}} {{TIME(${at})}}`;
}

export function text(value: string, options: Omit<TextBlock, 'type' | 'text'> = {}): TextBlock {
  return { type: 'TextBlock', text: value, wrap: true, ...options };
}

const headingStyle = { size: 'Large', weight: 'Bolder', style: 'heading' } as const;

/** A heading of ours; Markdown in it is meant. */
export function heading(value: string): TextBlock {
  return text(oneLine(value, limits.title), headingStyle);
}

/** A heading made of someone else's text, a gallery name say, shown as typed. */
export function plainHeading(value: string): TextBlock {
  return text(plainLine(value, limits.title), headingStyle);
}

export const CARD_SCHEMA_URL = 'http://adaptivecards.io/schemas/adaptive-card.json';

export function adaptiveCard(
  body: readonly CardElement[],
  extras: Omit<AdaptiveCard, 'type' | '$schema' | 'version' | 'body'> = {},
): AdaptiveCard {
  const { refresh, ...rest } = extras;
  // 1.5 is what Universal Actions need and the highest Teams renders (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/overview).
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA_URL,
    version: '1.5',
    // First, as in Microsoft's examples: it is what the client acts on before showing the body.
    ...(refresh === undefined ? {} : { refresh }),
    body,
    ...rest,
  };
}

/**
 * An `Action.Execute` with an `Action.Submit` fallback (verb in its data) for clients without
 * Universal Actions.
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards#backward-compatibility
 */
export function executeAction(
  title: string,
  verb: Verb,
  data: ActionData,
  style?: ExecuteAction['style'],
): ExecuteAction {
  const styled = style === undefined ? {} : { style };
  return {
    type: 'Action.Execute',
    title,
    verb,
    data,
    ...styled,
    fallback: { type: 'Action.Submit', title, data: { ...data, verb }, ...styled },
  };
}

/**
 * What every action of a review's card sends (action-data.ts): the review, the version shown and,
 * once the review records one, the card instance, so a press on a card the review left is known.
 */
export function reviewActionData(review: Review): ActionData {
  const { cardInstance } = review.teams;
  return {
    reviewId: review.id,
    cardVersion: review.cardVersion,
    ...(cardInstance === undefined ? {} : { cardInstance }),
  };
}

/**
 * Some older clients honour `fallback` only inside an `ActionSet`, so actions go in one.
 * https://learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model#teams
 */
export function actionSet(actions: readonly CardAction[]): ActionSet[] {
  return actions.length === 0 ? [] : [{ type: 'ActionSet', actions }];
}

export function openUrl(title: string, url: string | undefined): OpenUrlAction[] {
  return url === undefined || url === '' || url.length > limits.url
    ? []
    : [{ type: 'Action.OpenUrl', title, url }];
}

/** Links every card of a review carries: the gallery in PhotoShelter and, once made, the task. */
export const reviewLinks = (review: Review, taskUrl: string | undefined): OpenUrlAction[] => [
  ...openUrl('Open gallery', review.galleryUrl),
  ...openUrl('Open Planner task', taskUrl),
  ...openUrl('Open proof in Ziflow', review.proof?.url),
];

export const statusLabel: Record<ReviewStatus, string> = {
  pending: 'Waiting for review',
  rereview: 'Re-review requested',
  approved: 'Approved',
  archived: 'Archived',
  superseded: 'Superseded',
};

const statusLook: Record<ReviewStatus, { style: ContainerStyle; color: TextColor }> = {
  pending: { style: 'accent', color: 'Accent' },
  rereview: { style: 'warning', color: 'Warning' },
  approved: { style: 'good', color: 'Good' },
  archived: { style: 'emphasis', color: 'Default' },
  superseded: { style: 'emphasis', color: 'Default' },
};

/** Adaptive Cards 1.5 has no badge element: a styled, auto-width column reads as one. */
export function statusBadge(status: ReviewStatus): Column {
  const look = statusLook[status];
  return {
    type: 'Column',
    width: 'auto',
    style: look.style,
    verticalContentAlignment: 'Center',
    items: [text(statusLabel[status], { size: 'Small', weight: 'Bolder', color: look.color })],
  };
}

/** The thumbnails to show: at most `max` (itself capped), links too long to send left out. */
export function shownThumbnails<T extends { readonly url: string }>(
  thumbnails: readonly T[],
  max: number | undefined,
  fallbackMax: number,
): T[] {
  const cap = Math.min(Math.max(0, Math.floor(max ?? fallbackMax)), limits.thumbnails);
  const shown: T[] = [];
  for (const thumbnail of thumbnails) {
    if (shown.length >= cap) break;
    if (thumbnail.url !== '' && thumbnail.url.length <= limits.url) shown.push(thumbnail);
  }
  return shown;
}

const didWhat: Record<Decision['verb'], (who: string) => string> = {
  approve: (who) => `✓ ${who} approved`,
  rereview: (who) => `↺ ${who} asked for a re-review`,
  archive: (who) => `${who} archived the batch`,
};

/**
 * Who made a decision, as typed; a Planner decision by someone we do not know is the board's, and an
 * API decision names the application that recorded it for the reviewer ("Megan Bowen via the API").
 */
export function decidedBy(decision: Decision): string {
  const name = plainLine(decision.reviewerName, limits.name);
  const via = decidedVia(decision);
  if (via !== undefined) return `${name} via ${plainLine(via, limits.name)}`;
  if (decision.source !== 'planner') return name;
  return name === '' || name === 'Planner' ? 'Someone in Planner' : `${name} (in Planner)`;
}

/**
 * The line under a list the card shortened: "…and 92 more" under images, "…and 3 more decisions"
 * given the noun; nothing when nothing was left out.
 */
export function andMore(hidden: number, noun?: string): TextBlock[] {
  if (hidden <= 0) return [];
  const count =
    noun === undefined ? `${hidden.toLocaleString('en-US')} more` : plural(hidden, `more ${noun}`);
  return [text(`…and ${count}`, { isSubtle: true })];
}

/** One decision as history lines: who did what and when, then the comment, shortened. */
export function decisionLines(
  decision: Decision,
  currentRound: number,
  maxComment: number = limits.comment,
): CardElement[] {
  const round = decision.round === currentRound ? '' : ` · round ${decision.round}`;
  const line = `${didWhat[decision.verb](decidedBy(decision))} · ${cardDateTime(decision.at)}${round}`;
  return [
    text(line, { size: 'Small', spacing: 'Small' }),
    ...(decision.comment === undefined || decision.comment === ''
      ? []
      : [
          text(`“${plainLine(decision.comment, maxComment)}”`, {
            isSubtle: true,
            spacing: 'None',
          }),
        ]),
  ];
}
