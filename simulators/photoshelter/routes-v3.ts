import {
  type Authenticated,
  type Box,
  boxText,
  imageUrl,
  linkToken,
  pageUrl,
  parseBox,
  type RouteContext,
  sliceOf,
} from './context.js';
import { isRecord } from '../kit/body.js';
import { Router } from '../kit/router.js';
import { type Reply, reply } from '../kit/http.js';
import { contentDisposition, imageSize } from './files.js';
import { BinaryBody, intParam, type SimRequest } from './http-util.js';
import type { CollectionRecord, GalleryRecord, ImageRecord, Mode } from './library.js';
import { SimError } from '../kit/errors.js';
import { tokenOf } from './sessions.js';
import { formatPsTime } from './time.js';

// PhotoShelter v3 (`/psapi/v3` and `/psapi/v3.0` [OFF]): `{"status":"ok","data":{RecordType…}}`
// [DOC], numbers as strings and booleans as "t"/"f" [DOC/3P], `fields` and `extend` [DOC].

export const v3Error = (status: number, message: string, cls?: string): Reply =>
  reply(status, {
    status: 'error',
    error: cls === undefined ? { message } : { message, class: cls },
  });

const v3Ok = (data: unknown): Reply => reply(200, { status: 'ok', data });

export const V3_SESSION_REQUIRED = (): Reply =>
  v3Error(401, 'You must be logged into PhotoShelter to perform this action', 'SessionRequiredErr');

/** Thrown inside handlers to answer a v3 error at once. */
class V3Failure extends SimError {}

const fail = (status: number, message: string): never => {
  throw new V3Failure(status, '', message);
};

const flag = (value: boolean): 't' | 'f' => (value ? 't' : 'f');

// ---------------------------------------------------------------------------------------------------
// `fields` and `extend`

type Fields = '*' | ReadonlySet<string>;

interface ExtSpec {
  readonly fields: Fields;
  readonly params: ReadonlyMap<string, string>;
}

type Extend = ReadonlyMap<string, unknown>;

function parseFields(text: unknown): Fields {
  if (typeof text !== 'string' || text.trim() === '' || text.trim() === '*') return '*';
  return new Set(
    text
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f !== ''),
  );
}

function parseExtend(request: SimRequest): Extend {
  const text = request.params.get('extend');
  if (text === undefined || text.trim() === '') return new Map();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail(400, 'Invalid extend parameter: not JSON');
  }
  // [INF] the docs break off before saying what an invalid extension does; we answer 400.
  if (!isRecord(json)) return fail(400, 'Invalid extend parameter: not an object');
  return new Map(Object.entries(json));
}

/** The spec for one extension, or undefined when it was not asked for. `{}` is accepted [3P]. */
function specOf(extend: Extend, name: string): ExtSpec | undefined {
  const raw = extend.get(name);
  if (raw === undefined) return undefined;
  const value = isRecord(raw) ? raw : {};
  const params = new Map<string, string>();
  if (isRecord(value.params)) {
    for (const [key, param] of Object.entries(value.params)) {
      if (typeof param === 'string' || typeof param === 'number') params.set(key, String(param));
    }
  }
  return { fields: parseFields(value.fields), params };
}

/** `Children` takes nested per-type specs [3P Drupal]. */
function nestedSpec(extend: Extend, outer: string, inner: string): ExtSpec | undefined {
  const raw = extend.get(outer);
  if (!isRecord(raw)) return undefined;
  return specOf(new Map(Object.entries(raw)), inner);
}

function pick(record: Record<string, unknown>, fields: Fields): Record<string, unknown> {
  if (fields === '*') return record;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) if (fields.has(key)) out[key] = record[key];
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Records [3P TS field lists, docs/photoshelter-wire.md]

function collectionRecord(ctx: RouteContext, c: CollectionRecord): Record<string, unknown> {
  const library = ctx.library;
  return {
    collection_id: c.id,
    name: c.name,
    description: c.description,
    f_list: flag(c.isListed),
    display_order: String(c.displayOrder),
    mode: c.mode,
    effective_mode: library.effectiveMode(c),
    access_inherit: flag(false),
    created_at: formatPsTime(c.createdAt, ctx.timeZone),
    modified_at: formatPsTime(c.modifiedAt, ctx.timeZone),
  };
}

