import {
  type Decision,
  type Review,
  type ReviewAsset,
  type Reviewer,
  reviewSchema,
} from '../../core/model/review.js';

// Object Mothers for reviews: valid defaults, deterministic, override what a test
// is about. Every review is checked against the schema, so a builder cannot hand out an impossible one.

/** The builders' "now": the moment every default review opened. */
export const t0 = new Date('2026-11-23T12:00:00.000Z');

/** `t0` plus whole minutes, as the ISO string the model stores. */
export const at = (minutes: number): string =>
  new Date(t0.getTime() + minutes * 60_000).toISOString();

export const A_GALLERY_ID = 'G0000autumn2026x';

/** The n-th asset (from 1): a valid PhotoShelter image id and a stored thumbnail link. */
export function anAsset(n: number, overrides: Partial<ReviewAsset> = {}): ReviewAsset {
  const serial = String(n).padStart(11, '0');
  return {
    assetId: `I0000${serial}`,
    fileName: `IMG_${String(n).padStart(4, '0')}.jpg`,
    addedAt: at(0),
    thumbnailUrl: `https://img.example.com/thumbs/I0000${serial}.jpg`,
    ...overrides,
  };
}

export const someAssets = (count: number): ReviewAsset[] =>
  Array.from({ length: count }, (_, i) => anAsset(i + 1));

const names = [
  'Ada Lovelace',
  'Ben Okafor',
  'Chloé Martin',
  'Dev Patel',
  'Eun-ji Kim',
  'Farah Haddad',
];

/** The n-th reviewer (from 1), with a stable Entra object id. */
export function aReviewer(n: number, overrides: Partial<Reviewer> = {}): Reviewer {
  const name = names[(n - 1) % names.length] ?? 'Reviewer';
  const label = n <= names.length ? name : `${name} ${Math.ceil(n / names.length)}`;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    name: label,
    upn: `reviewer${n}@contoso.example`,
    ...overrides,
  };
}

export const someReviewers = (count: number): Reviewer[] =>
  Array.from({ length: count }, (_, i) => aReviewer(i + 1));

/** A decision by `reviewer`, made `minutes` after t0 in round 1 on the Teams card unless told. */
export function aDecision(
  reviewer: Reviewer,
  verb: Decision['verb'],
  overrides: Partial<Decision> & { readonly minutes?: number } = {},
): Decision {
  const { minutes = 30, ...rest } = overrides;
  return {
    reviewerId: reviewer.id,
    reviewerName: reviewer.name,
    verb,
    at: at(minutes),
    source: 'teams',
    round: 1,
    ...rest,
  };
}

/** The Teams user id (MRI) a reviewer has in the builders' conversation. */
export const mriOf = (reviewer: Reviewer): string => `29:1mri-${reviewer.id}`;

/** A pending review of three images with one reviewer, due a day after it opened. */
export function aReview(overrides: Partial<Review> = {}): Review {
  const galleryId = overrides.galleryId ?? A_GALLERY_ID;
  return reviewSchema.parse({
    id: `${galleryId}~mih2l8g0`,
    galleryId,
    galleryName: 'Autumn campaign — studio day 2',
    galleryUrl: `https://contoso.photoshelter.com/galleries/${galleryId}/Autumn-campaign`,
    rule: 'marketing',
    route: {
      rule: 'marketing',
      planId: 'plan-marketing-0000000000001',
      bucket: 'To review',
      buckets: { approved: 'Approved', rereview: 'Re-review', archived: 'Archived' },
      labels: ['Photo review'],
      priority: 5,
      checklist: ['Check colours', 'Check model releases'],
      archive: { action: 'hide' },
      review: 'teams',
      proof: { stages: [{ name: 'Review' }] },
    },
    status: 'pending',
    assets: someAssets(3),
    reviewers: [aReviewer(1)],
    approval: 'any',
    decisions: [],
    round: 1,
    cardVersion: 1,
    planner: { planId: 'plan-marketing-0000000000001', taskId: 'task-00000000000000000000001' },
    teams: { conversation: 'channel:Marketing/Photo reviews', activityId: 'activity-1' },
    dueAt: at(24 * 60),
    openedAt: at(0),
    updatedAt: at(0),
    ...overrides,
  } satisfies Review);
}
