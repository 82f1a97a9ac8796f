import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';

import type { LRUCache } from 'lru-cache';
import yazl from 'yazl';

import {
  AuthError,
  ensureError,
  NotFoundError,
  UpstreamError,
  ValidationError,
} from '../../core/errors.js';
import type {
  IngestState,
  PreservationArchive,
  PreservedAsset,
  PreservedFile,
  PreservedMetadata,
} from '../../core/ports/preservation-archive.js';
import { ttlCache } from '../http/ttl-cache.js';
import { type Answer, PreservicaClient, type PreservicaClientOptions, SERVICE } from './client.js';
import { MIN_PART_BYTES, uploadPackage, writePackage } from './package-upload.js';
import {
  bitstreamSchema,
  el,
  entitiesSchema,
  fragmentSchema,
  generationSchema,
  generationsSchema,
  identifiersSchema,
  informationObjectSchema,
  ingestStatusSchema,
  lastSegment,
  messagesSchema,
  monitorsSchema,
  representationSchema,
  representationsSchema,
  subscriptionSchema,
  subscriptionsSchema,
  versionSchema,
  type WireEntity,
} from './wire.js';
import {
  ASSET_ID_TYPE,
  fragmentXml,
  LIGHTDESK_NS,
  type LightdeskFragment,
  readFragment,
  XIP_API_NS,
} from './xip.js';

// The preservation archive on Preservica (docs/preservica.md "Connector"): packages go in through
// the S3-compatible Upload API, everything else is read and written through the Entity API (XML),
// the Process Monitor (why an ingest failed) and the Webhook API.

/** 8 MiB: over S3's 5 MiB minimum part, and about what the upload holds in memory. */
const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
const HEALTH_TTL_MS = 15_000;
const ENTITY = '/api/entity';
const DEFAULT_TRIGGERS = ['FULL_TEXT_INDEXED', 'INGEST_FAILED'] as const;
/** Separates the upload's object key from Preservica's progress token in our progress token. */
const TOKEN_SEPARATOR = '|';
const GENERIC_FAILURE = 'Preservica reported the ingest failed without saying why';

export interface PreservicaArchiveOptions extends PreservicaClientOptions {
  /** Multipart part size (default 8 MiB, at least 5 MiB): the upload's memory. */
  readonly partBytes?: number | undefined;
}

export interface PreservicaHealth {
  readonly ok: boolean;
  readonly detail: string;
  readonly version: string | undefined;
}

const ioPath = (reference: string): string =>
  `${ENTITY}/information-objects/${encodeURIComponent(reference)}`;

export class PreservicaArchive implements PreservationArchive {
  private readonly client: PreservicaClient;
  private readonly partBytes: number;
  private readonly health: LRUCache<string, PreservicaHealth>;

  constructor(private readonly options: PreservicaArchiveOptions) {
    this.client = new PreservicaClient(options);
    this.partBytes = Math.max(MIN_PART_BYTES, options.partBytes ?? DEFAULT_PART_BYTES);
    this.health = ttlCache({ ttlMs: HEALTH_TTL_MS, max: 1, clock: options.clock });
  }

  /** The Upload API bucket (pyPreservica uploadAPI.py). */
  get bucket(): string {
    return `${this.options.tenant.toLowerCase()}.package.upload`;
  }

  async ingest(input: Parameters<PreservationArchive['ingest']>[0]): Promise<{
    readonly progressToken: string;
  }> {
    // One object per upload: its key names the Process Monitor monitor a failure is read from.
    const key = `${input.packageKey.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120)}-${randomUUID()}.zip`;
    const zip = new yazl.ZipFile();
    const output = zip.outputStream as Readable;
    const failed = new AbortController();
    // Whichever side fails first explains the failure; the other side fails because of it.
    let first: { readonly error: unknown } | undefined;
    const written = writePackage(
      zip,
      { ...input, now: this.options.clock.now() },
      failed.signal,
    ).catch((e: unknown) => {
      first ??= { error: e };
      output.destroy(ensureError(e));
      throw e;
    });
    const uploaded = uploadPackage(
      this.client,
      { bucket: this.bucket, key, folderRef: input.folderRef },
      output,
      this.partBytes,
    ).catch((e: unknown) => {
      first ??= { error: e };
      failed.abort(ensureError(e));
      throw e;
    });
    const [, upload] = await Promise.allSettled([written, uploaded]);
    if (first !== undefined) throw first.error;
    if (upload.status === 'rejected') throw upload.reason;
    return { progressToken: `${key}${TOKEN_SEPARATOR}${upload.value}` };
  }

