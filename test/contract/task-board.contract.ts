import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { NotFoundError } from '../../core/errors.js';
import type { NewTask, TaskBoard, TaskDetails } from '../../core/ports/task-board.js';

/** What people do in Planner itself, so the suite can cause the changes the port must report. */
export interface PlannerControl {
  /** A person marks the task complete in Planner. */
  completeAs(taskId: string, userId: string): Promise<void>;
  /** A person drags the task to the bucket with this name. */
  moveTo(taskId: string, bucketName: string): Promise<void>;
}

export interface TaskBoardSubject {
  readonly board: TaskBoard;
  /** A plan that exists, with no tasks yet. Listings span several pages where the board pages. */
  readonly planId: string;
  /** Entra object ids of two people who can be assigned and can complete tasks. */
  readonly people: readonly [string, string];
  readonly planner: PlannerControl;
  close(): Promise<void>;
}

const GALLERY_URL = 'https://acme.photoshelter.com/gallery/Media-Day-2026/G0000abc.def';
// Planner needs '.', ':', '@', '#' and '%' escaped in reference keys; the port takes plain URLs.
const REVIEW_URL = 'http://lightdesk.example:7071/reviews/r%201?by=ops@acme.example#decide';

const guid = (n: number): string =>
  `${n.toString(16).padStart(8, '0')}-1111-4111-8111-${n.toString(16).padStart(12, '0')}`;

/**
 * The behaviour every TaskBoard must show, run against the in-memory double and
 * against GraphTaskBoard with the Graph simulator, so neither can drift from the other.
 */
