import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { enc, GraphHarness } from './support.js';

let h: GraphHarness;
let strict: GraphHarness;
let open: GraphHarness;
beforeAll(async () => {
  h = await GraphHarness.start();
  strict = await GraphHarness.start({ acceptedTokens: ['good-token'] });
  open = await GraphHarness.start({ requireToken: false });
});
afterAll(async () => {
  await Promise.all([h.stop(), strict.stop(), open.stop()]);
});

describe('authentication', () => {
  it('answers 401 InvalidAuthenticationToken with Graph’s envelope when there is no token', async () => {
    const answer = await h.graph('GET', `/planner/plans/${h.seeded.planId}`, { token: null });
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatchObject({
      code: 'InvalidAuthenticationToken',
      message: 'Access token is empty.',
      innerError: {
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/),
        'request-id': answer.headers.get('request-id'),
        'client-request-id': answer.headers.get('client-request-id'),
      },
    });
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('treats an empty bearer token and another scheme as no token', async () => {
    for (const authorization of ['Bearer ', 'Bearer', 'Basic dXNlcjpwdw==']) {
      const answer = await h.graph('GET', `/planner/plans/${h.seeded.planId}`, {
        token: null,
        headers: { Authorization: authorization },
      });
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('InvalidAuthenticationToken');
    }
  });

  it('accepts any non-empty bearer token by default', async () => {
    const answer = await h.graph('GET', `/planner/plans/${h.seeded.planId}`, { token: 'anything' });
    expect(answer.status).toBe(200);
  });

  it('accepts only the listed tokens when acceptedTokens is set', async () => {
    const path = `/planner/plans/${strict.seeded.planId}`;
    const wrong = await strict.graph('GET', path, { token: 'sim-test-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({
      code: 'InvalidAuthenticationToken',
      message: 'Access token validation failure.',
    });
    expect((await strict.graph('GET', path, { token: 'good-token' })).status).toBe(200);
  });

  it('needs no token when requireToken is false', async () => {
    const answer = await open.graph('GET', `/planner/plans/${open.seeded.planId}`, { token: null });
    expect(answer.status).toBe(200);
  });
});

describe('request ids', () => {
  it('puts request-id and client-request-id on every answer and echoes the client’s id', async () => {
    const ok = await h.graph('GET', `/planner/plans/${h.seeded.planId}`, {
      headers: { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000001' },
    });
    expect(ok.headers.get('client-request-id')).toBe('c0ffee00-0000-4000-8000-000000000001');
    expect(ok.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const failed = await h.graph('GET', '/planner/tasks/NoSuchTaskNoSuchTaskNoSuchTa');
    expect(failed.headers.get('request-id')).toBe(failed.body.error.innerError['request-id']);
    expect(failed.headers.get('client-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const control = await h.sim('GET', '/calls');
    expect(control.headers.get('request-id')).not.toBeNull();
    expect(control.headers.get('client-request-id')).not.toBeNull();
  });
});

describe('routing', () => {
  it('answers an unknown segment with 400 BadRequest naming it', async () => {
    const answer = await h.graph('GET', '/planner/widgets');
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'BadRequest',
      message: "Resource not found for the segment 'widgets'.",
    });
  });

  it('answers a method the resource does not have with 405', async () => {
    const answer = await h.graph('DELETE', `/planner/plans/${h.seeded.planId}/buckets`);
    expect(answer.status).toBe(405);
  });

  it('answers a path outside /v1.0 with 400', async () => {
    const response = await fetch(`${h.url}/beta/planner/tasks`, {
      headers: { Authorization: 'Bearer x' },
    });
    expect(response.status).toBe(400);
  });

  it('matches path segments case-insensitively but ids exactly', async () => {
    expect((await h.graph('GET', `/Planner/Plans/${h.seeded.planId}`)).status).toBe(200);
    const wrongCase = await h.graph('GET', `/planner/plans/${h.seeded.planId.toLowerCase()}`);
    expect(wrongCase.status).toBe(404);
  });

  it('refuses OData query options the route does not support, instead of ignoring them', async () => {
    const answer = await h.graph(
      'GET',
      `/planner/plans/${h.seeded.planId}/tasks?$filter=title eq 'x'`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('$filter');
  });

  it('refuses a body that is not JSON', async () => {
    const response = await fetch(`${h.url}/v1.0/planner/tasks`, {
      method: 'POST',
      headers: { Authorization: 'Bearer x', 'Content-Type': 'application/json' },
      body: '{"planId":',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('BadRequest');
  });
});

describe('users', () => {
  it('finds a user by object id and by userPrincipalName', async () => {
    const adele = h.seeded.users.adele;
    const byId = await h.graph('GET', `/users/${adele.id}`);
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({
      id: adele.id,
      displayName: 'Adele Vance',
      userPrincipalName: 'AdeleV@contoso.onmicrosoft.com',
      mail: 'AdeleV@contoso.onmicrosoft.com',
    });
    const byUpn = await h.graph('GET', `/users/${enc('adelev@CONTOSO.onmicrosoft.com')}`);
    expect(byUpn.body.id).toBe(adele.id);
    const raw = await h.graph('GET', `/users/${adele.userPrincipalName}`);
    expect(raw.body.id).toBe(adele.id);
  });

  it('applies $select', async () => {
    const answer = await h.graph('GET', `/users/${h.seeded.users.alex.id}?$select=displayName`);
    expect(answer.body.displayName).toBe('Alex Wilber');
    expect(answer.body.mail).toBeUndefined();
  });

  it('answers 404 Request_ResourceNotFound for an unknown user', async () => {
    const answer = await h.graph('GET', '/users/nobody@contoso.onmicrosoft.com');
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('Request_ResourceNotFound');
    expect(answer.body.error.message).toContain('nobody@contoso.onmicrosoft.com');
  });

  it('seeds three people with fixed ids and contoso UPNs', () => {
    expect(h.seeded.users).toEqual({
      adele: {
        id: 'fd1c0001-f855-4ced-a457-a855155daca6',
        displayName: 'Adele Vance',
        userPrincipalName: 'AdeleV@contoso.onmicrosoft.com',
      },
      alex: {
        id: 'b69cf5ce-9016-43fe-bb37-d61040d824be',
        displayName: 'Alex Wilber',
        userPrincipalName: 'AlexW@contoso.onmicrosoft.com',
      },
      megan: {
        id: 'd474143d-8716-44b6-83c8-8d48b5737dc3',
        displayName: 'Megan Bowen',
        userPrincipalName: 'MeganB@contoso.onmicrosoft.com',
      },
    });
  });
});
