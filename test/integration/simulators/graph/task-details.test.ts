import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { GraphHarness, type Json } from './support.js';

// Task details: references keyed by encoded URLs (resources/plannerexternalreferences.md) and
// checklist items keyed by client GUIDs (plannerchecklistitems.md), with Planner's limits.

let h: GraphHarness;
beforeAll(async () => {
  h = await GraphHarness.start();
});
afterAll(() => h.stop());
beforeEach(() => {
  h.server.reset();
});

const reference = (extra: Record<string, unknown> = {}) => ({
  '@odata.type': 'microsoft.graph.plannerExternalReference',
  alias: 'Gallery in PhotoShelter',
  type: 'Other',
  ...extra,
});

const item = (title: string, isChecked = false) => ({
  '@odata.type': 'microsoft.graph.plannerChecklistItem',
  title,
  isChecked,
});

/** A GUID-shaped checklist key, deterministic per index. */
const itemId = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** How Graph wants a URL as an open-type key: `%` first, then `.`, `:`, `@`, `#`. */
const encodeKey = (url: string): string =>
  url
    .replaceAll('%', '%25')
    .replaceAll('.', '%2E')
    .replaceAll(':', '%3A')
    .replaceAll('@', '%40')
    .replaceAll('#', '%23');

let task: Json;
let etag: string;

beforeEach(async () => {
  task = await h.createTask();
  etag = (await h.graph('GET', `/planner/tasks/${task.id}/details`)).body['@odata.etag'];
});

async function patchDetails(body: Record<string, unknown>) {
  const answer = await h.graph('PATCH', `/planner/tasks/${task.id}/details`, {
    body,
    headers: { 'If-Match': etag, Prefer: 'return=representation' },
  });
  if (answer.status === 200) etag = answer.body['@odata.etag'];
  return answer;
}

