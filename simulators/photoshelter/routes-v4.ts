import { type Authenticated, pageUrl, type RouteContext, type Slice, sliceOf } from './context.js';
import { isRecord } from '../kit/body.js';
import { Router } from '../kit/router.js';
import { type Reply, reply } from '../kit/http.js';
import { imageSize } from './files.js';
import { intParam, type SimRequest } from './http-util.js';
import type {
  CollectionRecord,
  CustomFieldRecord,
  GalleryRecord,
  ImageRecord,
  IptcPatch,
  Mode,
  PermissionRecord,
} from './library.js';
import { SimError } from '../kit/errors.js';
import { tokenOf } from './sessions.js';
import { formatPsTime, type Micros, parseFilterTime } from './time.js';

// PhotoShelter v4 (`/psapi/v4.0` [OFF], `/psapi/v4` in the WIP draft's links): JSON:API-like
// `{data, meta}` [WIP/OFF], errors as `{"errors":[{id,status,title,detail}]}` with a string status [WIP].

export function v4Error(status: number, id: string, title: string, detail?: string): Reply {
  const error = { id, status: String(status), title, ...(detail === undefined ? {} : { detail }) };
  // 401 comes with `WWW-Authenticate: Bearer` [WIP].
  return reply(
    status,
    { errors: [error] },
    status === 401 ? { 'www-authenticate': 'Bearer' } : undefined,
  );
}

export const V4_UNAUTHORIZED = (): Reply =>
  v4Error(401, 'AcsPermissionException', 'Invalid access to resource');

const V4_NOT_FOUND = (): Reply =>
  v4Error(
    404,
    'ResourceNotFoundException',
    'Resource not found',
    'The requested resource was not found.',
  );

class V4Failure extends SimError {}

const badRequest = (detail: string): never => {
  throw new V4Failure(400, '', detail);
};

// ---------------------------------------------------------------------------------------------------
// Resources

function mediaResource(ctx: RouteContext, image: ImageRecord): Record<string, unknown> {
  return {
    id: image.id,
    type: 'image',
    attributes: {
      file_name: image.fileName,
      file_size: image.fileSize,
      width: image.width,
      height: image.height,
      // `created_at` is the upload time; `modified_at` moves on upload, replace and edits (wire #9).
      created_at: formatPsTime(image.uploadedAt, ctx.timeZone),
      modified_at: formatPsTime(image.modifiedAt, ctx.timeZone),
      owner_id: ctx.users[0]?.userId ?? null,
      organization_id: ctx.orgs[0]?.id ?? null,
      rating: 0,
      searchable: true,
      model_released: false,
      property_released: false,
    },
    links: { self: `${ctx.baseUrl}/psapi/v4.0/media/${image.id}` },
  };
}

function galleryAttributes(ctx: RouteContext, g: GalleryRecord): Record<string, unknown> {
  return {
    name: g.name,
    description: g.description,
    mode: ctx.library.effectiveMode(g),
    native_mode: g.mode,
    f_list: g.isListed,
    display_order: g.displayOrder,
    created_at: formatPsTime(g.createdAt, ctx.timeZone),
    modified_at: formatPsTime(g.modifiedAt, ctx.timeZone),
  };
}

/** Permission [WIP]: `AR000…`, type contact|group|token|access_level|password. */
function permissionResource(ctx: RouteContext, p: PermissionRecord): Record<string, unknown> {
  return {
    id: p.id,
    type: p.type,
    attributes: {
      expires: p.expires === null ? null : formatPsTime(p.expires, ctx.timeZone),
      contact_id: p.contactId,
      email: p.email,
      token: p.token,
      // [INF] not in the draft; handy to see when a share was made.
      created_at: formatPsTime(p.createdAt, ctx.timeZone),
    },
  };
}

