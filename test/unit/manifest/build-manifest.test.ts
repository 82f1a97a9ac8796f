import { describe, expect, it } from 'vitest';

import {
  fillTemplate,
  localPlaceholders,
  packageEnvSchema,
  templateValues,
  validateManifest,
} from '../../../manifest/build-manifest.js';
import { teamsRules } from '../../../manifest/teams-rules.js';
import { aManifest, anEnv, template, theIcons } from './filled-manifest.js';

describe('the manifest template', () => {
  it('fills ids and hosts from the configuration', () => {
    const m = aManifest();
    expect(m.$schema).toBe(
      'https://developer.microsoft.com/en-us/json-schemas/teams/v1.23/MicrosoftTeams.schema.json',
    );
    expect(m.manifestVersion).toBe('1.23');
    expect(m.id).toBe(anEnv.TEAMS_APP_ID);
    expect(m.version).toBe('1.2.3');
    expect(m.name.short).toBe('Lightdesk');
    expect(m.bots[0].botId).toBe(anEnv.MicrosoftAppId);
    // Tab SSO defaults to the bot's app registration.
    expect(m.webApplicationInfo).toEqual({
      id: anEnv.MicrosoftAppId,
      resource: `api://lightdesk.contoso.com/${anEnv.MicrosoftAppId}`,
    });
    expect(m.validDomains).toEqual(['lightdesk.contoso.com']);
    expect(m.permissions).toEqual(['identity', 'messageTeamMembers']);
    expect(JSON.stringify(m)).not.toContain('${{');
  });

  it('points the tabs at the pages the Function App serves under /api/tab/', () => {
    const m = aManifest();
    expect(m.staticTabs[0]).toEqual({
      entityId: 'lightdesk-review-queue',
      name: 'Review queue',
      contentUrl: 'https://lightdesk.contoso.com/api/tab/?inTeams=1',
      websiteUrl: 'https://lightdesk.contoso.com/api/tab/',
      scopes: ['personal'],
    });
    expect(m.configurableTabs[0]).toMatchObject({
      configurationUrl: 'https://lightdesk.contoso.com/api/tab/config.html',
      scopes: ['team', 'groupChat'],
    });
  });

  it('declares a conversational bot in every scope with the commands it answers', () => {
    const [bot] = aManifest().bots;
    expect(bot).toMatchObject({
      scopes: ['team', 'groupChat', 'personal'],
      supportsFiles: false,
      isNotificationOnly: false,
    });
    expect(bot.commandLists).toHaveLength(1);
    expect(bot.commandLists[0].scopes).toEqual(['team', 'groupChat', 'personal']);
    // The title is what Teams types into the compose box, so it is the bare command word.
    expect(bot.commandLists[0].commands.map((c) => c.title)).toEqual(['help', 'pending', 'status']);
    expect(bot.commandLists[0].commands[2]?.description).toContain('status <gallery>');
  });

  it('meets the official schema and every Teams rule when filled', async () => {
    expect(await validateManifest(aManifest(), theIcons())).toEqual([]);
  });

  it('keeps a path in PUBLIC_BASE_URL and drops its trailing slash, as the app does', () => {
    const m = aManifest({ ...anEnv, PUBLIC_BASE_URL: 'https://contoso.example/lightdesk/' });
    expect(m.staticTabs[0].contentUrl).toBe('https://contoso.example/lightdesk/api/tab/?inTeams=1');
    expect(m.validDomains).toEqual(['contoso.example']);
    expect(teamsRules(m, theIcons())).toEqual([]);
  });

  it('keeps a port in the host, for validDomains and the SSO resource alike', () => {
    const m = aManifest({ ...anEnv, PUBLIC_BASE_URL: 'https://localhost:8443' });
    expect(m.validDomains).toEqual(['localhost:8443']);
    expect(m.webApplicationInfo.resource).toBe(`api://localhost:8443/${anEnv.MicrosoftAppId}`);
    expect(teamsRules(m, theIcons())).toEqual([]);
  });

  it('escapes values, so a value cannot break the JSON', () => {
    const m = fillTemplate('{"a":"${{X}}"}', { X: 'say "hi"\\' }) as { a: string };
    expect(m.a).toBe('say "hi"\\');
  });

  it('leaves unknown placeholders for the rules to report', () => {
    expect(fillTemplate('{"a":"${{ NOT_KNOWN }}"}', {})).toEqual({ a: '${{ NOT_KNOWN }}' });
  });
});

