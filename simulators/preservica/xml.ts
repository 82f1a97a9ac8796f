import { XMLParser, XMLValidator } from 'fast-xml-parser';

import type { SimError } from '../kit/errors.js';

// XML in and out of the Entity and Upload APIs. Replies are written as text (the shapes are small and
// fixed); request bodies are checked with XMLValidator and read with XMLParser, namespace prefixes
// dropped (Preservica's own SDK sends the XIP namespace as the default one, others prefix it).

export const API_VERSION = '7.7';
export const ENTITY_NS = `http://preservica.com/EntityAPI/v${API_VERSION}`;
export const XIP_NS = `http://preservica.com/XIP/v${API_VERSION}`;
export const STATUS_NS = 'http://status.preservica.com';
export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
export const XML_HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

export function esc(text: string | number): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** `<name>text</name>`, or `<name/>` when empty. */
export function el(name: string, text: string | number | undefined | null): string {
  if (text === undefined || text === null || text === '') return `<${name}/>`;
  return `<${name}>${esc(text)}</${name}>`;
}

/** An Entity API reply document: root in the EntityAPI namespace with the xip prefix declared. */
export function entityDoc(root: string, inner: string): string {
  return `${XML_HEADER}<${root} xmlns="${ENTITY_NS}" xmlns:xip="${XIP_NS}">${inner}</${root}>`;
}

const ARRAY_TAGS = new Set([
  'InformationObject',
  'StructuralObject',
  'ContentObject',
  'Representation',
  'Generation',
  'Bitstream',
  'Identifier',
  'Metadata',
  'Fixity',
  'Format',
  'Part',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

const listParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name, _path, isLeaf) => ARRAY_TAGS.has(name) && !isLeaf,
});

/**
 * `text` read as XML (prefixes dropped, attributes as `@name`); malformed XML throws `invalid`.
 * `lists`: the XIP element names that repeat (InformationObject, Bitstream…) are always arrays.
 */
export function parseXml(text: string, invalid: SimError, lists = false): Record<string, unknown> {
  if (text.trim() === '' || XMLValidator.validate(text) !== true) throw invalid;
  return (lists ? listParser : parser).parse(text) as Record<string, unknown>;
}

/** The text of an element whose only child may be text (`<Title>x</Title>` or `<Title/>`). */
export function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && '#text' in value) return textOf(value['#text']);
  return '';
}

/**
 * The raw inner XML of every `<Content>` element inside `<Metadata…>`/`<MetadataContainer…>`, in
 * document order: a fragment is kept byte for byte as the client sent it (namespaces included).
 */
export function metadataContents(text: string): string[] {
  const out: string[] = [];
  const container =
    /<((?:[\w.-]+:)?)Metadata(?:Container)?\b[^>]*>([\s\S]*?)<\/\1Metadata(?:Container)?>/g;
  for (const match of text.matchAll(container)) {
    const body = match[2] ?? '';
    const content = /<((?:[\w.-]+:)?)Content\b[^>]*?(?:\/>|>([\s\S]*)<\/\1Content>)/.exec(body);
    out.push((content?.[2] ?? '').trim());
  }
  return out;
}
