import { z } from 'zod';

import { assetIdSchema, collectionIdSchema, galleryIdSchema } from '../../core/model/ids.js';

// Zod schemas for every PhotoShelter JSON shape Lightdesk reads (docs/photoshelter-wire.md, calls #1–#19).
// Objects are never .strict(): the real service returns many more keys than we ask for or use.

// ---------------------------------------------------------------------------------------------------
// Scalars

// v3 emits numbers as strings ("file_size":"1800") [DOC]; v4 emits JSON numbers [WIP]. Accept both.
export const psCountSchema = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^\d+$/, 'must be a whole number')
      .transform((text) => Number(text)),
  ])
  .pipe(z.number().int().nonnegative());

// v3 booleans are "t"/"f" [DOC/3P]; v4 uses JSON booleans [WIP].
export const psFlagSchema = z.union([
  z.boolean(),
  z.enum(['t', 'f']).transform((flag) => flag === 't'),
]);

/**
 * The three timestamp forms ([WIP] examples, docs/photoshelter-wire.md): ISO 8601 with offset, the
 * space form with optional fraction (`2019-04-25 14:54:12.136828`, wall time in the account's
 * `Session.tz` [INF]) and `2019-10-02 14:39:23 GMT`.
 */
export const PS_TIMESTAMP =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.(\d{1,9}))?(?:Z| ?GMT| ?UTC|([+-])(\d{2}):?(\d{2}))?$/;

export const psTimestampSchema = z
  .string()
  .trim()
  .regex(PS_TIMESTAMP, 'must be a PhotoShelter timestamp');

// [INF] An unset licence expiry may come back as null, missing or an empty string.
const psOptionalTimestampSchema = z.preprocess(
  (value) => (value === '' || value === undefined ? null : value),
  psTimestampSchema.nullable(),
);

// Free text fields may be null or missing on records where nobody filled them in [INF].
const psTextSchema = z
  .string()
  .nullish()
  .transform((text) => text ?? '');

const psModeSchema = z.string().nullish();

// ---------------------------------------------------------------------------------------------------
// Envelopes

/** v3 failure body: `{"status":"error","error":{"message":"…","class":"…"}}` [OFF/3P]. */
export const v3ErrorEnvelopeSchema = z.object({
  status: z.string(),
  error: z
    .object({ message: z.string().optional(), class: z.string().optional() })
    .loose()
    .optional(),
});

/** v4 failure body (RFC 7807 style): `{"errors":[{"id","status","title","detail"}]}` [WIP]. */
export const v4ErrorEnvelopeSchema = z.object({
  errors: z
    .array(
      z
        .object({
          id: z.string().optional(),
          status: z.union([z.string(), z.number()]).optional(),
          title: z.string().optional(),
          detail: z.string().optional(),
        })
        .loose(),
    )
    .min(1),
});

/** v3 success: `{"status":"ok","data":{RecordType:…}}` [DOC]. */
export const v3EnvelopeSchema = <T extends z.ZodType>(data: T) =>
  z.object({ status: z.literal('ok'), data });

/** v3 answers with no payload worth reading (org switch #2, logout #12). */
export const v3EmptyEnvelopeSchema = v3EnvelopeSchema(z.unknown());

// ---------------------------------------------------------------------------------------------------
// #1 log in, #3 user session

export const loginOrgSchema = z
  .object({ id: z.string().min(1), name: z.string().optional(), member: psFlagSchema.optional() })
  .loose();

export const loginResponseSchema = v3EnvelopeSchema(
  z
    .object({
      token: z.string().min(1),
      // Present only when the user belongs to organizations [DOC].
      org: z.array(loginOrgSchema).optional(),
    })
    .loose(),
);

export const userSessionResponseSchema = z.object({
  data: z
    .object({
      id: z.string().regex(/^U0000[A-Za-z0-9._]{11}$/, 'must be a PhotoShelter user id'),
      type: z.string().optional(),
    })
    .loose(),
});

/**
 * #3b v3 session: `data.Session.tz` is the user's time zone [3P Drupal]; the other keys are unknown
 * [OFF tester prints them all], so everything is optional.
 */
