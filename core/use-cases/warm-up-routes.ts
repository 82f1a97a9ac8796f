import { ensureError, NotFoundError } from '../errors.js';
import type { Reviewer } from '../model/review.js';
import type { RoutingRules } from '../model/routing-rules.js';
import type { ChatNotifier } from '../ports/chat-notifier.js';
import type { Directory } from '../ports/directory.js';
import type { Logger } from '../ports/logger.js';
import type { TaskBoard } from '../ports/task-board.js';

export interface WarmUpRoutesDeps {
  readonly rules: RoutingRules;
  readonly directory: Directory;
  readonly board: TaskBoard;
  readonly chat: Pick<ChatNotifier, 'memberIds'>;
  readonly defaultPlanId: string | undefined;
  readonly logger: Logger;
}

export interface RouteProblem {
  readonly rule: string;
  readonly field: 'reviewers' | 'planner' | 'conversation';
  readonly message: string;
}

/**
 * Looks up every rule's reviewers, intake bucket and roster once at start-up, so the connectors'
 * caches make the first batch as cheap as any and the start-up log names missing reviewers,
 * conversations or plans (docs/decisions.md "Routes are warmed"). Problems are logged and returned,
 * never thrown: the rule's own batches fail with the same message.
 */
export async function warmUpRoutes(deps: WarmUpRoutesDeps): Promise<readonly RouteProblem[]> {
  const problems: RouteProblem[] = [];
  const { rules } = deps.rules;

  // Everyone at once (the directory batches them); one by one only to name who is missing.
  const everyone = [...new Set(rules.flatMap((r) => r.reviewers))];
  const people = new Map<string, Reviewer>();
  const missing = new Map<string, string>();
  const isWho = (who: string) => (p: Reviewer) =>
    p.id === who || p.upn.toLowerCase() === who.toLowerCase();
  try {
    const found = await deps.directory.resolveUsers(everyone);
    for (const who of everyone) {
      const person = found.find(isWho(who));
      if (person !== undefined) people.set(who, person);
    }
  } catch (e: unknown) {
    for (const who of everyone) {
      try {
        const [person] = await deps.directory.resolveUsers([who]);
        if (person !== undefined) people.set(who, person);
      } catch (inner: unknown) {
        missing.set(
          who,
          reason(inner, `${who} is not in the directory`, `${who} could not be looked up`),
        );
      }
    }
    if (missing.size === 0) throw e; // failed together but not one by one: say why
  }
  for (const rule of rules) {
    for (const who of rule.reviewers) {
      const message = missing.get(who);
      if (message !== undefined) problems.push({ rule: rule.name, field: 'reviewers', message });
    }
  }

  const buckets = new Map<string, { planId: string; bucket: string; rule: string }>();
  for (const rule of rules) {
    const planId = rule.planner.planId ?? deps.defaultPlanId;
    if (planId === undefined) {
      problems.push({
        rule: rule.name,
        field: 'planner',
        message: 'names no plan and no default plan (PLANNER_PLAN_ID) is set',
      });
      continue;
    }
    buckets.set(`${planId}\n${rule.planner.bucket}`, {
      planId,
      bucket: rule.planner.bucket,
      rule: rule.name,
    });
  }
  for (const { planId, bucket, rule } of buckets.values()) {
    try {
      await deps.board.ensureBucket(planId, bucket);
    } catch (e: unknown) {
      problems.push({
        rule,
        field: 'planner',
        message: `bucket "${bucket}" of plan ${planId}: ${ensureError(e).message}`,
      });
    }
  }

  // Each conversation's roster (the notifier reads it once and keeps it): who Teams knows there.
  for (const rule of rules) {
    try {
      for (const who of rule.reviewers) {
        const person = people.get(who);
        if (person === undefined) continue; // named above
        const ids = await deps.chat.memberIds(rule.conversation, [person.id]);
        if (ids.length === 0) {
          problems.push({
            rule: rule.name,
            field: 'reviewers',
            message: `${who} is not a member of "${rule.conversation}": the card's automatic refresh will not give them the reviewer's view`,
          });
        }
      }
    } catch (e: unknown) {
      problems.push({
        rule: rule.name,
        field: 'conversation',
        message: reason(
          e,
          `the bot is not installed in "${rule.conversation}" (yet)`,
          `"${rule.conversation}"`,
        ),
      });
    }
  }

  for (const problem of problems) {
    deps.logger.warn('routing rule cannot be served as configured', { ...problem });
  }
  deps.logger.info('routes warmed up', {
    rules: rules.length,
    reviewers: everyone.length,
    buckets: buckets.size,
    problems: problems.length,
  });
  return problems;
}

/** What went wrong: `ifMissing` for a NotFoundError, else what was tried and the error's message. */
function reason(e: unknown, ifMissing: string, tried: string): string {
  const error = ensureError(e);
  return error instanceof NotFoundError ? ifMissing : `${tried}: ${error.message}`;
}
