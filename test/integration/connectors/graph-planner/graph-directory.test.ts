import { afterEach, describe, expect, it } from 'vitest';

import { NotFoundError, RateLimitedError } from '../../../../core/errors.js';
import { type Harness, startHarness, TOKEN } from './graph-harness.js';

let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  h = await startHarness(options);
  return h;
}

describe('GraphDirectory against FakeGraphServer', () => {
  it('resolves ids and UPNs together in one $batch, in the order asked', async () => {
    const x = await harness();
    const { adele, alex, megan } = x.people;

    const people = await x.directory.resolveUsers([
      adele.id,
      alex.userPrincipalName,
      megan.id,
      adele.id,
    ]);

    expect(people).toEqual([
      { id: adele.id, name: 'Adele Vance', upn: adele.userPrincipalName },
      { id: alex.id, name: 'Alex Wilber', upn: alex.userPrincipalName },
      { id: megan.id, name: 'Megan Bowen', upn: megan.userPrincipalName },
      { id: adele.id, name: 'Adele Vance', upn: adele.userPrincipalName },
    ]);
    // One round trip; the inner reads count under their own route (duplicates asked once).
    expect(await x.calls()).toEqual({ 'POST /$batch': 1, 'GET /users/:id': 3 });
  });

  it('reuses a resolved person for 15 minutes, by id or UPN, then asks Graph again', async () => {
    const x = await harness();
    const { adele } = x.people;
    await x.directory.resolveUsers([adele.userPrincipalName]);
    await x.resetCalls();

    const again = await x.directory.resolveUsers([adele.id, adele.userPrincipalName.toUpperCase()]);
    expect(again.map((p) => p.name)).toEqual(['Adele Vance', 'Adele Vance']);
    expect(await x.calls()).toEqual({});

    x.clock.advance(15 * 60_000 + 1);
    await x.directory.resolveUsers([adele.id]);
    expect(await x.calls()).toEqual({ 'POST /$batch': 1, 'GET /users/:id': 1 });
  });

  it('asks only for the people it does not hold yet', async () => {
    const x = await harness();
    const { adele, alex } = x.people;
    await x.directory.resolveUsers([adele.id]);
    await x.resetCalls();
    const people = await x.directory.resolveUsers([adele.id, alex.id]);
    expect(people.map((p) => p.name)).toEqual(['Adele Vance', 'Alex Wilber']);
    expect(await x.calls()).toEqual({ 'POST /$batch': 1, 'GET /users/:id': 1 });
  });

  it('answers an empty question without calling Graph', async () => {
    const x = await harness();
    expect(await x.directory.resolveUsers([])).toEqual([]);
    expect(await x.calls()).toEqual({});
  });

  it('names the first unknown user in NotFoundError', async () => {
    const x = await harness();
    const lookup = x.directory.resolveUsers([
      x.people.adele.id,
      'nobody@contoso.onmicrosoft.com',
      '00000000-0000-4000-8000-000000000000',
    ]);
    await expect(lookup).rejects.toBeInstanceOf(NotFoundError);
    await expect(lookup).rejects.toMatchObject({
      details: { what: 'User', id: 'nobody@contoso.onmicrosoft.com' },
    });
    expect(await x.calls()).toMatchObject({ 'POST /$batch': 1 });
  });

  it('sends only the throttled items of a batch again, after their Retry-After', async () => {
    const x = await harness();
    await x.addFaults([
      { path: `/users/${x.people.alex.id}`, status: 429, retryAfterSeconds: 2, times: 1 },
    ]);
    const people = await x.directory.resolveUsers([x.people.adele.id, x.people.alex.id]);
    expect(people.map((p) => p.id)).toEqual([x.people.adele.id, x.people.alex.id]);
    expect(x.clock.sleeps).toEqual([2000]);
    expect(await x.calls()).toEqual({ 'POST /$batch': 2, 'GET /users/:id': 3 });
  });

  it('gives up on an item throttled beyond the budget with RateLimitedError', async () => {
    const x = await harness();
    await x.addFaults([
      { path: `/users/${x.people.alex.id}`, status: 429, retryAfterSeconds: 2, times: 10 },
    ]);
    const lookup = x.directory.resolveUsers([x.people.adele.id, x.people.alex.id]);
    await expect(lookup).rejects.toBeInstanceOf(RateLimitedError);
    await expect(lookup).rejects.toMatchObject({ retryAfterMs: 2000 });
    expect(x.clock.sleeps).toEqual([2000, 2000, 2000]);
  });

  it('splits more than 20 lookups into batches of 20', async () => {
    const x = await harness();
    const ids = Array.from({ length: 23 }, (_, i) => ({
      displayName: `Person ${i}`,
      userPrincipalName: `person${i}@contoso.onmicrosoft.com`,
    }));
    for (const person of ids) {
      await fetch(`${x.url}/_sim/users`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(person),
      });
    }
    await x.resetCalls();
    const people = await x.directory.resolveUsers(ids.map((p) => p.userPrincipalName));
    expect(people.map((p) => p.name)).toEqual(ids.map((p) => p.displayName));
    expect((await x.calls())['POST /$batch']).toBe(2);
    expect(x.logger.text()).not.toContain(TOKEN);
  });
});