/** `include=` values land at `includes.<name>.data` [3P natlaqua]. */
function galleryResource(
  ctx: RouteContext,
  g: GalleryRecord,
  include: ReadonlySet<string>,
): Record<string, unknown> {
  const includes: Record<string, unknown> = {};
  if (include.has('permissions')) {
    includes.permissions = { data: g.permissions.map((p) => permissionResource(ctx, p)) };
  }
  if (include.has('parent')) {
    const parent = g.parentId === null ? undefined : ctx.library.collection(g.parentId);
    includes.parent = {
      data:
        parent === undefined
          ? null
          : { id: parent.id, type: 'collection', attributes: { name: parent.name } },
    };
  }
  if (include.has('child-count')) {
    const count = g.imageIds.length;
    includes['child-count'] = {
      data: { attributes: { images: count, videos: 0, audio: 0, documents: 0, total: count } },
    };
  }
  return {
    id: g.id,
    type: 'gallery',
    attributes: galleryAttributes(ctx, g),
    ...(Object.keys(includes).length === 0 ? {} : { includes }),
    links: { self: `${ctx.baseUrl}/psapi/v4.0/galleries/${g.id}` },
  };
}

const includesOf = (request: SimRequest): Set<string> =>
  new Set(
    (request.params.get('include') ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  );

/** `meta.paging = {total, page, first, last, next, prev}` and no more, full URLs [WIP]; next/prev only if they exist. */
function paged<T>(
  ctx: RouteContext,
  request: SimRequest,
  items: readonly T[],
  render: (item: T) => unknown,
): Reply {
  const page = intParam(request.params, 'page', 1, badRequest);
  const perPage = intParam(request.params, 'per_page', 1, badRequest);
  const slice: Slice = sliceOf(items.length, page, perPage);
  const link = (n: number) => pageUrl(ctx.baseUrl, request, n);
  const paging: Record<string, unknown> = {
    total: slice.total,
    page: slice.page,
    first: link(1),
    last: link(slice.pages),
  };
  if (slice.hasNext) paging.next = link(slice.page + 1);
  if (slice.page > 1) paging.prev = link(Math.min(slice.page - 1, slice.pages));
  return reply(200, {
    data: items.slice(slice.start, slice.end).map(render),
    meta: { paging },
  });
}

/** `asc|desc` (`sort_dir`) or `ascending|descending` (`sort_direction`): both spellings exist [WIP]. */
function isDescending(request: SimRequest, fallback: boolean): boolean {
  const value = (
    request.params.get('sort_direction') ??
    request.params.get('sort_dir') ??
    ''
  ).toLowerCase();
  if (value === '') return fallback;
  if (value === 'desc' || value === 'descending' || value === 'dsc') return true;
  if (value === 'asc' || value === 'ascending') return false;
  return badRequest(`Invalid sort direction: ${value}`);
}

function timeParam(request: SimRequest, name: string): Micros | undefined {
  const text = request.params.get(name);
  if (text === undefined || text.trim() === '') return undefined;
  return parseFilterTime(text) ?? badRequest(`Invalid ${name}: ${text}`);
}

// ---------------------------------------------------------------------------------------------------
// Handlers

/** #9: `GET /media` search [WIP params]. The window filters are inclusive at both ends [INF]. */
function listMedia(ctx: Authenticated, request: SimRequest): Reply {
  const orgId = request.params.get('org_id');
  const userId = request.params.get('user_id');
  if ((orgId ?? '') === '' && (userId ?? '') === '') {
    return badRequest('At least one of org_id or user_id is required.');
  }
  // One library per simulator: it belongs to every configured org and user [INF simplification].
  const owns =
    (orgId !== undefined && ctx.orgs.some((o) => o.id === orgId)) ||
    (userId !== undefined && ctx.users.some((u) => u.userId === userId));
  const modifyStart = timeParam(request, 'modify_start');
  const modifyEnd = timeParam(request, 'modify_end');
  const createStart = timeParam(request, 'create_start');
  const createEnd = timeParam(request, 'create_end');
  const terms = (request.params.get('terms') ?? '').trim().toLowerCase();
  const fileName = (request.params.get('file_name') ?? '').trim().toLowerCase();
  const galleries = (request.params.get('galleries') ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');

  let items: ImageRecord[] = [];
  if (owns) {
    const source =
      galleries.length === 0
        ? ctx.library.images.values()
        : [...new Set(galleries.flatMap((id) => ctx.library.gallery(id)?.imageIds ?? []))].flatMap(
            (id) => {
              const image = ctx.library.image(id);
              return image === undefined ? [] : [image];
            },
          );
    for (const image of source) {
      if (modifyStart !== undefined && image.modifiedAt < modifyStart) continue;
      if (modifyEnd !== undefined && image.modifiedAt > modifyEnd) continue;
      if (createStart !== undefined && image.uploadedAt < createStart) continue;
      if (createEnd !== undefined && image.uploadedAt > createEnd) continue;
      if (fileName !== '' && !image.fileName.toLowerCase().includes(fileName)) continue;
      if (terms !== '' && !matchesTerms(image, terms)) continue;
      items.push(image);
    }
  }

  const sortBy = request.params.get('sort_by') ?? 'upload_time';
  const descending = isDescending(request, false);
  const key = mediaSortKey(sortBy);
  items = items.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const order = ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return descending ? -order : order;
  });
  return paged(ctx, request, items, (image) => mediaResource(ctx, image));
}