function galleryRecord(ctx: RouteContext, g: GalleryRecord): Record<string, unknown> {
  const library = ctx.library;
  return {
    gallery_id: g.id,
    name: g.name,
    description: g.description,
    f_list: flag(g.isListed),
    display_order: String(g.displayOrder),
    mode: g.mode,
    effective_mode: library.effectiveMode(g),
    access_inherit: flag(false),
    created_at: formatPsTime(g.createdAt, ctx.timeZone),
    modified_at: formatPsTime(g.modifiedAt, ctx.timeZone),
  };
}

function imageRecord(ctx: RouteContext, i: ImageRecord): Record<string, unknown> {
  const owner = ctx.users[0];
  return {
    image_id: i.id,
    file_name: i.fileName,
    file_size: String(i.fileSize),
    width: String(i.width),
    height: String(i.height),
    uploaded_at: formatPsTime(i.uploadedAt, ctx.timeZone),
    updated_at: formatPsTime(i.modifiedAt, ctx.timeZone),
    f_searchable: 't',
    rating: '0',
    model_released: 'f',
    property_released: 'f',
    owner_id: owner?.userId ?? '',
    organization_id: ctx.orgs[0]?.id ?? '',
  };
}

function iptcRecord(i: ImageRecord): Record<string, unknown> {
  return {
    instructions: i.instructions ?? '',
    caption: i.caption,
    display_caption: i.caption,
    headline: i.headline,
    title: i.title,
    author: i.author,
    credit: i.credit,
    copyright: i.copyright,
    keyword: i.keywords,
  };
}

const licenseRecord = (ctx: RouteContext, i: ImageRecord): Record<string, unknown> => ({
  license_etime:
    i.licenseExpiresAt === null ? null : formatPsTime(i.licenseExpiresAt, ctx.timeZone),
});

/** `image_size` WxH / xH / W, `image_mode` fit|fill, `f_https_link` [3P]; 600x600 fit when absent. */
function imageLinkRecord(
  ctx: RouteContext,
  i: ImageRecord,
  params: ReadonlyMap<string, string>,
): Record<string, unknown> {
  const sizeText = params.get('image_size');
  const box: Box = parseBox(sizeText) ?? { width: 600, height: 600 };
  if (sizeText !== undefined && parseBox(sizeText) === undefined) {
    fail(400, `Invalid image_size: ${sizeText}`);
  }
  const mode = params.get('image_mode') === 'fill' ? 'fill' : 'fit';
  const token = linkToken(i);
  const base = `${ctx.baseUrl}/img-get2/${i.id}`;
  return {
    link: imageUrl(ctx.baseUrl, i, box, mode),
    base,
    token,
    // The documented display form: base + "/sec=" + token + "/fit=WxH/" + file_name [OFF Polymer].
    auth_link: `${base}/sec=${token}/${mode}=${boxText(box)}/${encodeURIComponent(i.fileName)}`,
  };
}

/**
 * An image under the record that names it, with extensions nested as observed (docs/photoshelter-wire.md):
 * `Iptc`/`License` under `Image`, `ImageLink` beside `Image` (under the record holding `image_id`).
 */
function attachImageExtensions(
  ctx: RouteContext,
  holder: Record<string, unknown>,
  image: ImageRecord,
  extend: Extend,
  includeImage: boolean,
): Record<string, unknown> {
  const out = { ...holder };
  const imageSpec = includeImage ? specOf(extend, 'Image') : undefined;
  const target: Record<string, unknown> =
    imageSpec === undefined ? out : pick(imageRecord(ctx, image), imageSpec.fields);
  const iptc = specOf(extend, 'Iptc');
  if (iptc !== undefined) target.Iptc = pick(iptcRecord(image), iptc.fields);
  const license = specOf(extend, 'License');
  if (license !== undefined) target.License = pick(licenseRecord(ctx, image), license.fields);
  if (imageSpec !== undefined) out.Image = target;
  const link = specOf(extend, 'ImageLink');
  if (link !== undefined)
    out.ImageLink = pick(imageLinkRecord(ctx, image, link.params), link.fields);
  return out;
}

