import { z } from 'zod';

import { SimError } from '../kit/errors.js';
import {
  nextPage,
  pageOf,
  type PvReply,
  type PvRequest,
  type PvRoute,
  xmlReply,
} from './context.js';
import {
  type EntityRecord,
  type EntityStore,
  type EntityType,
  type FragmentRecord,
  type IdentifierRecord,
  SECURITY_TAGS,
} from './store.js';
import {
  API_VERSION,
  el,
  entityDoc,
  esc,
  metadataContents,
  parseXml,
  STATUS_NS,
  textOf,
  XML_HEADER,
} from './xml.js';

// The Entity API (XML) under /api/entity and /api/entity/v7.7 (docs/preservica-simulator.md;
// reference: Preservica's entityAPI.py in pyPreservica and the Swagger at /api/entity/documentation.html).

export interface EntityHost {
  store(): EntityStore;
  now(): Date;
  /** A move's progress token; the move itself is applied at once. */
  startMove(): string;
  /** Status of a progress token (ingest or move), or undefined when unknown. */
  progressStatus(token: string): string | undefined;
  /** The entity changed (saved soon; webhooks for the trigger, if any). */
  changed(trigger?: 'MOVED' | 'CHANGED_SECURITY_DESCRIPTOR', entity?: EntityRecord): void;
}

const KINDS: Readonly<Record<string, EntityType>> = {
  'information-objects': 'IO',
  'structural-objects': 'SO',
  'content-objects': 'CO',
};

const ELEMENT: Readonly<Record<EntityType, string>> = {
  IO: 'InformationObject',
  SO: 'StructuralObject',
  CO: 'ContentObject',
};

export function kindPath(type: EntityType): string {
  return type === 'IO'
    ? 'information-objects'
    : type === 'SO'
      ? 'structural-objects'
      : 'content-objects';
}

const BAD_XML = new SimError(400, 'BadRequest', 'The request body is not well-formed XML');

const xmlText = z.preprocess((v) => textOf(v), z.string());
const optionalText = z.preprocess((v) => textOf(v), z.string().optional());

const entityBodySchema = z.object({
  Ref: optionalText,
  Title: optionalText,
  Description: optionalText,
  SecurityTag: optionalText,
  Parent: optionalText,
  CustomType: optionalText,
});

const identifierBodySchema = z.object({
  Identifier: z.object({ Type: xmlText, Value: xmlText, Entity: optionalText }),
});

const metadataBodySchema = z.object({
  MetadataContainer: z.object({
    '@schemaUri': z.string().min(1),
    Entity: optionalText,
    Ref: optionalText,
  }),
});

function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new SimError(400, 'BadRequest', z.prettifyError(result.error));
  return result.data;
}

async function xmlBody(req: PvRequest): Promise<{ text: string; doc: Record<string, unknown> }> {
  const text = (await req.body()).toString('utf8');
  return { text, doc: parseXml(text, BAD_XML) };
}

function entityUrl(req: PvRequest, entity: EntityRecord): string {
  return `${req.entityBase}/${kindPath(entity.type)}/${entity.ref}`;
}

function entityXml(entity: EntityRecord): string {
  const name = `xip:${ELEMENT[entity.type]}`;
  return `<${name}>${el('xip:Ref', entity.ref)}${el('xip:Title', entity.title)}${el('xip:Description', entity.description)}${el('xip:SecurityTag', entity.securityTag)}${entity.customType === undefined ? '' : el('xip:CustomType', entity.customType)}${entity.parent === null ? '' : el('xip:Parent', entity.parent)}</${name}>`;
}

function fragmentUrl(req: PvRequest, entity: EntityRecord, fragment: FragmentRecord): string {
  return `${entityUrl(req, entity)}/metadata/${fragment.ref}`;
}

