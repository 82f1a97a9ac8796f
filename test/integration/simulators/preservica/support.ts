import { createHash, createHmac } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { XMLParser } from 'fast-xml-parser';
import yazl from 'yazl';

import {
  FakePreservicaServer,
  type FakePreservicaServerOptions,
} from '../../../../simulators/preservica/fake-preservica-server.js';

// A started Preservica simulator and helpers that speak its wire formats like a client would:
// form log-in, XML read back with the prefixes kept, XIP packages zipped with yazl, a webhook receiver.

export class ManualClock {
  constructor(private ms = Date.UTC(2026, 11, 3, 9, 0, 0)) {}
  readonly now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
});

/** XML as a plain object, prefixes kept (`xip:Ref`), attributes as `@name`. */
export function readXml(text: string): ReturnType<XMLParser['parse']> {
  return xml.parse(text);
}

export class Harness {
  token = '';
  private constructor(
    readonly server: FakePreservicaServer,
    readonly url: string,
    readonly clock: ManualClock,
    readonly dir: string,
  ) {}

  static async start(options: FakePreservicaServerOptions = {}): Promise<Harness> {
    const clock = new ManualClock();
    const dir = await mkdtemp(join(tmpdir(), 'pv-test-'));
    const server = new FakePreservicaServer({ now: clock.now, tickMs: 20, ...options });
    const { url } = await server.start(0);
    return new Harness(server, url, clock, dir);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  async login(
    username = this.server.credentials.username,
    password = this.server.credentials.password,
  ): Promise<string> {
    const answer = await this.form('/api/accesstoken/login', {
      username,
      password,
      tenant: this.server.tenant,
    });
    const body = JSON.parse(answer.text) as { token: string };
    this.token = body.token;
    return body.token;
  }

  async form(
    path: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    return this.call('POST', path, new URLSearchParams(fields).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    });
  }

