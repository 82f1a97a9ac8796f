import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';

import { SEEDED_FOLDERS } from '../../../../simulators/preservica/store.js';
import { xipFor } from './support.js';

// The simulator runs as its own process (main.ts) and so does the uploader: this test process's
// HTTP client is wrapped by nock (test/support/loopback-only.ts), which keeps request bodies, so
// only a separate process measures what the simulator itself holds.

const IO_BIG = '0b7a1c2e-4444-4a6b-8c9d-00000000000a';
const FILE_BYTES = 320 * 1024 * 1024;
const CHUNK = 1024 * 1024;

/** `size` bytes of a repeating pattern, produced a chunk at a time (never whole in memory). */
function patternStream(size: number): Readable {
  const chunk = Buffer.alloc(CHUNK);
  for (let i = 0; i < CHUNK; i += 1) chunk[i] = (i * 31) & 0xff;
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, CHUNK);
      left -= n;
      this.push(n === CHUNK ? chunk : chunk.subarray(0, n));
    },
  });
}

/** Resident and peak resident set of a process, in bytes (Linux /proc). */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

const UPLOADER = `
import { createReadStream, statSync } from 'node:fs';
import { request } from 'node:http';
import { pipeline } from 'node:stream/promises';
const [url, token, folder, file] = process.argv.slice(1);
const req = request(url, { method: 'PUT', headers: {
  authorization: 'AWS4-HMAC-SHA256 Credential=' + token + '/20261203/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00',
  'x-amz-meta-structuralobjectreference': folder, 'content-length': String(statSync(file).size) } },
  (res) => { res.resume(); res.on('end', () => { process.stdout.write(JSON.stringify({ status: res.statusCode, token: res.headers['preservica-progress-token'] })); }); });
await pipeline(createReadStream(file), req);
`;

describe('Preservica simulator: a large package', () => {
  let dir: string;
  let zipFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pv-large-'));
    const hash = createHash('sha256');
    for await (const chunk of patternStream(FILE_BYTES)) hash.update(chunk as Buffer);
    const asset = {
      ref: IO_BIG,
      title: 'Big',
      files: [{ name: 'big.tif', bytes: Buffer.alloc(0), declaredSha256: hash.digest('hex') }],
    };
    const zip = new yazl.ZipFile();
    // stored, not deflated: the package is as large on the wire as its content
    zip.addReadStream(patternStream(FILE_BYTES), `${IO_BIG}/content/p1/big.tif`, {
      compress: false,
      size: FILE_BYTES,
    });
    zip.addBuffer(
      Buffer.from(
        xipFor(asset).replace('<FileSize>0</FileSize>', `<FileSize>${FILE_BYTES}</FileSize>`),
      ),
      `${IO_BIG}/metadata.xml`,
    );
    zip.end();
    zipFile = join(dir, 'big.zip');
    await pipeline(zip.outputStream, createWriteStream(zipFile));
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('streams a 320 MB package through PutObject and ingests it with the simulator’s peak RSS growing < 100 MB', async () => {
    const dataDir = join(dir, 'data');
    const sim = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'simulators/preservica/main.ts',
        '--data-dir',
        dataDir,
        '--max-stored-mb',
        '0',
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: sim.stdout }).once('line', resolve);
        sim.once('exit', () => reject(new TypeError('simulator exited')));
      });
      const settings = JSON.parse(line);
      const login = await fetch(`${settings.url}/api/accesstoken/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          username: settings.username,
          password: settings.password,
        }).toString(),
      });
      const { token } = (await login.json()) as { token: string };
      const pid = sim.pid ?? 0;
      const before = await memoryOf(pid);

      const uploader = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          UPLOADER,
          `${settings.url}/api/s3/buckets/${settings.bucket}/big.zip`,
          token,
          SEEDED_FOLDERS.approved,
          zipFile,
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let out = '';
      uploader.stdout.on('data', (c: Buffer) => (out += c.toString()));
      expect(await new Promise((resolve) => uploader.once('exit', resolve))).toBe(0);
      const put = JSON.parse(out) as { status: number; token: string };
      expect(put.status).toBe(200);

      const done = (await (
        await fetch(`${settings.url}/_sim/complete-ingests`, { method: 'POST' })
      ).json()) as { completed: unknown[] };
      expect(done.completed).toEqual([{ token: put.token, status: 'COMPLETED', failure: null }]);
      const after = await memoryOf(pid);
      expect(after.peak - before.rss).toBeLessThan(100 * 1024 * 1024);

      const state = (await (await fetch(`${settings.url}/_sim/entities`)).json()) as {
        assets: { bitstreams: unknown[] }[];
      };
      expect(state.assets[0]?.bitstreams[0]).toMatchObject({
        size: FILE_BYTES,
        contentKept: false,
      });
      const ingests = (await (await fetch(`${settings.url}/_sim/ingests`)).json()) as {
        ingests: { size: number }[];
      };
      expect(ingests.ingests[0]?.size).toBe((await stat(zipFile)).size);
    } finally {
      sim.kill('SIGTERM');
      await new Promise((resolve) => sim.once('exit', resolve));
    }
  }, 180_000);
});
