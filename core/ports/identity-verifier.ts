/** The person a browser request acts for, as a verified token says. */
export interface SignedInUser {
  /** Entra object id: the id reviewers carry in routing rules and Planner assignments. */
  readonly id: string;
  readonly name: string;
  readonly upn: string;
  /** How the token was proven: Teams SSO (Entra) or a local development token. */
  readonly via: 'sso' | 'dev';
}

/**
 * Verifies the bearer token a browser page (the Teams tab) sends. Throws AuthError, whose message says
 * what was wrong without echoing the token.
 */
export interface IdentityVerifier {
  verify(token: string): Promise<SignedInUser>;
}
