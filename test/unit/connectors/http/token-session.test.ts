import { describe, expect, it } from 'vitest';

import { type IssuedToken, TokenSession } from '../../../../connectors/http/token-session.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';

/** Issues `t1`, `t2`, … and counts how often it was asked. */
function issuer(renewAfterMs?: number, clock?: FixedClock) {
  let n = 0;
  const issue = (): Promise<IssuedToken> => {
    n += 1;
    const renewAt =
      renewAfterMs === undefined || clock === undefined
        ? undefined
        : clock.now().getTime() + renewAfterMs;
    return Promise.resolve({ token: `t${n}`, renewAt });
  };
  return { issue, count: () => n };
}

describe('TokenSession', () => {
  it('issues one token for concurrent callers and reuses it', async () => {
    const clock = new FixedClock();
    const { issue, count } = issuer();
    const session = new TokenSession(issue, clock);
    expect(await Promise.all([session.token(), session.token(), session.token()])).toEqual([
      't1',
      't1',
      't1',
    ]);
    expect(await session.token()).toBe('t1');
    expect(count()).toBe(1);
  });

  it('renews a token once its renewAt has come', async () => {
    const clock = new FixedClock();
    const { issue, count } = issuer(60_000, clock);
    const session = new TokenSession(issue, clock);
    await session.token();
    clock.advance(59_999);
    expect(await session.token()).toBe('t1');
    clock.advance(1);
    expect(await session.token()).toBe('t2');
    expect(count()).toBe(2);
    expect(session.issued).toEqual(['t1', 't2']);
  });

  it('sends once more with a fresh token after a refusal, and only once', async () => {
    const { issue, count } = issuer();
    const session = new TokenSession(issue, new FixedClock());
    const sent: string[] = [];
    let renewed = 0;
    const answer = await session.authorize(
      (token) => {
        sent.push(token);
        return Promise.resolve(401);
      },
      (status) => status === 401,
      () => {
        renewed += 1;
      },
    );
    expect(answer).toBe(401);
    expect(sent).toEqual(['t1', 't2']);
    expect(renewed).toBe(1);
    expect(count()).toBe(2);
  });

  it('lets the refusal stand when the credential has nothing fresher', async () => {
    const session = new TokenSession(() => Promise.resolve({ token: 'same' }), new FixedClock());
    const sent: string[] = [];
    await session.authorize(
      (token) => {
        sent.push(token);
        return Promise.resolve(401);
      },
      (status) => status === 401,
      () => undefined,
    );
    expect(sent).toEqual(['same']);
  });

  it('does not keep a failed issue: the next caller asks again', async () => {
    let fail = true;
    const session = new TokenSession(
      () => (fail ? Promise.reject(new Error('down')) : Promise.resolve({ token: 'ok' })),
      new FixedClock(),
    );
    await expect(session.token()).rejects.toThrow('down');
    fail = false;
    expect(await session.token()).toBe('ok');
  });

  it('forgets the token on drop and hands it back', async () => {
    const { issue } = issuer();
    const session = new TokenSession(issue, new FixedClock());
    await session.token();
    expect(session.drop()).toBe('t1');
    expect(session.drop()).toBeUndefined();
    expect(await session.token()).toBe('t2');
  });
});
