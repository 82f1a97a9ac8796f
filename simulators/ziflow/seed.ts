import type { UserRecord } from './records.js';

// The simulated Ziflow account's people: the admin whose key Lightdesk's connector uses, and the
// demo tenant's reviewers (simulators/graph/seed.ts), each with their own key [OFF: keys are per
// user and act as that user]. Fixed, so the demo and the tests can name them.

const DOMAIN = 'contoso.onmicrosoft.com';

export const ADMIN_API_KEY = 'zf-lightdesk-integration-0001';

export const SEEDED_USERS: readonly UserRecord[] = [
  {
    id: '5a1f0000-17a0-4000-8000-00000000a001',
    firstName: 'Lightdesk',
    lastName: 'integration',
    email: `lightdesk@${DOMAIN}`,
    apiKey: ADMIN_API_KEY,
    admin: true,
  },
  {
    id: '5a1f0000-17a0-4000-8000-00000000a002',
    firstName: 'Adele',
    lastName: 'Vance',
    email: `AdeleV@${DOMAIN}`,
    apiKey: 'zf-adelev-0002',
    admin: false,
  },
  {
    id: '5a1f0000-17a0-4000-8000-00000000a003',
    firstName: 'Alex',
    lastName: 'Wilber',
    email: `AlexW@${DOMAIN}`,
    apiKey: 'zf-alexw-0003',
    admin: false,
  },
  {
    id: '5a1f0000-17a0-4000-8000-00000000a004',
    firstName: 'Megan',
    lastName: 'Bowen',
    email: `MeganB@${DOMAIN}`,
    apiKey: 'zf-meganb-0004',
    admin: false,
  },
];
