import { z } from 'zod';

import { decisionSchema } from '../core/model/review.js';
import { allVerbs, type DecisionCardVerb, type Verb, verbs } from './verbs.js';

const MAX_REVIEW_ID_LENGTH = 200;

const verbSchema = z.enum(allVerbs as [Verb, ...Verb[]]);
const reviewIdSchema = z.string().min(1).max(MAX_REVIEW_ID_LENGTH);
const cardVersionSchema = z.number().int().positive();
/** Which card of the review (`{reviewId}#{n}`, core/model/card-instance.ts); older cards have none. */
const cardInstanceSchema = z.string().min(1).max(256);
// The domain's own rule for a decision comment, so the card cannot accept what core would refuse.
const commentSchema = decisionSchema.shape.comment.unwrap();

/** The longest comment a decision keeps (2000); the card's `Input.Text` enforces it too. */
export const maxCommentLength = commentSchema.maxLength ?? 2000;

/**
 * The `data` a card puts on every `Action.Execute` that records a decision. `cardInstance` names the
 * card the press came from: only the review's current card takes presses.
 */
export const executeDataSchema = z.object({
  reviewId: reviewIdSchema,
  cardVersion: cardVersionSchema,
  cardInstance: cardInstanceSchema.optional(),
});

/**
 * The `data` of the `Action.Submit` fallback, which has no `verb`, so the verb travels inside it.
 * https://learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model#teams
 */
export const submitDataSchema = executeDataSchema.extend({ verb: verbSchema });

/**
 * What a decision action delivers: Teams merges the inputs in scope into `data`, so the `comment`
 * Input.Text arrives as `data.comment` (https://adaptivecards.io/explorer/Action.Execute.html). An
 * empty comment is left for the domain to answer (`commentRequired`).
 */
export const decisionActionDataSchema = executeDataSchema.extend({
  comment: commentSchema.optional(),
});
export type DecisionActionData = z.infer<typeof decisionActionDataSchema>;

/** A refresh asks for the current card whatever version the client holds, so the version is optional. */
export const refreshActionDataSchema = z.object({
  reviewId: reviewIdSchema,
  cardVersion: cardVersionSchema.optional(),
  cardInstance: cardInstanceSchema.optional(),
});
export type RefreshActionData = z.infer<typeof refreshActionDataSchema>;

export type ParsedCardAction =
  | ({ readonly verb: DecisionCardVerb } & DecisionActionData)
  | ({ readonly verb: typeof verbs.refresh } & RefreshActionData);

export type ParseActionDataResult =
  | { readonly ok: true; readonly value: ParsedCardAction }
  | { readonly ok: false; readonly problems: readonly string[] };

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : 'data';
    return `${path}: ${issue.message}`;
  });
}

/**
 * Parses what a card action delivered (`verb` undefined for the Submit fallback, whose verb is in
 * `data.verb`). Problems name the field and never echo its client-sent value.
 */
export function parseActionData(verb: unknown, data: unknown): ParseActionDataResult {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, problems: ['data: expected an object'] };
  }
  const dataVerb: unknown = (data as { readonly verb?: unknown }).verb;
  const problems: string[] = [];

  let resolved: Verb | undefined;
  if (present(verb) && present(dataVerb) && verb !== dataVerb) {
    problems.push('verb: the action verb and data.verb disagree');
  } else if (!present(verb) && !present(dataVerb)) {
    problems.push('verb: missing (neither the action nor data.verb names one)');
  } else {
    const parsed = verbSchema.safeParse(present(verb) ? verb : dataVerb);
    if (parsed.success) resolved = parsed.data;
    else problems.push('verb: not a Lightdesk card verb');
  }

  if (resolved === verbs.refresh) {
    const fields = refreshActionDataSchema.safeParse(data);
    if (!fields.success) problems.push(...issuesOf(fields.error));
    return fields.success && problems.length === 0
      ? { ok: true, value: { verb: resolved, ...fields.data } }
      : { ok: false, problems };
  }
  // Without a known verb the data is still checked as a decision's, so every problem shows at once.
  const fields = decisionActionDataSchema.safeParse(data);
  if (!fields.success) problems.push(...issuesOf(fields.error));
  return fields.success && resolved !== undefined && problems.length === 0
    ? { ok: true, value: { verb: resolved, ...fields.data } }
    : { ok: false, problems };
}

/**
 * The `value` of an `adaptiveCard/action` invoke; only `action.verb` and `action.data` are read.
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards
 */
const invokeValueSchema = z.object({
  action: z.object({ verb: z.unknown().optional(), data: z.unknown().optional() }),
});

/** Parses an invoke's `value` down to the card action it carries, in one pass over each part. */
export function parseInvokeAction(value: unknown): ParseActionDataResult {
  const parsed = invokeValueSchema.safeParse(value);
  if (!parsed.success) return { ok: false, problems: issuesOf(parsed.error) };
  return parseActionData(parsed.data.action.verb, parsed.data.action.data);
}