function entityResponse(req: PvRequest, store: EntityStore, entity: EntityRecord): string {
  const self = entityUrl(req, entity);
  const parent = entity.parent === null ? undefined : store.get(entity.parent);
  const fragments = store
    .fragmentsOf(entity.ref)
    .map(
      (f) =>
        `<Fragment schema="${esc(f.schemaUri)}">${esc(fragmentUrl(req, entity, f))}</Fragment>`,
    )
    .join('');
  const extra =
    entity.type === 'SO'
      ? el('Children', `${self}/children`)
      : entity.type === 'IO'
        ? el('Representations', `${self}/representations`)
        : el('Generations', `${self}/generations`);
  return entityDoc(
    'EntityResponse',
    `${entityXml(entity)}<AdditionalInformation>${el('Self', self)}${parent === undefined ? '' : el('Parent', entityUrl(req, parent))}${el('Identifiers', `${self}/identifiers`)}${el('Links', `${self}/links`)}${fragments === '' ? '' : `<Metadata>${fragments}</Metadata>`}${extra}</AdditionalInformation>`,
  );
}

function identifierXml(identifier: IdentifierRecord): string {
  return `<xip:Identifier>${el('xip:ApiId', identifier.apiId)}${el('xip:Type', identifier.type)}${el('xip:Value', identifier.value)}${el('xip:Entity', identifier.entityRef)}</xip:Identifier>`;
}

function metadataResponse(req: PvRequest, entity: EntityRecord, fragment: FragmentRecord): string {
  return entityDoc(
    'MetadataResponse',
    `<xip:MetadataContainer schemaUri="${esc(fragment.schemaUri)}">${el('xip:Ref', fragment.ref)}${el('xip:Entity', entity.ref)}<xip:Content>${fragment.content}</xip:Content></xip:MetadataContainer><AdditionalInformation>${el('Self', fragmentUrl(req, entity, fragment))}</AdditionalInformation>`,
  );
}

function entitiesPage(
  req: PvRequest,
  root: string,
  entities: readonly EntityRecord[],
  child: string,
): PvReply {
  const { start, max } = pageOf(req.query);
  const items = entities
    .slice(start, start + max)
    .map(
      (e) =>
        `<${child} title="${esc(e.title)}" ref="${e.ref}" type="${e.type}">${esc(entityUrl(req, e))}</${child}>`,
    )
    .join('');
  const next = nextPage(req, start, max, entities.length);
  const list = child === 'Child' ? 'Children' : 'Entities';
  return xmlReply(
    200,
    entityDoc(
      root,
      `<${list}>${items}</${list}><Paging>${next === undefined ? '' : el('Next', next)}${el('TotalResults', entities.length)}</Paging><AdditionalInformation>${el('Self', `${req.base}${req.path}`)}</AdditionalInformation>`,
    ),
  );
}

function requireTag(tag: string | undefined): string {
  const value = tag === undefined || tag === '' ? 'open' : tag;
  if (!(SECURITY_TAGS as readonly string[]).includes(value)) {
    throw new SimError(400, 'BadRequest', `Unknown security tag: ${value}`);
  }
  return value;
}

function representationUrl(req: PvRequest, ioRef: string, type: string, index: number): string {
  return `${req.entityBase}/information-objects/${ioRef}/representations/${type}/${index}`;
}

function generationUrl(req: PvRequest, coRef: string, index: number): string {
  return `${req.entityBase}/content-objects/${coRef}/generations/${index}`;
}

function requireIndex(text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new SimError(404, 'NotFound', `No such index: ${text ?? ''}`);
  return n;
}

