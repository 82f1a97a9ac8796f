import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ADELE, ALEX, MEGAN, ZiflowHarness } from './support.js';

// Proofs as a client sees them: create (JSON, form, batch, next version), processing of the source
// files, get/list/update/delete, proof URLs and the stage reviewer routes.

let h: ZiflowHarness;
beforeEach(async () => {
  h = await ZiflowHarness.start();
});
afterEach(async () => {
  await h.stop();
});

describe('creating a proof', () => {
  it('makes one proof of several sources, uploading until every file is fetched, then in progress', async () => {
    const made = await h.api('POST', '/proofs', {
      body: {
        name: 'Gallery batch 12',
        input: [
          { source: h.file('one.jpg', 1234), type: 'file' },
          { source: `${h.file('two', 99)}&download=Two%20final.tif`, type: 'file' },
        ],
        stages: [
          {
            name: 'Editors',
            deadline: '2026-12-10T17:00:00.000Z',
            members: [{ email: ADELE.email }, { email: ALEX.email, can_make_decisions: false }],
          },
        ],
        folder_id: 'folder-7',
        brief: { text: 'Check the crops' },
        custom_properties: { batch: '12' },
      },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      name: 'Gallery batch 12',
      status: 'uploading',
      version: 1,
      version_previous_id: null,
      decision_status: null,
      locked: false,
      brief: { text: 'Check the crops' },
      custom_properties: [{ name: 'batch', value: '12' }],
      folder: { id: 'folder-7' },
      owner: { email: 'lightdesk@contoso.onmicrosoft.com', type: 'user' },
    });
    expect(made.body.versions).toEqual([{ version: '1', 'version-id': made.body.id }]);
    expect(made.body.public_link).toMatch(new RegExp(`^${h.url}/proof/[a-z0-9]+$`));
    const [stage] = made.body.stages;
    expect(stage).toMatchObject({
      name: 'Editors',
      deadline: '2026-12-10T17:00:00.000Z',
      status: null,
      started: true,
      final_status_calculation: { type: 'all_decisions', reviewer_id: null, reviewer_email: null },
    });
    expect(
      stage.members.map((m: { email: string; can_make_decisions: boolean }) => [
        m.email,
        m.can_make_decisions,
      ]),
    ).toEqual([
      [ADELE.email, true],
      [ALEX.email, false],
    ]);

    await h.server.settled();
    const got = await h.api('GET', `/proofs/${made.body.id}`);
    expect(got.body.status).toBe('in_progress');
    expect(
      got.body.source_files.map((f: { name: string; size: number; type: string }) => [
        f.name,
        f.size,
        f.type,
      ]),
    ).toEqual([
      ['one.jpg', 1234, 'file'],
      ['Two final.tif', 99, 'file'],
    ]);
  });

  it('marks the proof failed when a source cannot be fetched', async () => {
    const made = await h.api('POST', '/proofs', {
      body: {
        name: 'Broken',
        input: [{ source: h.file('ok.jpg') }, { source: `${h.files}/missing/x.jpg` }],
      },
    });
    await h.server.settled();
    const got = await h.api('GET', `/proofs/${made.body.id}`);
    expect(got.body.status).toBe('failed');
    const view = await h.sim('GET', '/proofs');
    expect(view.body.proofs[0].failure).toMatch(/404/);
  });

  it('waits for /_sim/process when automatic processing is off', async () => {
    await h.sim('POST', '/settings', { autoProcess: false });
    const made = await h.api('POST', '/proofs', {
      body: { name: 'Manual', input: [{ source: h.file('m.jpg', 5) }] },
    });
    await h.server.settled();
    expect((await h.api('GET', `/proofs/${made.body.id}`)).body.status).toBe('uploading');
    const processed = await h.sim('POST', '/process', { proofId: made.body.id });
    expect(processed.status).toBe(200);
    expect(processed.body.status).toBe('in_progress');
    expect(processed.body.source_files[0].size).toBe(5);
  });

  it('takes a form-encoded body with bracketed fields', async () => {
    const form = new URLSearchParams({
      name: 'From a form',
      'input[0][source]': h.file('f.jpg', 10),
      'input[0][type]': 'file',
      'stages[0][name]': 'Only stage',
      'stages[0][members][0][email]': MEGAN.email,
      'stages[0][members][0][can_make_decisions]': 'false',
      lock_on_decisions: 'true',
    }).toString();
    const made = await h.api('POST', '/proofs', { form });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'From a form', lock_on_decisions: true });
    expect(made.body.stages[0].members[0]).toMatchObject({
      email: MEGAN.email,
      can_make_decisions: false,
    });
  });

  it('creates a batch from a list and answers a list', async () => {
    const made = await h.api('POST', '/proofs', {
      body: [
        { name: 'B1', input: [{ source: h.file('1.jpg') }] },
        { name: 'B2', input: [{ source: h.file('2.jpg') }] },
      ],
    });
    expect(made.status).toBe(201);
    expect(made.body.map((p: { name: string }) => p.name)).toEqual(['B1', 'B2']);
  });

  it('refuses bad bodies with a message and creates nothing', async () => {
    const noInput = await h.api('POST', '/proofs', { body: { name: 'x' } });
    expect(noInput.status).toBe(400);
    expect(noInput.body.message).toMatch(/input/);
    const badUrl = await h.api('POST', '/proofs', {
      body: { name: 'x', input: [{ source: 'ftp://host/a.jpg' }] },
    });
    expect(badUrl.status).toBe(400);
    const badJson = await h.api('POST', '/proofs', {
      form: undefined,
      headers: { 'content-type': 'application/json' },
      body: undefined,
    });
    expect(badJson.status).toBe(400);
    const notJson = await fetch(`${h.url}/v1/proofs`, {
      method: 'POST',
      headers: { apikey: 'zf-lightdesk-integration-0001', 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ message: 'The request body is not valid JSON.' });
    const huge = await fetch(`${h.url}/v1/proofs`, {
      method: 'POST',
      headers: { apikey: 'zf-lightdesk-integration-0001', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect((await h.api('GET', '/proofs')).body).toEqual([]);
  });
});

describe('versions', () => {
  it('chains a new version on the previous one and lists every version on each', async () => {
    const v1 = await h.proof([{ name: 'Editors', members: [ADELE.email] }]);
    const v2 = await h.api('POST', '/proofs', {
      body: { input: [{ source: h.file('a-v2.jpg') }], version_previous_id: v1.id },
    });
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({
      name: 'Autumn campaign',
      version: 2,
      version_previous_id: v1.id,
    });
    // Stages and reviewers are copied when not given, without the old decisions.
    expect(v2.body.stages[0]).toMatchObject({ name: 'Editors', status: null });
    expect(v2.body.stages[0].id).not.toBe(v1.stages[0].id);
    expect(v2.body.stages[0].members[0]).toMatchObject({ email: ADELE.email, decision: null });
    const versions = [
      { version: '1', 'version-id': v1.id },
      { version: '2', 'version-id': v2.body.id },
    ];
    expect(v2.body.versions).toEqual(versions);
    expect((await h.api('GET', `/proofs/${v1.id}`)).body.versions).toEqual(versions);

    const stale = await h.api('POST', '/proofs', {
      body: { input: [{ source: h.file('a-v3.jpg') }], version_previous_id: v1.id },
    });
    expect(stale.status).toBe(409);
    const unknown = await h.api('POST', '/proofs', {
      body: { input: [{ source: h.file('x.jpg') }], version_previous_id: 'nope' },
    });
    expect(unknown.status).toBe(404);

    expect((await h.api('DELETE', `/proofs/${v2.body.id}`)).status).toBe(204);
    expect((await h.api('GET', `/proofs/${v2.body.id}`)).status).toBe(404);
    expect((await h.api('GET', `/proofs/${v1.id}`)).body.versions).toEqual([versions[0]]);
  });
});

describe('a new version a person uploads (/_sim/versions)', () => {
  it("chains it after the latest, owned by them, serving the uploaded bytes and sending 'created'", async () => {
    await h.subscribe();
    const v1 = await h.proof([{ name: 'Editors', members: [ADELE.email] }]);
    const bytes = Buffer.from('retouched pixels');
    const made = await h.sim('POST', '/versions', {
      proofId: v1.id,
      email: ALEX.email,
      files: [{ name: 'IMG_0001-retouched.tif', contentBase64: bytes.toString('base64') }],
    });
    expect(made.status).toBe(201);
    await h.server.settled();
    const v2 = (await h.api('GET', `/proofs/${String(made.body.id)}`)).body;
    expect(v2).toMatchObject({
      name: 'Autumn campaign',
      version: 2,
      version_previous_id: v1.id,
      status: 'in_progress',
      owner: { email: ALEX.email },
      source_files: [{ name: 'IMG_0001-retouched.tif', size: bytes.length }],
    });
    expect(v2.stages[0].members[0]).toMatchObject({ email: ADELE.email, decision: null });
    const download = await fetch(v2.source_files[0].download_link);
    expect(download.headers.get('content-disposition')).toContain('IMG_0001-retouched.tif');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    expect(
      h
        .events()
        .filter((e) => e.proof_id === v2.id)
        .map((e) => e.type),
    ).toContain('proof.created');

    // Only after the latest version, and only by a Ziflow user.
    const stale = await h.sim('POST', '/versions', {
      proofId: v1.id,
      email: ALEX.email,
      files: [{ name: 'late.tif', contentBase64: 'AAAA' }],
    });
    expect(stale.status).toBe(409);
    const stranger = await h.sim('POST', '/versions', {
      proofId: v2.id,
      email: 'nobody@example.com',
      files: [{ name: 'x.tif', contentBase64: 'AAAA' }],
    });
    expect(stranger.status).toBe(404);
  });
});

describe('reading and changing proofs', () => {
  it('lists as a bare array, newest first, paged by count and page, searched by query', async () => {
    for (const name of ['Alpha', 'Beta', 'Gamma', 'Alpine']) {
      await h.api('POST', '/proofs', { body: { name, input: [{ source: h.file('x.jpg') }] } });
    }
    const all = await h.api('GET', '/proofs');
    expect(all.status).toBe(200);
    expect(all.body.map((p: { name: string }) => p.name)).toHaveLength(4);
    const first = await h.api('GET', '/proofs?count=3&page=1');
    const second = await h.api('GET', '/proofs?count=3&page=2');
    expect(first.body).toHaveLength(3);
    expect(second.body).toHaveLength(1);
    const names = [...first.body, ...second.body].map((p: { name: string }) => p.name);
    expect(names).toEqual(['Alpine', 'Gamma', 'Beta', 'Alpha']);
    const search = await h.api('GET', '/proofs?query=alp');
    expect(search.body.map((p: { name: string }) => p.name).sort()).toEqual(['Alpha', 'Alpine']);
    expect((await h.api('GET', '/proofs?count=101')).status).toBe(400);
    expect((await h.api('GET', '/proofs?page=0')).status).toBe(400);
  });

  it('updates name, folder and due date; deletes; 404 for unknown ids; 405 for other verbs', async () => {
    const proof = await h.proof();
    const put = await h.api('PUT', `/proofs/${proof.id}`, {
      body: { name: 'Renamed', folder_id: 'f2', deadline: '2026-12-24T12:00:00Z' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'Renamed', folder: { id: 'f2' } });
    expect(put.body.stages[0].deadline).toBe('2026-12-24T12:00:00Z');
    expect((await h.api('GET', '/proofs/unknown')).status).toBe(404);
    expect((await h.api('GET', '/proofs/unknown')).body.message).toMatch(/not found/);
    expect((await h.api('PATCH', `/proofs/${proof.id}`, { body: {} })).status).toBe(405);
    expect((await h.api('GET', '/nothing-here')).status).toBe(404);
    expect((await h.api('DELETE', `/proofs/${proof.id}`)).status).toBe(204);
    expect((await h.api('GET', '/proofs')).body).toEqual([]);
  });

  it('gives a reviewer their proof URL and serves the page behind it', async () => {
    const proof = await h.proof();
    const url = await h.api('GET', `/proofs/${proof.id}/proof-url?email=${ADELE.email}`);
    expect(url.status).toBe(200);
    expect(url.body.url).toMatch(new RegExp(`^${proof.public_link}\\?reviewer=`));
    const page = await fetch(proof.public_link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Autumn campaign');
  });

  it('serves the files behind download_link and image_link, unless downloads are off', async () => {
    const made = await h.api('POST', '/proofs', {
      body: {
        name: 'Two files',
        input: [{ source: h.file('a.jpg', 321) }, { source: h.file('b.jpg', 654) }],
      },
    });
    await h.server.settled();
    const proof = (await h.api('GET', `/proofs/${made.body.id}`)).body;
    const first = await fetch(proof.download_link);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-disposition')).toBe('attachment; filename="a.jpg"');
    expect((await first.arrayBuffer()).byteLength).toBe(321);
    const second = await fetch(proof.source_files[1].download_link);
    expect((await second.arrayBuffer()).byteLength).toBe(654);
    const image = await fetch(proof.image_link);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect((await image.arrayBuffer()).byteLength).toBe(321);
    expect((await fetch(`${proof.public_link}/download/nope`)).status).toBe(404);

    const locked = await h.api('POST', '/proofs', {
      body: {
        name: 'No download',
        input: [{ source: h.file('c.jpg') }],
        allow_source_download: false,
      },
    });
    await h.server.settled();
    expect(locked.body.download_link).toBeNull();
    expect((await fetch(`${locked.body.public_link}/download`)).status).toBe(403);
  });
});

describe('stages and reviewers', () => {
  it('adds, reads, changes and removes a reviewer by id or email', async () => {
    const proof = await h.proof([{ members: [ADELE.email] }]);
    const base = `/proofs/${proof.id}/stages/${proof.stages[0].id}/reviewers`;
    const added = await h.api('POST', base, {
      body: { email: MEGAN.email, role: 'reviewer', can_make_decisions: false },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ email: MEGAN.email, can_make_decisions: false });
    expect((await h.api('POST', base, { body: { email: MEGAN.email } })).status).toBe(409);
    expect((await h.api('POST', base, { body: { email: 'not-an-email' } })).status).toBe(400);
    const list = await h.api('GET', base);
    expect(list.body.map((m: { email: string }) => m.email)).toEqual([ADELE.email, MEGAN.email]);
    const byEmail = await h.api('GET', `${base}/${encodeURIComponent(MEGAN.email)}`);
    expect(byEmail.body.id).toBe(added.body.id);
    const changed = await h.api('PUT', `${base}/${added.body.id}`, {
      body: { can_make_decisions: true },
    });
    expect(changed.body.can_make_decisions).toBe(true);
    expect((await h.api('DELETE', `${base}/${added.body.id}`)).status).toBe(204);
    expect((await h.api('GET', `${base}/${added.body.id}`)).status).toBe(404);
    expect((await h.api('GET', `/proofs/${proof.id}/stages/nope/reviewers`)).status).toBe(404);
  });

  it('updates a stage and starts a later one', async () => {
    const proof = await h.proof([
      { name: 'Editors', members: [ADELE.email] },
      { name: 'Brand', members: [ALEX.email] },
    ]);
    expect(proof.stages.map((s: { started: boolean }) => s.started)).toEqual([true, false]);
    const brand = proof.stages[1].id;
    const put = await h.api('PUT', `/stages/${brand}`, {
      body: { name: 'Brand team', deadline: '2026-12-20T00:00:00Z', lock_on_decision: true },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'Brand team', lock_on_decision: true });
    const started = await h.api('POST', `/stages/${brand}/start`);
    expect(started.body.started).toBe(true);
    expect((await h.api('POST', '/stages/nope/start')).status).toBe(404);
  });
});
