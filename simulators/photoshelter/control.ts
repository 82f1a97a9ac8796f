import { z } from 'zod';

import { imageUrl, type RouteContext, sliceOf } from './context.js';
import type { ControlContext, ControlRoute } from '../kit/control.js';
import { SimError } from '../kit/errors.js';
import { reply } from '../kit/http.js';
import type { OriginalFile } from './files.js';
import { BinaryBody, intParam } from './http-util.js';
import {
  type CustomFieldRecord,
  type MetadataInput,
  type ReplaceInput,
  REVIEW_STATUS_FIELD,
  type ShareInput,
  type UploadInput,
} from './library.js';
import { formatIso, toMicros } from './time.js';

// The simulator's own endpoints (`/_sim/…`, wire doc), not PhotoShelter's: JSON in and out, for the
// console page, the tests and the benchmark.

export interface LibraryView {
  readonly collections: { id: string; name: string; parentId: string | null }[];
  readonly galleries: {
    id: string;
    name: string;
    collectionId: string | null;
    /** Every collection holding the gallery (it can sit in several), the first one first. */
    collectionIds: string[];
    /** Effective visibility (a private parent hides its children [INF]). */
    mode: string;
    /** The gallery's own visibility setting. */
    nativeMode: string;
    imageCount: number;
    /** The newest images (the last uploaded), oldest of them first, each with its review status. */
    thumbnails: { imageId: string; fileName: string; url: string; reviewStatus: string | null }[];
  }[];
  readonly assets: number;
}

export interface ImageView {
  imageId: string;
  fileName: string;
  fileSize: number;
  width: number;
  height: number;
  uploadedAt: string;
  modifiedAt: string;
  url: string;
  /** The option set in the "Review status" custom field, or null. */
  reviewStatus: string | null;
  /** IPTC text a person sees on the asset: Lightdesk's writes and workflow fields show here. */
  title: string;
  caption: string;
  credit: string;
  copyright: string;
  keywords: string;
  /** IPTC instructions, where Lightdesk keeps its workflow fields [INF] (wire doc #23). */
  instructions: string;
}

export interface GalleryImagesView {
  readonly images: {
    imageId: string;
    fileName: string;
    fileSize: number;
    width: number;
    height: number;
    uploadedAt: string;
    modifiedAt: string;
    url: string;
    /** The option set in the "Review status" custom field, or null. */
    reviewStatus: string | null;
  }[];
  readonly total: number;
}

/** What the control endpoints drive; FakePhotoShelterServer implements it. */
export interface ControlTarget {
  library(): LibraryView;
  galleryImages(galleryId: string, page?: number, perPage?: number): GalleryImagesView;
  image(imageId: string): ImageView & { galleryIds: string[] };
  /** The bytes the download call (#20) serves for the image now. */
  original(imageId: string): OriginalFile;
  upload(input: UploadInput): { imageId: string };
  replace(input: ReplaceInput): { imageId: string; fileSize: number };
  share(input: ShareInput): { permissionId: string };
  editMetadata(input: MetadataInput): { imageId: string; modifiedAt: string };
  expireSessions(): number;
  customFields(): readonly CustomFieldRecord[];
  defineCustomField(name: string, options: readonly string[]): CustomFieldRecord;
  removeCustomFields(name?: string): number;
  resetCustomFields(): readonly CustomFieldRecord[];
  reset(seed?: number, assets?: number): { seed: number; assets: number };
}

const THUMBNAILS = 12;
const THUMBNAIL_BOX = { width: 200, height: 200 };

export function libraryView(ctx: RouteContext): LibraryView {
  const library = ctx.library;
  return {
    collections: [...library.collections.values()].map((c) => ({
      id: c.id,
      name: c.name,
      parentId: c.parentId,
    })),
    galleries: [...library.galleries.values()].map((g) => ({
      id: g.id,
      name: g.name,
      collectionId: g.parentId,
      collectionIds: library.parentsOf(g),
      mode: library.effectiveMode(g),
      nativeMode: g.mode,
      imageCount: g.imageIds.length,
      // The newest, not the first: an upload to a big gallery must show up in the console.
      thumbnails: g.imageIds.slice(-THUMBNAILS).flatMap((id) => {
        const image = library.image(id);
        return image === undefined
          ? []
          : [
              {
                imageId: id,
                fileName: image.fileName,
                url: imageUrl(ctx.baseUrl, image, THUMBNAIL_BOX),
                reviewStatus: library.customValueByName(image, REVIEW_STATUS_FIELD.name),
              },
            ];
      }),
    })),
    assets: library.assetCount,
  };
}

export function galleryImagesView(
  ctx: RouteContext,
  galleryId: string,
  page?: number,
  perPage?: number,
): GalleryImagesView {
  const gallery = ctx.library.requireGallery(galleryId);
  const slice = sliceOf(gallery.imageIds.length, page, perPage);
  return {
    images: gallery.imageIds.slice(slice.start, slice.end).flatMap((id) => {
      const image = ctx.library.image(id);
      return image === undefined
        ? []
        : [
            {
              imageId: id,
              fileName: image.fileName,
              fileSize: image.fileSize,
              width: image.width,
              height: image.height,
              uploadedAt: formatIso(image.uploadedAt),
              modifiedAt: formatIso(image.modifiedAt),
              url: imageUrl(ctx.baseUrl, image, THUMBNAIL_BOX),
              reviewStatus: ctx.library.customValueByName(image, REVIEW_STATUS_FIELD.name),
            },
          ];
    }),
    total: gallery.imageIds.length,
  };
}

