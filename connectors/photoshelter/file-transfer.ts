import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// Files in and out of PhotoShelter as streams: a multipart body built from chunks (RFC 7578), the
// outgoing file spooled to a temporary file so a retry or a re-login can send it again, and the
// name a download's Content-Disposition gives (RFC 6266).

/** A file ready to send any number of times: each `open()` streams it from the start. */
export interface SpooledFile {
  readonly fileName: string;
  readonly size: number;
  open(): AsyncIterable<Uint8Array>;
  dispose(): Promise<void>;
}

/**
 * Copies `body` to a private temporary file, never holding it whole in memory. A retried request
 * (429, 5xx, a 401 and a fresh log-in) needs the bytes again, and the caller's stream runs once.
 */
export async function spool(file: {
  readonly fileName: string;
  readonly body: AsyncIterable<Uint8Array>;
}): Promise<SpooledFile> {
  const dir = await mkdtemp(join(tmpdir(), 'lightdesk-photoshelter-'));
  const path = join(dir, 'file');
  const dispose = () => rm(dir, { recursive: true, force: true });
  let size = 0;
  try {
    await pipeline(
      Readable.from(file.body),
      async function* count(chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          size += chunk.byteLength;
          yield chunk;
        }
      },
      createWriteStream(path, { mode: 0o600 }),
    );
  } catch (e: unknown) {
    await dispose();
    throw e;
  }
  return {
    fileName: file.fileName,
    size,
    open: () => createReadStream(path),
    dispose,
  };
}

/** A `multipart/form-data` body: text fields first, then the file, streamed; its exact length. */
export interface MultipartBody {
  readonly contentType: string;
  readonly length: number;
  readonly chunks: AsyncIterable<Uint8Array>;
}

export function multipartBody(
  fields: Readonly<Record<string, string>>,
  file: { readonly field: string; readonly spooled: SpooledFile },
): MultipartBody {
  const boundary = `lightdesk-${randomUUID()}`;
  const encoder = new TextEncoder();
  const head = encoder.encode(
    Object.entries(fields)
      .map(
        ([name, value]) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`,
      )
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(file.field)}"; ` +
      `filename="${quoted(file.spooled.fileName)}"\r\n` +
      `Content-Type: ${mediaTypeOf(file.spooled.fileName)}\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.byteLength + file.spooled.size + tail.byteLength,
    chunks: (async function* parts() {
      yield head;
      yield* file.spooled.open();
      yield tail;
    })(),
  };
}

/** A name inside a quoted header parameter, escaped as browsers do (WHATWG HTML, multipart/form-data). */
const quoted = (text: string): string =>
  text.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
};

function mediaTypeOf(fileName: string): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  return MEDIA_TYPES[extension] ?? 'application/octet-stream';
}

/**
 * The file name of a Content-Disposition header: `filename*` (RFC 5987, UTF-8) before `filename`;
 * undefined when it names none. Any path is dropped: only the last segment is a name.
 */
export function fileNameFromDisposition(header: string | null): string | undefined {
  if (header === null) return undefined;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  let name: string | undefined;
  if (extended !== null) {
    try {
      name = decodeURIComponent((extended[2] ?? '').trim());
    } catch {
      name = undefined;
    }
  }
  if (name === undefined) {
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
    name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2];
  }
  const last = name?.split(/[\\/]/).pop()?.trim();
  return last === undefined || last === '' ? undefined : last;
}
