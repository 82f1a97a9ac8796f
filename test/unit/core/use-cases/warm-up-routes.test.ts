import { describe, expect, it } from 'vitest';

import { routingRulesSchema } from '../../../../core/model/routing-rules.js';
import { warmUpRoutes } from '../../../../core/use-cases/warm-up-routes.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { InMemoryChatNotifier } from '../../../doubles/in-memory-chat-notifier.js';
import { InMemoryDirectory } from '../../../doubles/in-memory-directory.js';
import { InMemoryTaskBoard } from '../../../doubles/in-memory-task-board.js';
import { RecordingLogger } from '../../../doubles/recording-logger.js';

const adele = {
  id: '00000000-0000-4000-8000-00000000000a',
  name: 'Adele Vance',
  upn: 'adelev@contoso.com',
};
const alex = {
  id: '00000000-0000-4000-8000-00000000000b',
  name: 'Alex Wilber',
  upn: 'alexw@contoso.com',
};

const rule = (name: string, overrides: Record<string, unknown> = {}) => ({
  name,
  match: { path: `${name}/**` },
  planner: { bucket: 'To review' },
  reviewers: [adele.upn],
  conversation: 'channel:Marketing/Photo reviews',
  ...overrides,
});

function world(rules: Record<string, unknown>[], options: { noDefaultPlan?: boolean } = {}) {
  const defaultPlanId = options.noDefaultPlan === true ? undefined : 'plan-1';
  const directory = new InMemoryDirectory([adele, alex]);
  const board = new InMemoryTaskBoard(new FixedClock(), { plans: ['plan-1'] });
  const chat = new InMemoryChatNotifier();
  const logger = new RecordingLogger();
  const deps = {
    rules: routingRulesSchema.parse({ rules }),
    directory,
    board,
    chat,
    defaultPlanId,
    logger,
  };
  return { deps, directory, board, chat, logger };
}

describe('warmUpRoutes', () => {
  it('finds every reviewer and makes each intake bucket once', async () => {
    const { deps, board, chat } = world([
      rule('Athletics', { reviewers: [adele.upn, alex.id] }),
      rule('Brand', { reviewers: [alex.upn], planner: { bucket: 'Brand review' } }),
      rule('Everything', { reviewers: [adele.id] }),
    ]);
    chat.install('channel:Marketing/Photo reviews', [adele.id, alex.id]);

    expect(await warmUpRoutes(deps)).toEqual([]);

    expect(board.calls.filter((c) => c.method === 'ensureBucket').map((c) => c.subject)).toEqual([
      'plan-1/To review',
      'plan-1/Brand review',
    ]);
    expect(await board.findBucket('plan-1', 'Brand review')).toBeDefined();
  });

  it('names, by rule, a reviewer not in the directory and one not in the conversation', async () => {
    const { deps, chat, logger } = world([
      rule('Athletics', { reviewers: [adele.upn, 'ghost@contoso.com'] }),
      rule('Brand', { reviewers: [alex.upn] }),
    ]);
    chat.install('channel:Marketing/Photo reviews', [adele.id]);

    const problems = await warmUpRoutes(deps);

    expect(problems).toEqual([
      {
        rule: 'Athletics',
        field: 'reviewers',
        message: 'ghost@contoso.com is not in the directory',
      },
      {
        rule: 'Brand',
        field: 'reviewers',
        message: expect.stringContaining(
          `${alex.upn} is not a member of "channel:Marketing/Photo reviews"`,
        ),
      },
    ]);
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => r.fields['rule'])).toEqual([
      'Athletics',
      'Brand',
    ]);
  });

  it('says when the bot is not installed where a rule posts, or a rule has no plan', async () => {
    const { deps } = world([rule('Athletics', { conversation: 'channel:Marketing/Elsewhere' })], {
      noDefaultPlan: true,
    });

    expect(await warmUpRoutes(deps)).toEqual([
      {
        rule: 'Athletics',
        field: 'planner',
        message: 'names no plan and no default plan (PLANNER_PLAN_ID) is set',
      },
      {
        rule: 'Athletics',
        field: 'conversation',
        message: 'the bot is not installed in "channel:Marketing/Elsewhere" (yet)',
      },
    ]);
  });

  it('reports a plan the app cannot reach instead of failing', async () => {
    const { deps, chat } = world([
      rule('Athletics', { planner: { planId: 'plan-gone', bucket: 'To review' } }),
    ]);
    chat.install('channel:Marketing/Photo reviews', [adele.id]);

    expect(await warmUpRoutes(deps)).toEqual([
      {
        rule: 'Athletics',
        field: 'planner',
        message: expect.stringContaining('bucket "To review" of plan plan-gone'),
      },
    ]);
  });
});
