import type { AccessToken, TokenCredential } from '@azure/identity';

import { GraphTaskBoard } from '../../connectors/graph-planner/graph-task-board.js';
import { FakeGraphServer } from '../../simulators/graph/fake-graph-server.js';
import { FixedClock } from '../doubles/fixed-clock.js';
import { RecordingLogger } from '../doubles/recording-logger.js';
import { describeTaskBoardContract } from './task-board.contract.js';

/** A TokenCredential (the @azure/identity interface) with one fixed token an hour from now. */
class FixedTokenCredential implements TokenCredential {
  constructor(private readonly clock: FixedClock) {}

  getToken(): Promise<AccessToken> {
    return Promise.resolve({
      token: 'contract-test-token',
      expiresOnTimestamp: this.clock.now().getTime() + 3_600_000,
    });
  }
}

describeTaskBoardContract('GraphTaskBoard against FakeGraphServer', async () => {
  // Two tasks a page, so every listing follows @odata.nextLink.
  const server = new FakeGraphServer({ seed: 11, pageSize: 2 });
  const { url } = await server.start(0);
  const clock = new FixedClock();
  // A plan of its own, with no tasks and no buckets: the suite creates what it needs.
  const created = await fetch(`${url}/_sim/plans`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Contract plan' }),
  });
  const plan = (await created.json()) as { id: string };
  const board = new GraphTaskBoard({
    baseUrl: server.graphUrl,
    credential: new FixedTokenCredential(clock),
    clock,
    logger: new RecordingLogger('graph.planner'),
    tenantId: 'contoso.onmicrosoft.com',
  });
  const { adele, megan } = server.seeded.users;
  const editTask = async (taskId: string, edit: Record<string, unknown>): Promise<void> => {
    await fetch(`${url}/_sim/tasks/${encodeURIComponent(taskId)}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(edit),
    });
  };
  return {
    board,
    planId: plan.id,
    people: [adele.id, megan.id],
    planner: {
      completeAs: (taskId, userId) => editTask(taskId, { percentComplete: 100, byUserId: userId }),
      moveTo: async (taskId, bucketName) =>
        editTask(taskId, { bucketId: await board.ensureBucket(plan.id, bucketName) }),
    },
    close: () => server.stop(),
  };
});
