import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { fillTemplate, templateValues } from '../../../manifest/build-manifest.js';
import { colorIcon, outlineIcon } from '../../../manifest/icons.js';
import { teamsRules } from '../../../manifest/teams-rules.js';

const template = readFileSync(
  new URL('../../../manifest/manifest.template.json', import.meta.url),
  'utf8',
);
const env = {
  TEAMS_APP_ID: '0f5c2a9e-3b1d-4e7f-8a6c-2d4e6f8a0b1c',
  MicrosoftAppId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  PUBLIC_BASE_URL: 'https://lightdesk.contoso.com',
};
const icons = () =>
  new Map([
    ['color.png', colorIcon()],
    ['outline.png', outlineIcon()],
  ]);

interface Bot {
  botId: string;
  scopes: string[];
  commandLists: [{ commands: { title: string; description: string }[] }];
}

/** The parts of the manifest these tests read or change. */
interface Manifest {
  id: string;
  version: string;
  name: { short: string };
  description: { short: string };
  developer: { websiteUrl: string; privacyUrl: string };
  bots: [Bot, ...Bot[]];
  staticTabs: [{ contentUrl: string }];
  configurableTabs: [{ configurationUrl: string }];
  validDomains: string[];
  webApplicationInfo: { id: string; resource: string };
}

/** The filled manifest as plain JSON a test may change before checking. */
function manifest(): Manifest {
  const { values } = templateValues(env, '1.2.3');
  return fillTemplate(template, values) as Manifest;
}

describe('the manifest template', () => {
  it('fills ids and hosts from the configuration and meets every Teams rule', () => {
    const m = manifest();
    expect(m.id).toBe(env.TEAMS_APP_ID);
    expect(m.version).toBe('1.2.3');
    expect(m.bots[0].botId).toBe(env.MicrosoftAppId);
    expect(m.bots[0].scopes).toEqual(['team', 'groupChat', 'personal']);
    expect(m.staticTabs[0].contentUrl).toBe('https://lightdesk.contoso.com/api/tab/?inTeams=1');
    expect(m.configurableTabs[0].configurationUrl).toBe(
      'https://lightdesk.contoso.com/api/tab/config.html',
    );
    // Tab SSO defaults to the bot's app registration.
    expect(m.webApplicationInfo).toEqual({
      id: env.MicrosoftAppId,
      resource: `api://lightdesk.contoso.com/${env.MicrosoftAppId}`,
    });
    expect(m.validDomains).toEqual(['lightdesk.contoso.com']);
    expect(teamsRules(m, icons())).toEqual([]);
  });

  it('lists the commands the bot answers', () => {
    const titles = manifest().bots[0].commandLists[0].commands.map(
      (c: { title: string }) => c.title,
    );
    expect(titles).toEqual(['help', 'pending', 'status']);
  });

  it('uses a separate SSO app when TAB_SSO_CLIENT_ID is set', () => {
    const sso = '11111111-2222-4333-8444-555555555555';
    const { values } = templateValues({ ...env, TAB_SSO_CLIENT_ID: sso }, '1.0.0');
    const m = fillTemplate(template, values) as Manifest;
    expect(m.webApplicationInfo.id).toBe(sso);
    expect(m.bots[0].botId).toBe(env.MicrosoftAppId);
  });

  it('refuses a plain-http base URL, naming the variable', () => {
    const { problems } = templateValues(
      { ...env, PUBLIC_BASE_URL: 'http://localhost:7071' },
      '1.0.0',
    );
    expect(problems).toEqual([
      'PUBLIC_BASE_URL: must be https; Teams loads tabs only over https (use a tunnel locally)',
    ]);
  });

  it('escapes values, so a value cannot break the JSON', () => {
    const m = fillTemplate('{"a":"${{X}}"}', { X: 'say "hi"\\' }) as { a: string };
    expect(m.a).toBe('say "hi"\\');
  });
});

