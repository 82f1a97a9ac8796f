import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SEEDED_FOLDERS } from '../../../../simulators/preservica/store.js';
import { Harness, readXml } from './support.js';

const XIP = 'http://preservica.com/XIP/v7.7';

describe('Preservica simulator: Entity API', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.start();
    await h.login();
  });

  afterEach(async () => {
    await h.stop();
  });

  const newFolder = (title: string, parent: string, tag = 'open') =>
    h.xml(
      'POST',
      '/api/entity/v7.7/structural-objects',
      `<StructuralObject xmlns="${XIP}"><Title>${title}</Title><Description>d</Description><SecurityTag>${tag}</SecurityTag><Parent>${parent}</Parent></StructuralObject>`,
    );

  it('answers a folder as EntityResponse in the v7.7 namespaces, on both the plain and the versioned path', async () => {
    for (const prefix of ['/api/entity', '/api/entity/v7.7']) {
      const answer = await h.call('GET', `${prefix}/structural-objects/${SEEDED_FOLDERS.approved}`);
      expect(answer.status).toBe(200);
      expect(answer.text).toContain('xmlns="http://preservica.com/EntityAPI/v7.7"');
      expect(answer.text).toContain(`xmlns:xip="${XIP}"`);
      const doc = readXml(answer.text).EntityResponse;
      expect(doc['xip:StructuralObject']).toMatchObject({
        'xip:Ref': SEEDED_FOLDERS.approved,
        'xip:Title': 'Approved',
        'xip:Parent': SEEDED_FOLDERS.lightdesk,
      });
      expect(doc.AdditionalInformation.Self).toBe(
        `${h.url}${prefix}/structural-objects/${SEEDED_FOLDERS.approved}`,
      );
    }
    expect(
      (await h.call('GET', '/api/entity/information-objects/4c0ffee0-0000-4000-8000-000000000000'))
        .status,
    ).toBe(404);
    // a folder is not an asset
    expect(
      (await h.call('GET', `/api/entity/information-objects/${SEEDED_FOLDERS.approved}`)).status,
    ).toBe(404);
    expect((await h.call('GET', '/api/entity/content-objects/none')).status).toBe(404);
  });

  it('creates a folder, changes only its title and description, and moves it with a progress token', async () => {
    const created = await newFolder('Review 42', SEEDED_FOLDERS.lightdesk);
    expect(created.status).toBe(200);
    const ref = readXml(created.text).EntityResponse['xip:StructuralObject']['xip:Ref'];
    const put = await h.xml(
      'PUT',
      `/api/entity/structural-objects/${ref}`,
      `<StructuralObject xmlns="${XIP}"><Ref>${ref}</Ref><Title>Review 42 (final)</Title><Description>new</Description><SecurityTag>closed</SecurityTag></StructuralObject>`,
    );
    expect(readXml(put.text).EntityResponse['xip:StructuralObject']).toMatchObject({
      'xip:Title': 'Review 42 (final)',
      'xip:Description': 'new',
      'xip:SecurityTag': 'open',
    });
    const move = await h.call(
      'PUT',
      `/api/entity/structural-objects/${ref}/parent-ref`,
      SEEDED_FOLDERS.retired,
      { 'content-type': 'text/plain' },
    );
    expect(move.status).toBe(202);
    expect(await h.progress(move.text)).toBe('COMPLETED');
    const moved = readXml((await h.call('GET', `/api/entity/structural-objects/${ref}`)).text);
    expect(moved.EntityResponse['xip:StructuralObject']['xip:Parent']).toBe(SEEDED_FOLDERS.retired);
    expect(
      (await h.call('PUT', `/api/entity/structural-objects/${ref}/parent-ref`, '@root@')).status,
    ).toBe(202);
    expect((await h.call('GET', '/api/entity/progress/unknown-token')).status).toBe(404);
  });

  it('refuses bad XML with 400, an unknown parent with 404 and an unknown security tag with 400', async () => {
    const bad = await h.xml(
      'POST',
      '/api/entity/structural-objects',
      '<StructuralObject><Title>x</Title>',
    );
    expect(bad.status).toBe(400);
    expect(readXml(bad.text).Error.Message).toMatch(/not well-formed XML/);
    expect((await newFolder('x', '4c0ffee0-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await newFolder('x', SEEDED_FOLDERS.lightdesk, 'secret')).status).toBe(400);
    const huge = await h.xml(
      'POST',
      '/api/entity/structural-objects',
      `<a>${'x'.repeat(17 * 1024 * 1024)}</a>`,
    );
    expect(huge.status).toBe(413);
    await h.sim('POST', '/settings', { entityErrorBody: 'text' });
    const text = await h.call('GET', '/api/entity/structural-objects/nope');
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text.text).toBe('Entity not found: nope');
  });

  it('pages children with start/max and an absolute Paging/Next, absent on the last page', async () => {
    for (let i = 0; i < 5; i += 1) await newFolder(`F${i}`, SEEDED_FOLDERS.approved);
    const first = readXml(
      (
        await h.call(
          'GET',
          `/api/entity/v7.7/structural-objects/${SEEDED_FOLDERS.approved}/children?start=0&max=2`,
        )
      ).text,
    ).ChildrenResponse;
    expect(first.Children.Child.map((c: Record<string, string>) => c['@title'])).toEqual([
      'F0',
      'F1',
    ]);
    expect(first.Children.Child[0]['@type']).toBe('SO');
    expect(first.Paging.TotalResults).toBe('5');
    expect(first.Paging.Next).toBe(
      `${h.url}/api/entity/v7.7/structural-objects/${SEEDED_FOLDERS.approved}/children?start=2&max=2`,
    );
    const last = readXml(
      (await h.call('GET', new URL(first.Paging.Next).pathname + '?start=4&max=2')).text,
    ).ChildrenResponse;
    expect(last.Children.Child['@title']).toBe('F4');
    expect(last.Paging.Next).toBeUndefined();
    const root = readXml((await h.call('GET', '/api/entity/root/children')).text).ChildrenResponse;
    expect(root.Children.Child['@ref']).toBe(SEEDED_FOLDERS.lightdesk);
  });

  it('adds, lists, changes, finds and deletes identifiers; by-identifier is empty without a match', async () => {
    const path = `/api/entity/structural-objects/${SEEDED_FOLDERS.approved}/identifiers`;
    const added = await h.xml(
      'POST',
      path,
      `<Identifier xmlns="${XIP}"><Type>photoshelter</Type><Value>G0000x</Value><Entity>${SEEDED_FOLDERS.approved}</Entity></Identifier>`,
    );
    expect(added.status).toBe(200);
    const apiId = readXml(added.text).IdentifiersResponse['xip:Identifier']['xip:ApiId'];
    const listed = readXml((await h.call('GET', path)).text).IdentifiersResponse.Identifiers[
      'xip:Identifier'
    ];
    expect(listed).toMatchObject({
      'xip:ApiId': apiId,
      'xip:Type': 'photoshelter',
      'xip:Value': 'G0000x',
      'xip:Entity': SEEDED_FOLDERS.approved,
    });
    const found = readXml(
      (await h.call('GET', '/api/entity/entities/by-identifier?type=photoshelter&value=G0000x'))
        .text,
    ).EntitiesResponse;
    expect(found.Entities.Entity).toMatchObject({
      '@ref': SEEDED_FOLDERS.approved,
      '@type': 'SO',
      '@title': 'Approved',
    });
    expect(
      (
        await h.xml(
          'PUT',
          `${path}/${apiId}`,
          `<Identifier xmlns="${XIP}"><Type>photoshelter</Type><Value>G0000y</Value></Identifier>`,
        )
      ).status,
    ).toBe(200);
    const none = readXml(
      (await h.call('GET', '/api/entity/entities/by-identifier?type=photoshelter&value=G0000x'))
        .text,
    ).EntitiesResponse;
    expect(none.Entities).toBe('');
    expect(none.Paging.TotalResults).toBe('0');
    expect((await h.call('DELETE', `${path}/${apiId}`)).status).toBe(204);
    expect((await h.call('DELETE', `${path}/${apiId}`)).status).toBe(404);
    expect(
      (await h.call('GET', '/api/entity/entities/by-identifier?type=photoshelter')).status,
    ).toBe(400);
  });

  it('adds a metadata fragment, reads it back byte for byte, replaces and deletes it on the fragment URL', async () => {
    const ns = 'http://purl.org/dc/elements/1.1/';
    const doc = `<dc:dc xmlns:dc="${ns}"><dc:title>Harbour</dc:title></dc:dc>`;
    const base = `/api/entity/structural-objects/${SEEDED_FOLDERS.approved}`;
    const added = await h.xml(
      'POST',
      `${base}/metadata`,
      `<xip:MetadataContainer xmlns:xip="${XIP}" schemaUri="${ns}"><xip:Entity>${SEEDED_FOLDERS.approved}</xip:Entity><xip:Content>${doc}</xip:Content></xip:MetadataContainer>`,
    );
    expect(added.status).toBe(200);
    const entity = readXml((await h.call('GET', base)).text).EntityResponse;
    const fragmentUrl = entity.AdditionalInformation.Metadata.Fragment['#text'];
    expect(entity.AdditionalInformation.Metadata.Fragment['@schema']).toBe(ns);
    const path = new URL(fragmentUrl).pathname;
    expect((await h.call('GET', path)).text).toContain(`<xip:Content>${doc}</xip:Content>`);
    const fragRef = path.split('/').at(-1);
    const changed = await h.xml(
      'PUT',
      path,
      `<MetadataContainer xmlns="${XIP}" schemaUri="${ns}"><Ref>${fragRef}</Ref><Entity>${SEEDED_FOLDERS.approved}</Entity><Content><dc:dc xmlns:dc="${ns}"><dc:title>Quay</dc:title></dc:dc></Content></MetadataContainer>`,
    );
    expect(changed.status).toBe(200);
    expect((await h.call('GET', path)).text).toContain('<dc:title>Quay</dc:title>');
    expect((await h.call('DELETE', path)).status).toBe(204);
    expect((await h.call('GET', path)).status).toBe(404);
  });

  it('lists entities updated since a date, on the injected clock', async () => {
    h.clock.advance(60_000);
    const since = h.clock.now().toISOString();
    await newFolder('Later', SEEDED_FOLDERS.lightdesk);
    const updated = readXml(
      (await h.call('GET', `/api/entity/entities/updated-since?date=${encodeURIComponent(since)}`))
        .text,
    ).EntitiesResponse;
    expect(updated.Entities.Entity['@title']).toBe('Later');
    expect((await h.call('GET', '/api/entity/entities/updated-since?date=yesterday')).status).toBe(
      400,
    );
  });

  it('answers 405 for a known path under another method', async () => {
    expect(
      (await h.call('PATCH', `/api/entity/structural-objects/${SEEDED_FOLDERS.approved}`)).status,
    ).toBe(405);
  });
});
