import { z } from 'zod';

import { guidSchema } from '../../core/model/ids.js';

// '' counts as unset (the t3-env rationale): an empty AZURE_CLIENT_SECRET= line in .env
// means "use the managed identity", not "a secret that is the empty string".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/**
 * The Graph slice of the environment (composed in composition/config.ts). The AZURE_* names are
 * what @azure/identity's EnvironmentCredential reads, so a developer's shell works unchanged.
 */
export const graphConfigSchema = z
  .object({
    GRAPH_BASE_URL: z
      .preprocess(
        (value) => (value === '' || value === undefined ? 'https://graph.microsoft.com' : value),
        z.url(),
      )
      .describe(
        'Microsoft Graph root, default https://graph.microsoft.com (a simulator: http://127.0.0.1:PORT/v1.0).',
      ),
    AZURE_TENANT_ID: optional(z.string().min(1)).describe(
      'Entra tenant (id or domain) of the app registration; also names the tenant in task links.',
    ),
    AZURE_CLIENT_ID: optional(guidSchema).describe(
      'App (client) id. With AZURE_CLIENT_SECRET: that app registration. Alone: a user-assigned managed identity.',
    ),
    AZURE_CLIENT_SECRET: optional(z.string().min(1)).describe(
      'Client secret of the app registration (secret). Unset: the managed identity of the Function App.',
    ),
    PLANNER_PLAN_ID: optional(z.string().min(1)).describe(
      'The default Planner plan, for routing rules that name none.',
    ),
  })
  .superRefine((env, ctx) => {
    if (env.AZURE_CLIENT_SECRET === undefined) return;
    // A secret is only usable with the tenant and app it belongs to; name each missing key.
    for (const key of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID'] as const) {
      if (env[key] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'required when AZURE_CLIENT_SECRET is set',
        });
      }
    }
  });

export type GraphEnvironment = z.infer<typeof graphConfigSchema>;
