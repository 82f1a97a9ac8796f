import { describe, expect, it } from 'vitest';

import { plain } from '../../../adaptiveCards/plain-text.js';

/**
 * What a CommonMark reader shows for escaped text: every backslash escape of ASCII punctuation is
 * the punctuation alone (https://spec.commonmark.org/0.31.2/#backslash-escapes).
 */
const shown = (escaped: string): string => escaped.replace(/\\([!-/:-@[-`{-~])/g, '$1');

describe('plain', () => {
  it('escapes emphasis, strike-through and code so they show as typed', () => {
    expect(plain('**Big** news, _really_ *now* ~~gone~~ `x`')).toBe(
      '\\*\\*Big\\*\\* news, \\_really\\_ \\*now\\* \\~\\~gone\\~\\~ \\`x\\`',
    );
  });

  it('breaks links and images apart, so no link is made of them', () => {
    const escaped = plain(
      'See [the brief](https://evil.example/x) ![pic](https://evil.example/p.png)',
    );
    expect(escaped).toBe(
      'See \\[the brief\\]\\(https://evil.example/x\\) !\\[pic\\]\\(https://evil.example/p.png\\)',
    );
    expect(escaped).not.toMatch(/(?<!\\)\[[^\]]*(?<!\\)\]\(/);
  });

  it('escapes list markers and headings at the start of each line only', () => {
    expect(plain('- one\n* two\n+ three\n1. four\n12) five\n# six\n  - seven')).toBe(
      '\\- one\n\\* two\n\\+ three\n1\\. four\n12\\) five\n\\# six\n  \\- seven',
    );
    expect(plain('Media Day - take 2, #3 of 4. Done')).toBe('Media Day - take 2, #3 of 4. Done');
    expect(plain('-5 degrees')).toBe('-5 degrees');
  });

  it('turns mentions and HTML into look-alike brackets, so Teams mentions nobody', () => {
    expect(plain('<at>Megan Bowen</at> <b>hi</b> <https://evil.example>')).toBe(
      '‹at›Megan Bowen‹/at› ‹b›hi‹/b› ‹https://evil.example›',
    );
  });

  it('keeps a backslash and a date template as typed rather than acting on them', () => {
    expect(plain('C:\\photos\\raw')).toBe('C:\\\\photos\\\\raw');
    expect(plain('{{DATE(2026-11-23T12:00:00Z, SHORT)}}')).not.toContain('{{');
  });

  it('leaves ordinary text alone, and a reader sees exactly what was typed', () => {
    for (const typed of [
      'Autumn campaign — studio day 2',
      'Crop tighter, please. Two frames are soft!',
      "Ben's picks: 3/4 are great; IMG 12.jpg isn't",
    ]) {
      expect(plain(typed)).toBe(typed);
    }
    for (const typed of [
      '**Big** [sale](https://evil.example) _now_',
      '- [click here](https://evil.example)\n1. **urgent**',
      'IMG_0001 (1).jpg',
      'C:\\photos {{DATE(2026-11-23T12:00:00Z)}}',
    ]) {
      expect(shown(plain(typed))).toBe(typed);
    }
  });
});