  async ingestStatus(progressToken: string): Promise<IngestState> {
    const at = progressToken.indexOf(TOKEN_SEPARATOR);
    const key = at < 0 ? undefined : progressToken.slice(0, at);
    const token = at < 0 ? progressToken : progressToken.slice(at + 1);
    const doc = await this.client.xml(
      {
        family: 'entity',
        method: 'GET',
        path: `${ENTITY}/progress/${encodeURIComponent(token)}`,
        endpoint: 'GET /api/entity/progress/:token',
        resource: { what: 'Preservica ingest', id: token },
      },
      ingestStatusSchema,
    );
    switch (doc.StatusResponse.Status) {
      case 'PENDING':
        return { state: 'pending' };
      case 'ACTIVE':
        return { state: 'active' };
      case 'COMPLETED':
        return { state: 'completed' };
      case 'FAILED':
        return { state: 'failed', reason: (await this.failureOf(key)) ?? GENERIC_FAILURE };
    }
  }

  async findAsset(reference: string): Promise<PreservedAsset | undefined> {
    const entity = await this.readIo(reference).catch((e: unknown) => {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    });
    if (entity === undefined) return undefined;
    const identifiers = await this.client.xml(
      {
        family: 'entity',
        method: 'GET',
        path: `${ioPath(reference)}/identifiers`,
        endpoint: 'GET /api/entity/information-objects/:ref/identifiers',
        query: { max: '1000' },
        resource: { what: 'Preserved asset', id: reference },
      },
      identifiersSchema,
    );
    const io = entity.EntityResponse.InformationObject;
    return {
      reference: io.Ref,
      assetId: identifiers.IdentifiersResponse.Identifiers.Identifier.find(
        (i) => i.Type === ASSET_ID_TYPE,
      )?.Value,
      title: io.Title,
      securityTag: io.SecurityTag,
      folderRef: io.Parent === undefined || io.Parent === '' ? undefined : io.Parent,
    };
  }

  async findByAssetId(assetId: string): Promise<PreservedAsset | undefined> {
    const found = await this.client.xml(
      {
        family: 'entity',
        method: 'GET',
        path: `${ENTITY}/entities/by-identifier`,
        endpoint: 'GET /api/entity/entities/by-identifier',
        query: { type: ASSET_ID_TYPE, value: assetId },
      },
      entitiesSchema,
    );
    const io = found.EntitiesResponse.Entities.Entity.find((e) => e['@type'] === 'IO');
    return io === undefined ? undefined : this.findAsset(io['@ref']);
  }

  /**
   * Title and caption as the entity carries them (what Preservica shows, and archivists edit);
   * keywords, credit and rights from the Lightdesk fragment (empty without one).
   */
  async readMetadata(reference: string): Promise<PreservedMetadata> {
    const entity = await this.readIo(reference);
    const fragment = await this.readLightdeskFragment(reference, entity);
    const io = entity.EntityResponse.InformationObject;
    return {
      title: io.Title,
      caption: io.Description ?? fragment?.metadata.caption ?? '',
      keywords: fragment?.metadata.keywords ?? [],
      credit: fragment?.metadata.credit ?? '',
      rights: fragment?.metadata.rights ?? '',
    };
  }