function mediaSortKey(sortBy: string): (image: ImageRecord) => number | string {
  switch (sortBy) {
    // `date` is the date taken; the simulator has none, so it is the upload time [INF].
    case 'upload_time':
    case 'date':
    case 'creation_time':
    case 'relevance':
      return (image) => image.uploadedAt;
    case 'file_name':
      return (image) => image.fileName.toLowerCase();
    case 'modification_time':
      return (image) => image.modifiedAt;
    default:
      return badRequest(`Invalid sort_by: ${sortBy}`);
  }
}

function matchesTerms(image: ImageRecord, terms: string): boolean {
  const text = `${image.fileName} ${image.caption} ${image.headline} ${image.title} ${image.keywords}`;
  const lower = text.toLowerCase();
  return terms.split(/\s+/).every((term) => lower.includes(term));
}

/** #10: `GET /galleries` with `sort_by`, `sort_direction`, `parent`, `name`, `include` [WIP] [3P]. */
function listGalleries(ctx: Authenticated, request: SimRequest): Reply {
  const include = includesOf(request);
  const parent = request.params.get('parent');
  const name = (request.params.get('name') ?? '').trim().toLowerCase();
  let galleries = [...ctx.library.galleries.values()].filter(
    (g) =>
      // `parent` blank means "no parent" [WIP].
      (parent === undefined || (parent === '' ? g.parentId === null : g.parentId === parent)) &&
      (name === '' || g.name.toLowerCase().includes(name)),
  );
  const sortBy = request.params.get('sort_by') ?? 'display_order';
  const key = gallerySortKey(sortBy);
  const descending = isDescending(request, false);
  galleries = galleries.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const order = ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return descending ? -order : order;
  });
  return paged(ctx, request, galleries, (g) => galleryResource(ctx, g, include));
}

function gallerySortKey(sortBy: string): (g: GalleryRecord) => number | string {
  switch (sortBy) {
    case 'creation_time':
      return (g) => g.createdAt;
    case 'modification_time':
      return (g) => g.modifiedAt;
    case 'name':
      return (g) => g.name.toLowerCase();
    case 'display_order':
      return (g) => g.displayOrder;
    default:
      return badRequest(`Invalid sort_by: ${sortBy}`);
  }
}

/** #11: `GET /media/{id}/galleries?include=gallery` [3P]. */
function mediaGalleries(ctx: Authenticated, request: SimRequest, imageId: string): Reply {
  const image = ctx.library.image(imageId);
  if (image === undefined) return V4_NOT_FOUND();
  const include = includesOf(request);
  const galleries = image.galleryIds.flatMap((id) => {
    const g = ctx.library.gallery(id);
    return g === undefined ? [] : [g];
  });
  return paged(ctx, request, galleries, (g) => ({
    id: g.id,
    type: 'gallery',
    ...(include.has('gallery')
      ? {
          includes: {
            gallery: { data: { id: g.id, type: 'gallery', attributes: galleryAttributes(ctx, g) } },
          },
        }
      : {}),
  }));
}

/** Gallery permissions [WIP]: native permissions plus those inherited from parent collections. */
function galleryPermissions(ctx: Authenticated, galleryId: string): Reply {
  const g = ctx.library.gallery(galleryId);
  if (g === undefined) return V4_NOT_FOUND();
  return reply(200, {
    data: {
      id: g.id,
      type: 'permissions',
      attributes: {
        mode: ctx.library.effectiveMode(g),
        native_mode: g.mode,
        native: g.permissions.map((p) => permissionResource(ctx, p)),
        inherited: [],
      },
    },
    meta: {},
  });
}