function galleryImageEntries(
  ctx: RouteContext,
  gallery: GalleryRecord,
  ids: readonly string[],
  fields: Fields,
  extend: Extend,
): Record<string, unknown>[] {
  const hidden = new Set(gallery.hiddenIds);
  const entries: Record<string, unknown>[] = [];
  for (const id of ids) {
    const image = ctx.library.image(id);
    if (image === undefined) continue;
    const base = pick({ image_id: id, f_visible: flag(!hidden.has(id)) }, fields);
    entries.push(attachImageExtensions(ctx, base, image, extend, true));
  }
  return entries;
}

function parentsOf(parentId: string | null, spec: ExtSpec): Record<string, unknown> | undefined {
  return parentId === null ? undefined : pick({ collection_id: parentId }, spec.fields);
}

/** [INF] A collection's key image, when none was chosen: the first image of its first gallery with any. */
function firstImageUnder(ctx: RouteContext, collectionId: string): ImageRecord | undefined {
  const seen = new Set<string>();
  const walk = (id: string): ImageRecord | undefined => {
    if (seen.has(id)) return undefined;
    seen.add(id);
    const { collections, galleries } = ctx.library.childrenOf(id);
    for (const g of galleries) {
      const first = g.imageIds[0];
      const image = first === undefined ? undefined : ctx.library.image(first);
      if (image !== undefined) return image;
    }
    for (const c of collections) {
      const image = walk(c.id);
      if (image !== undefined) return image;
    }
    return undefined;
  };
  return walk(collectionId);
}

function keyImageOf(
  ctx: RouteContext,
  holder: GalleryRecord | CollectionRecord,
  extend: Extend,
  spec: ExtSpec,
): Record<string, unknown> | null {
  const first = 'imageIds' in holder ? holder.imageIds[0] : undefined;
  const image =
    'imageIds' in holder
      ? first === undefined
        ? undefined
        : ctx.library.image(first)
      : firstImageUnder(ctx, holder.id);
  if (image === undefined) return null;
  return attachImageExtensions(
    ctx,
    pick({ image_id: image.id }, spec.fields),
    image,
    extend,
    false,
  );
}

function extendGallery(
  ctx: RouteContext,
  g: GalleryRecord,
  fields: Fields,
  extend: Extend,
): Record<string, unknown> {
  const record = pick(galleryRecord(ctx, g), fields);
  const parents = specOf(extend, 'Parents');
  if (parents !== undefined) {
    // One object in the sample we have [3P]; absent for a gallery at the root (wire doc #5); [INF] an
    // array for a gallery in several collections.
    const ids = ctx.library.parentsOf(g);
    const values = ids.map((id) => pick({ collection_id: id }, parents.fields));
    if (values.length === 1) record.Parents = values[0];
    else if (values.length > 1) record.Parents = values;
  }
  const visibility = specOf(extend, 'Visibility');
  if (visibility !== undefined) record.Visibility = pick({ mode: g.mode }, visibility.fields);
  const keyImage = specOf(extend, 'KeyImage');
  if (keyImage !== undefined) record.KeyImage = keyImageOf(ctx, g, extend, keyImage);
  const mediaCount = specOf(extend, 'MediaCount');
  if (mediaCount !== undefined) {
    const count = String(g.imageIds.length);
    record.MediaCount = pick({ images: count, total: count }, mediaCount.fields);
  }
  const galleryImage = specOf(extend, 'GalleryImage');
  if (galleryImage !== undefined) {
    record.GalleryImage = galleryImageEntries(ctx, g, g.imageIds, galleryImage.fields, extend);
  }
  return record;
}

function extendCollection(
  ctx: RouteContext,
  c: CollectionRecord,
  fields: Fields,
  extend: Extend,
): Record<string, unknown> {
  const record = pick(collectionRecord(ctx, c), fields);
  const parents = specOf(extend, 'Parents');
  if (parents !== undefined) {
    const value = parentsOf(c.parentId, parents);
    if (value !== undefined) record.Parents = value;
  }
  const visibility = specOf(extend, 'Visibility');
  if (visibility !== undefined) record.Visibility = pick({ mode: c.mode }, visibility.fields);
  // `data.Collection.KeyImage.image_id` with `ImageLink` inside [3P Drupal].
  const keyImage = specOf(extend, 'KeyImage');
  if (keyImage !== undefined) record.KeyImage = keyImageOf(ctx, c, extend, keyImage);
  if (extend.has('Children')) record.Children = children(ctx, c.id, '*', extend, 'Children');
  return record;
}

