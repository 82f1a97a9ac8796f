import { z } from 'zod';

// '' counts as unset (STYLE rule 12, the t3-env rationale): an empty PHOTOSHELTER_ORG_ID= line in .env
// means "no organization", not "an invalid organization id".
const emptyAsUnset = (value: unknown): unknown => (value === '' ? undefined : value);

/** The PhotoShelter slice of the configuration; composition/config.ts composes it. */
export const photoShelterConfigSchema = z.object({
  baseUrl: z
    .url()
    .describe('PhotoShelter API host, e.g. https://www.photoshelter.com (or a simulator URL).'),
  webBaseUrl: z
    .url()
    .describe('Base of the gallery links people open, e.g. https://acme.photoshelter.com.'),
  apiKey: z.string().min(1).describe('PhotoShelter API key, sent as X-PS-Api-Key (secret).'),
  email: z.string().min(1).describe('Email of the PhotoShelter member Lightdesk logs in as.'),
  password: z.string().min(1).describe('Password of that PhotoShelter member (secret).'),
  orgId: z
    .preprocess(
      emptyAsUnset,
      z
        .string()
        .regex(/^O0000[A-Za-z0-9._]{11}$/, 'must be a PhotoShelter organization id (O0000…)')
        .optional(),
    )
    .describe(
      'Organization to act for (O0000…). Unset: the first organization the login reports, else the user.',
    ),
});
export type PhotoShelterConfig = z.infer<typeof photoShelterConfigSchema>;