export function imageView(
  ctx: RouteContext,
  imageId: string,
): ImageView & { galleryIds: string[] } {
  const image = ctx.library.requireImage(imageId);
  return {
    imageId: image.id,
    fileName: image.fileName,
    fileSize: image.fileSize,
    width: image.width,
    height: image.height,
    uploadedAt: formatIso(image.uploadedAt),
    modifiedAt: formatIso(image.modifiedAt),
    url: imageUrl(ctx.baseUrl, image, THUMBNAIL_BOX),
    reviewStatus: ctx.library.customValueByName(image, REVIEW_STATUS_FIELD.name),
    title: image.title,
    caption: image.caption,
    credit: image.credit,
    copyright: image.copyright,
    keywords: image.keywords,
    instructions: image.instructions ?? '',
    galleryIds: [...image.galleryIds],
  };
}

// ---------------------------------------------------------------------------------------------------
// Bodies

const text = z.string().max(10_000);
const pixels = z.number().int().min(1).max(100_000);

const uploadSchema = z.object({
  galleryId: z.string().min(1),
  fileName: z.string().min(1).max(255).optional(),
  width: pixels.optional(),
  height: pixels.optional(),
  keywords: z.array(text).optional(),
});

const replaceSchema = z.object({
  imageId: z.string().min(1),
  fileName: z.string().min(1).max(255).optional(),
});

const shareSchema = z.object({
  galleryId: z.string().min(1),
  type: z.enum(['contact', 'group', 'token', 'password', 'access_level']).optional(),
  email: z.string().min(1).max(320).optional(),
});

const metadataSchema = z.object({
  imageId: z.string().min(1),
  caption: text.optional(),
  headline: text.optional(),
  title: text.optional(),
  author: text.optional(),
  credit: text.optional(),
  copyright: text.optional(),
  keywords: z.array(text).optional(),
  licenseExpiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
});

const customFieldSchema = z.object({
  name: z.string().min(1).max(200),
  options: z.array(z.string().min(1).max(200)).max(200),
});

export const resetSchema = z.object({
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  assets: z.number().int().min(0).max(1_000_000).optional(),
});

function parseBody<T extends z.ZodType>(schema: T, json: unknown): z.infer<T> {
  const parsed = schema.safeParse(json ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new SimError(400, '', `Invalid body: ${issues.join('; ')}`);
  }
  return parsed.data;
}

const badParam = (message: string): never => {
  throw new SimError(400, '', message);
};

// ---------------------------------------------------------------------------------------------------
// Routes (faults, calls, throttle and reset are the kit's, simulators/kit/control.ts)

export function controlRoutes(target: ControlTarget): ControlRoute[] {
  const route = (method: string, path: string, handler: ControlRoute['handler']): ControlRoute => ({
    method,
    template: `/_sim${path}`,
    handler,
  });
  return [
    route('GET', '/library', () => reply(200, target.library())),
    route('POST', '/upload', ({ json }) =>
      reply(201, target.upload(parseBody(uploadSchema, json))),
    ),
    route('POST', '/replace', ({ json }) =>
      reply(200, target.replace(parseBody(replaceSchema, json))),
    ),
    route('POST', '/share', ({ json }) => reply(201, target.share(parseBody(shareSchema, json)))),
    route('POST', '/metadata', ({ json }) => {
      const { licenseExpiresAt, ...rest } = parseBody(metadataSchema, json);
      return reply(
        200,
        target.editMetadata({
          ...rest,
          licenseExpiresAt:
            licenseExpiresAt === undefined || licenseExpiresAt === null
              ? licenseExpiresAt
              : toMicros(new Date(licenseExpiresAt)),
        }),
      );
    }),
    route('POST', '/sessions/expire', () => reply(200, { expired: target.expireSessions() })),
    route('GET', '/custom-fields', () => reply(200, { fields: target.customFields() })),
    route('POST', '/custom-fields', ({ json }) => {
      const body = parseBody(customFieldSchema, json);
      return reply(201, target.defineCustomField(body.name, body.options));
    }),
    route('DELETE', '/custom-fields', ({ query }) => {
      const name = query.get('name') ?? undefined;
      return reply(200, { removed: target.removeCustomFields(name === '' ? undefined : name) });
    }),
    route('POST', '/custom-fields/reset', () => reply(200, { fields: target.resetCustomFields() })),
    route('GET', '/galleries/:id/images', ({ params, query }: ControlContext) => {
      const paging = new Map(query);
      const page = intParam(paging, 'page', 1, badParam);
      const perPage = intParam(paging, 'per_page', 1, badParam);
      return reply(200, target.galleryImages(params['id'] ?? '', page, perPage));
    }),
    route('GET', '/images/:id', ({ params }) => reply(200, target.image(params['id'] ?? ''))),
    route('GET', '/images/:id/original', ({ params }) => {
      const file = target.original(params['id'] ?? '');
      return reply(200, new BinaryBody(file.bytes, file.contentType));
    }),
  ];
}

/** The kit's `POST /_sim/reset`: a freshly generated library (`{seed?, assets?}`). */
export function resetFromBody(target: ControlTarget, json: unknown): unknown {
  const body = parseBody(resetSchema, json);
  return target.reset(body.seed, body.assets);
}