/** The Entity API routes, each registered with and without the `/v7.7` version segment. */
export function entityRoutes(host: EntityHost): PvRoute[] {
  const routes: Omit<PvRoute, 'family' | 'auth'>[] = [];
  const store = (): EntityStore => host.store();

  for (const [kind, type] of Object.entries(KINDS)) {
    const find = (ref: string | undefined): EntityRecord => store().require(type, ref ?? '');
    routes.push(
      {
        method: 'GET',
        template: `/${kind}/:ref`,
        handler: (req, p) => xmlReply(200, entityResponse(req, store(), find(p['ref']))),
      },
      {
        method: 'PUT',
        template: `/${kind}/:ref`,
        handler: async (req, p) => {
          const entity = find(p['ref']);
          const { doc } = await xmlBody(req);
          const body = parseBody(entityBodySchema, doc[ELEMENT[type]]);
          if (body.Ref !== undefined && body.Ref !== entity.ref) {
            throw new SimError(400, 'BadRequest', `The Ref in the body is not ${entity.ref}`);
          }
          // Only the title and description change through this call (entityAPI.py save()).
          if (body.Title !== undefined) entity.title = body.Title;
          if (body.Description !== undefined) entity.description = body.Description;
          store().touch(entity);
          host.changed();
          return xmlReply(200, entityResponse(req, store(), entity));
        },
      },
      {
        method: 'PUT',
        template: `/${kind}/:ref/parent-ref`,
        handler: async (req, p) => {
          const entity = find(p['ref']);
          const target = (await req.body()).toString('utf8').trim();
          if (type === 'CO')
            throw new SimError(400, 'BadRequest', 'Content objects cannot be moved');
          const parent = target === '@root@' ? null : target;
          if (parent === null && type !== 'SO') {
            throw new SimError(400, 'BadRequest', 'Only folders can be moved to the root');
          }
          if (parent !== null) {
            store().require('SO', parent);
            for (
              let at: string | null = parent;
              at !== null;
              at = store().get(at)?.parent ?? null
            ) {
              if (at === entity.ref)
                throw new SimError(400, 'BadRequest', 'Cannot move a folder into itself');
            }
          }
          entity.parent = parent;
          store().touch(entity);
          host.changed('MOVED', entity);
          // [INF] the 202 body is the progress token as plain text.
          return {
            status: 202,
            headers: { 'content-type': 'text/plain;charset=UTF-8' },
            body: host.startMove(),
          };
        },
      },
      {
        method: 'GET',
        template: `/${kind}/:ref/identifiers`,
        handler: (req, p) => {
          const entity = find(p['ref']);
          const all = store().identifiersOf(entity.ref);
          const { start, max } = pageOf(req.query);
          const next = nextPage(req, start, max, all.length);
          return xmlReply(
            200,
            entityDoc(
              'IdentifiersResponse',
              `<Identifiers>${all
                .slice(start, start + max)
                .map(identifierXml)
                .join(
                  '',
                )}</Identifiers><Paging>${next === undefined ? '' : el('Next', next)}${el('TotalResults', all.length)}</Paging><AdditionalInformation>${el('Self', `${entityUrl(req, entity)}/identifiers`)}</AdditionalInformation>`,
            ),
          );
        },
      },
      {
        method: 'POST',
        template: `/${kind}/:ref/identifiers`,
        handler: async (req, p) => {
          const entity = find(p['ref']);
          const body = parseBody(identifierBodySchema, (await xmlBody(req)).doc);
          if (body.Identifier.Type === '' || body.Identifier.Value === '') {
            throw new SimError(400, 'BadRequest', 'An identifier needs a Type and a Value');
          }
          const record = store().addIdentifier(
            entity.ref,
            body.Identifier.Type,
            body.Identifier.Value,
          );
          store().touch(entity);
          host.changed();
          return xmlReply(200, entityDoc('IdentifiersResponse', identifierXml(record)));
        },
      },
      {
        method: 'PUT',
        template: `/${kind}/:ref/identifiers/:apiId`,
        handler: async (req, p) => {
          const entity = find(p['ref']);
          const record = store().requireIdentifier(entity.ref, p['apiId'] ?? '');
          const body = parseBody(identifierBodySchema, (await xmlBody(req)).doc);
          record.type = body.Identifier.Type;
          record.value = body.Identifier.Value;
          store().touch(entity);
          host.changed();
          return xmlReply(200, entityDoc('IdentifiersResponse', identifierXml(record)));
        },
      },
      {
        method: 'DELETE',
        template: `/${kind}/:ref/identifiers/:apiId`,
        handler: (_req, p) => {
          const entity = find(p['ref']);
          store().deleteIdentifier(store().requireIdentifier(entity.ref, p['apiId'] ?? ''));
          store().touch(entity);
          host.changed();
          return { status: 204 };
        },
      },
      {
        method: 'POST',
        template: `/${kind}/:ref/metadata`,
        handler: async (req, p) => {
          const entity = find(p['ref']);
          const { text, doc } = await xmlBody(req);
          const body = parseBody(metadataBodySchema, doc);
          if (
            body.MetadataContainer.Entity !== undefined &&
            body.MetadataContainer.Entity !== entity.ref
          ) {
            throw new SimError(400, 'BadRequest', `The Entity in the body is not ${entity.ref}`);
          }
          const content = metadataContents(text)[0] ?? '';
          const fragment = store().addFragment(
            entity.ref,
            body.MetadataContainer['@schemaUri'],
            content,
          );
          store().touch(entity);
          host.changed();
          return xmlReply(200, metadataResponse(req, entity, fragment));
        },
      },
      {
        method: 'GET',
        template: `/${kind}/:ref/metadata/:fragment`,
        handler: (req, p) => {
          const entity = find(p['ref']);
          return xmlReply(
            200,
            metadataResponse(req, entity, store().requireFragment(entity.ref, p['fragment'] ?? '')),
          );
        },
      },
      {
        method: 'PUT',
        template: `/${kind}/:ref/metadata/:fragment`,
        handler: async (req, p) => {
          const entity = find(p['ref']);
          const fragment = store().requireFragment(entity.ref, p['fragment'] ?? '');
          const { text, doc } = await xmlBody(req);
          const body = parseBody(metadataBodySchema, doc);
          if (
            body.MetadataContainer.Ref !== undefined &&
            body.MetadataContainer.Ref !== fragment.ref
          ) {
            throw new SimError(400, 'BadRequest', `The Ref in the body is not ${fragment.ref}`);
          }
          fragment.schemaUri = body.MetadataContainer['@schemaUri'];
          fragment.content = metadataContents(text)[0] ?? '';
          store().touch(entity);
          host.changed();
          return xmlReply(200, metadataResponse(req, entity, fragment));
        },
      },
      {
        method: 'DELETE',
        template: `/${kind}/:ref/metadata/:fragment`,
        handler: (_req, p) => {
          const entity = find(p['ref']);
          store().deleteFragment(store().requireFragment(entity.ref, p['fragment'] ?? ''));
          store().touch(entity);
          host.changed();
          return { status: 204 };
        },
      },
    );
  }

  routes.push(
    {
      method: 'POST',
      template: '/structural-objects',
      handler: async (req) => {
        const { doc } = await xmlBody(req);
        const body = parseBody(entityBodySchema, doc['StructuralObject']);
        const parent = body.Parent === undefined || body.Parent === '' ? null : body.Parent;
        if (parent !== null) store().require('SO', parent);
        const entity = store().add({
          ref: body.Ref === undefined || body.Ref === '' ? store().newRef() : body.Ref,
          type: 'SO',
          title: body.Title ?? '',
          description: body.Description ?? '',
          securityTag: requireTag(body.SecurityTag),
          parent,
        });
        host.changed();
        return xmlReply(200, entityResponse(req, store(), entity));
      },
    },
    {
      method: 'GET',
      template: '/root/children',
      handler: (req) => entitiesPage(req, 'ChildrenResponse', store().children(null), 'Child'),
    },
    {
      method: 'GET',
      template: '/structural-objects/:ref/children',
      handler: (req, p) => {
        const folder = store().require('SO', p['ref'] ?? '');
        return entitiesPage(req, 'ChildrenResponse', store().children(folder.ref), 'Child');
      },
    },
    {
      method: 'GET',
      template: '/entities/by-identifier',
      handler: (req) => {
        const type = req.query.get('type');
        const value = req.query.get('value');
        if (type === null || value === null) {
          throw new SimError(400, 'BadRequest', 'type and value are required');
        }
        return entitiesPage(req, 'EntitiesResponse', store().byIdentifier(type, value), 'Entity');
      },
    },
    {
      method: 'GET',
      template: '/entities/updated-since',
      handler: (req) => {
        const date = Date.parse(req.query.get('date') ?? '');
        if (Number.isNaN(date))
          throw new SimError(400, 'BadRequest', 'date must be an ISO 8601 date');
        const updated = store()
          .all()
          .filter((e) => Date.parse(e.modifiedAt) >= date)
          .sort((a, b) => a.modifiedAt.localeCompare(b.modifiedAt));
        return entitiesPage(req, 'EntitiesResponse', updated, 'Entity');
      },
    },
    {
      method: 'GET',
      template: '/information-objects/:ref/representations',
      handler: (req, p) => {
        const io = store().require('IO', p['ref'] ?? '');
        const items = store()
          .representationsOf(io.ref)
          .map(
            (r) =>
              `<Representation type="${esc(r.type)}" name="${esc(r.name)}">${esc(representationUrl(req, io.ref, r.type, r.index))}</Representation>`,
          )
          .join('');
        return xmlReply(
          200,
          entityDoc(
            'RepresentationsResponse',
            `<Representations>${items}</Representations><AdditionalInformation>${el('Self', `${entityUrl(req, io)}/representations`)}</AdditionalInformation>`,
          ),
        );
      },
    },
    {
      method: 'GET',
      template: '/information-objects/:ref/representations/:type/:index',
      handler: (req, p) => {
        const io = store().require('IO', p['ref'] ?? '');
        const index = requireIndex(p['index']);
        const rep = store()
          .representationsOf(io.ref)
          .find(
            (r) => r.type.toLowerCase() === (p['type'] ?? '').toLowerCase() && r.index === index,
          );
        if (rep === undefined) throw new SimError(404, 'NotFound', 'Representation not found');
        const cos = rep.contentObjects.map((ref) => el('xip:ContentObject', ref)).join('');
        const links = rep.contentObjects
          .map((ref) => store().get(ref))
          .filter((co) => co !== undefined)
          .map(
            (co) =>
              `<ContentObject ref="${co.ref}" title="${esc(co.title)}">${esc(entityUrl(req, co))}</ContentObject>`,
          )
          .join('');
        return xmlReply(
          200,
          entityDoc(
            'RepresentationResponse',
            `<xip:Representation>${el('xip:InformationObject', io.ref)}${el('xip:Name', rep.name)}${el('xip:Type', rep.type)}<xip:ContentObjects>${cos}</xip:ContentObjects></xip:Representation><ContentObjects>${links}</ContentObjects><AdditionalInformation>${el('Self', representationUrl(req, io.ref, rep.type, rep.index))}</AdditionalInformation>`,
          ),
        );
      },
    },
    {
      method: 'GET',
      template: '/content-objects/:ref/generations',
      handler: (req, p) => {
        const co = store().require('CO', p['ref'] ?? '');
        const items = store()
          .generationsOf(co.ref)
          .map(
            (g) =>
              `<Generation active="${g.active}">${esc(generationUrl(req, co.ref, g.index))}</Generation>`,
          )
          .join('');
        return xmlReply(
          200,
          entityDoc(
            'GenerationsResponse',
            `<Generations>${items}</Generations><AdditionalInformation>${el('Self', `${entityUrl(req, co)}/generations`)}</AdditionalInformation>`,
          ),
        );
      },
    },
    {
      method: 'GET',
      template: '/content-objects/:ref/generations/:index',
      handler: (req, p) => {
        const co = store().require('CO', p['ref'] ?? '');
        const g = generationOf(store(), co.ref, p['index']);
        const url = generationUrl(req, co.ref, g.index);
        const formats = g.formats
          .map(
            (f) =>
              `<xip:Format>${el('xip:PUID', f.puid)}${el('xip:FormatName', f.name)}</xip:Format>`,
          )
          .join('');
        const names = g.bitstreams.map((b) => el('xip:Bitstream', b.filename)).join('');
        const links = g.bitstreams
          .map(
            (b, i) =>
              `<Bitstream filename="${esc(b.filename)}">${esc(`${url}/bitstreams/${i + 1}`)}</Bitstream>`,
          )
          .join('');
        return xmlReply(
          200,
          entityDoc(
            'GenerationResponse',
            `<xip:Generation original="${g.original}" active="${g.active}">${el('xip:ContentObject', co.ref)}${el('xip:Label', g.label)}${el('xip:FormatGroup', g.formatGroup)}${el('xip:EffectiveDate', g.effectiveDate)}<xip:Formats>${formats}</xip:Formats><xip:Bitstreams>${names}</xip:Bitstreams></xip:Generation><Bitstreams>${links}</Bitstreams><AdditionalInformation>${el('Self', url)}</AdditionalInformation>`,
          ),
        );
      },
    },
    {
      method: 'GET',
      template: '/content-objects/:ref/generations/:index/bitstreams/:n',
      handler: (req, p) => {
        const co = store().require('CO', p['ref'] ?? '');
        const g = generationOf(store(), co.ref, p['index']);
        const b = g.bitstreams[requireIndex(p['n']) - 1];
        if (b === undefined) throw new SimError(404, 'NotFound', 'Bitstream not found');
        const url = `${generationUrl(req, co.ref, g.index)}/bitstreams/${p['n'] ?? ''}`;
        const fixities = b.fixities
          .map(
            (f) =>
              `<xip:Fixity>${el('xip:FixityAlgorithmRef', f.algorithm)}${el('xip:FixityValue', f.value)}</xip:Fixity>`,
          )
          .join('');
        return xmlReply(
          200,
          entityDoc(
            'BitstreamResponse',
            `<xip:Bitstream>${el('xip:Filename', b.filename)}${el('xip:FileSize', b.size)}<xip:Fixities>${fixities}</xip:Fixities></xip:Bitstream><AdditionalInformation>${el('Self', url)}${el('Content', `${url}/content`)}</AdditionalInformation>`,
          ),
        );
      },
    },
    {
      method: 'GET',
      template: '/content-objects/:ref/generations/:index/bitstreams/:n/content',
      handler: (req, p) => {
        const co = store().require('CO', p['ref'] ?? '');
        const g = generationOf(store(), co.ref, p['index']);
        const b = g.bitstreams[requireIndex(p['n']) - 1];
        if (b === undefined) throw new SimError(404, 'NotFound', 'Bitstream not found');
        return fileReply(req, b.file, b.size, b.filename);
      },
    },
    {
      method: 'GET',
      template: '/progress/:token',
      handler: (_req, p) => {
        const status = host.progressStatus(p['token'] ?? '');
        if (status === undefined)
          throw new SimError(404, 'NotFound', `Unknown progress token: ${p['token'] ?? ''}`);
        // [INF] the root element's name; clients read {http://status.preservica.com}Status.
        return xmlReply(
          200,
          `${XML_HEADER}<StatusResponse xmlns="${STATUS_NS}">${el('Status', status)}</StatusResponse>`,
        );
      },
    },
    {
      method: 'GET',
      template: '/versiondetails/version',
      handler: () =>
        xmlReply(
          200,
          entityDoc('VersionDetailsResponse', el('CurrentVersion', `${API_VERSION}.0`)),
        ),
    },
  );

  return routes.flatMap((route) =>
    ['/api/entity', `/api/entity/v${API_VERSION}`].map((prefix) => ({
      ...route,
      template: `${prefix}${route.template}`,
      family: 'entity' as const,
      auth: 'user' as const,
    })),
  );
}

