import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadRoutingRules } from '../../../composition/routing-rules.js';
import { ConfigError } from '../../../core/errors.js';

async function rulesFile(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lightdesk-rules-'));
  const path = join(dir, 'rules.json');
  await writeFile(path, content);
  return path;
}

async function failure(path: string, planId?: string): Promise<ConfigError> {
  try {
    await loadRoutingRules(path, planId);
  } catch (e: unknown) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new ConfigError([], ['expected the rules to be refused']);
}

describe('loadRoutingRules', () => {
  it('loads the shipped demo rules', async () => {
    const rules = await loadRoutingRules('config/routing-rules.json', 'plan-1');
    expect(rules.rules.map((r) => r.name)).toEqual([
      'Athletics',
      'Brand assets',
      'Events',
      'Everything else',
    ]);
    expect(rules.rules[0]?.planner.buckets).toEqual({
      approved: 'Approved',
      rereview: 'Re-review',
      archived: 'Archived',
    });
  });

  it('names the rule and the field of every problem', async () => {
    const path = await rulesFile(
      JSON.stringify({
        rules: [
          {
            name: 'Ok',
            match: {},
            planner: { bucket: 'B' },
            reviewers: ['a@b.c'],
            conversation: 'c',
          },
          {
            name: 'Broken',
            match: {},
            planner: { bucket: '', labels: ['red'] },
            reviewers: [],
            conversation: 'c',
          },
        ],
      }),
    );
    const error = await failure(path, 'plan-1');
    expect(error.message).toContain('rules[1] "Broken" planner.bucket');
    expect(error.message).toContain('rules[1] "Broken" planner.labels.0');
    expect(error.message).toContain('rules[1] "Broken" reviewers');
    expect(error.message).not.toContain('rules[0]');
  });

  it('requires a plan when there is no default plan', async () => {
    const error = await failure('config/routing-rules.json', undefined);
    expect(error.message).toContain('rules[0] "Athletics" planner.planId: required');
  });

  it('says when the file is missing or not JSON', async () => {
    expect((await failure('/nonexistent/rules.json')).message).toContain('cannot read');
    expect((await failure(await rulesFile('{ rules: '))).message).toContain('not valid JSON');
  });
});
