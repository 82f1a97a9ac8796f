import { ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';

import { graphConfigSchema } from '../../../../connectors/graph-planner/config.js';
import { createCredential } from '../../../../connectors/graph-planner/credential.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '3e293b55-0bd4-43ee-9993-e68e2c9ac695';

describe('graphConfigSchema', () => {
  it('defaults the Graph root and treats empty values as unset', () => {
    const parsed = graphConfigSchema.parse({ GRAPH_BASE_URL: '', AZURE_CLIENT_SECRET: '' });
    expect(parsed).toEqual({ GRAPH_BASE_URL: 'https://graph.microsoft.com' });
  });

  it('takes a simulator root with its version segment', () => {
    const parsed = graphConfigSchema.parse({
      GRAPH_BASE_URL: 'http://127.0.0.1:4010/v1.0',
      PLANNER_PLAN_ID: 'xqQg5FS2LkCp935s-FIFm2QAFkHM',
    });
    expect(parsed.GRAPH_BASE_URL).toBe('http://127.0.0.1:4010/v1.0');
    expect(parsed.PLANNER_PLAN_ID).toBe('xqQg5FS2LkCp935s-FIFm2QAFkHM');
  });

  it('names the keys a client secret needs, never their values', () => {
    const secret = 'a-very-secret-value';
    const result = graphConfigSchema.safeParse({
      AZURE_CLIENT_SECRET: secret,
      AZURE_CLIENT_ID: 'not-a-guid',
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.')).sort();
    expect(paths).toEqual(['AZURE_CLIENT_ID', 'AZURE_TENANT_ID']);
    expect(JSON.stringify(result.error?.issues)).not.toContain(secret);

    const missing = graphConfigSchema.safeParse({ AZURE_CLIENT_SECRET: secret });
    expect(missing.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'AZURE_CLIENT_ID',
      'AZURE_TENANT_ID',
    ]);
  });
});

describe('createCredential', () => {
  it('builds a client-secret credential when a secret is configured', () => {
    const env = graphConfigSchema.parse({
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT,
      AZURE_CLIENT_SECRET: 'secret',
    });
    expect(createCredential(env)).toBeInstanceOf(ClientSecretCredential);
  });

  it('falls back to the managed identity (user-assigned when a client id is given)', () => {
    expect(createCredential(graphConfigSchema.parse({}))).toBeInstanceOf(ManagedIdentityCredential);
    expect(createCredential(graphConfigSchema.parse({ AZURE_CLIENT_ID: CLIENT }))).toBeInstanceOf(
      ManagedIdentityCredential,
    );
  });
});
