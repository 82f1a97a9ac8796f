import { z } from 'zod';

/** The two fields of an OpenID Provider Metadata document Lightdesk needs (OpenID Discovery §3). */
export const openIdMetadataSchema = z.object({
  issuer: z.string().min(1),
  jwks_uri: z.url(),
});

/**
 * The Entra access-token claims Lightdesk reads (Teams SSO gives the tab a v2.0 token for
 * `access_as_user`):
 * https://learn.microsoft.com/microsoftteams/platform/tabs/how-to/authentication/tab-sso-token-graph,
 * https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
 */
export const entraAccessTokenClaimsSchema = z.object({
  oid: z.string().min(1, 'oid is empty'),
  tid: z.string().min(1, 'tid is empty'),
  /** The token format, "1.0" or "2.0"; it fixes the issuer's form. Checked by the verifier, not here. */
  ver: z.string().optional(),
  scp: z.string().optional(),
  name: z.string().optional(),
  preferred_username: z.string().optional(),
  upn: z.string().optional(),
});