export const v3SessionResponseSchema = v3EnvelopeSchema(
  z
    .object({
      Session: z.object({ tz: z.string().nullish() }).loose().optional(),
    })
    .loose(),
);

// ---------------------------------------------------------------------------------------------------
// #4 library tree, #5 one gallery

export const collectionRecordSchema = z
  .object({
    collection_id: collectionIdSchema,
    name: z.string(),
    description: psTextSchema,
    f_list: psFlagSchema.optional(),
    mode: psModeSchema,
    effective_mode: psModeSchema,
    created_at: psTimestampSchema.optional(),
    modified_at: psTimestampSchema,
  })
  .loose();
export type CollectionRecord = z.infer<typeof collectionRecordSchema>;

const parentSchema = z.object({ collection_id: collectionIdSchema }).loose();

export const galleryRecordSchema = z
  .object({
    gallery_id: galleryIdSchema,
    name: z.string(),
    description: psTextSchema,
    f_list: psFlagSchema.optional(),
    mode: psModeSchema,
    effective_mode: psModeSchema,
    created_at: psTimestampSchema.optional(),
    modified_at: psTimestampSchema,
    // One object in the sample we have; [INF] it may be an array for a gallery in several collections,
    // and may be null or missing at the root.
    Parents: z.union([parentSchema, z.array(parentSchema)]).nullish(),
  })
  .loose();
export type GalleryRecord = z.infer<typeof galleryRecordSchema>;

export const childrenResponseSchema = v3EnvelopeSchema(
  z
    .object({
      Children: z
        .object({
          // [INF] an empty list may be omitted rather than sent as [].
          Collection: z.array(collectionRecordSchema).nullish(),
          Gallery: z.array(galleryRecordSchema).nullish(),
        })
        .loose(),
    })
    .loose(),
);

export const galleryResponseSchema = v3EnvelopeSchema(
  z.object({ Gallery: galleryRecordSchema }).loose(),
);

// ---------------------------------------------------------------------------------------------------
// #6 media of a gallery, #7 image metadata, #8 display link

export const imageLinkSchema = z
  .object({
    link: z.url(),
    base: z.string().optional(),
    token: z.string().optional(),
    auth_link: z.string().optional(),
  })
  .loose();
export type ImageLink = z.infer<typeof imageLinkSchema>;

export const imageRecordSchema = z
  .object({
    image_id: assetIdSchema,
    file_name: z.string().min(1),
    file_size: psCountSchema,
    width: psCountSchema,
    height: psCountSchema,
    uploaded_at: psTimestampSchema,
    updated_at: psTimestampSchema,
  })
  .loose();

export const galleryImageSchema = z
  .object({
    image_id: assetIdSchema,
    f_visible: psFlagSchema.optional(),
    Image: imageRecordSchema,
    ImageLink: imageLinkSchema.nullish(),
  })
  .loose();
export type GalleryImage = z.infer<typeof galleryImageSchema>;

/** v3 `Paging`: only `next` is confirmed [3P]; the other keys are [INF] from v1. */
export const v3PagingSchema = z
  .object({
    page: psCountSchema.optional(),
    per_page: psCountSchema.optional(),
    total: psCountSchema.optional(),
    pages: psCountSchema.optional(),
    next: z.string().nullish(),
  })
  .loose();

export const galleryImagesResponseSchema = v3EnvelopeSchema(
  z
    .object({
      GalleryImage: z.array(galleryImageSchema).nullish(),
      Paging: v3PagingSchema.nullish(),
    })
    .loose(),
);

export const iptcSchema = z
  .object({
    caption: psTextSchema,
    headline: psTextSchema,
    title: psTextSchema,
    author: psTextSchema,
    credit: psTextSchema,
    copyright: psTextSchema,
    // One comma-separated string [3P Drupal].
    keyword: psTextSchema,
    // Free text; Lightdesk's workflow fields live in it [INF] (wire doc #23).
    instructions: psTextSchema,
  })
  .loose();

