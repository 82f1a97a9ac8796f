import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';

import { colorIcon, outlineIcon } from '../../../manifest/icons.js';
import { teamsRules } from '../../../manifest/teams-rules.js';
import { aManifest, type Manifest, theIcons } from './filled-manifest.js';

// The rules the schema does not check. Each test breaks one thing in a good manifest and expects
// exactly the problem that names it.

const problemsAfter = (change: (m: Manifest) => void, files = theIcons()) => {
  const m = aManifest();
  change(m);
  return teamsRules(m, files);
};

/** A 32×32 PNG painted by `paint(x, y)` as RGBA. */
function png(size: number, paint: (x: number, y: number) => [number, number, number, number]) {
  const image = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) image.data.set(paint(x, y), (y * size + x) * 4);
  }
  return PNG.sync.write(image);
}

describe('teamsRules', () => {
  it('accepts the filled template', () => {
    expect(teamsRules(aManifest(), theIcons())).toEqual([]);
  });

  it('refuses what is not a JSON object', () => {
    expect(teamsRules([], theIcons())).toEqual(['(root): the manifest is not a JSON object']);
  });

  describe('lengths', () => {
    it.each([
      ['name.short', (m: Manifest) => (m.name.short = 'x'.repeat(31)), 31, 30],
      ['name.full', (m: Manifest) => (m.name.full = 'x'.repeat(101)), 101, 100],
      ['description.short', (m: Manifest) => (m.description.short = 'x'.repeat(81)), 81, 80],
      ['description.full', (m: Manifest) => (m.description.full = 'x'.repeat(4001)), 4001, 4000],
      ['developer.name', (m: Manifest) => (m.developer.name = 'x'.repeat(33)), 33, 32],
    ])('%s', (field, change, actual, limit) => {
      expect(problemsAfter(change)).toEqual([`${field}: ${actual} characters, at most ${limit}`]);
    });

    it('allows exactly the limit', () => {
      expect(problemsAfter((m) => (m.name.short = 'x'.repeat(30)))).toEqual([]);
    });
  });

  it('names an over-long short name with the words the build prints', () => {
    expect(problemsAfter((m) => (m.name.short = 'Lightdesk for the marketing team!!'))).toEqual([
      'name.short: 34 characters, at most 30',
    ]);
  });

  it('wants version as major.minor.patch', () => {
    expect(problemsAfter((m) => (m.version = '1.0'))).toEqual([
      'version: must be major.minor.patch, e.g. 1.0.0',
    ]);
  });

  describe('URLs', () => {
    it('refuses http URLs, which the schema lets through', () => {
      expect(
        problemsAfter((m) => (m.developer.privacyUrl = 'http://lightdesk.contoso.com/privacy')),
      ).toEqual(['developer.privacyUrl: must be an https URL (Teams loads nothing else)']);
    });

    it('refuses a URL field that is no URL', () => {
      expect(problemsAfter((m) => (m.developer.termsOfUseUrl = 'terms.html'))).toEqual([
        'developer.termsOfUseUrl: not a URL',
      ]);
    });
  });

  describe('GUID ids', () => {
    it.each([
      ['id', (m: Manifest) => (m.id = 'lightdesk')],
      ['bots[0].botId', (m: Manifest) => (m.bots[0].botId = 'lightdesk-bot')],
      ['webApplicationInfo.id', (m: Manifest) => (m.webApplicationInfo.id = '12345')],
    ])('%s', (field, change) => {
      expect(problemsAfter(change)).toContain(`${field}: must be a GUID`);
    });
  });

  it('finds placeholders left unfilled', () => {
    expect(problemsAfter((m) => (m.developer.websiteUrl = 'https://${{HOST}}/'))).toContain(
      'developer.websiteUrl: ${{HOST}} was not filled',
    );
    expect(problemsAfter((m) => (m.name.full = 'Lightdesk ${{ SUFFIX }}'))).toEqual([
      'name.full: ${{SUFFIX}} was not filled',
    ]);
  });

  describe('counts', () => {
    it('allows one bot', () => {
      expect(problemsAfter((m) => m.bots.push({ ...m.bots[0] }))).toEqual([
        'bots: 2 entries, at most 1',
      ]);
    });

    it('allows three command lists of ten commands each', () => {
      const commands = Array.from({ length: 11 }, (_, i) => ({ title: `c${i}`, description: 'd' }));
      expect(
        problemsAfter((m) => {
          const [list] = m.bots[0].commandLists;
          m.bots[0].commandLists = [list, list, list, { ...list, commands }];
        }),
      ).toEqual([
        'bots[0].commandLists: 4 entries, at most 3',
        'bots[0].commandLists[3].commands: 11 entries, at most 10',
      ]);
    });

    it('allows sixteen static tabs with distinct entity ids', () => {
      expect(
        problemsAfter((m) => {
          const [first] = m.staticTabs;
          m.staticTabs = [
            first,
            ...Array.from({ length: 16 }, (_, i) => ({ ...first, entityId: `tab-${i}` })),
          ];
        }),
      ).toEqual(['staticTabs: 17 entries, at most 16']);
      expect(problemsAfter((m) => m.staticTabs.push({ ...m.staticTabs[0] }))).toEqual([
        'staticTabs[2].entityId: "lightdesk-review-queue" is used twice',
      ]);
    });

    it('allows one configurable tab and sixteen valid domains', () => {
      expect(
        problemsAfter((m) => {
          m.configurableTabs.push(m.configurableTabs[0]);
          m.validDomains.push(...Array.from({ length: 16 }, (_, i) => `d${i}.contoso.com`));
        }),
      ).toEqual(['configurableTabs: 2 entries, at most 1', 'validDomains: 17 entries, at most 16']);
    });
  });

  describe('bot commands', () => {
    it('holds titles to 32 characters, the manifest reference limit, though the schema says 128', () => {
      expect(
        problemsAfter((m) => {
          m.bots[0].commandLists[0].commands[0] = { title: 'x'.repeat(33), description: 'd' };
        }),
      ).toEqual(['bots[0].commandLists[0].commands[0].title: 33 characters, at most 32']);
      expect(
        problemsAfter((m) => {
          m.bots[0].commandLists[0].commands[0] = { title: 'x'.repeat(32), description: 'd' };
        }),
      ).toEqual([]);
    });

    it("keeps each command list within the bot's scopes", () => {
      expect(problemsAfter((m) => (m.bots[0].scopes = ['personal']))).toEqual([
        'bots[0].commandLists[0].scopes: "team" is not one of the bot\'s scopes',
        'bots[0].commandLists[0].scopes: "groupChat" is not one of the bot\'s scopes',
      ]);
    });
  });

  describe('valid domains', () => {
    it('needs every tab page and the SSO resource on a valid domain, named without scheme', () => {
      expect(problemsAfter((m) => (m.validDomains = ['https://lightdesk.contoso.com']))).toEqual([
        'validDomains[0]: "https://lightdesk.contoso.com" must be a host name, without scheme or path',
        'staticTabs[0].contentUrl: host lightdesk.contoso.com is not in validDomains',
        'staticTabs[0].websiteUrl: host lightdesk.contoso.com is not in validDomains',
        'configurableTabs[0].configurationUrl: host lightdesk.contoso.com is not in validDomains',
        'webApplicationInfo.resource: host lightdesk.contoso.com is not in validDomains',
      ]);
    });

    it('refuses a path in a domain', () => {
      expect(problemsAfter((m) => m.validDomains.push('lightdesk.contoso.com/api'))).toEqual([
        'validDomains[1]: "lightdesk.contoso.com/api" must be a host name, without scheme or path',
      ]);
    });

    it('accepts a wildcard that covers the host, and a port', () => {
      expect(problemsAfter((m) => (m.validDomains = ['*.contoso.com']))).toEqual([]);
      expect(problemsAfter((m) => m.validDomains.push('localhost:7071'))).toEqual([]);
    });

    it('does not let a wildcard cover its own bare domain', () => {
      expect(
        problemsAfter((m) => {
          m.validDomains = ['*.lightdesk.contoso.com'];
        }),
      ).toContain('staticTabs[0].contentUrl: host lightdesk.contoso.com is not in validDomains');
    });
  });

  it('ties the SSO resource to the SSO app id', () => {
    expect(
      problemsAfter(
        (m) => (m.webApplicationInfo.resource = 'api://lightdesk.contoso.com/another-app'),
      ),
    ).toEqual(['webApplicationInfo.resource: must be api://{host}/{webApplicationInfo.id}']);
  });

  describe('icons', () => {
    it('checks sizes and the outline colours of the files it is given', () => {
      const swapped = new Map([
        ['color.png', outlineIcon()],
        ['outline.png', colorIcon()],
      ]);
      expect(problemsAfter(() => undefined, swapped)).toEqual([
        'icons.color: color.png is 32×32, must be 192×192',
        'icons.outline: outline.png is 192×192, must be 32×32',
        // Every pixel of the color icon is opaque, and most are the brand colour.
        expect.stringMatching(
          /^icons\.outline: outline\.png has \d+ pixels that are neither white nor transparent$/,
        ),
        'icons.outline: must have a transparent background',
      ]);
    });

    it('needs the icons in the package and readable as PNG', () => {
      expect(
        problemsAfter(() => undefined, new Map([['color.png', Buffer.from('not a png')]])),
      ).toEqual([
        'icons.color: color.png is not a PNG',
        'icons.outline: outline.png is not in the package',
      ]);
      expect(problemsAfter((m) => delete (m.icons as Partial<Manifest['icons']>).outline)).toEqual([
        'icons.outline: missing',
      ]);
    });

    it('refuses anti-aliased or grey outline pixels: only white and full transparency', () => {
      const withEdge = png(32, (x, y) =>
        x === 16 && y === 16 ? [255, 255, 255, 128] : x < 8 ? [255, 255, 255, 255] : [0, 0, 0, 0],
      );
      const grey = png(32, (x) => (x < 8 ? [200, 200, 200, 255] : [0, 0, 0, 0]));
      const files = (outline: Buffer) => new Map([...theIcons(), ['outline.png', outline]]);
      expect(problemsAfter(() => undefined, files(withEdge))).toEqual([
        'icons.outline: outline.png has 1 pixels that are neither white nor transparent',
      ]);
      expect(problemsAfter(() => undefined, files(grey))).toEqual([
        'icons.outline: outline.png has 256 pixels that are neither white nor transparent',
      ]);
    });

    it('checks the optional 32×32 colour icon only when the manifest names one', () => {
      expect(problemsAfter((m) => (m.icons.color32x32 = 'color.png'))).toEqual([
        'icons.color32x32: color.png is 192×192, must be 32×32',
      ]);
    });
  });
});
