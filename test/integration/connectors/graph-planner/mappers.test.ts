import { describe, expect, it } from 'vitest';

import { splitBaseUrl } from '../../../../connectors/graph-planner/graph-transport.js';
import {
  decodeReferenceKey,
  encodeReferenceKey,
} from '../../../../connectors/graph-planner/mappers.js';

describe('reference keys', () => {
  it('encodes as the plannerExternalReferences page shows, % first and / untouched', () => {
    expect(
      encodeReferenceKey('https://contoso.sharepoint.com/teams/agile/documents/AnnualReport.pptx'),
    ).toBe('https%3A//contoso%2Esharepoint%2Ecom/teams/agile/documents/AnnualReport%2Epptx');
    expect(encodeReferenceKey('https://a.example/x%2Ey@z#f')).toBe(
      'https%3A//a%2Eexample/x%252Ey%40z%23f',
    );
  });

  it('decodes back to the same URL', () => {
    for (const url of [
      'https://acme.photoshelter.com/gallery/Media-Day/G0000abc',
      'http://h.example:8080/p%20q?a=b@c#frag',
      'https://x.example/%25already%2Eescaped',
    ]) {
      expect(decodeReferenceKey(encodeReferenceKey(url))).toBe(url);
    }
  });
});

describe('splitBaseUrl', () => {
  it('adds v1.0 to a bare host and keeps a given version', () => {
    expect(splitBaseUrl('https://graph.microsoft.com')).toEqual({
      host: 'https://graph.microsoft.com',
      version: 'v1.0',
      root: 'https://graph.microsoft.com/v1.0',
    });
    expect(splitBaseUrl('http://127.0.0.1:4010/v1.0/')).toEqual({
      host: 'http://127.0.0.1:4010',
      version: 'v1.0',
      root: 'http://127.0.0.1:4010/v1.0',
    });
  });
});
