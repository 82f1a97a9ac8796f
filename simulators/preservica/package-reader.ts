import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import yauzl from 'yauzl';
import { z } from 'zod';

import { SimError } from '../kit/errors.js';
import { metadataContents, parseXml, textOf } from './xml.js';

// Reads an uploaded XIP v6 SIP zip (reference: pyPreservica uploadAPI.py complex_asset_package):
// `<dir>/metadata.xml` beside `<dir>/content/<PhysicalLocation>/<Filename>`, several per zip. The
// zip is read entry by entry from disk (yauzl); every other file's SHA-256 is computed while it
// streams past and its bytes go to a bitstream file only while the byte budget allows, so no whole
// file, let alone the package, is ever held in memory.

const METADATA_LIMIT_BYTES = 32 * 1024 * 1024;

const text = z.preprocess((v) => textOf(v), z.string().default(''));
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
    z.array(item),
  );

const xipEntity = z.object({
  Ref: text,
  Title: text,
  Description: text,
  SecurityTag: text,
  CustomType: text,
  Parent: text,
});
export type XipEntity = z.infer<typeof xipEntity>;

const xipSchema = z.object({
  XIP: z.object({
    StructuralObject: list(xipEntity),
    InformationObject: list(xipEntity),
    Representation: list(
      z.object({
        InformationObject: text,
        Name: text,
        Type: text,
        ContentObjects: z.preprocess((v) => v ?? {}, z.object({ ContentObject: list(text) })),
      }),
    ),
    ContentObject: list(xipEntity),
    Generation: list(
      z.object({
        '@original': z.string().default('true'),
        '@active': z.string().default('true'),
        ContentObject: text,
        Label: text,
        EffectiveDate: text,
        FormatGroup: text,
        Bitstreams: z.preprocess((v) => v ?? {}, z.object({ Bitstream: list(text) })),
        Formats: z.preprocess(
          (v) => (v === '' ? {} : (v ?? {})),
          z.object({ Format: list(z.object({ PUID: text, FormatName: text })) }),
        ),
      }),
    ),
    Bitstream: list(
      z.object({
        Filename: text,
        FileSize: text,
        PhysicalLocation: text,
        Fixities: z.preprocess(
          (v) => (v === '' ? {} : (v ?? {})),
          z.object({ Fixity: list(z.object({ FixityAlgorithmRef: text, FixityValue: text })) }),
        ),
      }),
    ),
    Identifier: list(z.object({ Type: text, Value: text, Entity: text })),
    Metadata: list(z.object({ '@schemaUri': z.string().default(''), Ref: text, Entity: text })),
  }),
});

export interface PackageBitstream {
  readonly filename: string;
  readonly size: number;
  /** `p1/file.tif`: how a Generation names it. */
  readonly location: string;
  readonly fixities: { algorithm: string; value: string }[];
  readonly sha256: string;
  readonly file: string | null;
}

export interface SipPackage {
  readonly structuralObjects: XipEntity[];
  readonly informationObjects: XipEntity[];
  readonly contentObjects: XipEntity[];
  readonly representations: { io: string; name: string; type: string; contentObjects: string[] }[];
  readonly generations: {
    co: string;
    label: string;
    effectiveDate: string;
    formatGroup: string;
    original: boolean;
    active: boolean;
    bitstreams: string[];
    formats: { puid: string; name: string }[];
  }[];
  readonly bitstreams: PackageBitstream[];
  readonly identifiers: { type: string; value: string; entity: string }[];
  readonly metadata: { schemaUri: string; entity: string; content: string }[];
}

export type Analysis =
  | { readonly ok: true; readonly packages: SipPackage[]; readonly storedFiles: StoredFile[] }
  | { readonly ok: false; readonly reason: string; readonly storedFiles: StoredFile[] };

export interface StoredFile {
  readonly path: string;
  readonly size: number;
}

/** The bytes the simulator may keep for bitstream content, shared by every ingest. */
export class ByteBudget {
  constructor(
    readonly limit: number,
    public used = 0,
  ) {}

  reserve(size: number): boolean {
    if (this.used + size > this.limit) return false;
    this.used += size;
    return true;
  }

  release(size: number): void {
    this.used = Math.max(0, this.used - size);
  }
}

interface ZipFileSeen {
  readonly sha256: string;
  readonly size: number;
  readonly file: string | null;
}

const normalAlgorithm = (name: string): string => name.replace(/[-_\s]/g, '').toUpperCase();