function userSession(ctx: Authenticated, request: SimRequest): Reply {
  const user = ctx.session.user;
  const include = includesOf(request);
  const orgs = ctx.orgs.filter((o) => user.orgIds.includes(o.id));
  return reply(200, {
    data: {
      id: user.userId,
      type: 'user',
      attributes: {
        email: user.email,
        first_name: user.firstName ?? '',
        last_name: user.lastName ?? '',
        organization_id: ctx.session.orgId,
      },
      ...(include.has('organizations')
        ? {
            includes: {
              organizations: {
                data: orgs.map((o) => ({
                  id: o.id,
                  type: 'organization',
                  attributes: { name: o.name },
                })),
              },
            },
          }
        : {}),
    },
    meta: {},
  });
}

// ---------------------------------------------------------------------------------------------------
// Writes and the calls around them (wire doc #13–#19). PhotoShelter documents none of these shapes:
// the paths are [UNV kuklaph] or [3P], the bodies and answers [INF] (docs/photoshelter-wire.md).

/** #13: the breadcrumb, leaf first (the gallery, then its collections up to the root) [3P/INF]. */
function galleryPath(ctx: Authenticated, galleryId: string): Reply {
  const g = ctx.library.gallery(galleryId);
  if (g === undefined) return V4_NOT_FOUND();
  const entry = (record: GalleryRecord | CollectionRecord) => ({
    id: record.id,
    type: record.id.startsWith('G') ? 'gallery' : 'collection',
    attributes: { name: record.name },
  });
  return reply(200, { data: ctx.library.pathOf(g).map(entry), meta: {} });
}

function fieldResource(field: CustomFieldRecord): Record<string, unknown> {
  return {
    id: field.id,
    type: 'metadata_field',
    attributes: {
      name: field.name,
      // [INF] an earlier natlaqua script filtered a field list by `category == "metadata"`.
      category: 'metadata',
      field_type: 'select',
      options: field.options.map((option) => ({ id: option.id, name: option.name })),
    },
  };
}

/** #16 read shape: `data.attributes.custom_metadata[i].value` [3P natlaqua]; the other keys [INF]. */
function customMetadataResource(ctx: RouteContext, image: ImageRecord): Record<string, unknown> {
  return {
    id: image.id,
    type: 'custom-metadata',
    attributes: {
      custom_metadata: ctx.library.customFields.map((field) => {
        const optionId = image.customMetadata?.[field.id] ?? null;
        const option = field.options.find((o) => o.id === optionId);
        return {
          id: field.id,
          name: field.name,
          value: option?.name ?? null,
          option_id: option?.id ?? null,
        };
      }),
    },
  };
}

const RESERVED = new Set(['api_key', 'auth_token', 'format']);

/** #15: `{field_id: option_id}` as JSON [INF], or the same pairs as form or query fields. */
function customMetadataPatch(request: SimRequest): Map<string, string | null> {
  const values = new Map<string, string | null>();
  if (isRecord(request.json)) {
    for (const [key, value] of Object.entries(request.json)) {
      if (typeof value === 'string' || value === null) values.set(key, value);
      else badRequest(`Invalid value for ${key}: must be an option id or null`);
    }
  } else {
    for (const [key, value] of request.params) if (!RESERVED.has(key)) values.set(key, value);
  }
  if (values.size === 0) badRequest('No custom metadata given');
  return values;
}

const isMode = (value: string): value is Mode =>
  value === 'everyone' || value === 'permission' || value === 'private';

function flagParam(request: SimRequest, name: string): boolean | undefined {
  const text = request.params.get(name);
  if (text === undefined) return undefined;
  if (text === 't' || text === 'true') return true;
  if (text === 'f' || text === 'false') return false;
  return badRequest(`Invalid ${name}: ${text}`);
}

