import { Transform, type TransformCallback } from 'node:stream';

import { SimError } from '../kit/errors.js';

// S3's `aws-chunked` content encoding, which AWS SDKs use for streamed uploads
// (x-amz-content-sha256: STREAMING-…; https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html):
// `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n` repeated, a 0-size chunk, then optional trailers.
// Decoded as it streams; chunk signatures are not checked (the SigV4 signature is not either, [INF]).

const MAX_HEADER_BYTES = 4096;

export function isAwsChunked(headers: Readonly<Record<string, string>>): boolean {
  return (
    /aws-chunked/i.test(headers['content-encoding'] ?? '') ||
    /^STREAMING-/i.test(headers['x-amz-content-sha256'] ?? '')
  );
}

export class AwsChunkedDecoder extends Transform {
  private state: 'size' | 'data' | 'crlf' | 'trailer' = 'size';
  private line = '';
  private remaining = 0;
  private crlfLeft = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.state === 'size') {
        const end = chunk.indexOf(0x0a, at);
        this.line += chunk.subarray(at, end === -1 ? chunk.length : end + 1).toString('latin1');
        if (this.line.length > MAX_HEADER_BYTES) {
          done(new SimError(400, 'IncompleteBody', 'Malformed aws-chunked chunk header'));
          return;
        }
        if (end === -1) return done();
        at = end + 1;
        const size = Number.parseInt(this.line.split(';')[0]?.trim() ?? '', 16);
        this.line = '';
        if (!Number.isInteger(size) || size < 0) {
          done(new SimError(400, 'IncompleteBody', 'Malformed aws-chunked chunk size'));
          return;
        }
        this.remaining = size;
        this.state = size === 0 ? 'trailer' : 'data';
      } else if (this.state === 'data') {
        const take = Math.min(this.remaining, chunk.length - at);
        this.push(chunk.subarray(at, at + take));
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) {
          this.state = 'crlf';
          this.crlfLeft = 2;
        }
      } else if (this.state === 'crlf') {
        const take = Math.min(this.crlfLeft, chunk.length - at);
        at += take;
        this.crlfLeft -= take;
        if (this.crlfLeft === 0) this.state = 'size';
      } else {
        // Trailers (e.g. x-amz-checksum-crc32) after the last chunk are read and ignored.
        return done();
      }
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.state !== 'trailer') {
      done(new SimError(400, 'IncompleteBody', 'The aws-chunked body ended before its last chunk'));
      return;
    }
    done();
  }
}
