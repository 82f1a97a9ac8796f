import { z } from 'zod';

import { proofDecisionSchema } from '../../core/model/proof.js';

// What Ziflow's API answers (docs/ziflow.md). Fields the connector does not read are let through;
// where the vendor's shape is unconfirmed the schema takes each form seen and says [INF].

/** Numbers may come as strings (`versions[].version` is "1" in the vendor's sample). */
const looseInt = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

/** A stage member: [INF] the key and the decision field are unconfirmed; each form seen is read. */
const memberSchema = z
  .object({
    email: z.string().min(1),
    decision: proofDecisionSchema.nullable().optional(),
    decision_status: proofDecisionSchema.nullable().optional(),
  })
  .loose()
  .transform((m) => ({ email: m.email, decision: m.decision ?? m.decision_status ?? null }));

const stageSchema = z
  .object({
    id: z.union([z.string().min(1), z.number().transform(String)]),
    name: z.string(),
    status: proofDecisionSchema.nullable().optional(),
    members: z.array(memberSchema).optional(),
    reviewers: z.array(memberSchema).optional(),
  })
  .loose()
  .transform((s) => ({
    id: s.id,
    name: s.name,
    status: s.status ?? null,
    members: s.members ?? s.reviewers ?? [],
  }));

export const proofSchema = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    version: looseInt.optional(),
    version_previous_id: z.string().nullable().optional(),
    versions: z
      .array(z.object({ version: looseInt, 'version-id': z.string().min(1) }).loose())
      .optional(),
    status: z.enum(['uploading', 'in_progress', 'completed', 'failed']),
    decision_status: proofDecisionSchema.nullable().optional(),
    public_link: z.string().nullable().optional(),
    /** [INF] Each file's own `download_link`, null when `allow_source_download` is off. */
    source_files: z
      .array(
        z
          .object({
            id: z.union([z.string().min(1), z.number().transform(String)]),
            name: z.string().default(''),
            size: looseInt.default(0),
            download_link: z.string().nullable().optional(),
          })
          .loose(),
      )
      .default([]),
    stages: z.array(stageSchema).default([]),
  })
  .loose();
export type WireProof = z.infer<typeof proofSchema>;

/** `POST /proofs` may answer one proof or, for a batch create, a list [OFF "one proof or a batch"]. */
export const createdProofSchema = z.union([proofSchema, z.array(proofSchema).min(1)]);

export const proofListSchema = z.array(proofSchema);

export const commentSchema = z
  .object({
    id: z.union([z.string().min(1), z.number().transform(String)]),
    comment: z.string(),
    parent_comment_id: z
      .union([z.string(), z.number().transform(String)])
      .nullable()
      .optional(),
    created_at: z.string().optional(),
    // Older docs spell it with a hyphen [OFF].
    'created-at': z.string().optional(),
    reviewer: z.object({ email: z.string().optional() }).loose().nullable().optional(),
  })
  .loose();

export const commentListSchema = z.array(commentSchema);

/** Ziflow's error body is undocumented [INF]; its `message`, when there is one, is shown. */
export const errorBodySchema = z.object({ message: z.string() }).loose();

export const webhookSchema = z
  .object({
    id: z.union([z.string().min(1), z.number().transform(String)]),
    target: z.string(),
  })
  .loose();

export const webhookListSchema = z.array(webhookSchema);