describe('templateValues (the package configuration)', () => {
  it('takes the names Agents Toolkit writes to env/: BOT_ID, and BOT_ENDPOINT for a tunnel', () => {
    const { values, problems } = templateValues(
      {
        TEAMS_APP_ID: anEnv.TEAMS_APP_ID,
        BOT_ID: anEnv.MicrosoftAppId,
        BOT_ENDPOINT: 'https://abc123-7071.euw.devtunnels.ms',
      },
      '0.1.0',
    );
    expect(problems).toEqual([]);
    expect(values).toMatchObject({
      BOT_ID: anEnv.MicrosoftAppId,
      PUBLIC_BASE_URL: 'https://abc123-7071.euw.devtunnels.ms',
      PUBLIC_HOST: 'abc123-7071.euw.devtunnels.ms',
    });
  });

  it('prefers PUBLIC_BASE_URL to BOT_ENDPOINT', () => {
    const { values } = templateValues(
      { ...anEnv, BOT_ENDPOINT: 'https://tunnel.example' },
      '0.1.0',
    );
    expect(values.PUBLIC_HOST).toBe('lightdesk.contoso.com');
  });

  it('uses a separate SSO app when TAB_SSO_CLIENT_ID is set', () => {
    const sso = '11111111-2222-4333-8444-555555555555';
    const m = aManifest({ ...anEnv, TAB_SSO_CLIENT_ID: sso });
    expect(m.webApplicationInfo).toEqual({
      id: sso,
      resource: `api://lightdesk.contoso.com/${sso}`,
    });
    expect(m.bots[0].botId).toBe(anEnv.MicrosoftAppId);
  });

  it("takes APP_VERSION and APP_NAME_SUFFIX, else package.json's version and no suffix", () => {
    expect(aManifest({ ...anEnv, APP_VERSION: '2.0.1', APP_NAME_SUFFIX: '-dev' })).toMatchObject({
      version: '2.0.1',
      name: { short: 'Lightdesk-dev' },
    });
    const { values } = templateValues({ ...anEnv, APP_VERSION: '' }, '0.9.0');
    expect(values.APP_VERSION).toBe('0.9.0');
  });

  it('stands in documented placeholders for unset values, with a warning for each', () => {
    const { values, problems, warnings } = templateValues({ TEAMS_APP_ID: '' }, '0.1.0');
    expect(problems).toEqual([]);
    expect(values).toMatchObject({
      TEAMS_APP_ID: localPlaceholders.TEAMS_APP_ID,
      BOT_ID: localPlaceholders.MicrosoftAppId,
      TAB_SSO_CLIENT_ID: localPlaceholders.MicrosoftAppId,
      PUBLIC_BASE_URL: localPlaceholders.PUBLIC_BASE_URL,
    });
    expect(warnings.map((w) => w.split(' ')[0])).toEqual([
      'TEAMS_APP_ID',
      'MicrosoftAppId',
      'PUBLIC_BASE_URL',
    ]);
    expect(warnings[2]).toContain('Teams will not load the tabs');
  });

  it('refuses placeholders for a real tenant, naming each unset variable', () => {
    const { values, problems, warnings } = templateValues(
      { PUBLIC_BASE_URL: anEnv.PUBLIC_BASE_URL },
      '0.1.0',
      { allowPlaceholders: false },
    );
    expect(problems).toEqual(['TEAMS_APP_ID: not set', 'MicrosoftAppId: not set (nor BOT_ID)']);
    expect(warnings).toEqual([]);
    expect(values).toEqual({});
    expect(templateValues(anEnv, '0.1.0', { allowPlaceholders: false }).problems).toEqual([]);
  });

  it('names every bad variable at once, never its value', () => {
    const secret = 'p4ssw0rd-not-a-guid';
    const { problems } = templateValues(
      {
        TEAMS_APP_ID: secret,
        MicrosoftAppId: anEnv.MicrosoftAppId,
        TAB_SSO_CLIENT_ID: 'nope',
        PUBLIC_BASE_URL: 'http://localhost:7071',
        BOT_ENDPOINT: 'https://tunnel.example/?token=1',
        APP_VERSION: 'v1',
        APP_NAME_SUFFIX: '-much-too-long',
      },
      '0.1.0',
    );
    expect(problems).toEqual([
      'TEAMS_APP_ID: must be a GUID',
      'TAB_SSO_CLIENT_ID: must be a GUID',
      'PUBLIC_BASE_URL: must be https; Teams loads tabs only over https (use a tunnel locally)',
      'BOT_ENDPOINT: must have no query or fragment',
      'APP_VERSION: must be major.minor.patch',
      'APP_NAME_SUFFIX: Too big: expected string to have <=10 characters',
    ]);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('refuses two different bot ids rather than pick one', () => {
    const { problems } = templateValues(
      { ...anEnv, BOT_ID: '11111111-2222-4333-8444-555555555555' },
      '0.1.0',
    );
    expect(problems).toEqual([
      'MicrosoftAppId: differs from BOT_ID; set one of them, or both to the same id',
    ]);
    expect(templateValues({ ...anEnv, BOT_ID: anEnv.MicrosoftAppId }, '0.1.0').problems).toEqual(
      [],
    );
  });

  it('documents every variable it reads', () => {
    for (const [key, schema] of Object.entries(packageEnvSchema.shape)) {
      expect(schema.description, key).toMatch(/\w/);
    }
  });
});

describe('validateManifest', () => {
  it('reports schema problems by field, as the Teams rules do', async () => {
    const m = aManifest() as unknown as Record<string, unknown>;
    m.accentColor = 'blue';
    m.unknownField = true;
    const problems = await validateManifest(m, theIcons());
    expect(problems).toEqual([
      expect.stringMatching(
        /^\(root\): must NOT have additional properties.*unknownField.*\(schema\)$/,
      ),
      expect.stringMatching(/^accentColor: must match pattern .*\(schema\)$/),
    ]);
  });

  it('names array items with brackets', async () => {
    const m = aManifest();
    m.bots[0].scopes = ['everywhere'];
    const problems = await validateManifest(m, theIcons());
    expect(problems[0]).toMatch(
      /^bots\[0\]\.scopes\[0\]: must be equal to one of the allowed values/,
    );
  });
});

describe('the template file', () => {
  it('is valid JSON with only the placeholders the build fills', () => {
    const names = [...template.matchAll(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]);
    expect(new Set(names)).toEqual(
      new Set([
        'APP_VERSION',
        'TEAMS_APP_ID',
        'PUBLIC_BASE_URL',
        'APP_NAME_SUFFIX',
        'BOT_ID',
        'PUBLIC_HOST',
        'TAB_SSO_CLIENT_ID',
      ]),
    );
  });
});