/** `{Collection:[…], Gallery:[…]}`; nested `{Children:{Gallery:{fields}}}` specs narrow each list. */
function children(
  ctx: RouteContext,
  collectionId: string | null,
  fields: Fields,
  extend: Extend,
  nestedUnder?: string,
): Record<string, unknown> {
  const { collections, galleries } = ctx.library.childrenOf(collectionId);
  const typeFields = (type: string): Fields => {
    const spec =
      nestedUnder === undefined ? specOf(extend, type) : nestedSpec(extend, nestedUnder, type);
    return spec === undefined || spec.fields === '*' ? fields : spec.fields;
  };
  const inner = nestedUnder === undefined ? extend : new Map<string, unknown>();
  return {
    Collection: collections.map((c) =>
      extendCollection(ctx, c, typeFields('Collection'), withoutChildren(inner)),
    ),
    Gallery: galleries.map((g) => extendGallery(ctx, g, typeFields('Gallery'), inner)),
  };
}

const withoutChildren = (extend: Extend): Extend =>
  new Map([...extend].filter(([key]) => key !== 'Children'));

// ---------------------------------------------------------------------------------------------------
// Routes

/** PhotoShelter ids (and `root`) in a path; find-my-way matches the parameter to the pattern. */
const ID = ':id([A-Za-z0-9._-]{1,64})';

/** `match[1]`: the path's id (as a regex's group would be). */
type Match = readonly (string | undefined)[];
type Handler<C> = (ctx: C, request: SimRequest, match: Match) => Reply;

interface Route<C> {
  readonly method: string;
  readonly template: string;
  readonly handler: Handler<C>;
}

const GET = ['GET'];
const POST = ['POST'];
const GET_POST = ['GET', 'POST'];

const isMode = (value: string): value is Mode =>
  value === 'everyone' || value === 'permission' || value === 'private';

const route = <C>(methods: readonly string[], template: string, handler: Handler<C>): Route<C>[] =>
  methods.map((method) => ({ method, template, handler }));

function requireGallery(ctx: RouteContext, id: string): GalleryRecord {
  return ctx.library.gallery(id) ?? fail(404, 'Gallery not found');
}

function requireImage(ctx: RouteContext, id: string): ImageRecord {
  return ctx.library.image(id) ?? fail(404, 'Image not found');
}

const badParam = (message: string): never => fail(400, message);

