import { z } from 'zod';

// Apart from review.ts so the parts a review holds (proof.ts, preservation.ts) can name them without
// a cycle.

export const reviewStatusSchema = z.enum([
  'pending',
  'approved',
  'rereview',
  'archived',
  'superseded',
]);
export type ReviewStatus = z.infer<typeof reviewStatusSchema>;

export const decisionVerbSchema = z.enum(['approve', 'rereview', 'archive']);
export type DecisionVerb = z.infer<typeof decisionVerbSchema>;
