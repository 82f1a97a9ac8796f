import { SimError } from '../kit/errors.js';
import type { ImageRecord } from './library.js';
import { fittedSize, type PngCache } from './png.js';

// The original files behind images (wire doc #20–#22). Uploaded and replacing bytes are kept in
// memory only, up to a total cap, and are lost on restart (a state file keeps records, not bytes);
// every other image serves a PNG drawn from its id and version, as its display links do.

/** Bytes the simulator holds for uploads and replacements, all images together. */
export const MAX_STORED_BYTES = 256 * 1024 * 1024;

/** A file as served by the download call. */
export interface OriginalFile {
  readonly bytes: Buffer;
  readonly contentType: string;
  readonly fileName: string;
}

interface Stored {
  readonly bytes: Buffer;
  /** The image version the bytes belong to: a later `/_sim/replace` makes them stale. */
  readonly version: number;
}

export class FileStore {
  private readonly files = new Map<string, Stored>();
  private total = 0;

  constructor(private readonly pngs: PngCache) {}

  /** Refuses bytes that would pass the cap (413), before anything is changed. */
  ensureRoom(imageId: string, size: number): void {
    const freed = this.files.get(imageId)?.bytes.length ?? 0;
    if (this.total - freed + size > MAX_STORED_BYTES) {
      throw new SimError(
        413,
        '',
        'The simulator holds no more uploaded bytes (restart or reset it)',
      );
    }
  }

  put(image: ImageRecord, bytes: Buffer): void {
    this.ensureRoom(image.id, bytes.length);
    this.drop(image.id);
    this.files.set(image.id, { bytes, version: image.version });
    this.total += bytes.length;
  }

  drop(imageId: string): void {
    const old = this.files.get(imageId);
    if (old === undefined) return;
    this.total -= old.bytes.length;
    this.files.delete(imageId);
  }

  clear(): void {
    this.files.clear();
    this.total = 0;
  }

  /** The image's current file: the stored bytes, or the generated PNG of this version. */
  originalOf(image: ImageRecord): OriginalFile {
    const stored = this.files.get(image.id);
    if (stored !== undefined && stored.version === image.version) {
      return {
        bytes: stored.bytes,
        contentType: contentTypeOf(stored.bytes),
        fileName: image.fileName,
      };
    }
    const size = fittedSize(image, { width: undefined, height: undefined }, 'fit');
    return {
      bytes: this.pngs.get(`${image.id}:${image.version}`, size.width, size.height),
      contentType: 'image/png',
      // The bytes are a PNG whatever the record's name says; the name stays the record's.
      fileName: image.fileName,
    };
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function contentTypeOf(bytes: Buffer): string {
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  return 'application/octet-stream';
}

/**
 * Pixel size from a PNG's IHDR or a JPEG's first SOF marker; undefined for anything else. Cheap:
 * headers only, nothing is decoded (PNG spec §11.2.2; ITU T.81 §B.2.2).
 */
export function imageSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length >= 24 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] ?? 0;
    // Fill bytes, and markers without a length (RSTn, TEM).
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = bytes.readUInt16BE(at + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) {
      return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  return undefined;
}

/** `attachment` with the name twice: plain ASCII for old clients, UTF-8 for the rest (RFC 6266 §4.3). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(fileName)}`;
}

const encodeRfc5987 = (text: string): string =>
  encodeURIComponent(text).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