const MEMBER_ROUTES: readonly Route<Authenticated>[][] = [
  route(GET, '/mem/authenticate/logout', (ctx) => {
    ctx.sessions.drop(ctx.session.token);
    return v3Ok({});
  }),
  route(GET_POST, `/mem/organization/${ID}/authenticate`, (ctx, _request, match) => {
    const orgId = match[1] ?? '';
    const org = ctx.orgs.find((o) => o.id === orgId);
    if (org === undefined || !ctx.session.user.orgIds.includes(orgId)) {
      return v3Error(403, 'You are not a member of this organization');
    }
    // The same token now acts for the org; no new token comes back [3P].
    ctx.session.orgId = orgId;
    return v3Ok({});
  }),
  route(GET_POST, '/mem/organization/logout', (ctx) => {
    // [V2] path; [INF] it works in v3 too.
    ctx.session.orgId = null;
    return v3Ok({});
  }),
  route(GET, '/mem/user/session', (ctx) =>
    v3Ok({
      Session: {
        user_id: ctx.session.user.userId,
        email: ctx.session.user.email,
        first_name: ctx.session.user.firstName ?? '',
        last_name: ctx.session.user.lastName ?? '',
        org_id: ctx.session.orgId ?? '',
        // The account's zone, in which every record time above is written [3P Drupal].
        tz: ctx.timeZone,
      },
    }),
  ),
  route(GET, `/mem/collection/${ID}/children`, (ctx, request, match) => {
    const id = match[1] ?? '';
    // The literal `root` lists the top of the library [3P].
    if (id !== 'root' && ctx.library.collection(id) === undefined) {
      return v3Error(404, 'Collection not found');
    }
    const fields = parseFields(request.params.get('fields'));
    return v3Ok({
      Children: children(ctx, id === 'root' ? null : id, fields, parseExtend(request)),
    });
  }),
  route(GET, `/mem/collection/${ID}`, (ctx, request, match) => {
    const collection = ctx.library.collection(match[1] ?? '');
    if (collection === undefined) return v3Error(404, 'Collection not found');
    const fields = parseFields(request.params.get('fields'));
    return v3Ok({ Collection: extendCollection(ctx, collection, fields, parseExtend(request)) });
  }),
  route(GET, `/mem/gallery/${ID}/images`, (ctx, request, match) => {
    const gallery = requireGallery(ctx, match[1] ?? '');
    const page = intParam(request.params, 'page', 1, badParam);
    const perPage = intParam(request.params, 'per_page', 1, badParam);
    const slice = sliceOf(gallery.imageIds.length, page, perPage);
    const fields = parseFields(request.params.get('fields'));
    const ids = gallery.imageIds.slice(slice.start, slice.end);
    // Only `next` is confirmed, present exactly when more pages exist [3P]; the rest is [INF] v1.
    const paging: Record<string, string> = {
      page: String(slice.page),
      per_page: String(slice.perPage),
      total: String(slice.total),
      pages: String(slice.pages),
    };
    if (slice.hasNext) paging.next = pageUrl(ctx.baseUrl, request, slice.page + 1);
    return v3Ok({
      GalleryImage: galleryImageEntries(ctx, gallery, ids, fields, parseExtend(request)),
      Paging: paging,
    });
  }),
  route(GET, `/mem/gallery/${ID}/parents`, (ctx, _request, match) => {
    const gallery = requireGallery(ctx, match[1] ?? '');
    const ids = ctx.library.parentsOf(gallery).map((id) => ({ collection_id: id }));
    return v3Ok(ids.length === 0 ? {} : { Parents: ids.length === 1 ? ids[0] : ids });
  }),
  // #17 [V2 path, INF for v3]: v2 sent `mode` = everyone|permission|private here; the answer is an
  // empty ok envelope [INF].
  route(POST, `/mem/gallery/${ID}/visibility/update`, (ctx, request, match) => {
    const gallery = requireGallery(ctx, match[1] ?? '');
    const mode = request.params.get('mode') ?? '';
    if (!isMode(mode)) return fail(400, `Invalid mode: ${mode}`);
    ctx.library.setGalleryMode(gallery.id, mode);
    return v3Ok({});
  }),
  route(GET, `/mem/gallery/${ID}`, (ctx, request, match) => {
    const gallery = requireGallery(ctx, match[1] ?? '');
    const fields = parseFields(request.params.get('fields'));
    return v3Ok({ Gallery: extendGallery(ctx, gallery, fields, parseExtend(request)) });
  }),
  // #20: the original file, as stored [3P download path]; the name in Content-Disposition [3P].
  route(GET, `/mem/image/${ID}/download`, (ctx, _request, match) => {
    const image = requireImage(ctx, match[1] ?? '');
    const file = ctx.files.originalOf(image);
    return reply(
      200,
      new BinaryBody(file.bytes, file.contentType, {
        'content-disposition': contentDisposition(file.fileName),
      }),
    );
  }),
  // #21: multipart `file` and `gallery_id` [DOC]; the answer's key for the new id is [INF].
  route(POST, '/mem/image/upload', (ctx, request) => {
    const galleryId = request.params.get('gallery_id') ?? '';
    if (galleryId === '') return fail(400, 'gallery_id is required');
    const gallery = requireGallery(ctx, galleryId);
    const file = request.files.get('file') ?? fail(400, 'file is required');
    // [INF] PhotoShelter takes images only here; the simulator knows PNG and JPEG headers.
    const size = imageSize(file.bytes) ?? fail(400, 'Unsupported file type');
    ctx.files.ensureRoom('', file.bytes.length);
    const image = ctx.library.upload({
      galleryId: gallery.id,
      fileName: file.fileName === '' ? undefined : file.fileName,
      fileSize: file.bytes.length,
      ...size,
    });
    ctx.files.put(image, file.bytes);
    return v3Ok({ Image: imageRecord(ctx, image) });
  }),
  route(GET, `/mem/image/${ID}/iptc`, (ctx, _request, match) =>
    v3Ok({ Iptc: iptcRecord(requireImage(ctx, match[1] ?? '')) }),
  ),
  route(GET, `/mem/image/${ID}/link`, (ctx, request, match) => linkReply(ctx, request, match)),
  route(GET, `/mem/image/${ID}`, (ctx, request, match) => {
    const image = requireImage(ctx, match[1] ?? '');
    const extend = parseExtend(request);
    const record = pick(imageRecord(ctx, image), parseFields(request.params.get('fields')));
    return v3Ok({ Image: attachImageExtensions(ctx, record, image, extend, false) });
  }),
];