describe('references', () => {
  const url = 'https://lightdesk.photoshelter.com/gallery-show/G0000kRt5bQ2xZ4Y#top';

  it.each([
    ['.', 'https%3A//lightdesk.photoshelter%2Ecom/g'],
    [':', 'https://lightdesk%2Ephotoshelter%2Ecom/g'],
    ['@', 'https%3A//user@lightdesk%2Ephotoshelter%2Ecom/g'],
    ['#', 'https%3A//lightdesk%2Ephotoshelter%2Ecom/g#top'],
  ])('refuses a key with a raw %s, saying what to encode', async (char, key) => {
    const answer = await patchDetails({ references: { [key]: reference() } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain(`contains '${char}'`);
    expect(answer.body.error.message).toContain('percent-encode');
  });

  it('refuses a raw % that does not start an escape', async () => {
    const answer = await patchDetails({
      references: { 'https%3A//lightdesk%2Ecom/100%-done': reference() },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain("'%'");
  });

  it('refuses a key that does not decode to an http or https URL', async () => {
    const answer = await patchDetails({ references: { 'ftp%3A//files%2Ecom/x': reference() } });
    expect(answer.status).toBe(400);
  });

  it('accepts an encoded key and returns it exactly as sent', async () => {
    const key = encodeKey(url);
    expect(key).toBe(
      'https%3A//lightdesk%2Ephotoshelter%2Ecom/gallery-show/G0000kRt5bQ2xZ4Y%23top',
    );
    const answer = await patchDetails({
      references: { [key]: reference({ previewPriority: ' !' }) },
    });
    expect(answer.status).toBe(200);
    const read = await h.graph('GET', `/planner/tasks/${task.id}/details`);
    expect(Object.keys(read.body.references)).toEqual([key]);
    expect(read.body.references[key]).toMatchObject({
      '@odata.type': '#microsoft.graph.plannerExternalReference',
      alias: 'Gallery in PhotoShelter',
      type: 'Other',
      lastModifiedBy: { application: { id: h.seeded.appId } },
    });
    expect(decodeURIComponent(key)).toBe(url);
  });

  it('keeps a % that was itself encoded as %25', async () => {
    const key = encodeKey('https://example.com/100%25-done');
    expect(key).toContain('%2525');
    expect((await patchDetails({ references: { [key]: reference() } })).status).toBe(200);
  });

  it('updates an existing reference in part and removes one with null', async () => {
    const key = encodeKey(url);
    await patchDetails({ references: { [key]: reference() } });
    const renamed = await patchDetails({
      references: {
        [key]: { '@odata.type': 'microsoft.graph.plannerExternalReference', alias: 'Gallery' },
      },
    });
    expect(renamed.body.references[key]).toMatchObject({ alias: 'Gallery', type: 'Other' });
    const removed = await patchDetails({ references: { [key]: null } });
    expect(removed.body.references).toEqual({});
  });

  it('refuses a reference without its @odata.type, or with an unknown type', async () => {
    const key = encodeKey(url);
    expect((await patchDetails({ references: { [key]: { alias: 'x' } } })).status).toBe(400);
    expect(
      (await patchDetails({ references: { [key]: reference({ type: 'Gallery' }) } })).status,
    ).toBe(400);
  });

  it('refuses an eleventh reference with 403 MaximumReferencesOnTask and keeps the ten', async () => {
    const ten = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [encodeKey(`https://example.com/r${i}`), reference()]),
    );
    expect((await patchDetails({ references: ten })).status).toBe(200);
    const over = await patchDetails({
      references: { [encodeKey('https://example.com/r10')]: reference() },
    });
    expect(over.status).toBe(403);
    expect(over.body.error.code).toBe('MaximumReferencesOnTask');
    const read = await h.graph('GET', `/planner/tasks/${task.id}/details`);
    expect(Object.keys(read.body.references)).toHaveLength(10);
  });
});

describe('checklist', () => {
  it('adds, ticks and removes items, and the task counts them', async () => {
    const added = await patchDetails({
      checklist: { [itemId(1)]: item('IMG_0412.jpg'), [itemId(2)]: item('IMG_0413.jpg', true) },
    });
    expect(added.status).toBe(200);
    expect(added.body.checklist[itemId(1)]).toMatchObject({
      '@odata.type': '#microsoft.graph.plannerChecklistItem',
      title: 'IMG_0412.jpg',
      isChecked: false,
    });
    const ticked = await patchDetails({
      checklist: {
        [itemId(1)]: { '@odata.type': 'microsoft.graph.plannerChecklistItem', isChecked: true },
      },
    });
    expect(ticked.body.checklist[itemId(1)]).toMatchObject({
      title: 'IMG_0412.jpg',
      isChecked: true,
    });
    await patchDetails({ checklist: { [itemId(2)]: null } });
    const taskNow = (await h.graph('GET', `/planner/tasks/${task.id}`)).body;
    expect(taskNow).toMatchObject({ checklistItemCount: 1, activeChecklistItemCount: 0 });
  });

  it('refuses a key that is not a GUID, a new item without a title, or a missing @odata.type', async () => {
    expect((await patchDetails({ checklist: { 'item-1': item('x') } })).status).toBe(400);
    expect(
      (
        await patchDetails({
          checklist: { [itemId(1)]: { '@odata.type': 'microsoft.graph.plannerChecklistItem' } },
        })
      ).status,
    ).toBe(400);
    expect((await patchDetails({ checklist: { [itemId(1)]: { title: 'x' } } })).status).toBe(400);
  });

  it('takes twenty items and refuses the twenty-first with 403 MaximumChecklistItemsOnTask', async () => {
    const twenty = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [itemId(i), item(`IMG_${i}.jpg`)]),
    );
    expect((await patchDetails({ checklist: twenty })).status).toBe(200);
    const over = await patchDetails({ checklist: { [itemId(20)]: item('IMG_20.jpg') } });
    expect(over.status).toBe(403);
    expect(over.body.error.code).toBe('MaximumChecklistItemsOnTask');
    const read = await h.graph('GET', `/planner/tasks/${task.id}/details`);
    expect(Object.keys(read.body.checklist)).toHaveLength(20);
    expect(read.body['@odata.etag']).toBe(etag);
  });

  it('follows a limit changed at run time', async () => {
    await h.sim('POST', '/settings', { limits: { checklistItemsPerTask: 1 } });
    const over = await patchDetails({
      checklist: { [itemId(1)]: item('a'), [itemId(2)]: item('b') },
    });
    expect(over.body.error.code).toBe('MaximumChecklistItemsOnTask');
  });
});

describe('description and preview', () => {
  it('sets hasDescription on the task and refuses unknown properties', async () => {
    const answer = await patchDetails({ description: 'Spring shoot', previewType: 'reference' });
    expect(answer.body).toMatchObject({ description: 'Spring shoot', previewType: 'reference' });
    expect((await h.graph('GET', `/planner/tasks/${task.id}`)).body.hasDescription).toBe(true);
    expect((await patchDetails({ notes: 'x' })).status).toBe(400);
  });
});