  async call(
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(this.token === '' ? {} : { 'Preservica-Access-Token': this.token }),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : new Uint8Array(body) }),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  /** An authenticated call with an XML body. */
  xml(method: string, path: string, body?: string): Promise<Answer> {
    return this.call(
      method,
      path,
      body,
      body === undefined ? {} : { 'content-type': 'application/xml' },
    );
  }

  async sim(
    method: string,
    path: string,
    json?: unknown,
  ): Promise<{ status: number; body: ReturnType<typeof JSON.parse> }> {
    const response = await fetch(`${this.url}/_sim${path}`, {
      method,
      ...(json === undefined
        ? {}
        : { body: JSON.stringify(json), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  /**
   * PutObject of a file streamed from disk with node:http (fetch's web-stream body reads ahead of
   * the socket), the folder in the user metadata and the token as the SigV4 access key.
   */
  async putPackage(
    file: string,
    folderRef: string,
    key = `${crypto.randomUUID()}.zip`,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const { size } = await stat(file);
    return new Promise<Answer>((resolve, reject) => {
      const req = request(
        `${this.url}/api/s3/buckets/${this.server.bucket}/${key}`,
        {
          method: 'PUT',
          headers: {
            authorization: `AWS4-HMAC-SHA256 Credential=${this.token}/20261203/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00`,
            'x-amz-meta-structuralobjectreference': folderRef,
            'content-length': String(size),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const answerHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (typeof value === 'string') answerHeaders.set(name, value);
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: answerHeaders,
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      req.on('error', reject);
      pipeline(createReadStream(file), req).catch(reject);
    });
  }

  async progress(token: string): Promise<string> {
    const answer = await this.call('GET', `/api/entity/progress/${token}`);
    const doc = readXml(answer.text) as { StatusResponse: { Status: string } };
    return doc.StatusResponse.Status;
  }
}

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

export interface PackageFile {
  readonly name: string;
  readonly bytes: Buffer;
  /** Declared instead of the real hash (a corrupted transfer). */
  readonly declaredSha256?: string;
}

export interface PackageAsset {
  readonly ref: string;
  readonly title: string;
  readonly parent?: string;
  readonly securityTag?: string;
  readonly identifiers?: readonly { type: string; value: string }[];
  readonly metadata?: readonly { schemaUri: string; xml: string }[];
  readonly files: readonly PackageFile[];
  readonly access?: PackageFile;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** metadata.xml of one asset, XIP v6.0 in the order of pyPreservica's complex_asset_package. */
export function xipFor(asset: PackageAsset): string {
  const reps: string[] = [];
  const cos: string[] = [];
  const gens: string[] = [];
  const bits: string[] = [];
  const groups: [string, string, readonly PackageFile[]][] = [['Preservation', 'p1', asset.files]];
  if (asset.access !== undefined) groups.push(['Access', 'a1', [asset.access]]);
  for (const [type, location, files] of groups) {
    const coRefs = files.map(
      (_f, i) =>
        `${asset.ref.slice(0, 24)}${type === 'Access' ? 'a' : 'c'}${String(i).padStart(11, '0')}`,
    );
    reps.push(
      `<Representation><InformationObject>${asset.ref}</InformationObject><Name>${type}-1</Name><Type>${type}</Type><ContentObjects>${coRefs.map((r) => `<ContentObject>${r}</ContentObject>`).join('')}</ContentObjects></Representation>`,
    );
    files.forEach((file, i) => {
      const co = coRefs[i] ?? '';
      cos.push(
        `<ContentObject><Ref>${co}</Ref><Title>${esc(file.name)}</Title><Description/><SecurityTag>open</SecurityTag><Parent>${asset.ref}</Parent></ContentObject>`,
      );
      gens.push(
        `<Generation original="true" active="true"><ContentObject>${co}</ContentObject><Label>${esc(file.name)}</Label><EffectiveDate>2026-12-03T09:00:00Z</EffectiveDate><Bitstreams><Bitstream>${location}/${esc(file.name)}</Bitstream></Bitstreams></Generation>`,
      );
      bits.push(
        `<Bitstream><Filename>${esc(file.name)}</Filename><FileSize>${file.bytes.length}</FileSize><PhysicalLocation>${location}</PhysicalLocation><Fixities><Fixity><FixityAlgorithmRef>SHA256</FixityAlgorithmRef><FixityValue>${file.declaredSha256 ?? sha256(file.bytes)}</FixityValue></Fixity></Fixities></Bitstream>`,
      );
    });
  }
  const identifiers = (asset.identifiers ?? []).map(
    (i) =>
      `<Identifier><Type>${esc(i.type)}</Type><Value>${esc(i.value)}</Value><Entity>${asset.ref}</Entity></Identifier>`,
  );
  const metadata = (asset.metadata ?? []).map(
    (m) =>
      `<Metadata schemaUri="${m.schemaUri}"><Ref>${asset.ref.slice(0, 30)}md0000</Ref><Entity>${asset.ref}</Entity><Content>${m.xml}</Content></Metadata>`,
  );
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><XIP xmlns="http://preservica.com/XIP/v6.0"><InformationObject><Ref>${asset.ref}</Ref><Title>${esc(asset.title)}</Title><Description>From Lightdesk</Description><SecurityTag>${asset.securityTag ?? 'open'}</SecurityTag><CustomType>Image</CustomType><Parent>${asset.parent ?? ''}</Parent></InformationObject>${reps.join('')}${cos.join('')}${gens.join('')}${bits.join('')}${identifiers.join('')}${metadata.join('')}</XIP>`;
}

/** A zip of several assets (`<ref>/metadata.xml`, `<ref>/content/p1/<file>`), written to `dir`. */
export async function writePackage(
  dir: string,
  assets: readonly PackageAsset[],
  name = `${crypto.randomUUID()}.zip`,
): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const asset of assets) {
    for (const file of asset.files)
      zip.addBuffer(file.bytes, `${asset.ref}/content/p1/${file.name}`);
    if (asset.access !== undefined)
      zip.addBuffer(asset.access.bytes, `${asset.ref}/content/a1/${asset.access.name}`);
    zip.addBuffer(Buffer.from(xipFor(asset)), `${asset.ref}/metadata.xml`);
  }
  zip.end();
  const path = join(dir, name);
  await pipeline(zip.outputStream, createWriteStream(path));
  return path;
}

export const expectedSignature = (secret: string, body: string): string =>
  createHmac('sha256', secret).update(`preservica-webhook-auth${body}`).digest('hex');

export interface ReceivedHook {
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A webhook endpoint on 127.0.0.1 that answers the challenge with `secret` and logs deliveries. */
export async function startReceiver(
  secret: string,
  options: { failFirst?: number; challenge?: (code: string) => unknown } = {},
): Promise<{ url: string; received: ReceivedHook[]; close(): Promise<void> }> {
  const received: ReceivedHook[] = [];
  let toFail = options.failFirst ?? 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const code = url.searchParams.get('challengeCode');
      if (code !== null) {
        const reply = options.challenge?.(code) ?? {
          challengeCode: code,
          challengeResponse: createHmac('sha256', secret).update(code).digest('hex'),
        };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
        return;
      }
      received.push({
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (toFail > 0) {
        toFail -= 1;
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/pv`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new RangeError('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
