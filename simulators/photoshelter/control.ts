import { z } from 'zod';

import { imageUrl, type RouteContext, sliceOf } from './context.js';
import type { CallCounts, Fault, FaultSpec } from './faults.js';
import { intParam, type Reply, reply, type SimRequest } from './http-util.js';
import {
  type CustomFieldRecord,
  type MetadataInput,
  type ReplaceInput,
  REVIEW_STATUS_FIELD,
  type ShareInput,
  type UploadInput,
} from './library.js';
import { SimulatorError } from './simulator-error.js';
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
    thumbnails: { imageId: string; fileName: string; url: string }[];
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
  upload(input: UploadInput): { imageId: string };
  replace(input: ReplaceInput): { imageId: string; fileSize: number };
  share(input: ShareInput): { permissionId: string };
  editMetadata(input: MetadataInput): { imageId: string; modifiedAt: string };
  addFault(fault: FaultSpec): Fault;
  faults(): readonly Fault[];
  clearFaults(): number;
  expireSessions(): number;
  customFields(): readonly CustomFieldRecord[];
  defineCustomField(name: string, options: readonly string[]): CustomFieldRecord;
  removeCustomFields(name?: string): number;
  resetCustomFields(): readonly CustomFieldRecord[];
  calls(): CallCounts;
  resetCalls(): void;
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
      thumbnails: g.imageIds.slice(0, THUMBNAILS).flatMap((id) => {
        const image = library.image(id);
        return image === undefined
          ? []
          : [
              {
                imageId: id,
                fileName: image.fileName,
                url: imageUrl(ctx.baseUrl, image, THUMBNAIL_BOX),
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

export const faultSchema = z.object({
  path: z.string().startsWith('/').optional(),
  method: z
    .string()
    .regex(/^[A-Za-z]+$/)
    .optional(),
  status: z.number().int().min(100).max(599).optional(),
  retryAfterSeconds: z.number().int().min(0).max(86_400).optional(),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  drop: z.boolean().optional(),
  malformed: z.boolean().optional(),
  times: z.number().int().min(1).max(1_000_000).optional(),
});

const customFieldSchema = z.object({
  name: z.string().min(1).max(200),
  options: z.array(z.string().min(1).max(200)).max(200),
});

const resetSchema = z.object({
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  assets: z.number().int().min(0).max(1_000_000).optional(),
});

function parseBody<T extends z.ZodType>(schema: T, request: SimRequest): z.infer<T> {
  const parsed = schema.safeParse(request.json ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new SimulatorError(400, `Invalid body: ${issues.join('; ')}`);
  }
  return parsed.data;
}

const badParam = (message: string): never => {
  throw new SimulatorError(400, message);
};

// ---------------------------------------------------------------------------------------------------
// Routes

/** `sub` is the path after `/_sim`. */
export function handleControl(target: ControlTarget, request: SimRequest, sub: string): Reply {
  try {
    return route(target, request, sub);
  } catch (e: unknown) {
    if (e instanceof SimulatorError) return reply(e.status, { error: e.message });
    throw e;
  }
}

function route(target: ControlTarget, request: SimRequest, sub: string): Reply {
  const key = `${request.method} ${sub}`;
  switch (key) {
    case 'GET /library':
      return reply(200, target.library());
    case 'POST /upload':
      return reply(201, target.upload(parseBody(uploadSchema, request)));
    case 'POST /replace':
      return reply(200, target.replace(parseBody(replaceSchema, request)));
    case 'POST /share':
      return reply(201, target.share(parseBody(shareSchema, request)));
    case 'POST /metadata': {
      const body = parseBody(metadataSchema, request);
      const { licenseExpiresAt, ...rest } = body;
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
    }
    case 'POST /faults':
      return reply(201, target.addFault(parseBody(faultSchema, request)));
    case 'GET /faults':
      return reply(200, { faults: target.faults() });
    case 'DELETE /faults':
      return reply(200, { cleared: target.clearFaults() });
    case 'POST /sessions/expire':
      return reply(200, { expired: target.expireSessions() });
    case 'GET /calls':
      return reply(200, target.calls());
    case 'DELETE /calls':
      target.resetCalls();
      return reply(200, target.calls());
    case 'GET /custom-fields':
      return reply(200, { fields: target.customFields() });
    case 'POST /custom-fields': {
      const body = parseBody(customFieldSchema, request);
      return reply(201, target.defineCustomField(body.name, body.options));
    }
    case 'DELETE /custom-fields': {
      const name = request.params.get('name');
      return reply(200, { removed: target.removeCustomFields(name === '' ? undefined : name) });
    }
    case 'POST /custom-fields/reset':
      return reply(200, { fields: target.resetCustomFields() });
    case 'POST /reset': {
      const body = parseBody(resetSchema, request);
      return reply(200, target.reset(body.seed, body.assets));
    }
    default:
      break;
  }
  const images = /^\/galleries\/([^/]+)\/images$/.exec(sub);
  if (images !== null && request.method === 'GET') {
    const page = intParam(request.params, 'page', 1, badParam);
    const perPage = intParam(request.params, 'per_page', 1, badParam);
    return reply(200, target.galleryImages(decodeURIComponent(images[1] ?? ''), page, perPage));
  }
  const image = /^\/images\/([^/]+)$/.exec(sub);
  if (image !== null && request.method === 'GET') {
    return reply(200, target.image(decodeURIComponent(image[1] ?? '')));
  }
  return reply(404, { error: `No simulator control at ${request.method} /_sim${sub}` });
}
