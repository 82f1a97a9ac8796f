import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { z } from 'zod';

import { SimError } from '../kit/errors.js';
import { AwsChunkedDecoder, isAwsChunked } from './aws-chunked.js';
import type { PvRequest, PvRoute } from './context.js';
import { xmlReply } from './context.js';
import type { IngestRecord } from './ingests.js';
import { el, parseXml, S3_NS, textOf, XML_HEADER } from './xml.js';

// The Upload API: an S3-compatible endpoint, path style, at /api/s3/buckets/{bucket}/{key}
// (developers.preservica.com "Upload Content (S3 compatible)"; pyPreservica uploadAPI.py). The token
// is the access key; the SigV4 signature is not verified [INF]; aws-chunked bodies are decoded.
// Bodies are streamed to files under the data dir, never held whole in memory; a finished object
// starts an ingest whose progress token comes back in the `preservica-progress-token` header.

export interface UploadHost {
  readonly bucket: () => string;
  readonly uploadDir: () => string;
  readonly minPartBytes: () => number;
  readonly submit: (
    zip: string | (() => Promise<string>),
    key: string,
    folderRef: string | null,
    size: number,
  ) => IngestRecord;
}

interface MultipartUpload {
  readonly key: string;
  readonly folderRef: string | null;
  readonly parts: Map<number, { file: string; size: number; etag: string }>;
}

const PROGRESS_HEADER = 'preservica-progress-token';
const FOLDER_HEADER = 'x-amz-meta-structuralobjectreference';

const completeSchema = z.object({
  CompleteMultipartUpload: z.object({
    Part: z
      .array(
        z.object({
          PartNumber: z.preprocess((v) => Number(textOf(v)), z.number().int().min(1).max(10_000)),
          ETag: z.preprocess((v) => textOf(v), z.string()),
        }),
      )
      .min(1),
  }),
});

function s3Doc(root: string, inner: string): string {
  return `${XML_HEADER}<${root} xmlns="${S3_NS}">${inner}</${root}>`;
}

/** Streams the request body to `file`; its size and MD5 (S3's ETag of a single PUT). */
async function streamToFile(req: PvRequest, file: string): Promise<{ size: number; md5: string }> {
  const md5 = createHash('md5');
  let size = 0;
  const counter = new PassThrough();
  counter.on('data', (chunk: Buffer) => {
    md5.update(chunk);
    size += chunk.length;
  });
  try {
    if (isAwsChunked(req.headers)) {
      await pipeline(req.incoming, new AwsChunkedDecoder(), counter, createWriteStream(file));
    } else {
      await pipeline(req.incoming, counter, createWriteStream(file));
    }
    const declared = req.headers['x-amz-decoded-content-length'];
    if (declared !== undefined && Number(declared) !== size) {
      throw new SimError(
        400,
        'IncompleteBody',
        `Decoded ${size} bytes, x-amz-decoded-content-length says ${declared}`,
      );
    }
  } catch (e: unknown) {
    await rm(file, { force: true });
    throw e;
  }
  return { size, md5: md5.digest('hex') };
}