export const imageMetadataResponseSchema = v3EnvelopeSchema(
  z
    .object({
      Image: imageRecordSchema.extend({
        // [INF] an image without IPTC or licence data may come back without the extension at all.
        Iptc: iptcSchema.nullish(),
        License: z.object({ license_etime: psOptionalTimestampSchema }).loose().nullish(),
      }),
    })
    .loose(),
);
export type ImageMetadataResponse = z.infer<typeof imageMetadataResponseSchema>;

export const imageLinkResponseSchema = v3EnvelopeSchema(
  z.object({ ImageLink: imageLinkSchema }).loose(),
);

// ---------------------------------------------------------------------------------------------------
// v4: #9 media changes, #10 galleries by modification, #11 galleries of one image

/** v4 `meta.paging` [WIP]: `next` is a full URL, present only when another page exists. */
export const v4PagingSchema = z
  .object({
    total: psCountSchema.optional(),
    page: psCountSchema.optional(),
    first: z.string().nullish(),
    last: z.string().nullish(),
    next: z.string().nullish(),
    prev: z.string().nullish(),
  })
  .loose();

const v4MetaSchema = z.object({ paging: v4PagingSchema.nullish() }).loose().nullish();

const v4ImageAttributesSchema = z
  .object({
    file_name: z.string().min(1),
    file_size: psCountSchema,
    width: psCountSchema,
    height: psCountSchema,
    created_at: psTimestampSchema,
    modified_at: psTimestampSchema,
  })
  .loose();

/**
 * One `/media` entry. Only images are Lightdesk assets: other media types (video, audio, documents)
 * become `{ type }` and are skipped, so their attributes are not held to the image shape.
 */
export const v4MediaItemSchema = z
  .object({ id: z.string().min(1), type: z.string(), attributes: z.unknown() })
  .loose()
  .transform((item, ctx) => {
    if (item.type !== 'image') return { type: item.type, image: undefined };
    const id = assetIdSchema.safeParse(item.id);
    const attributes = v4ImageAttributesSchema.safeParse(item.attributes);
    for (const [key, result] of [
      ['id', id],
      ['attributes', attributes],
    ] as const) {
      if (result.success) continue;
      for (const issue of result.error.issues) {
        ctx.addIssue({ code: 'custom', message: issue.message, path: [key, ...issue.path] });
      }
    }
    if (!id.success || !attributes.success) return z.NEVER;
    return { type: item.type, image: { id: id.data, ...attributes.data } };
  });
export type V4MediaItem = z.infer<typeof v4MediaItemSchema>;

export const mediaListResponseSchema = z
  .object({ data: z.array(v4MediaItemSchema), meta: v4MetaSchema })
  .loose();

export const v4PermissionSchema = z
  .object({ id: z.string().min(1), type: z.string().optional() })
  .loose();