  async writeMetadata(reference: string, fields: Partial<PreservedMetadata>): Promise<void> {
    const entity = await this.readIo(reference);
    const io = entity.EntityResponse.InformationObject;
    const fragment = await this.readLightdeskFragment(reference, entity);
    if (fields.title !== undefined || fields.caption !== undefined) {
      await this.saveIo(io, {
        title: fields.title ?? io.Title,
        description: fields.caption ?? io.Description ?? '',
      });
    }
    const current: PreservedMetadata = fragment?.metadata ?? {
      title: io.Title,
      caption: io.Description ?? '',
      keywords: [],
      credit: '',
      rights: '',
    };
    const merged: PreservedMetadata = { ...current, ...definedOnly(fields) };
    const assetId =
      fragment === undefined || fragment.assetId === ''
        ? ((await this.findAsset(reference))?.assetId ?? '')
        : fragment.assetId;
    const content = fragmentXml(assetId, merged, fragment?.provenance ?? {});
    const container = (ref: string | undefined) =>
      `<MetadataContainer xmlns="${XIP_API_NS}" schemaUri="${LIGHTDESK_NS}">${ref === undefined ? '' : el('Ref', ref)}${el('Entity', reference)}<Content>${content}</Content></MetadataContainer>`;
    if (fragment === undefined) {
      await this.client.send({
        family: 'entity',
        method: 'POST',
        path: `${ioPath(reference)}/metadata`,
        endpoint: 'POST /api/entity/information-objects/:ref/metadata',
        headers: { 'content-type': 'application/xml;charset=UTF-8' },
        body: container(undefined),
        resource: { what: 'Preserved asset', id: reference },
      });
      return;
    }
    await this.client.send({
      family: 'entity',
      method: 'PUT',
      path: `${ioPath(reference)}/metadata/${encodeURIComponent(fragment.ref)}`,
      endpoint: 'PUT /api/entity/information-objects/:ref/metadata/:fragment',
      headers: { 'content-type': 'application/xml;charset=UTF-8' },
      body: container(fragment.ref),
      resource: { what: 'Preserved asset', id: reference },
    });
  }

  /**
   * The preserved original: the first content object of the Preservation representation (where
   * ingest put it), its original generation, that generation's bitstream, streamed.
   */
  async openOriginal(reference: string): Promise<PreservedFile> {
    const resource = { what: 'Preserved asset', id: reference };
    const reps = await this.client.xml(
      {
        family: 'entity',
        method: 'GET',
        path: `${ioPath(reference)}/representations`,
        endpoint: 'GET /api/entity/information-objects/:ref/representations',
        resource,
      },
      representationsSchema,
    );
    const preservation = reps.RepresentationsResponse.Representations.Representation.find(
      (r) => r['@type'] === 'Preservation',
    );
    if (preservation === undefined) throw new NotFoundError('Preserved original of', reference);
    const rep = await this.client.xml(
      {
        family: 'entity',
        method: 'GET',
        path: `${ioPath(reference)}/representations/Preservation/${encodeURIComponent(lastSegment(preservation['#text']))}`,
        endpoint: 'GET /api/entity/information-objects/:ref/representations/:type/:index',
        resource,
      },
      representationSchema,
    );
    const coRef = rep.RepresentationResponse.Representation.ContentObjects.ContentObject[0];
    if (coRef === undefined) throw new NotFoundError('Preserved original of', reference);
    const coPath = `${ENTITY}/content-objects/${encodeURIComponent(coRef)}`;
    const generations = await this.client.xml(
      {
        family: 'entity',
        method: 'GET',
        path: `${coPath}/generations`,
        endpoint: 'GET /api/entity/content-objects/:ref/generations',
        resource,
      },
      generationsSchema,
    );
    let chosen: { path: string; bitstreams: string[] } | undefined;
    for (const link of generations.GenerationsResponse.Generations.Generation) {
      const path = `${coPath}/generations/${encodeURIComponent(lastSegment(link['#text']))}`;
      const generation = await this.client.xml(
        {
          family: 'entity',
          method: 'GET',
          path,
          endpoint: 'GET /api/entity/content-objects/:ref/generations/:index',
          resource,
        },
        generationSchema,
      );
      const bitstreams = generation.GenerationResponse.Bitstreams.Bitstream.map((b) =>
        lastSegment(b['#text']),
      );
      chosen ??= { path, bitstreams };
      // The generation ingested is the original; later ones are migrations.
      if (generation.GenerationResponse.Generation['@original'] !== 'false') {
        chosen = { path, bitstreams };
        break;
      }
    }
    const index = chosen?.bitstreams[0];
    if (chosen === undefined || index === undefined) {
      throw new NotFoundError('Preserved original of', reference);
    }
    const bitstreamPath = `${chosen.path}/bitstreams/${encodeURIComponent(index)}`;
    const bitstream = await this.client.xml(
      {
        family: 'entity',
        method: 'GET',
        path: bitstreamPath,
        endpoint: 'GET /api/entity/content-objects/:ref/generations/:index/bitstreams/:n',
        resource,
      },
      bitstreamSchema,
    );
    const body = await this.download({
      family: 'entity',
      method: 'GET',
      path: `${bitstreamPath}/content`,
      endpoint: 'GET /api/entity/content-objects/:ref/generations/:index/bitstreams/:n/content',
      resource,
    });
    return {
      fileName: bitstream.BitstreamResponse.Bitstream.Filename,
      size: bitstream.BitstreamResponse.Bitstream.FileSize,
      body,
    };
  }

