import { z } from 'zod';

import { assetIdSchema } from './ids.js';
import type { ReviewStatus } from './review-status.js';

// A rule's `preserve` section sends a review's assets to Preservica as one package per review, under
// references Lightdesk chooses before the ingest, so a retried ingest finds them instead of making a
// second entity (docs/preservica.md).

/** When a review's assets go to preservation: once approved, once archived, or with the gallery. */
export const preserveWhenSchema = z.enum(['on-approval', 'on-archive', 'on-retire']);
export type PreserveWhen = z.infer<typeof preserveWhenSchema>;

export const preservationStatusSchema = z.enum(['ingesting', 'preserved', 'failed']);

/** Where a review's package stands in Preservica. */
export const reviewPreservationSchema = z.object({
  /** The rule's choice when the review opened: what started it, where it goes, who may see it. */
  when: preserveWhenSchema,
  folderRef: z.string().min(1),
  securityTag: z.string().min(1),
  /** `review`: the review's own assets; `gallery`: the whole gallery (a retirement). */
  scope: z.enum(['review', 'gallery']),
  status: preservationStatusSchema,
  /** The package's key; each attempt after a failure continues the same ingest under it. */
  packageKey: z.string().min(1),
  attempt: z.number().int().positive(),
  /** Preservica's progress token of the current attempt, once the upload was accepted. */
  progressToken: z.string().min(1).optional(),
  /** The Preservica reference of each asset's entity, chosen before the ingest. */
  references: z.record(assetIdSchema, z.string().min(1)),
  /** Why the last attempt failed, as Preservica said it. */
  reason: z.string().max(2000).optional(),
  startedAt: z.iso.datetime({ offset: true }),
  preservedAt: z.iso.datetime({ offset: true }).optional(),
});

/**
 * Whether a review that reached `status` is preserved under `when`. A retirement is an archive
 * decision too: the rule says whether the review's assets or the whole gallery go.
 */
export function preservesOn(when: PreserveWhen, status: ReviewStatus): boolean {
  switch (when) {
    case 'on-approval':
      return status === 'approved';
    case 'on-archive':
    case 'on-retire':
      return status === 'archived';
  }
}
