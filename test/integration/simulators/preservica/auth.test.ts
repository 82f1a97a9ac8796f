import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SEEDED_FOLDERS } from '../../../../simulators/preservica/store.js';
import { Harness } from './support.js';

describe('Preservica simulator: Access Token API', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.start();
  });

  afterEach(async () => {
    await h.stop();
  });

  const folder = `/api/entity/structural-objects/${SEEDED_FOLDERS.lightdesk}`;

  it('logs in with a form and answers {success, token, refresh-token, validFor, user}; details on request', async () => {
    const { username, password, tenant } = h.server.credentials;
    const answer = await h.form('/api/accesstoken/login', { username, password, tenant });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({
      success: true,
      token: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'refresh-token': expect.stringMatching(/^[0-9a-f-]{36}$/),
      validFor: 15,
      user: username,
    });
    const details = JSON.parse(
      (await h.form('/api/accesstoken/login', { username, password, includeUserDetails: 'true' }))
        .text,
    );
    expect(details).toMatchObject({
      tenant: 'LIGHTDESK',
      roles: expect.arrayContaining(['ROLE_SDB_MANAGER_USER']),
    });
  });

  it('refuses bad credentials or another tenant with 401 and a JSON message; a missing field is 400', async () => {
    const { username, tenant } = h.server.credentials;
    const bad = await h.form('/api/accesstoken/login', { username, password: 'wrong', tenant });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.text)).toMatchObject({ message: expect.any(String) });
    const otherTenant = await h.form('/api/accesstoken/login', {
      ...h.server.credentials,
      tenant: 'OTHER',
    });
    expect(otherTenant.status).toBe(401);
    expect((await h.form('/api/accesstoken/login', { username })).status).toBe(400);
  });

  it('accepts the token as Preservica-Access-Token or Authorization: Bearer, and 401s without one', async () => {
    const token = await h.login();
    expect((await h.call('GET', folder)).status).toBe(200);
    h.token = '';
    expect(
      (await h.call('GET', folder, undefined, { authorization: `Bearer ${token}` })).status,
    ).toBe(200);
    expect((await h.call('GET', folder)).status).toBe(401);
    expect(
      (await h.call('GET', folder, undefined, { 'Preservica-Access-Token': 'nope' })).status,
    ).toBe(401);
  });

  it('expires tokens after validFor minutes on the injected clock', async () => {
    await h.login();
    h.clock.advance(15 * 60_000 - 1);
    expect((await h.call('GET', folder)).status).toBe(200);
    h.clock.advance(1);
    expect((await h.call('GET', folder)).status).toBe(401);
  });

  it('refreshes once: a refresh token works a single time, with its own access token', async () => {
    const { username, password } = h.server.credentials;
    const first = JSON.parse((await h.form('/api/accesstoken/login', { username, password })).text);
    const refreshed = await h.form(
      '/api/accesstoken/refresh',
      { refreshToken: first['refresh-token'] },
      { 'Preservica-Access-Token': first.token },
    );
    expect(refreshed.status).toBe(200);
    const second = JSON.parse(refreshed.text);
    expect(second.token).not.toBe(first.token);
    h.token = second.token;
    expect((await h.call('GET', folder)).status).toBe(200);
    const reused = await h.form(
      '/api/accesstoken/refresh',
      { refreshToken: first['refresh-token'] },
      { 'Preservica-Access-Token': first.token },
    );
    expect(reused.status).toBe(401);
    h.clock.advance(15 * 60_000);
    const late = await h.form(
      '/api/accesstoken/refresh',
      { refreshToken: second['refresh-token'] },
      { 'Preservica-Access-Token': second.token },
    );
    expect(late.status).toBe(401);
  });

  it('lets only the manager role manage webhooks (403 otherwise), and expires every token on demand', async () => {
    await h.login('viewer@lightdesk.example', 'preservica-view');
    expect((await h.call('GET', '/api/webhook/subscriptions')).status).toBe(403);
    await h.login();
    expect((await h.call('GET', '/api/webhook/subscriptions')).status).toBe(200);
    expect((await h.call('GET', '/api/user/details')).text).toContain('ROLE_SDB_MANAGER_USER');
    expect((await h.sim('POST', '/expire-tokens')).body).toEqual({ expired: 2 });
    expect((await h.call('GET', folder)).status).toBe(401);
  });
});
