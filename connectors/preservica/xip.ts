import { createHash } from 'node:crypto';

import { z } from 'zod';

import type { PreservedMetadata } from '../../core/ports/preservation-archive.js';
import { el, esc } from './wire.js';

// The pieces of a XIP v6 SIP (pyPreservica uploadAPI.py complex_asset_package; docs/preservica.md):
// per asset `<ref>/metadata.xml` beside `<ref>/content/<location>/<file>`, the original first
// (location p1), then its documents (p2, p3…), each a content object of the Preservation
// representation; and the Lightdesk descriptive fragment kept with the asset.

export const XIP_PACKAGE_NS = 'http://preservica.com/XIP/v6.0';
/** The Entity API's own XIP namespace, for bodies sent to it (the version the server reports). */
export const XIP_API_NS = 'http://preservica.com/XIP/v7.7';
/** The Lightdesk descriptive fragment's namespace and schema URI (ours; Preservica keeps it as is). */
export const LIGHTDESK_NS = 'https://lightdesk.example/ns/asset/v1';
export const ASSET_ID_TYPE = 'photoshelter-asset';

/** A name that stays one zip path segment and one XIP Filename: no folders, no `..`. */
export function safeFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001F\u007F]/g, '').trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned;
}

/** A UUID-shaped ref derived from `seed`: a retried package names its parts the same way. */
export function derivedRef(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** One file of an asset as it went into the zip. */
export interface PackedFile {
  readonly fileName: string;
  /** `p1` for the original, `p2`… for documents. */
  readonly location: string;
  readonly size: number;
  readonly sha256: string;
}

export interface PackedAsset {
  readonly reference: string;
  readonly assetId: string;
  readonly folderRef: string;
  readonly securityTag: string;
  readonly metadata: PreservedMetadata;
  readonly provenance: Readonly<Record<string, string>>;
  /** The original first. */
  readonly files: readonly PackedFile[];
  readonly effectiveDate: Date;
}

/** The Lightdesk fragment: what the photo library knows of the asset, and where it came from. */
export function fragmentXml(
  assetId: string,
  metadata: PreservedMetadata,
  provenance: Readonly<Record<string, string>>,
): string {
  const keywords = metadata.keywords.map((k) => el('keyword', k)).join('');
  const sources = Object.entries(provenance)
    .map(([name, value]) => `<source name="${esc(name)}">${esc(value)}</source>`)
    .join('');
  return `<LightdeskAsset xmlns="${LIGHTDESK_NS}">${el('assetId', assetId)}${el('title', metadata.title)}${el('caption', metadata.caption)}<keywords>${keywords}</keywords>${el('credit', metadata.credit)}${el('rights', metadata.rights)}<provenance>${sources}</provenance></LightdeskAsset>`;
}

/** metadata.xml of one asset, written once its files' sizes and hashes are known. */
export function xipXml(asset: PackedAsset): string {
  const { reference: ref, securityTag } = asset;
  const cos = asset.files.map((file) => ({ file, co: derivedRef(`${ref}/co/${file.location}`) }));
  const date = asset.effectiveDate.toISOString();
  const io = `<InformationObject>${el('Ref', ref)}${el('Title', asset.metadata.title)}${el('Description', asset.metadata.caption)}${el('SecurityTag', securityTag)}${el('Parent', asset.folderRef)}</InformationObject>`;
  const representation = `<Representation>${el('InformationObject', ref)}${el('Name', 'Preservation-1')}${el('Type', 'Preservation')}<ContentObjects>${cos.map(({ co }) => el('ContentObject', co)).join('')}</ContentObjects></Representation>`;
  const contentObjects = cos
    .map(
      ({ file, co }) =>
        `<ContentObject>${el('Ref', co)}${el('Title', file.fileName)}<Description/>${el('SecurityTag', securityTag)}${el('Parent', ref)}</ContentObject>`,
    )
    .join('');
  const generations = cos
    .map(
      ({ file, co }) =>
        `<Generation original="true" active="true">${el('ContentObject', co)}${el('Label', file.fileName)}${el('EffectiveDate', date)}<Bitstreams>${el('Bitstream', `${file.location}/${file.fileName}`)}</Bitstreams></Generation>`,
    )
    .join('');
  const bitstreams = asset.files
    .map(
      (file) =>
        `<Bitstream>${el('Filename', file.fileName)}${el('FileSize', file.size)}${el('PhysicalLocation', file.location)}<Fixities><Fixity>${el('FixityAlgorithmRef', 'SHA256')}${el('FixityValue', file.sha256)}</Fixity></Fixities></Bitstream>`,
    )
    .join('');
  const identifier = `<Identifier>${el('Type', ASSET_ID_TYPE)}${el('Value', asset.assetId)}${el('Entity', ref)}</Identifier>`;
  const metadata = `<Metadata schemaUri="${LIGHTDESK_NS}">${el('Ref', derivedRef(`${ref}/metadata`))}${el('Entity', ref)}<Content>${fragmentXml(asset.assetId, asset.metadata, asset.provenance)}</Content></Metadata>`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><XIP xmlns="${XIP_PACKAGE_NS}">${io}${representation}${contentObjects}${generations}${bitstreams}${identifier}${metadata}</XIP>`;
}

const fieldText = z.preprocess(
  (v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : ''),
  z.string(),
);
/** A repeated element: one occurrence parses as a single value. */
const many = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
    z.array(item),
  );
const group = <T extends z.ZodRawShape>(shape: T) =>
  z.preprocess((v) => (v === '' || v === undefined ? {} : v), z.object(shape));

const lightdeskSchema = z.object({
  LightdeskAsset: z
    .object({
      assetId: fieldText,
      title: fieldText,
      caption: fieldText,
      keywords: group({ keyword: many(fieldText) }),
      credit: fieldText,
      rights: fieldText,
      provenance: group({
        source: many(
          z.preprocess(
            (v) => (typeof v === 'string' ? { '#text': v } : v),
            z.object({ '@name': z.string(), '#text': fieldText }).loose(),
          ),
        ),
      }),
    })
    .loose(),
});

export interface LightdeskFragment {
  /** The photo library's id as the fragment recorded it ('' when it did not). */
  readonly assetId: string;
  readonly metadata: PreservedMetadata;
  readonly provenance: Readonly<Record<string, string>>;
}

/** A stored fragment's `Content` (as wire.ts parses it) read as Lightdesk's, or undefined. */
export function readFragment(content: unknown): LightdeskFragment | undefined {
  const parsed = lightdeskSchema.safeParse(content);
  if (!parsed.success) return undefined;
  const asset = parsed.data.LightdeskAsset;
  return {
    assetId: asset.assetId,
    metadata: {
      title: asset.title,
      caption: asset.caption,
      keywords: asset.keywords.keyword,
      credit: asset.credit,
      rights: asset.rights,
    },
    provenance: Object.fromEntries(asset.provenance.source.map((s) => [s['@name'], s['#text']])),
  };
}
