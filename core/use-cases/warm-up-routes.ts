import { ensureError, NotFoundError } from '../errors.js';
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
 * Looks up every rule's reviewers, intake bucket and conversation roster once, at start-up: the
 * connectors keep what they find (the directory for 15 minutes, the plan's buckets and the roster for
 * 10), so the first batch of each rule costs no more calls than any later one, and an admin learns of
 * a reviewer who is not in the directory or not in the rule's conversation, a conversation the bot is
 * not installed in, or a plan the app cannot reach, from the start-up log rather than from a batch.
 * Problems are logged and returned, never thrown: the rules file is valid, and a rule whose reviewer
 * is missing still fails its own batches with the same message while the other rules work.
 */
export async function warmUpRoutes(deps: WarmUpRoutesDeps): Promise<readonly RouteProblem[]> {
  const problems: RouteProblem[] = [];
  const { rules } = deps.rules;

  // Everyone at once (the directory batches them); one rule at a time only to name who is missing.
  const everyone = [...new Set(rules.flatMap((r) => r.reviewers))];
  try {
    await deps.directory.resolveUsers(everyone);
  } catch (e: unknown) {
    for (const rule of rules) {
      for (const who of rule.reviewers) {
        try {
          await deps.directory.resolveUsers([who]);
        } catch (inner: unknown) {
          const error = ensureError(inner);
          problems.push({
            rule: rule.name,
            field: 'reviewers',
            message:
              error instanceof NotFoundError
                ? `${who} is not in the directory`
                : `${who} could not be looked up: ${error.message}`,
          });
        }
      }
    }
    if (problems.length === 0) throw e; // failed together but not one by one: say why
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

  // Each conversation's roster, read once (the notifier keeps it): which reviewers Teams knows there.
  const byConversation = new Map<string, RoutingRules['rules'][number][]>();
  for (const rule of rules) {
    byConversation.set(rule.conversation, [...(byConversation.get(rule.conversation) ?? []), rule]);
  }
  for (const [conversation, rulesThere] of byConversation) {
    for (const rule of rulesThere) {
      try {
        for (const who of rule.reviewers) {
          const person = await resolvedOrUndefined(deps.directory, who);
          if (person === undefined) continue; // already named above
          const ids = await deps.chat.memberIds(conversation, [person.id]);
          if (ids.length === 0) {
            problems.push({
              rule: rule.name,
              field: 'reviewers',
              message: `${who} is not a member of "${conversation}": the card's automatic refresh will not give them the reviewer's view`,
            });
          }
        }
      } catch (e: unknown) {
        const error = ensureError(e);
        problems.push({
          rule: rule.name,
          field: 'conversation',
          message:
            error instanceof NotFoundError
              ? `the bot is not installed in "${conversation}" (yet)`
              : `"${conversation}": ${error.message}`,
        });
      }
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

/** One person from the directory (cached by now), or undefined if they cannot be found. */
async function resolvedOrUndefined(
  directory: Directory,
  who: string,
): Promise<{ readonly id: string } | undefined> {
  try {
    const [person] = await directory.resolveUsers([who]);
    return person;
  } catch {
    return undefined;
  }
}