/** `PATCH /galleries/{id}` [WIP GalleryUpdateId]: name, description, f_list; `mode` is [INF]. */
function patchGallery(ctx: Authenticated, request: SimRequest, galleryId: string): Reply {
  if (ctx.library.gallery(galleryId) === undefined) return V4_NOT_FOUND();
  const mode = request.params.get('mode');
  if (mode !== undefined && !isMode(mode)) return badRequest(`Invalid mode: ${mode}`);
  const name = request.params.get('name');
  const description = request.params.get('description');
  const isListed = flagParam(request, 'f_list');
  ctx.library.updateGallery(galleryId, {
    ...(name === undefined ? {} : { name }),
    ...(description === undefined ? {} : { description }),
    ...(isListed === undefined ? {} : { isListed }),
  });
  if (mode !== undefined) ctx.library.setGalleryMode(galleryId, mode);
  // The draft's answer [WIP].
  return reply(200, { data: { gallery_id: galleryId }, meta: {} });
}

/** #23 read shape [UNV]: the IPTC attributes under the names v3's `Iptc` extension uses [INF]. */
function iptcResource(image: ImageRecord): Record<string, unknown> {
  return {
    id: image.id,
    type: 'iptc',
    attributes: {
      caption: image.caption,
      headline: image.headline,
      title: image.title,
      author: image.author,
      credit: image.credit,
      copyright: image.copyright,
      keyword: image.keywords,
      instructions: image.instructions ?? '',
    },
  };
}

const IPTC_NAMES = [
  'caption',
  'headline',
  'title',
  'author',
  'credit',
  'copyright',
  'keyword',
  'instructions',
] as const;

/** #23 write: JSON (or form) attributes by their read names; an unknown name is a 400 [INF]. */
function iptcPatch(request: SimRequest): IptcPatch {
  const patch: Record<string, string> = {};
  const source = isRecord(request.json)
    ? Object.entries(request.json)
    : [...request.params].filter(([key]) => !RESERVED.has(key));
  for (const [key, value] of source) {
    if (!(IPTC_NAMES as readonly string[]).includes(key)) badRequest(`Unknown IPTC field: ${key}`);
    if (typeof value !== 'string') badRequest(`Invalid value for ${key}: must be text`);
    patch[key] = value as string;
  }
  if (Object.keys(patch).length === 0) badRequest('No IPTC fields given');
  return patch;
}

/** #22: multipart `file` becomes the media's current file; id and metadata stay [UNV path, INF]. */
function newVersion(ctx: Authenticated, request: SimRequest, imageId: string): Reply {
  const image = ctx.library.image(imageId);
  if (image === undefined) return V4_NOT_FOUND();
  const file = request.files.get('file') ?? badRequest('file is required');
  const size = imageSize(file.bytes) ?? badRequest('Unsupported file type');
  ctx.files.ensureRoom(image.id, file.bytes.length);
  ctx.library.replaceFile(image.id, {
    fileName: file.fileName === '' ? image.fileName : file.fileName,
    fileSize: file.bytes.length,
    ...size,
  });
  ctx.files.put(image, file.bytes);
  return reply(200, { data: mediaResource(ctx, image), meta: { status: 'OK' } });
}

/** #24: `{name, parent_id}` makes a gallery under that collection [UNV path, INF body]. */
function createGallery(ctx: Authenticated, request: SimRequest): Reply {
  const name = (request.params.get('name') ?? '').trim();
  if (name === '') return badRequest('name is required');
  const parentId = request.params.get('parent_id') ?? '';
  if (parentId === '') return badRequest('parent_id is required');
  const gallery = ctx.library.createGallery(parentId, name);
  return reply(201, { data: galleryResource(ctx, gallery, new Set()), meta: { status: 'OK' } });
}

/** #25: `{media_ids: [...]}` (or a comma-separated string) joins the gallery [UNV path, INF body]. */
function addGalleryMedia(ctx: Authenticated, request: SimRequest, galleryId: string): Reply {
  if (ctx.library.gallery(galleryId) === undefined) return V4_NOT_FOUND();
  const raw = isRecord(request.json) ? request.json.media_ids : request.params.get('media_ids');
  const ids = Array.isArray(raw)
    ? raw.filter((id): id is string => typeof id === 'string')
    : typeof raw === 'string'
      ? raw.split(',').map((id) => id.trim())
      : [];
  const wanted = ids.filter((id) => id !== '');
  if (wanted.length === 0) return badRequest('media_ids is required');
  const added = ctx.library.addGalleryMedia(galleryId, wanted);
  return reply(200, { data: { gallery_id: galleryId, added }, meta: { status: 'OK' } });
}

