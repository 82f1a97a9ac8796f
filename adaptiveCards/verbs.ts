import type { DecisionVerb } from '../core/model/review.js';

/**
 * Every verb a Lightdesk card sends, in one place for the card builders and the bot's router, so a
 * misspelled verb fails to compile.
 */
export const verbs = {
  approve: 'approve',
  rereview: 'rereview',
  archive: 'archive',
  refresh: 'refresh',
} as const;

export type Verb = (typeof verbs)[keyof typeof verbs];

/** The verbs that record a decision; `refresh` only asks for the current card. */
export type DecisionCardVerb = Exclude<Verb, typeof verbs.refresh>;

// The card's decision verbs are the domain's: if core adds or renames one, this stops compiling.
const decisionVerbOf: { readonly [V in DecisionVerb]: V } & {
  readonly [V in DecisionCardVerb]: V;
} = {
  approve: verbs.approve,
  rereview: verbs.rereview,
  archive: verbs.archive,
};

export const allVerbs: readonly Verb[] = Object.values(verbs);

export function isDecisionVerb(verb: Verb): verb is DecisionCardVerb & DecisionVerb {
  return Object.hasOwn(decisionVerbOf, verb);
}
