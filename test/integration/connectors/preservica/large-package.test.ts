import { describe, expect, it } from 'vitest';

import type { PreservationItem } from '../../../../core/ports/preservation-archive.js';
import {
  FOLDER,
  generatedFile,
  settle,
  sha256Of,
  pattern,
  simAssets,
  usePreservica,
} from './support.js';

// A package of 300 MB, generated a chunk at a time and never whole in memory, goes up as S3
// multipart parts; the simulator ends up holding every asset with the fixity of its bytes.

const FILES = 30;
const FILE_BYTES = 10 * 1024 * 1024;
const PART_BYTES = 8 * 1024 * 1024;

const refOf = (i: number) => `5b0c0d1e-0000-4000-8000-${String(i).padStart(12, '0')}`;

function* items(): Iterable<PreservationItem> {
  for (let i = 1; i <= FILES; i += 1) {
    yield {
      assetId: `I0000LaRgEpAcK${String(i).padStart(2, '0')}`,
      reference: refOf(i),
      metadata: { title: `Frame ${i}`, caption: '', keywords: [], credit: '', rights: '' },
      provenance: { gallery: 'G0000LaRgEgAlLeR' },
      original: generatedFile(`FRAME_${i}.TIF`, i, FILE_BYTES),
      documents: [],
    };
  }
}

describe('PreservicaArchive: a multi-hundred-MB package', () => {
  const harness = usePreservica();

  it('streams 30 × 10 MB up in parts; every asset arrives with the fixity of its bytes', async () => {
    const h = harness();
    const archive = h.archive({ partBytes: PART_BYTES });
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 25);
    let progressToken: string;
    try {
      ({ progressToken } = await archive.ingest({
        packageKey: 'G0000LaRgEgAlLeR~retire',
        folderRef: FOLDER,
        securityTag: 'closed',
        items: items(),
      }));
    } finally {
      clearInterval(sampler);
    }
    expect(await settle(h, archive, progressToken)).toEqual({ state: 'completed' });
    // Parts of 8 MiB (the package is a little over 300 MB: the zip's headers and metadata).
    const parts = await h.calls('PUT /api/s3/buckets/:bucket/*');
    expect(parts).toBe(Math.ceil((FILES * FILE_BYTES) / PART_BYTES));
    expect(await h.calls('POST /api/s3/buckets/:bucket/*')).toBe(2);
    const assets = await simAssets(h);
    expect(assets).toHaveLength(FILES);
    for (let i = 1; i <= FILES; i += 1) {
      const asset = assets.find((a) => a.ref === refOf(i));
      expect(asset?.securityTag).toBe('closed');
      expect(asset?.bitstreams).toEqual([
        expect.objectContaining({
          filename: `FRAME_${i}.TIF`,
          size: FILE_BYTES,
          sha256: await sha256Of(pattern(i, FILE_BYTES)),
        }),
      ]);
    }
    // Buffers held at once stay far under the package (about a part, the simulator's and the
    // HTTP stack's copies, and what the collector has not reclaimed yet): it is never held whole.
    expect(peak).toBeLessThan((FILES * FILE_BYTES) / 2);
  });
});