/** PhotoShelter ids (and `root`) in a path; find-my-way matches the parameter to the pattern. */
const ID = ':id([A-Za-z0-9._-]{1,64})';
const ID2 = ':id2([A-Za-z0-9._-]{1,64})';

/** `match[1]`, `match[2]`: the path's ids, in order (as a regex's groups would be). */
type Match = readonly (string | undefined)[];
type Member = (ctx: Authenticated, request: SimRequest, match: Match) => Reply;

const MEMBER_ROUTES: readonly { method: string; template: string; handler: Member }[] = [
  { method: 'GET', template: '/user/session', handler: userSession },
  { method: 'GET', template: '/media', handler: listMedia },
  {
    method: 'GET',
    template: `/media/${ID}`,
    handler: (ctx, _request, match) => {
      const image = ctx.library.image(match[1] ?? '');
      return image === undefined
        ? V4_NOT_FOUND()
        : reply(200, { data: mediaResource(ctx, image), meta: {} });
    },
  },
  {
    method: 'GET',
    template: `/media/${ID}/galleries`,
    handler: (ctx, request, match) => mediaGalleries(ctx, request, match[1] ?? ''),
  },
  { method: 'GET', template: '/galleries', handler: listGalleries },
  {
    method: 'GET',
    template: `/galleries/${ID}`,
    handler: (ctx, request, match) => {
      const g = ctx.library.gallery(match[1] ?? '');
      return g === undefined
        ? V4_NOT_FOUND()
        : reply(200, { data: galleryResource(ctx, g, includesOf(request)), meta: {} });
    },
  },
  {
    method: 'PATCH',
    template: `/galleries/${ID}`,
    handler: (ctx, request, match) => patchGallery(ctx, request, match[1] ?? ''),
  },
  {
    method: 'GET',
    template: `/galleries/${ID}/path`,
    handler: (ctx, _request, match) => galleryPath(ctx, match[1] ?? ''),
  },
  {
    method: 'POST',
    template: `/galleries/${ID}/parents`,
    handler: (ctx, request, match) => {
      const galleryId = match[1] ?? '';
      if (ctx.library.gallery(galleryId) === undefined) return V4_NOT_FOUND();
      const collectionId = request.params.get('collection_id') ?? '';
      if (collectionId === '') return badRequest('collection_id is required');
      const g = ctx.library.addGalleryParent(galleryId, collectionId);
      return reply(200, { data: galleryResource(ctx, g, new Set()), meta: { status: 'OK' } });
    },
  },
  {
    method: 'DELETE',
    template: `/galleries/${ID}/parents/${ID2}`,
    handler: (ctx, _request, match) => {
      ctx.library.removeGalleryParent(match[1] ?? '', match[2] ?? '');
      // Like the draft's gallery delete [WIP]: `{"meta":{"status":"OK"}}`.
      return reply(200, { meta: { status: 'OK' } });
    },
  },
  {
    method: 'GET',
    template: `/media/${ID}/iptc`,
    handler: (ctx, _request, match) => {
      const image = ctx.library.image(match[1] ?? '');
      return image === undefined
        ? V4_NOT_FOUND()
        : reply(200, { data: iptcResource(image), meta: {} });
    },
  },
  {
    method: 'PATCH',
    template: `/media/${ID}/iptc`,
    handler: (ctx, request, match) => {
      const image = ctx.library.image(match[1] ?? '');
      if (image === undefined) return V4_NOT_FOUND();
      ctx.library.patchIptc(image.id, iptcPatch(request));
      return reply(200, { data: iptcResource(image), meta: { status: 'OK' } });
    },
  },
  {
    method: 'POST',
    template: `/media/${ID}/versions`,
    handler: (ctx, request, match) => newVersion(ctx, request, match[1] ?? ''),
  },
  { method: 'POST', template: '/galleries', handler: createGallery },
  {
    method: 'PATCH',
    template: `/galleries/${ID}/media`,
    handler: (ctx, request, match) => addGalleryMedia(ctx, request, match[1] ?? ''),
  },
  {
    method: 'GET',
    template: '/metadata/fields',
    handler: (ctx, request) =>
      paged(ctx, request, ctx.library.customFields, (field) => fieldResource(field)),
  },
  {
    method: 'GET',
    template: `/media/${ID}/custom-metadata`,
    handler: (ctx, _request, match) => {
      const image = ctx.library.image(match[1] ?? '');
      return image === undefined
        ? V4_NOT_FOUND()
        : reply(200, { data: customMetadataResource(ctx, image), meta: {} });
    },
  },
  {
    method: 'PATCH',
    template: `/media/${ID}/custom-metadata`,
    handler: (ctx, request, match) => {
      const image = ctx.library.image(match[1] ?? '');
      if (image === undefined) return V4_NOT_FOUND();
      ctx.library.setCustomMetadata(image.id, customMetadataPatch(request));
      return reply(200, { data: customMetadataResource(ctx, image), meta: { status: 'OK' } });
    },
  },
  {
    method: 'GET',
    template: `/galleries/${ID}/permissions`,
    handler: (ctx, _request, match) => galleryPermissions(ctx, match[1] ?? ''),
  },
  {
    method: 'GET',
    template: '/authenticate/logout',
    handler: (ctx) => {
      ctx.sessions.drop(ctx.session.token);
      return reply(200, { meta: { status: 'OK' } });
    },
  },
  {
    method: 'POST',
    template: '/organization/authenticate',
    handler: (ctx, request) => {
      const orgId = request.params.get('org_id') ?? '';
      if (!ctx.orgs.some((o) => o.id === orgId) || !ctx.session.user.orgIds.includes(orgId)) {
        return v4Error(403, 'AcsPermissionException', 'Not a member of this organization');
      }
      ctx.session.orgId = orgId;
      return reply(200, { meta: { status: 'OK' } });
    },
  },
  {
    method: 'GET',
    template: '/organization/logout',
    handler: (ctx) => {
      ctx.session.orgId = null;
      return reply(200, { meta: { status: 'OK' } });
    },
  },
];

