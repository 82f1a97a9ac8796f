import { z } from 'zod';

import { libraryEventTypeSchema } from './library-event.js';
import { preserveWhenSchema } from './preservation.js';

const categorySchema = z
  .string()
  .regex(/^category([1-9]|1[0-9]|2[0-5])$/, 'must be a Planner label, category1 … category25');

const metadataFieldSchema = z.enum([
  'caption',
  'headline',
  'title',
  'author',
  'credit',
  'copyright',
]);

/** Which library changes a rule takes, and where their review goes. The first matching rule wins. */
export const routingRuleSchema = z.object({
  name: z.string().min(1).max(80),
  match: z
    .object({
      /**
       * Glob over "Collection/Sub-collection/Gallery name": `*` matches within one level, `**` across
       * levels. Matching ignores case.
       */
      path: z.string().min(1).optional(),
      /** The batch matches when any asset carries any of these keywords (case-insensitive). */
      keywords: z.array(z.string().min(1)).min(1).optional(),
      /** Exact (case-insensitive) values of IPTC fields that any asset must carry. */
      metadata: z.partialRecord(metadataFieldSchema, z.string().min(1)).optional(),
      events: z.array(libraryEventTypeSchema).min(1).default(['asset.uploaded', 'asset.replaced']),
    })
    .strict(),
  planner: z
    .object({
      /** Omitted: the deployment's default plan (PLANNER_PLAN_ID). */
      planId: z.string().min(1).optional(),
      /** Bucket (by name) new reviews go to; created when missing. */
      bucket: z.string().min(1).max(255),
      labels: z.array(categorySchema).default([]),
      priority: z.number().int().min(0).max(10).default(5),
      checklist: z.array(z.string().min(1).max(100)).max(20).default([]),
      /** Buckets (by name) a decided review moves to. */
      buckets: z
        .object({
          approved: z.string().min(1).default('Approved'),
          rereview: z.string().min(1).default('Re-review'),
          archived: z.string().min(1).default('Archived'),
        })
        .prefault({}),
    })
    .strict(),
  /** Entra object ids (GUIDs) or user principal names; names are resolved through Graph. */
  reviewers: z.array(z.string().min(3)).min(1).max(20),
  /** `any`: the first decision settles the review; `all`: every reviewer must approve. */
  approval: z.enum(['any', 'all']).default('any'),
  /** Key of a conversation the bot was installed in (see the conversations list), where cards go. */
  conversation: z.string().min(1),
  dueInHours: z
    .number()
    .positive()
    .max(24 * 365)
    .default(48),
  archive: z
    .object({
      /** What archiving does to the gallery in PhotoShelter: nothing, make it private, or move it. */
      action: z.enum(['none', 'hide', 'move']).default('hide'),
      collectionId: z
        .string()
        .regex(/^C0000[A-Za-z0-9._]{11}$/, 'must be a collection id (C0000…)')
        .optional(),
    })
    .strict()
    .prefault({})
    .refine((a) => a.action !== 'move' || a.collectionId !== undefined, {
      message: 'collectionId is required when action is "move"',
      path: ['collectionId'],
    }),
  /** Where the batch is reviewed: Teams and Planner, a Ziflow proof, or both at once. */
  review: z.enum(['teams', 'ziflow', 'both']).default('teams'),
  /** The proof's stages (in order) when `review` includes Ziflow; each stage's reviewers by email. */
  ziflow: z
    .object({
      stages: z
        .array(
          z
            .object({
              name: z.string().min(1).max(100),
              /** Omitted: the rule's reviewers (as user principal names, which are their emails). */
              reviewers: z.array(z.email()).min(1).max(20).optional(),
              /** Omitted: the rule's `dueInHours`, counted from when the proof is made. */
              dueInHours: z
                .number()
                .positive()
                .max(24 * 365)
                .optional(),
            })
            .strict(),
        )
        .min(1)
        .max(10)
        .default([{ name: 'Review' }]),
      /** The Ziflow folder proofs go to; omitted, the API user's default. */
      folderId: z.string().min(1).optional(),
      /**
       * Once approved, the assets are published into this shared PhotoShelter collection, in its
       * gallery `galleryName` (omitted: the source gallery's name). Omitted: nothing is published.
       */
      publishTo: z
        .object({
          collectionId: z.string().min(1),
          galleryName: z.string().min(1).max(255).optional(),
        })
        .strict()
        .optional(),
    })
    .strict()
    .prefault({}),
  /** Whether, when and where the review's assets are preserved in Preservica. */
  preserve: z
    .object({
      when: preserveWhenSchema,
      /** Reference of the Preservica folder (structural object) packages go under. */
      folder: z.string().min(1),
      securityTag: z.string().min(1).default('open'),
    })
    .strict()
    .optional(),
});
export type RoutingRule = z.infer<typeof routingRuleSchema>;

export const routingRulesSchema = z
  .object({ rules: z.array(routingRuleSchema).min(1) })
  .strict()
  .refine((file) => new Set(file.rules.map((r) => r.name)).size === file.rules.length, {
    message: 'rule names must be unique',
    path: ['rules'],
  });
export type RoutingRules = z.infer<typeof routingRulesSchema>;

/** What a rule is matched against: the gallery's place in the library and its assets' metadata. */
export interface RoutingSubject {
  readonly eventType: z.infer<typeof libraryEventTypeSchema>;
  /** Collection names from the root down, then the gallery name. */
  readonly path: readonly string[];
  readonly assets: readonly {
    readonly keywords: readonly string[];
    readonly metadata: Partial<Record<z.infer<typeof metadataFieldSchema>, string>>;
  }[];
}

function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob.charAt(i);
    if (char === '*' && glob.charAt(i + 1) === '*') {
      pattern += '.*';
      i += 1;
    } else if (char === '*') {
      pattern += '[^/]*';
    } else if (char === '?') {
      pattern += '[^/]';
    } else {
      pattern += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${pattern}$`, 'i');
}

export function ruleMatches(rule: RoutingRule, subject: RoutingSubject): boolean {
  const { match } = rule;
  if (!match.events.includes(subject.eventType)) return false;
  if (match.path !== undefined && !globToRegExp(match.path).test(subject.path.join('/'))) {
    return false;
  }
  if (match.keywords !== undefined) {
    const wanted = new Set(match.keywords.map((k) => k.toLowerCase()));
    const hasKeyword = subject.assets.some((a) =>
      a.keywords.some((k) => wanted.has(k.toLowerCase())),
    );
    if (!hasKeyword) return false;
  }
  if (match.metadata !== undefined) {
    const required = Object.entries(match.metadata);
    const hasValues = subject.assets.some((a) =>
      required.every(
        ([field, value]) =>
          a.metadata[field as keyof typeof a.metadata]?.toLowerCase() === value.toLowerCase(),
      ),
    );
    if (!hasValues) return false;
  }
  return true;
}

/** The first rule that matches, or undefined when the change is not for review. */
export function routeFor(rules: RoutingRules, subject: RoutingSubject): RoutingRule | undefined {
  return rules.rules.find((rule) => ruleMatches(rule, subject));
}