function generationOf(store: EntityStore, coRef: string, index: string | undefined) {
  const n = requireIndex(index);
  const found = store.generationsOf(coRef).find((g) => g.index === n);
  if (found === undefined) throw new SimError(404, 'NotFound', 'Generation not found');
  return found;
}

/**
 * A stored file's bytes with Range support (one range), or a 404 when only its hash was kept
 * (past the simulator's byte budget, docs/preservica-simulator.md).
 */
export function fileReply(
  req: PvRequest,
  file: string | null,
  size: number,
  filename: string,
): PvReply {
  if (file === null) {
    throw new SimError(
      404,
      'NotFound',
      `The content of ${filename} was not kept by the simulator (past its byte budget); only its size and hash are known`,
    );
  }
  const headers = {
    'content-type': 'application/octet-stream',
    'content-disposition': `attachment; filename="${filename.replace(/"/g, '')}"`,
    'accept-ranges': 'bytes',
  };
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers['range'] ?? '');
  if (range === null || (range[1] === '' && range[2] === '')) {
    return { status: 200, headers, file: { path: file, start: 0, end: size - 1 } };
  }
  let start: number;
  let end: number;
  if (range[1] === '') {
    start = Math.max(0, size - Number(range[2]));
    end = size - 1;
  } else {
    start = Number(range[1]);
    end = range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
  }
  if (start >= size || start > end) {
    throw new SimError(416, 'RangeNotSatisfiable', 'Range not satisfiable', {
      'content-range': `bytes */${size}`,
    });
  }
  return {
    status: 206,
    headers: { ...headers, 'content-range': `bytes ${start}-${end}/${size}` },
    file: { path: file, start, end },
  };
}
