import { describe, expect, it } from 'vitest';

import { tabTenantWarning } from '../../../../connectors/entra/entra-sso-verifier.js';

// What start-up tells the operator about who may open the tab.
describe('tabTenantWarning', () => {
  it('warns that any tenant may sign in when tab sign-in has no tenant', () => {
    expect(tabTenantWarning({ tenantId: undefined })).toBe(
      'Tab sign-in accepts users of any Entra tenant: no tenant is configured. ' +
        'Set TAB_SSO_TENANT_ID (or MicrosoftAppTenantId) to admit only your organisation',
    );
  });

  it('says nothing when a tenant is configured or tab sign-in is off', () => {
    expect(tabTenantWarning({ tenantId: '4c9a7e2d-6f1b-4e8a-b3d5-0a2f6c8e1b37' })).toBeUndefined();
    expect(tabTenantWarning({ tenantId: 'contoso.onmicrosoft.com' })).toBeUndefined();
    expect(tabTenantWarning(undefined)).toBeUndefined();
  });
});
