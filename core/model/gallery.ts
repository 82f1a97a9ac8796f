import { z } from 'zod';

import { collectionIdSchema, galleryIdSchema } from './ids.js';

const isoDate = z.iso.datetime({ offset: true });

export const visibilitySchema = z.enum(['everyone', 'permission', 'private']);
export type Visibility = z.infer<typeof visibilitySchema>;

export const gallerySchema = z.object({
  id: galleryIdSchema,
  name: z.string(),
  description: z.string(),
  parentCollectionId: collectionIdSchema.nullable(),
  visibility: visibilitySchema,
  createdAt: isoDate,
  modifiedAt: isoDate,
  /** Where a person opens the gallery in PhotoShelter's web UI. */
  webUrl: z.url(),
});
export type Gallery = z.infer<typeof gallerySchema>;

export const collectionSchema = z.object({
  id: collectionIdSchema,
  name: z.string(),
  description: z.string(),
  visibility: visibilitySchema,
  modifiedAt: isoDate,
});
export type Collection = z.infer<typeof collectionSchema>;

export const libraryChildrenSchema = z.object({
  collections: z.array(collectionSchema),
  galleries: z.array(gallerySchema),
});
export type LibraryChildren = z.infer<typeof libraryChildrenSchema>;

/** A gallery as the change listing sees it, with who it is shared with. */
export const galleryChangeSchema = z.object({
  galleryId: galleryIdSchema,
  name: z.string(),
  createdAt: isoDate,
  modifiedAt: isoDate,
  visibility: visibilitySchema,
  /** Ids of the access grants (PhotoShelter permissions), the signal for a new share. */
  shareIds: z.array(z.string().min(1)),
});
export type GalleryChange = z.infer<typeof galleryChangeSchema>;
