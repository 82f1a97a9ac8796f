// Every choice the Ziflow docs leave open ([INF]), kept in one place so it is easy to change; each
// is described in docs/ziflow-simulator.md ("Inferred choices").

/** Hex digest of the `x-ziflow-signature` header; (a) is the default (docs/ziflow-simulator.md). */
export const SIGNATURE_MODES = ['sha256-concat', 'hmac-signing-string', 'hmac-body'] as const;
export type SignatureMode = (typeof SIGNATURE_MODES)[number];
export const DEFAULT_SIGNATURE_MODE: SignatureMode = 'sha256-concat';

/** [INF] Stage members are listed under `members` (the docs leave the key open). */
export const STAGE_MEMBERS_KEY = 'members';

/** [INF] The `type` of a webhook event: `proof.` + the subscription key. */
export const eventType = (key: string): string => `proof.${key}`;

/**
 * [INF] The comment field naming the reviewer an admin posts as, under Ziflow's admin setting
 * "Admin comment impersonation" [OFF]; the field's name is not published.
 */
export const IMPERSONATION_FIELD = 'reviewer_email';

/** [INF] Webhook delivery retries after these delays (ms) when the target fails or errs. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 5_000, 30_000];

/** [INF] `GET /proofs` and comment lists give this many items without `count`. */
export const DEFAULT_PAGE_COUNT = 50;

/** [OFF-lab] `count` may be at most 100. */
export const MAX_PAGE_COUNT = 100;

/** Decisions, strongest first: the precedence of "Understand decision calculation" [OFF]. */
export const DECISIONS = [
  'changes_required',
  'approved_with_changes',
  'approved',
  'not_relevant',
] as const;
export type Decision = (typeof DECISIONS)[number];

export const DECISION_LABELS: Readonly<Record<Decision, string>> = {
  changes_required: 'Changes required',
  approved_with_changes: 'Approved with changes',
  approved: 'Approved',
  not_relevant: 'Not relevant',
};

/**
 * The status of a set of decisions [OFF precedence]; [INF] undefined entries (someone who has not
 * decided yet) keep the result open (`null`) unless `firstDecides` (a stage's `only_one_decision`).
 */
export function combineDecisions(
  decisions: readonly (Decision | null)[],
  firstDecides: boolean,
): Decision | null {
  const made = decisions.filter((d): d is Decision => d !== null);
  if (made.length === 0) return null;
  if (!firstDecides && made.length < decisions.length) return null;
  if (made.every((d) => d === 'not_relevant')) return 'not_relevant';
  for (const d of DECISIONS) if (made.includes(d)) return d;
  return null;
}
