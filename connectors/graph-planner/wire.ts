import { z } from 'zod';

// Zod schemas for the Graph JSON Lightdesk reads; never .strict(), as Graph adds properties over
// time. Shapes: https://learn.microsoft.com/graph/api/resources/plannertask, …/plannertaskdetails,
// …/plannerbucket, …/user, …/concepts/paging, …/concepts/json-batching.

const etag = z.string().min(1);

/** `identitySet`: who did something; in app-only writes `user` is null and `application` is us. */
export const identitySetSchema = z.object({
  user: z.object({ id: z.string().nullish(), displayName: z.string().nullish() }).nullish(),
  application: z.object({ id: z.string().nullish(), displayName: z.string().nullish() }).nullish(),
});

export const plannerTaskSchema = z.object({
  '@odata.etag': etag,
  id: z.string().min(1),
  planId: z.string().min(1),
  // A task created without a bucket has none; every task Lightdesk creates has one.
  bucketId: z.string().nullish(),
  title: z.string(),
  percentComplete: z.number().int().min(0).max(100),
  completedDateTime: z.string().nullish(),
  completedBy: identitySetSchema.nullish(),
  createdDateTime: z.string().nullish(),
  dueDateTime: z.string().nullish(),
  priority: z.number().int().nullish(),
  // Open types keyed by user id / category name (resources/plannerassignments, plannerappliedcategories).
  assignments: z.record(z.string(), z.unknown()).nullish(),
  appliedCategories: z.record(z.string(), z.unknown()).nullish(),
});
export type PlannerTask = z.infer<typeof plannerTaskSchema>;

export const plannerChecklistItemSchema = z.object({
  title: z.string().nullish(),
  isChecked: z.boolean().nullish(),
  orderHint: z.string().nullish(),
});

export const plannerExternalReferenceSchema = z.object({
  alias: z.string().nullish(),
  type: z.string().nullish(),
  previewPriority: z.string().nullish(),
});

export const plannerTaskDetailsSchema = z.object({
  '@odata.etag': etag,
  id: z.string().min(1),
  description: z.string().nullish(),
  // Keys: client-made GUIDs (checklist) and encoded URLs (references), exactly as they were written.
  checklist: z.record(z.string(), plannerChecklistItemSchema).nullish(),
  references: z.record(z.string(), plannerExternalReferenceSchema).nullish(),
});
export type PlannerTaskDetails = z.infer<typeof plannerTaskDetailsSchema>;

export const plannerBucketSchema = z.object({
  '@odata.etag': etag.optional(),
  id: z.string().min(1),
  name: z.string(),
  planId: z.string().min(1),
  orderHint: z.string().nullish(),
});

export const userSchema = z.object({
  id: z.string().min(1),
  displayName: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
  mail: z.string().nullish(),
});
export type GraphUser = z.infer<typeof userSchema>;

/** A collection page; `@odata.nextLink` is the absolute URL of the next one (concepts/paging). */
export const collectionSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    value: z.array(item),
    '@odata.nextLink': z.string().min(1).optional(),
  });

export const taskPageSchema = collectionSchema(plannerTaskSchema);
export type TaskPage = z.infer<typeof taskPageSchema>;
export const bucketPageSchema = collectionSchema(plannerBucketSchema);
export type BucketPage = z.infer<typeof bucketPageSchema>;

/**
 * Graph's error envelope (https://learn.microsoft.com/graph/errors). `innerError` carries the
 * `request-id` support asks for; Graph spells the key `innerError` (the docs also show `innererror`).
 */
const innerErrorSchema = z.object({
  'request-id': z.string().optional(),
  'client-request-id': z.string().optional(),
  date: z.string().optional(),
  code: z.string().optional(),
});
export const graphErrorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string().nullish(),
    message: z.string().nullish(),
    innerError: innerErrorSchema.optional(),
    innererror: innerErrorSchema.optional(),
  }),
});

/**
 * The `$batch` answer: always 200 on the outside, each inner answer with its own status, headers and
 * body, in any order (match by id). https://learn.microsoft.com/graph/json-batching
 */
export const batchResponseSchema = z.object({
  responses: z.array(
    z.object({
      id: z.string().min(1),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).nullish(),
      body: z.unknown().optional(),
    }),
  ),
});
