import { FixedClock } from '../doubles/fixed-clock.js';
import { InMemoryTaskBoard } from '../doubles/in-memory-task-board.js';
import { describeTaskBoardContract } from './task-board.contract.js';

describeTaskBoardContract('InMemoryTaskBoard', () => {
  const planId = 'xqQg5FS2LkCp935s-FIFm2QAFkHM';
  const board = new InMemoryTaskBoard(new FixedClock(), { plans: [planId] });
  return Promise.resolve({
    board,
    planId,
    people: ['fd1c0001-f855-4ced-a457-a855155daca6', 'd474143d-8716-44b6-83c8-8d48b5737dc3'],
    planner: {
      completeAs: (taskId, userId) => Promise.resolve(board.completeAsPm(taskId, userId)),
      moveTo: (taskId, bucketName) => Promise.resolve(board.moveAsPm(taskId, bucketName)),
    },
    close: () => Promise.resolve(),
  });
});