  /**
   * Makes sure Preservica posts `triggers` to `url`, one subscription per trigger (the API takes
   * one triggerType). Preservica proves `url` by a challenge first. Secrets are never shown back
   * [INF], so a subscription to `url` for a trigger is taken to use `secret`.
   */
  async ensureWebhook(
    url: string,
    secret: string,
    triggers: readonly string[] = DEFAULT_TRIGGERS,
  ): Promise<'created' | 'unchanged'> {
    this.health.clear();
    const existing = await this.client.json(
      {
        family: 'json',
        method: 'GET',
        path: '/api/webhook/subscriptions',
        endpoint: 'GET /api/webhook/subscriptions',
      },
      subscriptionsSchema,
    );
    let created = false;
    for (const trigger of triggers) {
      if (existing.some((s) => s.url === url && s.triggerType === trigger)) continue;
      await this.client.json(
        {
          family: 'json',
          method: 'POST',
          path: '/api/webhook/subscriptions',
          endpoint: 'POST /api/webhook/subscriptions',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url, triggerType: trigger, secret, includeIdentifiers: true }),
        },
        subscriptionSchema,
      );
      created = true;
    }
    return created ? 'created' : 'unchanged';
  }

  /** Whether Preservica answers this login, in our words; never throws. Reused for 15 s. */
  async checkHealth(): Promise<PreservicaHealth> {
    const cached = this.health.get('health');
    if (cached !== undefined) return cached;
    let checked: PreservicaHealth;
    try {
      const doc = await this.client.xml(
        {
          family: 'entity',
          method: 'GET',
          path: `${ENTITY}/versiondetails/version`,
          endpoint: 'GET /api/entity/versiondetails/version',
        },
        versionSchema,
      );
      const version = doc.VersionDetailsResponse.CurrentVersion;
      checked = { ok: true, detail: `Preservica ${version} answers`, version };
    } catch (e: unknown) {
      checked = {
        ok: false,
        detail:
          e instanceof AuthError
            ? 'Preservica refused the login'
            : e instanceof ValidationError
              ? 'Preservica answered in a way Lightdesk does not understand'
              : 'Preservica did not answer',
        version: undefined,
      };
    }
    this.health.set('health', checked);
    return checked;
  }

  private readIo(reference: string) {
    return this.client.xml(
      {
        family: 'entity',
        method: 'GET',
        path: ioPath(reference),
        endpoint: 'GET /api/entity/information-objects/:ref',
        resource: { what: 'Preserved asset', id: reference },
      },
      informationObjectSchema,
    );
  }

  /** Changes the entity's title and description (the only fields this PUT changes). */
  private async saveIo(
    io: WireEntity,
    change: { readonly title: string; readonly description: string },
  ): Promise<void> {
    await this.client.send({
      family: 'entity',
      method: 'PUT',
      path: ioPath(io.Ref),
      endpoint: 'PUT /api/entity/information-objects/:ref',
      headers: { 'content-type': 'application/xml;charset=UTF-8' },
      body: `<InformationObject xmlns="${XIP_API_NS}">${el('Ref', io.Ref)}${el('Title', change.title)}${el('Description', change.description)}${el('SecurityTag', io.SecurityTag)}${io.Parent === undefined ? '' : el('Parent', io.Parent)}</InformationObject>`,
      resource: { what: 'Preserved asset', id: io.Ref },
    });
  }

  /** The asset's Lightdesk fragment (its ref and content), when it has one. */
  private async readLightdeskFragment(
    reference: string,
    entity: Awaited<ReturnType<PreservicaArchive['readIo']>>,
  ): Promise<(LightdeskFragment & { readonly ref: string }) | undefined> {
    const link = entity.EntityResponse.AdditionalInformation.Metadata?.Fragment.find(
      (f) => f['@schema'] === LIGHTDESK_NS,
    );
    if (link === undefined) return undefined;
    // The link's last segment is the fragment's ref; the URL is rebuilt on our base, so the token
    // only ever goes to the configured server.
    const ref = lastSegment(link['#text']);
    const doc = await this.client.xml(
      {
        family: 'entity',
        method: 'GET',
        path: `${ioPath(reference)}/metadata/${encodeURIComponent(ref)}`,
        endpoint: 'GET /api/entity/information-objects/:ref/metadata/:fragment',
        resource: { what: 'Preserved asset', id: reference },
      },
      fragmentSchema,
    );
    const fragment = readFragment(doc.MetadataResponse.MetadataContainer.Content);
    if (fragment === undefined) {
      throw new ValidationError(`Preservica metadata fragment ${ref} of ${reference}`, [
        'Content: not a Lightdesk fragment',
      ]);
    }
    return { ...fragment, ref };
  }

  /**
   * Why an ingest failed, from the Process Monitor: the `Error` messages of the monitor named
   * after the upload's object key; undefined when Preservica says nothing.
   */
  private async failureOf(key: string | undefined): Promise<string | undefined> {
    if (key === undefined) return undefined;
    const monitors = await this.client.json(
      {
        family: 'json',
        method: 'GET',
        path: '/api/processmonitor/monitors',
        endpoint: 'GET /api/processmonitor/monitors',
        query: { name: key, category: 'Ingest' },
      },
      monitorsSchema,
    );
    // [INF] `name` may match part of a name: only the exact one is this upload's.
    const monitor = monitors.value.monitors.find((m) => m.name === key);
    if (monitor === undefined) return undefined;
    const messages = await this.client.json(
      {
        family: 'json',
        method: 'GET',
        path: '/api/processmonitor/messages',
        endpoint: 'GET /api/processmonitor/messages',
        query: { monitor: monitor.mappedId, status: 'Error' },
      },
      messagesSchema,
    );
    const said = messages.value.messages
      .filter((m) => m.status === 'Error')
      .map((m) => m.displayMessage ?? m.message ?? '')
      .filter((m) => m.trim() !== '');
    return said.length === 0 ? undefined : said.join('; ').slice(0, 2000);
  }

  /** A streamed download: retried (and re-authorised) until the headers arrive, then the body. */
  private async download(
    call: Parameters<PreservicaClient['send']>[0],
  ): Promise<AsyncIterable<Uint8Array>> {
    const opened = await this.client.authorized(call.family, (token) =>
      this.client.http.repeat(
        { endpoint: call.endpoint },
        () => this.openStream(this.client.request(call, token)),
        (outcome) => ({
          retry: outcome.kind === 'failure' || outcome.status === 429 || outcome.status >= 500,
          retryAfterMs:
            outcome.kind === 'response'
              ? this.client.http.retryAfterMs(outcome.headers.get('retry-after'))
              : undefined,
        }),
      ),
    );
    if (opened.kind === 'failure') {
      throw new UpstreamError(SERVICE, `${call.endpoint} failed before an answer arrived`, {
        cause: opened.cause,
      });
    }
    if (opened.stream === undefined) throw this.client.errorFor(call, opened);
    return readChunks(opened.stream);
  }

  private async openStream(
    request: ReturnType<PreservicaClient['request']>,
  ): Promise<
    | (Answer & { readonly stream?: ReadableStream<Uint8Array> | undefined })
    | { readonly kind: 'failure'; readonly reason: 'network' | 'timeout'; readonly cause: Error }
  > {
    const send = this.options.fetch ?? globalThis.fetch;
    const aborter = new AbortController();
    // Only the wait for the headers is timed; the body streams as fast as the caller reads it.
    const timer = setTimeout(() => aborter.abort(), this.options.timeoutMs ?? 30_000);
    try {
      const response = await send(request.url, {
        method: request.method,
        headers: request.headers,
        redirect: 'manual',
        signal: aborter.signal,
      });
      clearTimeout(timer);
      if (response.ok && response.body !== null) {
        return {
          kind: 'response',
          status: response.status,
          headers: response.headers,
          body: '',
          stream: response.body,
        };
      }
      return {
        kind: 'response',
        status: response.status,
        headers: response.headers,
        body: await response.text(),
      };
    } catch (e: unknown) {
      clearTimeout(timer);
      const cause = ensureError(e);
      return {
        kind: 'failure',
        reason: cause.name === 'AbortError' ? 'timeout' : 'network',
        cause,
      };
    }
  }
}

function definedOnly(fields: Partial<PreservedMetadata>): Partial<PreservedMetadata> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

async function* readChunks(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    while (!done) {
      const next = await reader.read();
      done = next.done;
      if (!next.done) yield next.value;
    }
  } finally {
    // A reader that stops early lets go of the connection.
    if (!done) await reader.cancel().catch(() => undefined);
  }
}
