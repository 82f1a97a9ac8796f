import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { configSlices, loadConfig } from '../../../composition/config.js';

const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

const exampleValues = Object.fromEntries(
  example
    .split('\n')
    .filter((line) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

describe('.env.example and the README', () => {
  const shapes = configSlices.map(
    (slice) => slice.shape as Record<string, { description?: string }>,
  );
  const keys = shapes.flatMap((shape) => Object.keys(shape)).sort();

  it('.env.example lists exactly the variables the configuration schema reads', () => {
    expect(Object.keys(exampleValues).sort()).toEqual(keys);
  });

  it('.env.example as written is a valid configuration', () => {
    expect(() => loadConfig(exampleValues)).not.toThrow();
  });

  it('the README documents every variable', () => {
    for (const key of keys) expect(readme).toContain(`| \`${key}\``);
  });

  it('every variable carries a description', () => {
    for (const shape of shapes) {
      for (const [key, schema] of Object.entries(shape))
        expect(schema.description, key).toBeTruthy();
    }
  });
});
