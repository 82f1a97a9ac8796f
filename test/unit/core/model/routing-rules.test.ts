import { describe, expect, it } from 'vitest';

import { ValidationError } from '../../../../core/errors.js';
import {
  routeFor,
  type RoutingRules,
  routingRulesSchema,
  type RoutingSubject,
} from '../../../../core/model/routing-rules.js';

/** A rule as written in the rules file, with the required fields filled in. */
function aRuleInput(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    match: {},
    planner: { bucket: 'To review' },
    reviewers: ['reviewer1@contoso.example'],
    conversation: 'channel:Marketing/Photo reviews',
    ...overrides,
  };
}

function rulesOf(...rules: ReturnType<typeof aRuleInput>[]): RoutingRules {
  return routingRulesSchema.parse({ rules });
}

function anUploadTo(path: string, assets: RoutingSubject['assets'] = []): RoutingSubject {
  return {
    eventType: 'asset.uploaded',
    path: path.split('/'),
    assets: assets.length > 0 ? assets : [{ keywords: [], metadata: {} }],
  };
}

const routedName = (rules: RoutingRules, subject: RoutingSubject) => routeFor(rules, subject)?.name;

/** The issue paths of a rules file the schema refuses, as ValidationError names them. */
function problemsWith(file: unknown): readonly string[] {
  const parsed = routingRulesSchema.safeParse(file);
  if (parsed.success) return expect.fail('expected the rules file to be refused');
  return ValidationError.fromZod('Routing rules', parsed.error).issues;
}

describe('routing rules: matching', () => {
  it('matches a path glob with ** across levels', () => {
    const rules = rulesOf(aRuleInput('Athletics', { match: { path: 'Athletics/**' } }));

    expect(routedName(rules, anUploadTo('Athletics/Football/Media Day'))).toBe('Athletics');
    expect(routedName(rules, anUploadTo('athletics/football/media day'))).toBe('Athletics');
    expect(routedName(rules, anUploadTo('Brand Assets/Logos'))).toBeUndefined();
  });

  it('does not let * cross a level', () => {
    const rules = rulesOf(aRuleInput('One level', { match: { path: 'Athletics/*' } }));

    expect(routedName(rules, anUploadTo('Athletics/Football'))).toBe('One level');
    expect(routedName(rules, anUploadTo('Athletics/Football/Media Day'))).toBeUndefined();
  });

  it('matches any of the keywords, ignoring case', () => {
    const rules = rulesOf(aRuleInput('Press', { match: { keywords: ['Press', 'embargo'] } }));

    expect(
      routedName(rules, anUploadTo('News/Launch', [{ keywords: ['EMBARGO'], metadata: {} }])),
    ).toBe('Press');
    expect(
      routedName(rules, anUploadTo('News/Launch', [{ keywords: ['studio'], metadata: {} }])),
    ).toBeUndefined();
  });

  it('matches metadata values exactly, ignoring case', () => {
    const rules = rulesOf(
      aRuleInput('Agency', { match: { metadata: { credit: 'Contoso Wire' } } }),
    );

    expect(
      routedName(
        rules,
        anUploadTo('News', [{ keywords: [], metadata: { credit: 'contoso wire' } }]),
      ),
    ).toBe('Agency');
    expect(
      routedName(
        rules,
        anUploadTo('News', [{ keywords: [], metadata: { credit: 'Contoso Wire Europe' } }]),
      ),
    ).toBeUndefined();
  });

  it('takes only the events a rule lists (uploads and replacements unless told)', () => {
    const rules = rulesOf(
      aRuleInput('Uploads', { match: { path: 'Events/**' } }),
      aRuleInput('Metadata', { match: { events: ['metadata.changed'] } }),
    );
    const edited: RoutingSubject = { ...anUploadTo('Events/Gala'), eventType: 'metadata.changed' };
    const replaced: RoutingSubject = { ...anUploadTo('Events/Gala'), eventType: 'asset.replaced' };

    expect(routedName(rules, replaced)).toBe('Uploads');
    expect(routedName(rules, edited)).toBe('Metadata');
    expect(routedName(rules, { ...edited, eventType: 'gallery.shared' })).toBeUndefined();
  });

  it('lets the first matching rule win', () => {
    const rules = rulesOf(
      aRuleInput('Football', { match: { path: 'Athletics/Football/**' } }),
      aRuleInput('Athletics', { match: { path: 'Athletics/**' } }),
      aRuleInput('Everything else', { match: { path: '**' } }),
    );

    expect(routedName(rules, anUploadTo('Athletics/Football/Media Day'))).toBe('Football');
    expect(routedName(rules, anUploadTo('Athletics/Tennis/Final'))).toBe('Athletics');
    expect(routedName(rules, anUploadTo('Brand Assets/Logos'))).toBe('Everything else');
  });
});

describe('routing rules: the rules file', () => {
  it('fills in the defaults a rule leaves out', () => {
    const [rule] = rulesOf(aRuleInput('Plain')).rules;

    expect(rule).toMatchObject({
      match: { events: ['asset.uploaded', 'asset.replaced'] },
      planner: {
        labels: [],
        priority: 5,
        checklist: [],
        buckets: { approved: 'Approved', rereview: 'Re-review', archived: 'Archived' },
      },
      approval: 'any',
      dueInHours: 48,
      archive: { action: 'hide' },
    });
  });

  it('names the rule index and field of a bad value', () => {
    const issues = problemsWith({
      rules: [
        aRuleInput('Good'),
        aRuleInput('Bad', { planner: { bucket: 'To review', planId: '' } }),
      ],
    });

    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^rules\.1\.planner\.planId: /);
  });

  it('names an unknown field in a rule', () => {
    const issues = problemsWith({
      rules: [aRuleInput('Typo', { match: { paht: 'Athletics/**' } })],
    });

    expect(issues.join('\n')).toMatch(/rules\.0\.match/);
    expect(issues.join('\n')).toMatch(/paht/);
  });

  it('refuses two rules with the same name', () => {
    const issues = problemsWith({ rules: [aRuleInput('Twice'), aRuleInput('Twice')] });

    expect(issues).toEqual(['rules: rule names must be unique']);
  });

  it('refuses an archive move without the collection to move to', () => {
    const issues = problemsWith({
      rules: [aRuleInput('Mover', { archive: { action: 'move' } })],
    });

    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^rules\.0\.archive\.collectionId: collectionId is required/);
    expect(
      routingRulesSchema.safeParse({
        rules: [
          aRuleInput('Mover', { archive: { action: 'move', collectionId: 'C0000archive2026' } }),
        ],
      }).success,
    ).toBe(true);
  });
});
