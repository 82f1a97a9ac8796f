import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';

import type yazl from 'yazl';
import { z } from 'zod';

import { UpstreamError, ValidationError } from '../../core/errors.js';
import type { PreservationItem } from '../../core/ports/preservation-archive.js';
import { parseAnswer } from '../http/answer.js';
import { type PreservicaClient, SERVICE } from './client.js';
import { completeUploadSchema, initiateUploadSchema, readXml } from './wire.js';
import { type PackedFile, safeFileName, xipXml } from './xip.js';

// One package per ingest, streamed (docs/preservica.md "Connector"): the zip is written with yazl
// while it is uploaded, each file opened only when the zip reaches it and hashed (SHA-256) as it
// passes; an asset's metadata.xml follows its files, once their hashes are known (zip readers go by
// the central directory, not entry order). The upload is S3 multipart in parts of `partBytes`
// (one PutObject when the package fits in one part), so memory holds about one part.

/** Preservica's answer header naming the ingest the upload started (pyPreservica uploadAPI.py). */
const PROGRESS_HEADER = 'preservica-progress-token';
/** The upload's target folder, as S3 user metadata (pyPreservica uploadAPI.py). */
const FOLDER_HEADER = 'x-amz-meta-structuralobjectreference';
/** S3 refuses parts under 5 MiB but the last (EntityTooSmall); Preservica keeps S3's rules [INF]. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

const referenceSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be letters, digits, ".", "_" or "-"');

export interface PackageInput {
  readonly folderRef: string;
  readonly securityTag: string;
  readonly items: AsyncIterable<PreservationItem> | Iterable<PreservationItem>;
  readonly now: Date;
}

/**
 * Writes every item into `zip` and ends it. Each file is opened when the zip reaches it; `signal`
 * aborts the wait for the zip to take a file (the upload failed).
 */
export async function writePackage(
  zip: yazl.ZipFile,
  input: PackageInput,
  signal: AbortSignal,
): Promise<number> {
  let count = 0;
  for await (const item of input.items) {
    signal.throwIfAborted();
    const reference = referenceSchema.safeParse(item.reference);
    if (!reference.success) {
      throw ValidationError.fromZod(`Preservation reference of ${item.assetId}`, reference.error);
    }
    const files: PackedFile[] = [];
    const sources = [item.original, ...item.documents];
    for (const [index, source] of sources.entries()) {
      const fileName = safeFileName(source.fileName);
      const location = `p${index + 1}`;
      const { size, sha256 } = await addFile(
        zip,
        await source.open(),
        `${item.reference}/content/${location}/${fileName}`,
        input.now,
        signal,
      );
      files.push({ fileName, location, size, sha256 });
    }
    const xml = xipXml({
      reference: item.reference,
      assetId: item.assetId,
      folderRef: input.folderRef,
      securityTag: input.securityTag,
      metadata: item.metadata,
      provenance: item.provenance,
      files,
      effectiveDate: input.now,
    });
    zip.addBuffer(Buffer.from(xml, 'utf8'), `${item.reference}/metadata.xml`, {
      mtime: input.now,
    });
    count += 1;
  }
  // An empty zip would only fail in Preservica later ("no metadata.xml"); it is never sent.
  if (count === 0) throw new ValidationError('Preservation package', ['items: none to preserve']);
  zip.end();
  return count;
}

/** Adds one streamed file; resolves with its size and hash once the zip has taken all of it. */
async function addFile(
  zip: yazl.ZipFile,
  body: AsyncIterable<Uint8Array>,
  path: string,
  mtime: Date,
  signal: AbortSignal,
): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const source = Readable.from(body, { objectMode: false });
  if (signal.aborted) {
    // The upload already failed: the file just opened is let go unread.
    source.destroy();
    signal.throwIfAborted();
  }
  const piped = pipeline(source, counted);
  // Originals are mostly compressed already (JPEG, RAW): deflating them costs CPU for little.
  zip.addReadStream(counted, path, { compress: false, mtime });
  const stop = (): void => {
    counted.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    await Promise.all([piped, finished(counted)]);
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return { size, sha256: hash.digest('hex') };
}

interface Multipart {
  readonly uploadId: string;
  readonly parts: { readonly number: number; readonly etag: string }[];
}

/**
 * Uploads `stream` as object `key` of `bucket` with the folder in its metadata; Preservica's
 * progress token of the ingest it starts.
 */
