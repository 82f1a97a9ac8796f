import { z } from 'zod';

import { assetIdSchema, galleryIdSchema } from './ids.js';

const isoDate = z.iso.datetime({ offset: true });

/** The file behind an asset: what changes when the image is replaced. */
export const assetFileSchema = z.object({
  fileName: z.string().min(1),
  fileSize: z.number().int().nonnegative(),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
});
export type AssetFile = z.infer<typeof assetFileSchema>;

/** One entry of the change listing: enough to fingerprint without fetching metadata. */
export const mediaChangeSchema = assetFileSchema.extend({
  assetId: assetIdSchema,
  uploadedAt: isoDate,
  modifiedAt: isoDate,
});
export type MediaChange = z.infer<typeof mediaChangeSchema>;

export const assetSummarySchema = mediaChangeSchema.extend({
  galleryId: galleryIdSchema,
  isVisible: z.boolean(),
  thumbnailUrl: z.url().optional(),
});
export type AssetSummary = z.infer<typeof assetSummarySchema>;

export const assetMetadataSchema = assetFileSchema.extend({
  assetId: assetIdSchema,
  uploadedAt: isoDate,
  modifiedAt: isoDate,
  caption: z.string(),
  headline: z.string(),
  title: z.string(),
  author: z.string(),
  credit: z.string(),
  copyright: z.string(),
  keywords: z.array(z.string()),
  licenseExpiresAt: isoDate.nullable(),
});
export type AssetMetadata = z.infer<typeof assetMetadataSchema>;

export const displayLinkSchema = z.object({
  assetId: assetIdSchema,
  url: z.url(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type DisplayLink = z.infer<typeof displayLinkSchema>;