describe('teamsRules (what the schema does not check)', () => {
  const problemsAfter = (change: (m: Manifest) => void, files = icons()) => {
    const m = manifest();
    change(m);
    return teamsRules(m, files);
  };

  it('names an over-long short name and description', () => {
    expect(
      problemsAfter((m) => {
        m.name.short = 'Lightdesk for the marketing team!';
        m.description.short = 'x'.repeat(81);
      }),
    ).toEqual([
      'name.short: 33 characters, at most 30',
      'description.short: 81 characters, at most 80',
    ]);
  });

  it('refuses http URLs, which the schema lets through', () => {
    expect(
      problemsAfter((m) => {
        m.developer.privacyUrl = 'http://lightdesk.contoso.com/privacy';
      }),
    ).toEqual(['developer.privacyUrl: must be an https URL (Teams loads nothing else)']);
  });

  it('refuses ids that are not GUIDs', () => {
    expect(
      problemsAfter((m) => {
        m.bots[0].botId = 'lightdesk-bot';
      }),
    ).toEqual(['bots[0].botId: must be a GUID']);
  });

  it('finds placeholders left unfilled', () => {
    expect(
      problemsAfter((m) => {
        m.developer.websiteUrl = 'https://${{HOST}}/';
      }),
    ).toContain('developer.websiteUrl: ${{HOST}} was not filled');
  });

  it('needs every tab page and the SSO resource on a valid domain, and domains without scheme', () => {
    expect(
      problemsAfter((m) => {
        m.validDomains = ['https://lightdesk.contoso.com'];
      }),
    ).toEqual([
      'validDomains[0]: "https://lightdesk.contoso.com" must be a host name, without scheme or path',
      'staticTabs[0].contentUrl: host lightdesk.contoso.com is not in validDomains',
      'staticTabs[0].websiteUrl: host lightdesk.contoso.com is not in validDomains',
      'configurableTabs[0].configurationUrl: host lightdesk.contoso.com is not in validDomains',
      'webApplicationInfo.resource: host lightdesk.contoso.com is not in validDomains',
    ]);
    expect(
      problemsAfter((m) => {
        m.validDomains = ['*.contoso.com'];
      }),
    ).toEqual([]);
  });

  it('ties the SSO resource to the SSO app id', () => {
    expect(
      problemsAfter((m) => {
        m.webApplicationInfo.resource = 'api://lightdesk.contoso.com/another-app';
      }),
    ).toEqual(['webApplicationInfo.resource: must be api://{host}/{webApplicationInfo.id}']);
  });

  it('limits bots, command lists, commands and command titles', () => {
    expect(
      problemsAfter((m) => {
        const commands = Array.from({ length: 11 }, (_, i) => ({
          title: `c${i}`,
          description: 'd',
        }));
        commands[0] = { title: 'a command title that is far too long', description: 'd' };
        m.bots[0].commandLists[0].commands = commands;
        m.bots.push({ ...m.bots[0] });
      }),
    ).toEqual(
      expect.arrayContaining([
        'bots: 2 entries, at most 1',
        'bots[0].commandLists[0].commands: 11 entries, at most 10',
        'bots[0].commandLists[0].commands[0].title: 36 characters, at most 32',
      ]),
    );
  });

  it('checks the icons it is given: presence, PNG, size and the outline colours', () => {
    const swapped = new Map([
      ['color.png', outlineIcon()],
      ['outline.png', colorIcon()],
    ]);
    expect(problemsAfter(() => undefined, swapped)).toEqual([
      'icons.color: color.png is 32×32, must be 192×192',
      'icons.outline: outline.png is 192×192, must be 32×32',
      // The brand-coloured background pixels; the white glyph pixels pass.
      'icons.outline: outline.png has 29964 pixels that are neither white nor transparent',
      'icons.outline: must have a transparent background',
    ]);
    expect(
      problemsAfter(() => undefined, new Map([['color.png', Buffer.from('not a png')]])),
    ).toEqual([
      'icons.color: color.png is not a PNG',
      'icons.outline: outline.png is not in the package',
    ]);
  });
});