/** Reads the zip at `zipPath`; never throws (a bad package is a failed analysis). */
export async function analysePackage(
  zipPath: string,
  bitstreamDir: string,
  budget: ByteBudget,
): Promise<Analysis> {
  const seen = new Map<string, ZipFileSeen>();
  const metadataFiles = new Map<string, string>();
  const storedFiles: StoredFile[] = [];
  try {
    const zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: true });
    try {
      await new Promise<void>((resolve, reject) => {
        zip.on('error', reject);
        zip.on('end', () => resolve());
        zip.on('entry', (entry: yauzl.Entry) => {
          void readEntry(zip, entry).then(() => zip.readEntry(), reject);
        });
        zip.readEntry();
      });
    } finally {
      zip.close();
    }
  } catch (e: unknown) {
    return {
      ok: false,
      reason: `The package is not a readable zip: ${e instanceof Error ? e.message : String(e)}`,
      storedFiles,
    };
  }

  async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<void> {
    if (entry.fileName.endsWith('/')) return;
    const stream = await zip.openReadStreamPromise(entry);
    if (/(^|\/)metadata\.xml$/i.test(entry.fileName)) {
      if (entry.uncompressedSize > METADATA_LIMIT_BYTES)
        throw new SimError(413, 'TooLarge', `${entry.fileName} is too large`);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      metadataFiles.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
      return;
    }
    const hash = createHash('sha256');
    let size = 0;
    const counter = new PassThrough();
    counter.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    let file: string | null = null;
    if (budget.reserve(entry.uncompressedSize)) {
      file = join(bitstreamDir, randomUUID());
      storedFiles.push({ path: file, size: entry.uncompressedSize });
      await pipeline(stream, counter, createWriteStream(file));
    } else {
      await pipeline(stream, counter, new Writable({ write: (_c, _e, done) => done() }));
    }
    seen.set(entry.fileName, { sha256: hash.digest('hex'), size, file });
  }

  if (metadataFiles.size === 0) {
    return { ok: false, reason: 'The package has no metadata.xml (not a XIP v6 SIP)', storedFiles };
  }
  const packages: SipPackage[] = [];
  for (const [name, xml] of metadataFiles) {
    const dir = name.slice(0, name.length - 'metadata.xml'.length);
    const parsed = readXip(name, xml);
    if (typeof parsed === 'string') return { ok: false, reason: parsed, storedFiles };
    const bitstreams: PackageBitstream[] = [];
    for (const b of parsed.Bitstream) {
      const location =
        b.PhysicalLocation === '' ? b.Filename : `${b.PhysicalLocation}/${b.Filename}`;
      const candidates = [`${dir}content/${location}`, `${dir}${location}`];
      const found = candidates.map((c) => seen.get(c)).find((f) => f !== undefined);
      if (found === undefined) {
        return {
          ok: false,
          reason: `Bitstream ${location} is declared in ${name} but not in the package`,
          storedFiles,
        };
      }
      const declaredSize = Number(b.FileSize);
      if (b.FileSize !== '' && declaredSize !== found.size) {
        return {
          ok: false,
          reason: `File size check failed for ${location}: declared ${b.FileSize}, got ${found.size}`,
          storedFiles,
        };
      }
      const fixities = b.Fixities.Fixity.map((f) => ({
        algorithm: f.FixityAlgorithmRef,
        value: f.FixityValue,
      }));
      for (const fixity of fixities) {
        // [INF] only SHA-256 is verified; other algorithms are recorded as declared.
        if (
          normalAlgorithm(fixity.algorithm) === 'SHA256' &&
          fixity.value.toLowerCase() !== found.sha256
        ) {
          return {
            ok: false,
            reason: `Fixity check failed for ${location}: expected SHA256 ${fixity.value}, computed ${found.sha256}`,
            storedFiles,
          };
        }
      }
      if (!fixities.some((f) => normalAlgorithm(f.algorithm) === 'SHA256')) {
        fixities.push({ algorithm: 'SHA256', value: found.sha256 });
      }
      bitstreams.push({
        filename: b.Filename,
        size: found.size,
        location,
        fixities,
        sha256: found.sha256,
        file: found.file,
      });
    }
    const contents = metadataContents(xml);
    packages.push({
      structuralObjects: parsed.StructuralObject,
      informationObjects: parsed.InformationObject,
      contentObjects: parsed.ContentObject,
      representations: parsed.Representation.map((r) => ({
        io: r.InformationObject,
        name: r.Name,
        type: r.Type === '' ? 'Preservation' : r.Type,
        contentObjects: r.ContentObjects.ContentObject,
      })),
      generations: parsed.Generation.map((g) => ({
        co: g.ContentObject,
        label: g.Label,
        effectiveDate: g.EffectiveDate,
        formatGroup: g.FormatGroup,
        original: g['@original'] !== 'false',
        active: g['@active'] !== 'false',
        bitstreams: g.Bitstreams.Bitstream,
        formats: g.Formats.Format.map((f) => ({ puid: f.PUID, name: f.FormatName })),
      })),
      bitstreams,
      identifiers: parsed.Identifier.map((i) => ({
        type: i.Type,
        value: i.Value,
        entity: i.Entity,
      })),
      metadata: parsed.Metadata.map((m, i) => ({
        schemaUri: m['@schemaUri'],
        entity: m.Entity,
        content: contents[i] ?? '',
      })),
    });
  }
  return { ok: true, packages, storedFiles };
}

function readXip(name: string, xml: string): z.infer<typeof xipSchema>['XIP'] | string {
  if (!/xmlns(?::\w+)?="http:\/\/preservica\.com\/XIP\/v\d+\.\d+"/.test(xml)) {
    return `${name} is not in a XIP namespace (http://preservica.com/XIP/v6.0)`;
  }
  let doc: Record<string, unknown>;
  try {
    doc = parseXml(xml, new SimError(400, 'BadRequest', 'bad XML'), true);
  } catch {
    return `${name} is not well-formed XML`;
  }
  const result = xipSchema.safeParse(doc);
  if (!result.success) return `${name} is not a XIP document: ${z.prettifyError(result.error)}`;
  for (const io of result.data.XIP.InformationObject) {
    if (io.Ref === '') return `${name}: an InformationObject has no Ref`;
  }
  return result.data.XIP;
}

/** Deletes bitstream files no entity refers to and gives their bytes back to the budget. */
export async function discardFiles(
  files: readonly StoredFile[],
  budget: ByteBudget,
): Promise<void> {
  for (const file of files) {
    budget.release(file.size);
    await rm(file.path, { force: true });
  }
}
