import { z } from 'zod';

import { DECISIONS, IMPERSONATION_FIELD, MAX_PAGE_COUNT, SIGNATURE_MODES } from './inferred.js';

// Request bodies of the Ziflow API and of the simulator's drivers. Bodies may come as JSON or as a
// form (`input[0][source]=…`), so booleans and numbers also accept their text forms.

const bool = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
const whole = z.preprocess(
  (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
  z.number().int().min(0),
);
const date = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 date');
const httpUrl = z.url({ protocol: /^https?$/ });
const email = z.string().regex(/^[^\s@]+@[^\s@]+$/, 'an email address');

export const memberSchema = z.object({
  email,
  role: z.enum(['reviewer', 'owner']).optional(),
  can_make_decisions: bool.optional(),
  can_download: bool.optional(),
});

export const memberUpdateSchema = memberSchema.omit({ email: true });

const stageSchema = z.object({
  name: z.string().min(1).max(255).optional(),
  deadline: date.nullable().optional(),
  only_one_decision: bool.optional(),
  lock_on_decision: bool.optional(),
  members: z.array(memberSchema).optional(),
});

const sourceSchema = z.object({
  source: httpUrl,
  type: z.enum(['file', 'web-static', 'web-interactive']).default('file'),
});

/** [INF] custom properties as a list of objects, or a map turned into `[{name, value}]`. */
const customProperties = z
  .union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())])
  .transform((v) =>
    Array.isArray(v) ? v : Object.entries(v).map(([name, value]) => ({ name, value })),
  );

export const proofSchema = z.object({
  name: z.string().min(1).max(255).optional(),
  input: z
    .union([sourceSchema, z.array(sourceSchema)])
    .transform((v) => (Array.isArray(v) ? v : [v])),
  stages: z.array(stageSchema).optional(),
  folder_id: z.string().min(1).nullable().optional(),
  brief: z.object({ text: z.string().optional() }).optional(),
  custom_properties: customProperties.optional(),
  version_previous_id: z.string().min(1).optional(),
  lock_on_decisions: bool.optional(),
  allow_source_download: bool.optional(),
  // Accepted and not modelled.
  workflow_template_id: z.string().optional(),
  combine: bool.optional(),
  email_branding: z.unknown().optional(),
});

export const proofUpdateSchema = z.object({
  name: z.string().min(1).max(255).optional(),
  folder_id: z.string().min(1).nullable().optional(),
  deadline: date.nullable().optional(),
  locked: bool.optional(),
  lock_on_decisions: bool.optional(),
});

export const stageUpdateSchema = z.object({
  name: z.string().min(1).max(255).optional(),
  deadline: date.nullable().optional(),
  lock_on_decision: bool.optional(),
  only_one_decision: bool.optional(),
});

const decision = z.enum(DECISIONS);

export const decisionSchema = z.object({
  /** null revokes the caller's decision [INF]. */
  decision: decision.nullable(),
  reason: z.string().max(10_000).optional(),
  stage_id: z.string().optional(),
});

/** [INF] `{status}` or `{decision}`; `completed` marks a comment-only review done. */
export const reviewerStatusSchema = z
  .object({
    status: z
      .union([decision, z.literal('completed')])
      .nullable()
      .optional(),
    decision: decision.nullable().optional(),
    reason: z.string().max(10_000).optional(),
    stage_id: z.string().optional(),
  })
  .refine((b) => b.status !== undefined || b.decision !== undefined, 'status is required');

export const commentSchema = z.object({
  comment: z.string().min(1).max(20_000),
  [IMPERSONATION_FIELD]: email.optional(),
  page: whole.optional(),
  parent_comment_id: z.string().min(1).optional(),
});

/** The event keys of Ziflow's webhook settings [OFF-lab list]. */
export const EVENT_KEYS = [
  'all',
  'created',
  'processed',
  'changed',
  'deleted',
  'restored',
  'status_change',
  'comment',
  'comment_reaction',
  'decision',
  'mentions',
  'complete_review',
  'first_opened',
  'summary',
  'stage_started',
  'stage_locked',
  'shared',
  'stage_deadline_passed',
] as const;

const subscriptionTypes = z
  .object({
    all: bool.optional(),
    proof: z.partialRecord(z.enum(EVENT_KEYS), bool).optional(),
  })
  .transform((s) => {
    const keys = Object.entries(s.proof ?? {})
      .filter(([, on]) => on === true)
      .map(([k]) => k);
    return s.all === true ? ['all', ...keys.filter((k) => k !== 'all')] : keys;
  });

/** [OFF] at most 255 characters: letters, digits, `-` and `\`. */
const signatureKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9\-\\]+$/, 'letters, digits, "-" and "\\" only');

export const webhookSchema = z.object({
  name: z.string().min(1).max(255).optional(),
  target: httpUrl,
  active: bool.optional(),
  generate_signature_key: bool.optional(),
  signature_key: signatureKey.optional(),
  subscription_types: subscriptionTypes.refine((k) => k.length > 0, 'subscribe to an event'),
});

export const webhookUpdateSchema = z.object({
  name: z.string().min(1).max(255).optional(),
  target: httpUrl.optional(),
  active: bool.optional(),
  generate_signature_key: bool.optional(),
  signature_key: signatureKey.nullable().optional(),
  subscription_types: subscriptionTypes.optional(),
});

export const pagingSchema = z.object({
  count: whole.pipe(z.number().int().min(1).max(MAX_PAGE_COUNT)).optional(),
  page: whole.pipe(z.number().int().min(1)).optional(),
});

// ---- drivers (/_sim/…) --------------------------------------------------------------------------

export const decideDriverSchema = z.object({
  proofId: z.string().min(1),
  email,
  decision: decision.nullable(),
  stageId: z.string().optional(),
  comment: z.string().min(1).optional(),
});

export const commentDriverSchema = z.object({
  proofId: z.string().min(1),
  email,
  text: z.string().min(1),
  parentCommentId: z.string().optional(),
  page: z.number().int().min(0).optional(),
});

export const userDriverSchema = z.object({
  email,
  first_name: z.string().min(1),
  last_name: z.string().default(''),
  admin: z.boolean().default(false),
  /** Default: generated. */
  apikey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,128}$/)
    .optional(),
});

/** A person's upload of a new version in Ziflow's web app: each file's bytes as base64. */
export const versionDriverSchema = z.object({
  proofId: z.string().min(1),
  email,
  files: z
    .array(
      z.object({
        name: z.string().min(1).max(255),
        contentBase64: z.base64(),
        contentType: z.string().min(1).default('application/octet-stream'),
      }),
    )
    .min(1)
    .max(50),
});

export const processDriverSchema = z.object({ proofId: z.string().min(1) });
export const redeliverSchema = z.object({ eventId: z.string().min(1) });
export const signatureModeSchema = z.object({ mode: z.enum(SIGNATURE_MODES) });
export const settingsSchema = z.object({
  autoProcess: z.boolean().optional(),
  allowApiKeyQuery: z.boolean().optional(),
  commentImpersonation: z.boolean().optional(),
  retryDelaysMs: z.array(z.number().int().min(0)).max(10).optional(),
});
export const resetSchema = z.object({ seed: z.number().int().optional() });