/** #8: `data.ImageLink` [DOC/3P]; the link is served by `/img-get2/…`. */
function linkReply(ctx: RouteContext, request: SimRequest, match: Match): Reply {
  const image = requireImage(ctx, match[1] ?? '');
  return v3Ok({ ImageLink: imageLinkRecord(ctx, image, request.params) });
}

/** Public endpoints need only the API key [DOC]. */
const PUBLIC_ROUTES: readonly Route<RouteContext>[][] = [
  route(GET, `/image/${ID}/link`, (ctx, request, match) => linkReply(ctx, request, match)),
];

const publicRouter = new Router(PUBLIC_ROUTES.flat(), { caseSensitive: true });
const memberRouter = new Router(MEMBER_ROUTES.flat(), { caseSensitive: true });

/**
 * `sub` is the path after `/psapi/v3` (or `/psapi/v3.0`). The API key was already checked.
 */
export function handleV3(ctx: RouteContext, request: SimRequest, sub: string): Reply {
  try {
    if (sub === '/mem/authenticate') return authenticate(ctx, request);
    const unknown = new V3Failure(404, '', 'Unknown API endpoint');
    const open = publicRouter.find(request.method, sub, unknown);
    if (open.match !== undefined) {
      // A token is optional here [DOC]; a live one still counts as activity on its session.
      ctx.sessions.use(tokenOf(request));
      return open.match.route.handler(ctx, request, ['', ...Object.values(open.match.params)]);
    }
    const { match, methodMismatch } = memberRouter.find(request.method, sub, unknown);
    if (open.methodMismatch || methodMismatch) return v3Error(405, 'Method not allowed');
    if (match === undefined) return v3Error(404, 'Unknown API endpoint');
    const session = ctx.sessions.use(tokenOf(request));
    if (session === undefined) return V3_SESSION_REQUIRED();
    return match.route.handler({ ...ctx, session }, request, ['', ...Object.values(match.params)]);
  } catch (e: unknown) {
    if (e instanceof V3Failure) return v3Error(e.status, e.message);
    throw e;
  }
}

/** #1: form (or query, or multipart) `email`, `password`, `mode=token` [DOC]. */
function authenticate(ctx: RouteContext, request: SimRequest): Reply {
  if (request.method !== 'POST' && request.method !== 'GET') {
    return v3Error(405, 'Method not allowed');
  }
  const email = (request.params.get('email') ?? '').trim().toLowerCase();
  const password = request.params.get('password') ?? '';
  const user = ctx.users.find((u) => u.email.toLowerCase() === email && u.password === password);
  if (user === undefined) return v3Error(401, 'Invalid email or password');
  const session = ctx.sessions.create(user);
  const orgs = ctx.orgs.filter((o) => user.orgIds.includes(o.id));
  // `org` only when the user belongs to organizations [DOC]; keys id/name/member [V2].
  // [INF] cookie mode (the default) is answered like token mode: the token is in the body either way.
  return v3Ok({
    token: session.token,
    ...(orgs.length === 0
      ? {}
      : { org: orgs.map((o) => ({ id: o.id, name: o.name, member: 't' })) }),
  });
}