export async function uploadPackage(
  client: PreservicaClient,
  target: { readonly bucket: string; readonly key: string; readonly folderRef: string },
  stream: AsyncIterable<Buffer>,
  partBytes: number,
): Promise<string> {
  const objectPath = `/api/s3/buckets/${encodeURIComponent(target.bucket)}/${encodeURIComponent(target.key)}`;
  const folder = { [FOLDER_HEADER]: target.folderRef };
  // One part buffer for the whole package: each part is sent (and its retries done) before the
  // next is filled, so reusing it keeps the upload's memory at one part, not one per part until
  // the collector comes by.
  const part = Buffer.allocUnsafe(partBytes);
  let filled = 0;
  let multipart: Multipart | undefined;

  const putPart = async (bytes: Buffer<ArrayBuffer>): Promise<void> => {
    multipart ??= await initiate(client, objectPath, folder);
    const number = multipart.parts.length + 1;
    const answer = await client.send({
      family: 's3',
      method: 'PUT',
      path: objectPath,
      endpoint: 'PUT /api/s3/buckets/:bucket/:key?partNumber',
      query: { partNumber: String(number), uploadId: multipart.uploadId },
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const etag = answer.headers.get('etag');
    if (etag === null) throw new UpstreamError(SERVICE, `part ${number} came back without an ETag`);
    multipart.parts.push({ number, etag });
  };

  try {
    for await (const chunk of stream) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(chunk.length - offset, partBytes - filled);
        chunk.copy(part, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === partBytes) {
          await putPart(part);
          filled = 0;
        }
      }
    }
    if (multipart === undefined) {
      const answer = await client.send({
        family: 's3',
        method: 'PUT',
        path: objectPath,
        endpoint: 'PUT /api/s3/buckets/:bucket/:key',
        headers: { 'content-type': 'application/zip', ...folder },
        body: part.subarray(0, filled),
      });
      return progressToken(answer.headers);
    }
    if (filled > 0) await putPart(part.subarray(0, filled));
    return await complete(client, objectPath, multipart);
  } catch (e: unknown) {
    const started = multipart;
    if (started !== undefined) {
      // Parts left behind hold storage until aborted; a failed abort changes nothing for the caller.
      await client
        .send({
          family: 's3',
          method: 'DELETE',
          path: objectPath,
          endpoint: 'DELETE /api/s3/buckets/:bucket/:key?uploadId',
          query: { uploadId: started.uploadId },
        })
        .catch(() => undefined);
    }
    throw e;
  }
}

async function initiate(
  client: PreservicaClient,
  objectPath: string,
  folder: Record<string, string>,
): Promise<Multipart> {
  const endpoint = 'POST /api/s3/buckets/:bucket/:key?uploads';
  const answer = await client.send({
    family: 's3',
    method: 'POST',
    path: objectPath,
    endpoint,
    query: { uploads: '' },
    headers: { 'content-type': 'application/zip', ...folder },
  });
  const context = `Preservica ${endpoint}`;
  const doc = parseAnswer(readXml(answer.body, context), initiateUploadSchema, context);
  return { uploadId: doc.InitiateMultipartUploadResult.UploadId, parts: [] };
}

async function complete(
  client: PreservicaClient,
  objectPath: string,
  multipart: Multipart,
): Promise<string> {
  const endpoint = 'POST /api/s3/buckets/:bucket/:key?uploadId';
  const parts = multipart.parts
    .map((p) => `<Part><PartNumber>${p.number}</PartNumber><ETag>${p.etag}</ETag></Part>`)
    .join('');
  const answer = await client.send({
    family: 's3',
    method: 'POST',
    path: objectPath,
    endpoint,
    query: { uploadId: multipart.uploadId },
    headers: { 'content-type': 'application/xml' },
    body: `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts}</CompleteMultipartUpload>`,
  });
  const context = `Preservica ${endpoint}`;
  // S3 may answer 200 with an <Error> inside; the schema refuses that shape.
  parseAnswer(readXml(answer.body, context), completeUploadSchema, context);
  return progressToken(answer.headers);
}

function progressToken(headers: Headers): string {
  const token = headers.get(PROGRESS_HEADER);
  if (token === null || token.trim() === '') {
    throw new UpstreamError(SERVICE, `the upload was accepted without a ${PROGRESS_HEADER}`);
  }
  return token.trim();
}