const memberRouter = new Router(MEMBER_ROUTES, { caseSensitive: true });

/** `sub` is the path after `/psapi/v4.0` (or `/psapi/v4`). The API key was already checked. */
export function handleV4(ctx: RouteContext, request: SimRequest, sub: string): Reply {
  try {
    if (sub === '/authenticate') return authenticate(ctx, request);
    const { match, methodMismatch } = memberRouter.find(
      request.method,
      sub,
      new V4Failure(404, '', 'Resource not found'),
    );
    if (match === undefined) {
      return methodMismatch
        ? v4Error(405, 'MethodNotAllowedException', 'Method not allowed')
        : V4_NOT_FOUND();
    }
    const session = ctx.sessions.use(tokenOf(request));
    if (session === undefined) return V4_UNAUTHORIZED();
    return match.route.handler({ ...ctx, session }, request, ['', ...Object.values(match.params)]);
  } catch (e: unknown) {
    if (e instanceof V4Failure)
      return v4Error(e.status, 'BadRequestException', 'Bad Request', e.message);
    // The library's own refusals (unknown collection, unknown option …) in the v4 envelope.
    if (e instanceof SimError) {
      if (e.status === 404) {
        return v4Error(404, 'ResourceNotFoundException', 'Resource not found', e.message);
      }
      return v4Error(e.status, 'BadRequestException', 'Bad Request', e.message);
    }
    throw e;
  }
}

/** v4 log-in: the token is top-level `{"token": …}`, unlike v3's `data.token` [3P]. */
function authenticate(ctx: RouteContext, request: SimRequest): Reply {
  if (request.method !== 'POST')
    return v4Error(405, 'MethodNotAllowedException', 'Method not allowed');
  const email = (request.params.get('email') ?? '').trim().toLowerCase();
  const password = request.params.get('password') ?? '';
  const user = ctx.users.find((u) => u.email.toLowerCase() === email && u.password === password);
  if (user === undefined) {
    return v4Error(401, 'AcsPermissionException', 'Invalid email or password');
  }
  const session = ctx.sessions.create(user);
  const orgId = request.params.get('org_id');
  if (orgId !== undefined && orgId !== '') {
    if (!user.orgIds.includes(orgId) || !ctx.orgs.some((o) => o.id === orgId)) {
      return v4Error(403, 'AcsPermissionException', 'Not a member of this organization');
    }
    session.orgId = orgId;
  }
  return reply(200, { token: session.token });
}
