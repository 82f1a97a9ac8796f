import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SEEDED_FOLDERS } from '../../../../simulators/preservica/store.js';
import { Harness, readXml, sha256, writePackage } from './support.js';

const IO_A = '0b7a1c2e-1111-4a6b-8c9d-00000000000a';
const IO_B = '0b7a1c2e-1111-4a6b-8c9d-00000000000b';
const DC = 'http://purl.org/dc/elements/1.1/';

describe('Preservica simulator: ingest through the Upload API', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.start();
    await h.login();
  });

  afterEach(async () => {
    await h.stop();
  });

  it('ingests a two-asset XIP package: PENDING → ACTIVE → COMPLETED on the clock, with fixity, identifiers and metadata', async () => {
    const bytesA = Buffer.from('tiff bytes of A '.repeat(1000));
    const bytesB = Buffer.from('jpeg bytes of B');
    const zip = await writePackage(h.dir, [
      {
        ref: IO_A,
        title: 'Harbour at dawn',
        identifiers: [{ type: 'photoshelter', value: 'I0000abc' }],
        metadata: [
          {
            schemaUri: DC,
            xml: `<dc:dc xmlns:dc="${DC}"><dc:title>Harbour at dawn</dc:title></dc:dc>`,
          },
        ],
        files: [{ name: 'harbour.tif', bytes: bytesA }],
        access: { name: 'harbour.jpg', bytes: Buffer.from('access jpeg') },
      },
      { ref: IO_B, title: 'Quay', files: [{ name: 'quay.jpg', bytes: bytesB }] },
    ]);
    const put = await h.putPackage(zip, SEEDED_FOLDERS.approved);
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    const token = put.headers.get('preservica-progress-token') ?? '';
    expect(token).toMatch(/^[0-9a-f-]{36}$/);

    await h.server.settleIngests();
    expect(await h.progress(token)).toBe('PENDING');
    expect((await h.call('GET', `/api/entity/information-objects/${IO_A}`)).status).toBe(404);
    h.clock.advance(1000);
    expect(await h.progress(token)).toBe('ACTIVE');
    h.clock.advance(2000);
    expect(await h.progress(token)).toBe('COMPLETED');

    const io = readXml((await h.call('GET', `/api/entity/v7.7/information-objects/${IO_A}`)).text);
    expect(io.EntityResponse['xip:InformationObject']).toMatchObject({
      'xip:Ref': IO_A,
      'xip:Title': 'Harbour at dawn',
      'xip:SecurityTag': 'open',
      'xip:Parent': SEEDED_FOLDERS.approved,
    });
    const fragment = io.EntityResponse.AdditionalInformation.Metadata.Fragment;
    expect(fragment['@schema']).toBe(DC);
    const fragmentXml = (await h.call('GET', new URL(fragment['#text']).pathname)).text;
    expect(fragmentXml).toContain('<dc:title>Harbour at dawn</dc:title>');

    const found = readXml(
      (await h.call('GET', '/api/entity/entities/by-identifier?type=photoshelter&value=I0000abc'))
        .text,
    );
    expect(found.EntitiesResponse.Entities.Entity['@ref']).toBe(IO_A);

    // representations → content object → generation → bitstream (with fixity) → content bytes
    const reps = readXml(
      (await h.call('GET', `/api/entity/information-objects/${IO_A}/representations`)).text,
    );
    const preservation = [reps.RepresentationsResponse.Representations.Representation]
      .flat()
      .find((r: { '@type': string }) => r['@type'] === 'Preservation');
    const rep = readXml((await h.call('GET', new URL(preservation['#text']).pathname)).text);
    const coRef =
      rep.RepresentationResponse['xip:Representation']['xip:ContentObjects']['xip:ContentObject'];
    const gens = readXml(
      (await h.call('GET', `/api/entity/content-objects/${coRef}/generations`)).text,
    );
    const gen = readXml(
      (
        await h.call(
          'GET',
          new URL(gens.GenerationsResponse.Generations.Generation['#text']).pathname,
        )
      ).text,
    );
    const bitstreamUrl = new URL(gen.GenerationResponse.Bitstreams.Bitstream['#text']).pathname;
    const bitstream = readXml((await h.call('GET', bitstreamUrl)).text);
    expect(bitstream.BitstreamResponse['xip:Bitstream']).toMatchObject({
      'xip:Filename': 'harbour.tif',
      'xip:FileSize': String(bytesA.length),
      'xip:Fixities': {
        'xip:Fixity': { 'xip:FixityAlgorithmRef': 'SHA256', 'xip:FixityValue': sha256(bytesA) },
      },
    });
    const content = await fetch(`${h.url}${bitstreamUrl}/content`, {
      headers: { 'Preservica-Access-Token': h.token },
    });
    expect(Buffer.from(await content.arrayBuffer()).equals(bytesA)).toBe(true);

    // Content API: the access file, with Range
    const download = await fetch(
      `${h.url}/api/content/download?id=${encodeURIComponent(`sdb:IO|${IO_A}`)}`,
      {
        headers: { 'Preservica-Access-Token': h.token, range: 'bytes=0-5' },
      },
    );
    expect(download.status).toBe(206);
    expect(download.headers.get('content-range')).toBe('bytes 0-5/11');
    expect(await download.text()).toBe('access');
    const thumbnail = await h.call(
      'GET',
      `/api/content/thumbnail?id=${encodeURIComponent(`sdb:IO|${IO_A}`)}&size=small`,
    );
    expect(thumbnail.status).toBe(404);

    // the monitor
    const monitors = JSON.parse(
      (await h.call('GET', `/api/processmonitor/monitors?category=Ingest`)).text,
    );
    expect(monitors).toMatchObject({ success: true, value: { paging: { totalResults: 1 } } });
    expect(monitors.value.monitors[0]).toMatchObject({
      status: 'Succeeded',
      category: 'Ingest',
      filesProcessed: 2,
    });
    // the upload was deleted once read
    expect(await readdir(h.server.files.uploads)).toEqual([]);
  });

  it('finishes ingests at once with /_sim/complete-ingests', async () => {
    const zip = await writePackage(h.dir, [
      { ref: IO_A, title: 'A', files: [{ name: 'a.jpg', bytes: Buffer.from('a') }] },
    ]);
    const token =
      (await h.putPackage(zip, SEEDED_FOLDERS.approved)).headers.get('preservica-progress-token') ??
      '';
    // The console's pane shows each ingest's Process Monitor progress.
    const ingests = async () => (await h.sim('GET', '/ingests')).body.ingests as unknown[];
    expect(await ingests()).toEqual([
      expect.objectContaining({
        token,
        status: 'PENDING',
        percentComplete: 0,
        progressText: 'Queued',
      }),
    ]);
    const done = await h.sim('POST', '/complete-ingests');
    expect(done.body.completed).toEqual([{ token, status: 'COMPLETED', failure: null }]);
    expect(await h.progress(token)).toBe('COMPLETED');
    expect(await ingests()).toEqual([
      expect.objectContaining({ token, percentComplete: 100, progressText: 'Complete' }),
    ]);
    const state = await h.sim('GET', '/entities');
    expect(state.body.assets).toEqual([
      expect.objectContaining({ ref: IO_A, parent: SEEDED_FOLDERS.approved }),
    ]);
  });

  it('fails an ingest whose file does not match its declared SHA-256, creating nothing, with the reason in the monitor', async () => {
    const zip = await writePackage(h.dir, [
      {
        ref: IO_A,
        title: 'A',
        files: [
          {
            name: 'a.jpg',
            bytes: Buffer.from('real'),
            declaredSha256: sha256(Buffer.from('other')),
          },
        ],
      },
    ]);
    const token =
      (await h.putPackage(zip, SEEDED_FOLDERS.approved)).headers.get('preservica-progress-token') ??
      '';
    await h.sim('POST', '/complete-ingests');
    expect(await h.progress(token)).toBe('FAILED');
    expect((await h.call('GET', `/api/entity/information-objects/${IO_A}`)).status).toBe(404);
    const monitor = JSON.parse(
      (await h.call('GET', '/api/processmonitor/monitors?category=Ingest')).text,
    ).value.monitors[0];
    expect(monitor.status).toBe('Failed');
    const messages = JSON.parse(
      (await h.call('GET', `/api/processmonitor/messages?monitor=${monitor.mappedId}&status=Error`))
        .text,
    );
    expect(messages.value.messages[0].displayMessage).toMatch(/Fixity check failed for p1\/a\.jpg/);
    expect(h.server.storedBytes().used).toBe(0);
  });

  it('never creates an asset twice: same Ref, or an identifier that already names an entity, is skipped', async () => {
    const asset = {
      ref: IO_A,
      title: 'A',
      identifiers: [{ type: 'lightdesk', value: 'review-1/img-1' }],
      files: [{ name: 'a.jpg', bytes: Buffer.from('a') }],
    };
    await h.putPackage(await writePackage(h.dir, [asset]), SEEDED_FOLDERS.approved);
    await h.sim('POST', '/complete-ingests');
    // a retry of the same package, and a package with a new Ref but the same identifier
    const retry =
      (await h.putPackage(await writePackage(h.dir, [asset]), SEEDED_FOLDERS.approved)).headers.get(
        'preservica-progress-token',
      ) ?? '';
    const again =
      (
        await h.putPackage(
          await writePackage(h.dir, [{ ...asset, ref: IO_B }]),
          SEEDED_FOLDERS.approved,
        )
      ).headers.get('preservica-progress-token') ?? '';
    await h.sim('POST', '/complete-ingests');
    expect(await h.progress(retry)).toBe('COMPLETED');
    expect(await h.progress(again)).toBe('COMPLETED');
    expect(
      (await h.sim('GET', '/entities')).body.assets.map((a: { ref: string }) => a.ref),
    ).toEqual([IO_A]);
    expect((await h.call('GET', `/api/entity/information-objects/${IO_B}`)).status).toBe(404);
    const messages = JSON.parse(
      (await h.call('GET', '/api/processmonitor/messages?status=Info')).text,
    ).value.messages;
    const skips = messages.filter((m: { displayMessage: string }) =>
      m.displayMessage.startsWith('skipped: already ingested'),
    );
    expect(skips).toHaveLength(2);
    expect(skips[1].displayMessage).toContain('Identifier lightdesk=review-1/img-1');
  });

  it('fails the next ingest on demand (/_sim/fail-next-ingest)', async () => {
    expect(
      (await h.sim('POST', '/fail-next-ingest', { reason: 'Workflow suspended' })).status,
    ).toBe(200);
    const zip = await writePackage(h.dir, [
      { ref: IO_A, title: 'A', files: [{ name: 'a.jpg', bytes: Buffer.from('a') }] },
    ]);
    const token =
      (await h.putPackage(zip, SEEDED_FOLDERS.approved)).headers.get('preservica-progress-token') ??
      '';
    const done = await h.sim('POST', '/complete-ingests');
    expect(done.body.completed[0]).toEqual({
      token,
      status: 'FAILED',
      failure: 'Workflow suspended',
    });
  });

  it('fails a package for an unknown folder, and a zip that is not a SIP', async () => {
    const zip = await writePackage(h.dir, [
      { ref: IO_A, title: 'A', files: [{ name: 'a.jpg', bytes: Buffer.from('a') }] },
    ]);
    await h.putPackage(zip, '00000000-0000-4000-8000-000000000000');
    await h.putPackage(zip.replace(/\.zip$/, '.zip'), SEEDED_FOLDERS.approved, undefined, {});
    const notZip = `${h.dir}/junk.zip`;
    await import('node:fs/promises').then((fs) => fs.writeFile(notZip, 'not a zip'));
    await h.putPackage(notZip, SEEDED_FOLDERS.approved);
    const done = (await h.sim('POST', '/complete-ingests')).body.completed;
    expect(done[0]).toMatchObject({
      status: 'FAILED',
      failure: expect.stringContaining('does not exist'),
    });
    expect(done[1]).toMatchObject({ status: 'COMPLETED' });
    expect(done[2]).toMatchObject({
      status: 'FAILED',
      failure: expect.stringContaining('not a readable zip'),
    });
    // the monitors page, newest first, with an absolute next link
    const page = JSON.parse(
      (await h.call('GET', '/api/processmonitor/monitors?category=Ingest&max=2')).text,
    ).value;
    expect(page.monitors.map((m: { status: string }) => m.status)).toEqual(['Failed', 'Succeeded']);
    expect(page.paging).toEqual({
      next: `${h.url}/api/processmonitor/monitors?category=Ingest&max=2&start=2`,
      totalResults: 3,
    });
  });

  it('uploads by multipart (CreateMultipartUpload, UploadPart, CompleteMultipartUpload) with S3 XML replies', async () => {
    await h.sim('POST', '/settings', { minPartBytes: 4 });
    const zip = await writePackage(h.dir, [
      { ref: IO_A, title: 'A', files: [{ name: 'a.jpg', bytes: Buffer.alloc(5000, 7) }] },
    ]);
    const bytes = await import('node:fs/promises').then((fs) => fs.readFile(zip));
    const key = 'parts.zip';
    const base = `/api/s3/buckets/${h.server.bucket}/${key}`;
    const created = await h.call('POST', `${base}?uploads`, undefined, {
      'x-amz-meta-structuralobjectreference': SEEDED_FOLDERS.retired,
    });
    expect(created.status).toBe(200);
    const uploadId = readXml(created.text).InitiateMultipartUploadResult.UploadId;
    const half = Math.floor(bytes.length / 2);
    const etags: string[] = [];
    for (const [n, part] of [bytes.subarray(0, half), bytes.subarray(half)].entries()) {
      const put = await h.call('PUT', `${base}?partNumber=${n + 1}&uploadId=${uploadId}`, part);
      expect(put.status).toBe(200);
      etags.push(put.headers.get('etag') ?? '');
    }
    await h.sim('POST', '/settings', { minPartBytes: 5 * 1024 * 1024 });
    const tooSmall = await h.call(
      'POST',
      `${base}?uploadId=${uploadId}`,
      `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`,
    );
    expect(readXml(tooSmall.text).Error.Code).toBe('EntityTooSmall');
    await h.sim('POST', '/settings', { minPartBytes: 4 });
    const badOrder = await h.call(
      'POST',
      `${base}?uploadId=${uploadId}`,
      `<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>${etags[1]}</ETag></Part><Part><PartNumber>1</PartNumber><ETag>${etags[0]}</ETag></Part></CompleteMultipartUpload>`,
    );
    expect(badOrder.status).toBe(400);
    expect(readXml(badOrder.text).Error.Code).toBe('InvalidPartOrder');
    const complete = await h.call(
      'POST',
      `${base}?uploadId=${uploadId}`,
      `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`,
    );
    expect(complete.status).toBe(200);
    expect(readXml(complete.text).CompleteMultipartUploadResult.Key).toBe(key);
    const token = complete.headers.get('preservica-progress-token') ?? '';
    await h.sim('POST', '/complete-ingests');
    expect(await h.progress(token)).toBe('COMPLETED');
    expect((await h.sim('GET', '/entities')).body.assets[0]).toMatchObject({
      ref: IO_A,
      parent: SEEDED_FOLDERS.retired,
    });
    const unknown = await h.call('PUT', `${base}?partNumber=1&uploadId=${uploadId}`, 'x');
    expect(readXml(unknown.text).Error.Code).toBe('NoSuchUpload');
  });

  it('assembles a package of many parts without a listener per part, letting each part file go', async () => {
    await h.sim('POST', '/settings', { minPartBytes: 4 });
    const zip = await writePackage(h.dir, [
      { ref: IO_A, title: 'A', files: [{ name: 'a.jpg', bytes: Buffer.alloc(6000, 3) }] },
    ]);
    const bytes = await import('node:fs/promises').then((fs) => fs.readFile(zip));
    const base = `/api/s3/buckets/${h.server.bucket}/many-parts.zip`;
    const created = await h.call('POST', `${base}?uploads`, undefined, {
      'x-amz-meta-structuralobjectreference': SEEDED_FOLDERS.approved,
    });
    const uploadId = readXml(created.text).InitiateMultipartUploadResult.UploadId;
    const count = 12;
    const size = Math.ceil(bytes.length / count);
    const etags: string[] = [];
    for (let n = 0; n < count; n += 1) {
      const put = await h.call(
        'PUT',
        `${base}?partNumber=${n + 1}&uploadId=${uploadId}`,
        bytes.subarray(n * size, (n + 1) * size),
      );
      etags.push(put.headers.get('etag') ?? '');
    }
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const complete = await h.call(
        'POST',
        `${base}?uploadId=${uploadId}`,
        `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`,
      );
      expect(complete.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 50)); // warnings are emitted on a later tick
      const token = complete.headers.get('preservica-progress-token') ?? '';
      await h.sim('POST', '/complete-ingests');
      expect(await h.progress(token)).toBe('COMPLETED');
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
    expect(await readdir(h.server.files.uploads)).toEqual([]);
  });

  it('answers CompleteMultipartUpload without copying the parts, as S3 does: the ingest puts them together, and fails when it cannot', async () => {
    const zip = await writePackage(h.dir, [
      { ref: IO_A, title: 'A', files: [{ name: 'a.jpg', bytes: Buffer.alloc(64, 1) }] },
    ]);
    const bytes = await import('node:fs/promises').then((fs) => fs.readFile(zip));
    const base = `/api/s3/buckets/${h.server.bucket}/lost-part.zip`;
    const created = await h.call('POST', `${base}?uploads`, undefined, {
      'x-amz-meta-structuralobjectreference': SEEDED_FOLDERS.approved,
    });
    const uploadId = readXml(created.text).InitiateMultipartUploadResult.UploadId;
    const put = await h.call('PUT', `${base}?partNumber=1&uploadId=${uploadId}`, bytes);
    // The simulator's disk loses the part before anything reads it.
    for (const file of await readdir(h.server.files.uploads)) {
      await rm(join(h.server.files.uploads, file));
    }
    const complete = await h.call(
      'POST',
      `${base}?uploadId=${uploadId}`,
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${put.headers.get('etag') ?? ''}</ETag></Part></CompleteMultipartUpload>`,
    );
    expect(complete.status).toBe(200);
    const token = complete.headers.get('preservica-progress-token') ?? '';
    await h.sim('POST', '/complete-ingests');
    expect(await h.progress(token)).toBe('FAILED');
    const monitor = JSON.parse(
      (await h.call('GET', '/api/processmonitor/monitors?category=Ingest')).text,
    ).value.monitors[0];
    const messages = JSON.parse(
      (await h.call('GET', `/api/processmonitor/messages?monitor=${monitor.mappedId}&status=Error`))
        .text,
    );
    expect(messages.value.messages[0].displayMessage).toMatch(/could not be assembled/);
    expect(await readdir(h.server.files.uploads)).toEqual([]);
  });

  it('decodes an aws-chunked PutObject body (STREAMING-UNSIGNED-PAYLOAD-TRAILER) before reading the package', async () => {
    const zip = await writePackage(h.dir, [
      { ref: IO_A, title: 'A', files: [{ name: 'a.jpg', bytes: Buffer.from('chunked') }] },
    ]);
    const bytes = await import('node:fs/promises').then((fs) => fs.readFile(zip));
    const cut = Math.floor(bytes.length / 3);
    const pieces = [bytes.subarray(0, cut), bytes.subarray(cut)];
    const body = Buffer.concat([
      ...pieces.flatMap((p) => [
        Buffer.from(`${p.length.toString(16)}\r\n`),
        p,
        Buffer.from('\r\n'),
      ]),
      Buffer.from('0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n'),
    ]);
    const put = await h.call('PUT', `/api/s3/buckets/${h.server.bucket}/chunked.zip`, body, {
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': String(bytes.length),
      'x-amz-trailer': 'x-amz-checksum-crc32',
      'x-amz-meta-structuralobjectreference': SEEDED_FOLDERS.approved,
    });
    expect(put.status).toBe(200);
    const done = (await h.sim('POST', '/complete-ingests')).body.completed;
    expect(done[0]).toMatchObject({ status: 'COMPLETED' });
    expect(h.server.ingests()[0]?.size).toBe(bytes.length);
  });

  it('answers S3 errors: wrong bucket 404 NoSuchBucket, no or bad token 403 InvalidAccessKeyId', async () => {
    const zip = await writePackage(h.dir, [
      { ref: IO_A, title: 'A', files: [{ name: 'a.jpg', bytes: Buffer.from('a') }] },
    ]);
    const wrong = await h.call('PUT', '/api/s3/buckets/other.package.upload/x.zip', 'x');
    expect(wrong.status).toBe(404);
    expect(readXml(wrong.text).Error.Code).toBe('NoSuchBucket');
    h.token = 'not-a-token';
    const refused = await h.putPackage(zip, SEEDED_FOLDERS.approved);
    expect(refused.status).toBe(403);
    expect(readXml(refused.text).Error.Code).toBe('InvalidAccessKeyId');
    expect(h.server.ingests()).toHaveLength(0);
  });

  it('keeps bitstream bytes only up to its byte budget; beyond it content answers 404 and only size and hash remain', async () => {
    await h.stop();
    h = await Harness.start({ maxStoredBytes: 10 });
    await h.login();
    const big = Buffer.alloc(64, 1);
    await h.putPackage(
      await writePackage(h.dir, [
        { ref: IO_A, title: 'A', files: [{ name: 'a.bin', bytes: big }] },
      ]),
      SEEDED_FOLDERS.approved,
    );
    await h.sim('POST', '/complete-ingests');
    const asset = (await h.sim('GET', '/entities')).body.assets[0];
    expect(asset.bitstreams[0]).toMatchObject({
      size: 64,
      sha256: sha256(big),
      contentKept: false,
    });
    const download = await h.call(
      'GET',
      `/api/content/download?id=${encodeURIComponent(`sdb:IO|${IO_A}`)}`,
    );
    expect(download.status).toBe(404);
    expect(JSON.parse(download.text).message).toMatch(/byte budget/);
    expect(existsSync(h.server.files.bitstreams)).toBe(true);
    expect(await readdir(h.server.files.bitstreams)).toEqual([]);
  });
});
