import { z } from 'zod';

// The Preservica slice of the environment (composed in composition/config.ts). Preservica is
// optional: with none of the connection keys set it is off (or the embedded simulator locally); with
// PRESERVICA_BASE_URL set, the login's keys must be there too (docs/preservica.md "Connector").

// '' counts as unset, as in the other slices: an empty `KEY=` line in .env means "not configured".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const POLL_SECONDS_DEFAULT = 30;

export const preservicaConfigSchema = z
  .object({
    PRESERVICA_BASE_URL: optional(z.url()).describe(
      'Preservica server, e.g. https://eu.preservica.com (a simulator: http://127.0.0.1:PORT). Unset: Preservica is off.',
    ),
    PRESERVICA_USERNAME: optional(z.string().min(1)).describe(
      'Preservica user Lightdesk logs in as; it needs the ingest role, and ROLE_SDB_MANAGER_USER to register webhooks.',
    ),
    PRESERVICA_PASSWORD: optional(z.string().min(1)).describe(
      'Password of PRESERVICA_USERNAME (secret).',
    ),
    PRESERVICA_TENANT: optional(z.string().min(1)).describe(
      'Preservica tenant; also names the upload bucket (<tenant lowercase>.package.upload).',
    ),
    PRESERVICA_WEBHOOK_SECRET: optional(
      z.string().min(16, 'must be at least 16 characters'),
    ).describe(
      'Shared secret of the Preservica webhooks to PUBLIC_BASE_URL (secret). Unset: no webhooks, ingests are polled.',
    ),
    PRESERVICA_FOLDER: optional(z.string().min(1)).describe(
      'Reference of the folder packages go to when a routing rule names none.',
    ),
    PRESERVICA_POLL_SECONDS: z
      .preprocess(
        (value) => (value === '' || value === undefined ? POLL_SECONDS_DEFAULT : value),
        z.coerce.number().int().min(1).max(3600),
      )
      .describe('How often a running ingest is asked for its progress, in seconds (default 30).'),
  })
  .superRefine((env, ctx) => {
    if (env.PRESERVICA_BASE_URL === undefined) return;
    // A server without the login to use it is a half-made configuration: name each missing key.
    for (const key of [
      'PRESERVICA_USERNAME',
      'PRESERVICA_PASSWORD',
      'PRESERVICA_TENANT',
    ] as const) {
      if (env[key] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'required when PRESERVICA_BASE_URL is set',
        });
      }
    }
  });

export type PreservicaEnvironment = z.infer<typeof preservicaConfigSchema>;

/** The connection the archive logs in with, or undefined when Preservica is not configured. */
export function preservicaConnection(env: PreservicaEnvironment):
  | {
      readonly baseUrl: string;
      readonly username: string;
      readonly password: string;
      readonly tenant: string;
    }
  | undefined {
  const {
    PRESERVICA_BASE_URL: baseUrl,
    PRESERVICA_USERNAME: username,
    PRESERVICA_PASSWORD: password,
    PRESERVICA_TENANT: tenant,
  } = env;
  if (baseUrl === undefined || username === undefined || password === undefined) return undefined;
  if (tenant === undefined) return undefined;
  return { baseUrl, username, password, tenant };
}
