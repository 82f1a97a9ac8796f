import type { PlannerStore } from './planner-store.js';

// The demo tenant: plan "Photo reviews" with the review buckets and three people, with the ids of
// simulators/bot-connector/seed.ts, so a card's reviewer is the Planner task's assignee.

export const SIM_APP_ID = '3e293b55-0bd4-43ee-9993-e68e2c9ac695';
export const SEEDED_GROUP_ID = '1f874e66-4382-4050-9c49-e842b1b320c8';
const DOMAIN = 'contoso.onmicrosoft.com';

export interface SeededUser {
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
}

export interface GraphSeed {
  readonly appId: string;
  readonly groupId: string;
  readonly planId: string;
  readonly planTitle: string;
  readonly buckets: {
    readonly toReview: string;
    readonly reReview: string;
    readonly approved: string;
    readonly archived: string;
  };
  readonly users: {
    readonly adele: SeededUser;
    readonly alex: SeededUser;
    readonly megan: SeededUser;
  };
}

const PEOPLE = {
  adele: {
    id: 'fd1c0001-f855-4ced-a457-a855155daca6',
    displayName: 'Adele Vance',
    userPrincipalName: `AdeleV@${DOMAIN}`,
    jobTitle: 'Photo editor',
  },
  alex: {
    id: 'b69cf5ce-9016-43fe-bb37-d61040d824be',
    displayName: 'Alex Wilber',
    userPrincipalName: `AlexW@${DOMAIN}`,
    jobTitle: 'Brand manager',
  },
  megan: {
    id: 'd474143d-8716-44b6-83c8-8d48b5737dc3',
    displayName: 'Megan Bowen',
    userPrincipalName: `MeganB@${DOMAIN}`,
    jobTitle: 'Project manager',
  },
} as const;

export const SEEDED_BUCKETS = ['To review', 'Re-review', 'Approved', 'Archived'] as const;

export function seedTenant(store: PlannerStore): GraphSeed {
  const users = {
    adele: store.addUser(PEOPLE.adele),
    alex: store.addUser(PEOPLE.alex),
    megan: store.addUser(PEOPLE.megan),
  };
  const { planId, bucketIds } = store.createPlan({
    title: 'Photo reviews',
    owner: SEEDED_GROUP_ID,
    buckets: SEEDED_BUCKETS,
  });
  const [toReview = '', reReview = '', approved = '', archived = ''] = bucketIds;
  const pick = (u: SeededUser): SeededUser => ({
    id: u.id,
    displayName: u.displayName,
    userPrincipalName: u.userPrincipalName,
  });
  return {
    appId: SIM_APP_ID,
    groupId: SEEDED_GROUP_ID,
    planId,
    planTitle: 'Photo reviews',
    buckets: { toReview, reReview, approved, archived },
    users: { adele: pick(users.adele), alex: pick(users.alex), megan: pick(users.megan) },
  };
}
