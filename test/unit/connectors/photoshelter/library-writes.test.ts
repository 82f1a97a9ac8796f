import { describe, expect, it } from 'vitest';

import { fileNameFromDisposition } from '../../../../connectors/photoshelter/file-transfer.js';
import {
  mergeWorkflowBlock,
  readWorkflowBlock,
  toIptcFields,
} from '../../../../connectors/photoshelter/library-writes.js';

// The text Lightdesk writes into PhotoShelter's IPTC instructions (wire doc #23) and the file name it
// reads from a download (#20): a photographer's own words must survive, and odd names must not break.

describe('the workflow block in the IPTC instructions', () => {
  const photographer = 'Embargo until Friday.\nCrop out the sponsor banner.';

  it("adds a block after the photographer's text and leaves that text as it was", () => {
    const text = mergeWorkflowBlock(photographer, { decision: 'approved' });

    expect(text).toBe(`${photographer}\n\n[Lightdesk]\ndecision: approved\n[/Lightdesk]`);
    expect(readWorkflowBlock(text)).toEqual({ decision: 'approved' });
  });

  it('sets fields inside an existing block, keeps the others, and removes one given empty', () => {
    const first = mergeWorkflowBlock(photographer, { decision: 'approved', usage: 'web' });
    const second = mergeWorkflowBlock(`${first}\nSigned off by the dean.`, {
      decision: 're-review',
      usage: '',
      'decided by': 'Alex Kim',
    });

    expect(readWorkflowBlock(second)).toEqual({ decision: 're-review', 'decided by': 'Alex Kim' });
    expect(second.startsWith(photographer)).toBe(true);
    expect(second.endsWith('Signed off by the dean.')).toBe(true);
  });

  it("drops the block when no field is left, and the photographer's text stays", () => {
    const withBlock = mergeWorkflowBlock(photographer, { decision: 'approved' });

    expect(mergeWorkflowBlock(withBlock, { decision: '' })).toBe(photographer);
    expect(mergeWorkflowBlock('', { decision: '' })).toBe('');
  });

  it('writes values with `$` as text, and reads a `__proto__` line as a plain field', () => {
    const text = mergeWorkflowBlock('[Lightdesk]\nprice: $1\n[/Lightdesk]', { note: "$& and $'" });

    expect(readWorkflowBlock(text)).toEqual({ price: '$1', note: "$& and $'" });
    const odd = readWorkflowBlock('[Lightdesk]\n__proto__: polluted\n[/Lightdesk]');
    expect(Object.getPrototypeOf(odd)).toBe(Object.prototype);
    expect(Object.keys(odd)).toEqual(['__proto__']);
  });

  it('reads no fields from text without a block', () => {
    expect(readWorkflowBlock(photographer)).toEqual({});
  });
});

describe('IPTC fields of a metadata patch', () => {
  it('names only the fields given, keywords as one comma-separated string', () => {
    expect(toIptcFields({ title: 'T', keywords: [' a ', 'two words'] })).toEqual({
      title: 'T',
      keyword: 'a, two words',
    });
    expect(toIptcFields({})).toEqual({});
  });
});

describe('the file name of a download', () => {
  it.each([
    ['attachment; filename="IMG_0001.JPG"', 'IMG_0001.JPG'],
    [
      'attachment; filename="Universit_ _t_.png"; filename*=UTF-8\'\'Universit%C3%A9%20%C3%A9t%C3%A9.png',
      'Université été.png',
    ],
    ['attachment; filename=plain.tif', 'plain.tif'],
    ['attachment; filename="..\\\\..\\\\evil.jpg"', 'evil.jpg'],
    ['attachment; filename="../../etc/passwd"', 'passwd'],
    ['attachment; filename*=UTF-8\'\'%E0%A4%A.png; filename="fallback.png"', 'fallback.png'],
  ])('%s → %s', (header, name) => {
    expect(fileNameFromDisposition(header)).toBe(name);
  });

  it('is undefined when the header names no file', () => {
    expect(fileNameFromDisposition(null)).toBeUndefined();
    expect(fileNameFromDisposition('inline')).toBeUndefined();
    expect(fileNameFromDisposition('attachment; filename=""')).toBeUndefined();
  });
});