export function describeTaskBoardContract(
  name: string,
  makeSubject: () => Promise<TaskBoardSubject>,
): void {
  describe(`TaskBoard contract: ${name}`, () => {
    let subject: TaskBoardSubject;
    let board: TaskBoard;

    beforeEach(async () => {
      subject = await makeSubject();
      board = subject.board;
    });

    afterEach(async () => {
      await subject.close();
    });

    async function aTask(overrides: Partial<NewTask> = {}): Promise<NewTask> {
      return {
        planId: subject.planId,
        bucketId: await board.ensureBucket(subject.planId, 'To review'),
        title: 'Review: Media Day 2026',
        assigneeIds: [...subject.people],
        dueAt: '2026-11-30T17:00:00.000Z',
        priority: 3,
        labels: ['category1'],
        ...overrides,
      };
    }

    function someDetails(overrides: Partial<TaskDetails> = {}): TaskDetails {
      return {
        description: 'Three images to review.',
        checklist: [
          { id: guid(1), title: 'Faces identifiable', isChecked: false },
          { id: guid(2), title: 'Credit line present', isChecked: true },
        ],
        references: [
          { url: GALLERY_URL, alias: 'PhotoShelter: Media Day 2026' },
          { url: REVIEW_URL, alias: 'Lightdesk review' },
        ],
        ...overrides,
      };
    }

    it('finds a bucket by name, creating it once when missing', async () => {
      const first = await board.ensureBucket(subject.planId, 'Legal hold');
      expect(first).not.toBe('');
      expect(await board.ensureBucket(subject.planId, 'Legal hold')).toBe(first);
      const other = await board.ensureBucket(subject.planId, 'Approved');
      expect(other).not.toBe(first);
      expect(await board.ensureBucket(subject.planId, 'Approved')).toBe(other);
    });

    it('looks a bucket up by name without making one that is missing', async () => {
      expect(await board.findBucket(subject.planId, 'Nobody made this')).toBeUndefined();
      const made = await board.ensureBucket(subject.planId, 'Nobody made this');
      expect(await board.findBucket(subject.planId, 'Nobody made this')).toBe(made);
      expect(await board.findBucket(subject.planId, 'Still nobody')).toBeUndefined();
      expect(await board.findBucket(subject.planId, 'Still nobody')).toBeUndefined();
    });

    it('creates a task that reads back the same, and lists every task of the plan', async () => {
      const created = await board.createTask(await aTask());
      expect(created).toMatchObject({
        planId: subject.planId,
        bucketId: await board.ensureBucket(subject.planId, 'To review'),
        title: 'Review: Media Day 2026',
        percentComplete: 0,
        completedAt: undefined,
        completedBy: undefined,
      });
      expect(created.taskId).not.toBe('');
      expect(created.version).not.toBe('');
      expect(await board.getTask(created.taskId)).toEqual(created);

      const more = [];
      for (const title of ['Review: A', 'Review: B', 'Review: C', 'Review: D']) {
        more.push(await board.createTask(await aTask({ title })));
      }
      const listed = await board.listPlanTasks(subject.planId);
      expect(listed.map((t) => t.taskId).sort()).toEqual(
        [created, ...more].map((t) => t.taskId).sort(),
      );
      expect(listed.find((t) => t.taskId === created.taskId)).toEqual(created);
    });

    it('writes details, and finds the task again by either reference URL and its title', async () => {
      const task = await board.createTask(await aTask());
      expect(await board.setDetails(task.taskId, someDetails())).toEqual({ kind: 'written' });
      // Writing the same details again is harmless (stable checklist ids, one key per URL).
      expect(await board.setDetails(task.taskId, someDetails())).toEqual({ kind: 'written' });

      for (const url of [GALLERY_URL, REVIEW_URL]) {
        const found = await board.findTaskByReference(subject.planId, url, task.title);
        expect(found?.taskId).toBe(task.taskId);
      }
      expect(
        await board.findTaskByReference(subject.planId, GALLERY_URL, 'Review: another gallery'),
      ).toBeUndefined();
      expect(
        await board.findTaskByReference(
          subject.planId,
          'https://acme.photoshelter.com/gallery/nobody-links-this',
          task.title,
        ),
      ).toBeUndefined();
    });

    it('takes a same-titled task whose details were never written as the lost create', async () => {
      const written = await board.createTask(await aTask());
      await board.setDetails(
        written.taskId,
        someDetails({ references: [{ url: 'https://acme.example/other', alias: 'Other' }] }),
      );
      const blank = await board.createTask(await aTask());
      const found = await board.findTaskByReference(subject.planId, REVIEW_URL, blank.title);
      expect(found?.taskId).toBe(blank.taskId);
    });

    it('reports what a checklist beyond the limit dropped, and writes the rest', async () => {
      const task = await board.createTask(await aTask());
      const items = Array.from({ length: 25 }, (_, i) => ({
        id: guid(100 + i),
        title: `Check ${i + 1}`,
        isChecked: false,
      }));
      const outcome = await board.setDetails(task.taskId, someDetails({ checklist: items }));
      expect(outcome.kind).toBe('degraded');
      const dropped = outcome.kind === 'degraded' ? outcome.dropped : [];
      expect(dropped).toHaveLength(5);
      for (const [i, entry] of dropped.entries()) expect(entry).toContain(`Check ${21 + i}`);
    });

    it('moves and completes a task; the version moves with every change', async () => {
      const task = await board.createTask(await aTask());
      const approved = await board.ensureBucket(subject.planId, 'Approved');
      const done = await board.updateTask(task.taskId, {
        bucketId: approved,
        percentComplete: 100,
      });
      expect(done).toMatchObject({ taskId: task.taskId, bucketId: approved, percentComplete: 100 });
      expect(done.completedAt).toEqual(expect.any(String));
      expect(done.completedBy).toBeUndefined(); // the app completed it, not a person
      expect(done.version).not.toBe(task.version);
      expect(await board.getTask(task.taskId)).toEqual(done);

      const reopened = await board.updateTask(task.taskId, {
        percentComplete: 0,
        title: 'Review: Media Day 2026 (round 2)',
        dueAt: '2026-12-04T17:00:00.000Z',
        assigneeIds: [subject.people[1]],
      });
      expect(reopened).toMatchObject({
        percentComplete: 0,
        completedAt: undefined,
        title: 'Review: Media Day 2026 (round 2)',
      });
      expect(reopened.version).not.toBe(done.version);
    });

    it('shows what people do in Planner: who completed it, where they moved it', async () => {
      const task = await board.createTask(await aTask());
      const [, person] = subject.people;
      await subject.planner.moveTo(task.taskId, 'Archived');
      await subject.planner.completeAs(task.taskId, person);
      const read = await board.getTask(task.taskId);
      expect(read.bucketId).toBe(await board.ensureBucket(subject.planId, 'Archived'));
      expect(read.percentComplete).toBe(100);
      expect(read.completedBy).toBe(person);
      expect(read.completedAt).toEqual(expect.any(String));
      expect(read.version).not.toBe(task.version);
    });

    it('answers NotFoundError for a task or plan that does not exist', async () => {
      const missing = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA';
      await expect(board.getTask(missing)).rejects.toBeInstanceOf(NotFoundError);
      await expect(board.updateTask(missing, { percentComplete: 50 })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(board.setDetails(missing, someDetails())).rejects.toBeInstanceOf(NotFoundError);
      await expect(board.listPlanTasks('BBBBBBBBBBBBBBBBBBBBBBBBBBBB')).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });

    it('links each task to a page a person can open', async () => {
      const task = await board.createTask(await aTask());
      const url = new URL(board.taskUrl(task));
      expect(url.protocol).toBe('https:');
      expect(url.toString()).toContain(encodeURIComponent(task.taskId));
    });
  });
}