export function uploadRoutes(host: UploadHost): {
  routes: PvRoute[];
  abortAll: () => Promise<void>;
} {
  const uploads = new Map<string, MultipartUpload>();

  const checkBucket = (bucket: string | undefined): void => {
    if (bucket !== host.bucket()) {
      throw new SimError(
        404,
        'NoSuchBucket',
        `The specified bucket does not exist: ${bucket ?? ''}`,
      );
    }
  };
  const keyOf = (params: Readonly<Record<string, string>>): string => {
    const key = params['*'] ?? '';
    if (key === '') throw new SimError(400, 'InvalidRequest', 'An object key is required');
    return key;
  };
  const folderOf = (req: PvRequest): string | null => req.headers[FOLDER_HEADER] ?? null;
  const requireUpload = (req: PvRequest, key: string): MultipartUpload => {
    const id = req.query.get('uploadId') ?? '';
    const upload = uploads.get(id);
    if (upload?.key !== key) {
      throw new SimError(404, 'NoSuchUpload', 'The specified multipart upload does not exist.');
    }
    return upload;
  };

  const routes: PvRoute[] = [
    {
      method: 'PUT',
      template: '/api/s3/buckets/:bucket/*',
      family: 's3',
      auth: 'user',
      handler: async (req, params) => {
        checkBucket(params['bucket']);
        const key = keyOf(params);
        const partNumber = req.query.get('partNumber');
        if (req.query.has('uploadId') || partNumber !== null) {
          const upload = requireUpload(req, key);
          const n = Number(partNumber);
          if (!Number.isInteger(n) || n < 1 || n > 10_000) {
            throw new SimError(
              400,
              'InvalidArgument',
              'Part number must be an integer between 1 and 10000, inclusive',
            );
          }
          const file = join(host.uploadDir(), `${randomUUID()}.part`);
          const { size, md5 } = await streamToFile(req, file);
          const previous = upload.parts.get(n);
          if (previous !== undefined) await rm(previous.file, { force: true });
          upload.parts.set(n, { file, size, etag: md5 });
          return { status: 200, headers: { etag: `"${md5}"` } };
        }
        const file = join(host.uploadDir(), `${randomUUID()}.zip`);
        const { size, md5 } = await streamToFile(req, file);
        const ingest = host.submit(file, key, folderOf(req), size);
        return { status: 200, headers: { etag: `"${md5}"`, [PROGRESS_HEADER]: ingest.token } };
      },
    },
    {
      method: 'POST',
      template: '/api/s3/buckets/:bucket/*',
      family: 's3',
      auth: 'user',
      handler: async (req, params) => {
        checkBucket(params['bucket']);
        const key = keyOf(params);
        if (req.query.has('uploads')) {
          const uploadId = randomUUID().replace(/-/g, '');
          uploads.set(uploadId, { key, folderRef: folderOf(req), parts: new Map() });
          return xmlReply(
            200,
            s3Doc(
              'InitiateMultipartUploadResult',
              `${el('Bucket', host.bucket())}${el('Key', key)}${el('UploadId', uploadId)}`,
            ),
          );
        }
        if (!req.query.has('uploadId')) {
          throw new SimError(400, 'InvalidRequest', 'POST needs ?uploads or ?uploadId');
        }
        const upload = requireUpload(req, key);
        const body = completeSchema.safeParse(
          parseXml(
            (await req.body()).toString('utf8'),
            new SimError(
              400,
              'MalformedXML',
              'The XML you provided was not well-formed or did not validate against our published schema.',
            ),
            true,
          ),
        );
        if (!body.success) {
          throw new SimError(
            400,
            'MalformedXML',
            'The XML you provided was not well-formed or did not validate against our published schema.',
          );
        }
        const listed = body.data.CompleteMultipartUpload.Part;
        const parts = listed.map((p, i) => {
          const part = upload.parts.get(p.PartNumber);
          if (part === undefined || part.etag !== p.ETag.replace(/"/g, '')) {
            throw new SimError(
              400,
              'InvalidPart',
              'One or more of the specified parts could not be found.',
            );
          }
          if (i > 0 && (listed[i - 1]?.PartNumber ?? 0) >= p.PartNumber) {
            throw new SimError(
              400,
              'InvalidPartOrder',
              'The list of parts was not in ascending order.',
            );
          }
          if (i < listed.length - 1 && part.size < host.minPartBytes()) {
            throw new SimError(
              400,
              'EntityTooSmall',
              'Your proposed upload is smaller than the minimum allowed object size.',
            );
          }
          return part;
        });
        const size = parts.reduce((sum, part) => sum + part.size, 0);
        const uploadDir = host.uploadDir();
        // The parts become one zip when the ingest reads it, in one stream, each part deleted once
        // copied: a package of many GB (the bench's 20 GB) takes its own size on disk, not twice
        // that, and the completion is answered at once, as S3 answers it.
        const assemble = async (): Promise<string> => {
          const file = join(uploadDir, `${randomUUID()}.zip`);
          try {
            await pipeline(async function* () {
              for (const part of parts) {
                yield* createReadStream(part.file);
                await rm(part.file, { force: true });
              }
            }, createWriteStream(file));
          } catch (e: unknown) {
            await rm(file, { force: true });
            throw e;
          } finally {
            for (const part of parts) await rm(part.file, { force: true });
          }
          return file;
        };
        // Parts not listed are not part of the object; the listed ones now belong to the ingest.
        const listedFiles = new Set(parts.map((p) => p.file));
        for (const part of upload.parts.values()) {
          if (!listedFiles.has(part.file)) await rm(part.file, { force: true });
        }
        uploads.delete(req.query.get('uploadId') ?? '');
        // S3's multipart ETag: MD5 of the parts' binary MD5s, then "-<count>".
        const etag = `${createHash('md5')
          .update(Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex'))))
          .digest('hex')}-${parts.length}`;
        const ingest = host.submit(assemble, key, upload.folderRef, size);
        return xmlReply(
          200,
          s3Doc(
            'CompleteMultipartUploadResult',
            `${el('Location', `${req.base}/api/s3/buckets/${host.bucket()}/${key}`)}${el('Bucket', host.bucket())}${el('Key', key)}${el('ETag', `"${etag}"`)}`,
          ),
          { [PROGRESS_HEADER]: ingest.token },
        );
      },
    },
    {
      method: 'DELETE',
      template: '/api/s3/buckets/:bucket/*',
      family: 's3',
      auth: 'user',
      handler: async (req, params) => {
        checkBucket(params['bucket']);
        const key = keyOf(params);
        const upload = requireUpload(req, key);
        for (const part of upload.parts.values()) await rm(part.file, { force: true });
        uploads.delete(req.query.get('uploadId') ?? '');
        return { status: 204 };
      },
    },
  ];
  const abortAll = async (): Promise<void> => {
    for (const upload of uploads.values()) {
      for (const part of upload.parts.values()) await rm(part.file, { force: true });
    }
    uploads.clear();
  };
  return { routes, abortAll };
}
