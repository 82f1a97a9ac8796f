import { describe, expect, it } from 'vitest';

import {
  challengeAnswer,
  verifyPreservicaSignature,
} from '../../../connectors/preservica/webhook-signature.js';
import {
  verifyZiflowSignature,
  ZIFLOW_SIGNATURE_MODES,
} from '../../../connectors/ziflow/webhook-signature.js';

// Known answers computed with `openssl dgst -sha256 [-hmac key]` over the vendors' formulas
// (docs/ziflow.md, docs/preservica.md), so the code is checked against something it did not make.

describe('Preservica webhook signatures', () => {
  const body = Buffer.from('{"trigger":"FULL_TEXT_INDEXED"}');
  const signed = '42c1f2ed647f68eb32191dd6822ecff39149ff7485d2b67d01570ce84fd6e843';

  it('accepts the HMAC of "preservica-webhook-auth" + body, in either case', () => {
    expect(verifyPreservicaSignature('s3cret', body, signed)).toBe(true);
    expect(verifyPreservicaSignature('s3cret', body, signed.toUpperCase())).toBe(true);
  });

  it('refuses another body, another secret, a missing or malformed signature', () => {
    expect(verifyPreservicaSignature('s3cret', Buffer.from(`${body.toString()} `), signed)).toBe(
      false,
    );
    expect(verifyPreservicaSignature('other', body, signed)).toBe(false);
    expect(verifyPreservicaSignature('s3cret', body, undefined)).toBe(false);
    expect(verifyPreservicaSignature('s3cret', body, 'sha256=' + signed)).toBe(false);
    expect(verifyPreservicaSignature('s3cret', body, signed.slice(2))).toBe(false);
  });

  it('answers the subscription challenge with the HMAC of the code', () => {
    expect(challengeAnswer('s3cret', 'abc123')).toEqual({
      challengeCode: 'abc123',
      challengeResponse: 'c769096b4d5745c128ffb221dc2e2d5cb38b4a1cae423cf413b12cbef730bc57',
    });
  });
});

describe('Ziflow webhook signatures', () => {
  const delivery = {
    key: 'k-1',
    target: 'https://hooks.example/api/v1/hooks/ziflow?tenant=a%20b',
    rawBody: Buffer.from('{"events":[]}'),
  };
  const byMode = {
    sha256: '8aac3af4349c73fd9785d44408eb18b4f80eaa4b7f68a69e7acf3fcb8cc72e8b',
    'hmac-signing-string': 'f5ac55b37e82c6eb1743baead91cda0e64b107fb8a6a4d91b1fef459b8dda977',
    'hmac-body': '5622dfffd82651a937a74a3b03fe38d76e64c781329b20059288c87f57a69475',
  } as const;

  it('tells which reading of the rule a valid signature follows', () => {
    for (const mode of ZIFLOW_SIGNATURE_MODES) {
      expect(verifyZiflowSignature({ ...delivery, signature: byMode[mode] })).toBe(mode);
    }
  });

  it('keeps to the pinned reading once one is chosen', () => {
    expect(
      verifyZiflowSignature({ ...delivery, signature: byMode['hmac-body'] }, ['sha256']),
    ).toBeUndefined();
  });

  it('refuses a signature of another target, body or key, or none', () => {
    const sig = byMode.sha256;
    expect(
      verifyZiflowSignature({ ...delivery, target: 'https://hooks.example/x', signature: sig }),
    ).toBeUndefined();
    expect(
      verifyZiflowSignature({
        ...delivery,
        rawBody: Buffer.from('{"events":[{}]}'),
        signature: sig,
      }),
    ).toBeUndefined();
    expect(verifyZiflowSignature({ ...delivery, key: 'k-2', signature: sig })).toBeUndefined();
    expect(verifyZiflowSignature({ ...delivery, signature: undefined })).toBeUndefined();
    expect(verifyZiflowSignature({ ...delivery, signature: 'not hex' })).toBeUndefined();
  });
});