export const v4GallerySchema = z
  .object({
    id: galleryIdSchema,
    type: z.string().optional(),
    attributes: z
      .object({
        name: z.string(),
        description: psTextSchema,
        mode: psModeSchema,
        created_at: psTimestampSchema,
        modified_at: psTimestampSchema,
      })
      .loose(),
    // `include=permissions` lands at `includes.permissions.data[]` [3P natlaqua].
    includes: z
      .object({
        permissions: z
          .object({ data: z.array(v4PermissionSchema).nullish() })
          .loose()
          .nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();
export type V4Gallery = z.infer<typeof v4GallerySchema>;

export const galleryListResponseSchema = z
  .object({ data: z.array(v4GallerySchema), meta: v4MetaSchema })
  .loose();

export const mediaGalleriesResponseSchema = z
  .object({
    data: z.array(
      z
        .object({
          id: galleryIdSchema,
          type: z.string().optional(),
          includes: z
            .object({
              gallery: z
                .object({
                  data: z
                    .object({
                      id: galleryIdSchema,
                      attributes: z.object({ name: z.string().optional() }).loose().optional(),
                    })
                    .loose()
                    .nullish(),
                })
                .loose()
                .nullish(),
            })
            .loose()
            .nullish(),
        })
        .loose(),
    ),
  })
  .loose();

// ---------------------------------------------------------------------------------------------------
// Write-back: #13 gallery path, #14 custom metadata fields, #15/#16 custom metadata, #17–#19 writes.
// No public source shows these answers in full; what is not tagged otherwise is [INF].

/** #13 one breadcrumb entry: `id` and `attributes.name` [3P natlaqua]. */
export const pathEntrySchema = z
  .object({
    id: z.string().min(1),
    type: z.string().optional(),
    attributes: z.object({ name: z.string() }).loose(),
  })
  .loose();
export type PathEntry = z.infer<typeof pathEntrySchema>;

export const galleryPathResponseSchema = z
  .object({ data: z.array(pathEntrySchema), meta: v4MetaSchema })
  .loose();

/** [INF] ids may be numbers on the real service; we only ever send them back as text. */
const psKeySchema = z.union([z.string().min(1), z.number()]).transform((key) => String(key));

/** An option of a custom field; [INF] its label may be called `name`, `value` or `label`. */
export const customFieldOptionSchema = z
  .object({
    id: psKeySchema,
    name: z.string().optional(),
    value: z.string().optional(),
    label: z.string().optional(),
  })
  .loose()
  .transform((option, ctx) => {
    const name = option.name ?? option.value ?? option.label;
    if (name === undefined) {
      ctx.addIssue({ code: 'custom', message: 'option without a name', path: ['name'] });
      return z.NEVER;
    }
    return { id: option.id, name };
  });

/** #14 one org custom metadata field [UNV kuklaph `/metadata/fields`; shape INF]. */
export const customFieldSchema = z
  .object({
    id: psKeySchema,
    type: z.string().optional(),
    attributes: z
      .object({
        name: z.string(),
        // [INF] a field that is not a pick list may come without options.
        options: z.array(customFieldOptionSchema).nullish(),
      })
      .loose(),
  })
  .loose();
export type CustomField = z.infer<typeof customFieldSchema>;

export const customFieldsResponseSchema = z
  .object({ data: z.array(customFieldSchema), meta: v4MetaSchema })
  .loose();

/** #15/#16: `data.attributes.custom_metadata[i].value` [3P natlaqua]; the other keys [INF]. */
export const customMetadataResponseSchema = z
  .object({
    data: z
      .object({
        attributes: z
          .object({
            custom_metadata: z
              .array(
                z
                  .object({
                    id: psKeySchema.optional(),
                    name: z.string().nullish(),
                    value: z.string().nullish(),
                    option_id: psKeySchema.nullish(),
                  })
                  .loose(),
              )
              .nullish(),
          })
          .loose(),
      })
      .loose(),
  })
  .loose();
export type CustomMetadataResponse = z.infer<typeof customMetadataResponseSchema>;

/**
 * #15, #17–#19: a write's answer is only checked to be an object (v3 ok, v4 `{data, meta}` or
 * `{meta:{status:"OK"}}` [WIP delete]); errors.ts has already failed a v3 `status: "error"`.
 */
export const writeAnswerSchema = z.object({}).loose();

/** #21: the new image's id; [INF] under `data.Image.image_id`, also read at `data.image_id`. */
export const uploadAnswerSchema = v3EnvelopeSchema(
  z
    .object({
      Image: z.object({ image_id: assetIdSchema }).loose().optional(),
      image_id: assetIdSchema.optional(),
    })
    .loose()
    .refine((data) => (data.Image?.image_id ?? data.image_id) !== undefined, {
      message: 'names no image id',
    }),
);

/** #24: the new gallery; [INF] `data.id` as every v4 resource, or `data.gallery_id` as #17's PATCH. */
export const createdGalleryAnswerSchema = z
  .object({
    data: z
      .object({ id: galleryIdSchema.optional(), gallery_id: galleryIdSchema.optional() })
      .loose()
      .refine((data) => (data.id ?? data.gallery_id) !== undefined, {
        message: 'names no gallery id',
      }),
  })
  .loose();
