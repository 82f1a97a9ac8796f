import { readFile } from 'node:fs/promises';

import { ConfigError } from '../core/errors.js';
import { type RoutingRules, routingRulesSchema } from '../core/model/routing-rules.js';

/**
 * Reads and checks the routing rules file once at start-up. A bad file stops start-up with every
 * problem named by rule (index and name) and field, e.g. `rules[1] "Athletics" planner.bucket: …`.
 */
export async function loadRoutingRules(
  path: string,
  defaultPlanId: string | undefined,
): Promise<RoutingRules> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError(['ROUTING_RULES_FILE'], [`ROUTING_RULES_FILE: cannot read ${path}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: unknown) {
    const detail = e instanceof SyntaxError ? e.message : 'not JSON';
    throw new ConfigError(['ROUTING_RULES_FILE'], [`${path} is not valid JSON (${detail})`]);
  }
  const parsed = routingRulesSchema.safeParse(json);
  const problems: string[] = [];
  if (!parsed.success) {
    const rules = (json as { rules?: { name?: unknown }[] } | null)?.rules;
    for (const issue of parsed.error.issues) {
      const [head, index, ...rest] = issue.path.map(String);
      if (head === 'rules' && index !== undefined && /^\d+$/.test(index)) {
        const name = rules?.[Number(index)]?.name;
        const label = typeof name === 'string' ? ` "${name}"` : '';
        problems.push(`rules[${index}]${label} ${rest.join('.') || '(rule)'}: ${issue.message}`);
      } else {
        problems.push(`${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`);
      }
    }
  } else if (defaultPlanId === undefined) {
    parsed.data.rules.forEach((rule, index) => {
      if (rule.planner.planId === undefined) {
        problems.push(
          `rules[${index}] "${rule.name}" planner.planId: required when PLANNER_PLAN_ID is not set`,
        );
      }
    });
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(['ROUTING_RULES_FILE'], [`${path}: ${problems.join('; ')}`]);
  }
  return parsed.data;
}
