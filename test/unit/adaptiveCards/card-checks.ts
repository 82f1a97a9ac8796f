import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { AdaptiveCard as RendererCard, SerializationContext } from 'adaptivecards';
import { expect } from 'vitest';

import { parseActionData } from '../../../adaptiveCards/action-data.js';
import type { AdaptiveCard } from '../../../adaptiveCards/card-types.js';

// Shared checks for the card tests: goldens, the Adaptive Cards renderer's parser, and the action
// data each card emits.

const goldenPath = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/cards/${name}.golden.json`, import.meta.url));

/** Compares with test/fixtures/cards/<name>.golden.json; UPDATE_GOLDEN=1 rewrites it instead. */
export function expectGolden(name: string, card: AdaptiveCard): void {
  const path = goldenPath(name);
  const json = `${JSON.stringify(card, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, json);
    return;
  }
  if (!existsSync(path)) {
    expect.fail(`No golden ${name}.golden.json yet: run the tests once with UPDATE_GOLDEN=1`);
  }
  expect(JSON.parse(json)).toStrictEqual(JSON.parse(readFileSync(path, 'utf8')));
}

type JsonObject = { readonly [key: string]: unknown };
const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every object in the JSON whose `type` is one of `types`, depth first (fallbacks included). */
export function findAll(json: unknown, ...types: string[]): JsonObject[] {
  const found: JsonObject[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isObject(value)) {
      if (typeof value.type === 'string' && types.includes(value.type)) found.push(value);
      Object.values(value).forEach(walk);
    }
  };
  walk(json);
  return found;
}

/** The verbs of the `Action.Execute`s a card shows or refreshes with, in document order. */
export function executeVerbs(json: unknown): string[] {
  return findAll(json, 'Action.Execute').map((a) => String(a.verb));
}

/**
 * Parses the card with the `adaptivecards` renderer, as the console and Teams' web client would,
 * and expects no warning or error, then checks the verbs survive its round trip.
 */
export function expectRendererAccepts(card: AdaptiveCard): void {
  const parsed = new RendererCard();
  const context = new SerializationContext();
  parsed.parse(card, context);
  const events = Array.from(
    { length: context.eventCount },
    (_, i) => context.getEventAt(i).message,
  );
  expect(events).toEqual([]);

  // The renderer's own checks: required properties, unique input ids, nesting rules.
  const validation = parsed.validateProperties();
  expect(validation.validationEvents.map((e) => e.message)).toEqual([]);

  expect(parsed.version?.toString()).toBe('1.5');
  expect(executeVerbs(parsed.toJSON())).toEqual(executeVerbs(card));
}

/**
 * Presses every action the card carries, as Teams would deliver it: an `Action.Execute` with its
 * verb and data, its `Action.Submit` fallback with the verb inside data; inputs (the comment) merged
 * into data. Each must parse.
 */
export function expectActionDataParses(card: AdaptiveCard, comment = 'Crop tighter, please'): void {
  for (const action of findAll(card, 'Action.Execute', 'Action.Submit')) {
    const data: JsonObject = { ...(action.data as JsonObject), comment };
    const verb = action.type === 'Action.Execute' ? action.verb : undefined;
    const parsed = parseActionData(verb, data);
    expect(parsed, `${String(action.type)} ${String(verb ?? data.verb)}`).toMatchObject({
      ok: true,
    });
  }
}
