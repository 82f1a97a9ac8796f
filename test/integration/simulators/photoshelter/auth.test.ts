import { afterEach, describe, expect, it } from 'vitest';

import { ManualClock, SimHarness } from './sim-harness.js';

const V3_SESSION_REQUIRED = {
  status: 'error',
  error: {
    message: 'You must be logged into PhotoShelter to perform this action',
    class: 'SessionRequiredErr',
  },
};
const V4_UNAUTHORIZED = {
  errors: [{ id: 'AcsPermissionException', status: '401', title: 'Invalid access to resource' }],
};

describe('FakePhotoShelterServer authentication', () => {
  let sim: SimHarness;

  afterEach(async () => {
    await sim.stop();
  });

  it('refuses a missing or wrong API key with 403 in each generation’s envelope', async () => {
    sim = await SimHarness.start();
    const { email, password } = sim.server.credentials;
    const form = new URLSearchParams({ email, password, mode: 'token' }).toString();
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

    const missing = await sim.request('POST', '/psapi/v3/mem/authenticate', {
      withKey: false,
      headers: formHeaders,
      body: form,
    });
    expect(missing.status).toBe(403);
    expect(missing.body).toEqual({ status: 'error', error: { message: 'Invalid API key' } });

    const wrong = await sim.request('GET', '/psapi/v4.0/user/session', {
      headers: { 'x-ps-api-key': 'wrongKey123' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({
      errors: [
        { id: 'ApiKeyInvalidException', status: '403', title: 'Missing or invalid API key' },
      ],
    });

    const byQuery = await sim.request('POST', `/psapi/v3/mem/authenticate?api_key=${sim.apiKey}`, {
      withKey: false,
      headers: formHeaders,
      body: form,
    });
    expect(byQuery.status).toBe(200);
  });

  it('logs in with a form, multipart or query string and lists the user’s organizations', async () => {
    sim = await SimHarness.start();
    const { email, password, orgId } = sim.server.credentials;

    const form = await sim.postForm('/psapi/v3/mem/authenticate', {
      email,
      password,
      mode: 'token',
    });
    expect(form.status).toBe(200);
    expect(form.body).toEqual({
      status: 'ok',
      data: {
        token: expect.any(String),
        org: [{ id: orgId, name: 'Lightdesk University', member: 't' }],
      },
    });

    const multipart = new FormData();
    multipart.set('email', email);
    multipart.set('password', password);
    multipart.set('mode', 'token');
    const viaMultipart = await sim.request('POST', '/psapi/v3/mem/authenticate', {
      body: multipart,
    });
    expect(viaMultipart.status).toBe(200);
    expect(viaMultipart.body.data.token).toEqual(expect.any(String));

    const query = new URLSearchParams({ email, password, mode: 'token' });
    const viaQuery = await sim.get(`/psapi/v3/mem/authenticate?${query.toString()}`);
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.body.data.token).not.toBe(form.body.data.token);
  });

  it('refuses a wrong password with 401', async () => {
    sim = await SimHarness.start();
    const answer = await sim.postForm('/psapi/v3/mem/authenticate', {
      email: sim.server.credentials.email,
      password: 'not-the-password',
      mode: 'token',
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      status: 'error',
      error: { message: 'Invalid email or password' },
    });
  });

  it('answers 401 to member calls without a live token, in v3 and v4 shapes', async () => {
    sim = await SimHarness.start();
    const v3 = await sim.get('/psapi/v3/mem/collection/root/children');
    expect(v3.status).toBe(401);
    expect(v3.body).toEqual(V3_SESSION_REQUIRED);

    const v4 = await sim.get('/psapi/v4.0/user/session');
    expect(v4.status).toBe(401);
    expect(v4.body).toEqual(V4_UNAUTHORIZED);
    expect(v4.headers.get('www-authenticate')).toBe('Bearer');

    const unknown = await sim.get('/psapi/v3/mem/collection/root/children', {
      'x-ps-auth-token': 'no-such-token',
    });
    expect(unknown.status).toBe(401);
  });

  it('takes the token from X-PS-Auth-Token, auth_token= or Authorization: Bearer', async () => {
    sim = await SimHarness.start();
    const token = await sim.login();
    sim.token = undefined;

    const header = await sim.get('/psapi/v3/mem/user/session', { 'x-ps-auth-token': token });
    const query = await sim.get(`/psapi/v3/mem/user/session?auth_token=${token}`);
    const bearer = await sim.get('/psapi/v4.0/user/session', { authorization: `Bearer ${token}` });

    expect(header.status).toBe(200);
    expect(header.body.data.Session.user_id).toBe(sim.server.credentials.userId);
    expect(query.status).toBe(200);
    expect(bearer.status).toBe(200);
  });

  it('switches a token to an organization it belongs to and refuses others', async () => {
    sim = await SimHarness.start({
      orgs: [
        { id: 'O0000LightdeskU1', name: 'Lightdesk University' },
        { id: 'O0000OtherOrg.01', name: 'Other' },
      ],
      users: [
        {
          email: 'a@example.edu',
          password: 'pw-a',
          userId: 'U0000UserAAAAAAA',
          orgIds: ['O0000LightdeskU1'],
        },
      ],
    });
    await sim.login({ org: false });

    const before = await sim.get('/psapi/v3/mem/user/session');
    expect(before.body.data.Session.org_id).toBe('');

    const ok = await sim.request(
      'POST',
      '/psapi/v3/mem/organization/O0000LightdeskU1/authenticate',
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: 'ok', data: {} });
    const after = await sim.get('/psapi/v3/mem/user/session');
    expect(after.body.data.Session.org_id).toBe('O0000LightdeskU1');

    const notMember = await sim.request(
      'POST',
      '/psapi/v3/mem/organization/O0000OtherOrg.01/authenticate',
    );
    expect(notMember.status).toBe(403);
    expect(notMember.body.status).toBe('error');
    const unknown = await sim.request(
      'POST',
      '/psapi/v3/mem/organization/O0000Nonexistent/authenticate',
    );
    expect(unknown.status).toBe(403);
  });

  it('omits data.org for a user in no organization', async () => {
    sim = await SimHarness.start({
      users: [
        { email: 'solo@example.edu', password: 'pw', userId: 'U0000Solo.Photog', orgIds: [] },
      ],
    });
    const answer = await sim.postForm('/psapi/v3/mem/authenticate', {
      email: 'solo@example.edu',
      password: 'pw',
      mode: 'token',
    });
    expect(answer.body.data).toEqual({ token: expect.any(String) });
  });

  it('expires a session after the idle timeout, and each call restarts the timer', async () => {
    const clock = new ManualClock();
    sim = await SimHarness.start({ now: clock.now, idleTimeoutMs: 60_000 });
    await sim.login();

    clock.advance(50_000);
    expect((await sim.get('/psapi/v3/mem/user/session')).status).toBe(200);
    clock.advance(50_000);
    expect((await sim.get('/psapi/v3/mem/user/session')).status).toBe(200);
    clock.advance(60_001);
    const expired = await sim.get('/psapi/v3/mem/user/session');
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(V3_SESSION_REQUIRED);
  });

  it('invalidates every token on POST /_sim/sessions/expire', async () => {
    sim = await SimHarness.start();
    await sim.login();
    const other = new URLSearchParams({
      email: sim.server.credentials.email,
      password: sim.server.credentials.password,
      mode: 'token',
    });
    await sim.get(`/psapi/v3/mem/authenticate?${other.toString()}`);

    const expire = await sim.sim('POST', '/sessions/expire', {});
    expect(expire.status).toBe(200);
    expect(expire.body).toEqual({ expired: 2 });

    expect((await sim.get('/psapi/v3/mem/collection/root/children')).status).toBe(401);
    expect((await sim.get('/psapi/v4.0/user/session')).body).toEqual(V4_UNAUTHORIZED);
    expect(sim.server.expireSessions()).toBe(0);
  });

  it('logs out (#12): the token stops working', async () => {
    sim = await SimHarness.start();
    await sim.login();
    const logout = await sim.get('/psapi/v3/mem/authenticate/logout');
    expect(logout.status).toBe(200);
    expect(logout.body).toEqual({ status: 'ok', data: {} });
    expect((await sim.get('/psapi/v3/mem/user/session')).status).toBe(401);
  });

  it('answers the v4 user session (#3) and serves /psapi/v3.0 like /psapi/v3', async () => {
    sim = await SimHarness.start();
    await sim.login();
    const session = await sim.get('/psapi/v4.0/user/session?include=organizations');
    expect(session.status).toBe(200);
    expect(session.body.data).toMatchObject({
      id: sim.server.credentials.userId,
      type: 'user',
      attributes: { email: sim.server.credentials.email },
      includes: { organizations: { data: [{ id: sim.server.credentials.orgId }] } },
    });
    const v30 = await sim.get('/psapi/v3.0/mem/collection/root/children');
    expect(v30.status).toBe(200);
    expect(v30.body.status).toBe('ok');
  });

  it('logs in through v4 with a top-level token', async () => {
    sim = await SimHarness.start();
    const { email, password, orgId } = sim.server.credentials;
    const answer = await sim.postForm('/psapi/v4.0/authenticate', {
      email,
      password,
      mode: 'token',
      org_id: orgId ?? '',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ token: expect.any(String) });
  });
});
