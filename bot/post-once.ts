import type { ConnectorClient } from 'botframework-connector';

import { AppError } from '../core/errors.js';

// The slice of @azure/core-rest-pipeline's Pipeline (the HTTP pipeline under botbuilder's
// ConnectorClient) that is read and changed here; the package is botbuilder's dependency, not ours.
interface PipelineRequest {
  readonly method: string;
}
type SendRequest = (request: PipelineRequest) => Promise<unknown>;
interface PipelinePolicy {
  readonly name: string;
  sendRequest(request: PipelineRequest, next: SendRequest): Promise<unknown>;
}
interface Pipeline {
  getOrderedPolicies(): PipelinePolicy[];
  removePolicy(options: { readonly name: string }): PipelinePolicy[];
  addPolicy(policy: PipelinePolicy, options: { readonly phase: 'Retry' }): void;
}

/** core-rest-pipeline's name for the retry policy every client pipeline gets. */
const SDK_RETRY_POLICY_NAME = 'defaultRetryPolicy';
export const POST_ONCE_POLICY_NAME = 'lightdeskPostOnceRetryPolicy';

function isPipeline(value: unknown): value is Pipeline {
  if (typeof value !== 'object' || value === null) return false;
  const fields = value as Record<string, unknown>;
  return ['getOrderedPolicies', 'removePolicy', 'addPolicy'].every(
    (name) => typeof fields[name] === 'function',
  );
}

/**
 * Makes `client` send every POST exactly once (a retried card post is a second card in the chat);
 * other requests keep the SDK's retries (core-rest-pipeline `defaultRetryPolicy`). No constructor
 * option stops a retry in botbuilder 4.23 (docs/decisions.md), so this edits the pipeline in the
 * context's `client` field, and throws if an SDK upgrade moves it.
 */
export function sendPostsOnce(client: ConnectorClient): ConnectorClient {
  const pipeline = (client as unknown as { readonly client?: { readonly pipeline?: unknown } })
    .client?.pipeline;
  if (!isPipeline(pipeline)) {
    throw new AppError('internal', 'botframework-connector: no HTTP pipeline on ConnectorClient');
  }
  const policies = pipeline.getOrderedPolicies();
  if (policies.some((p) => p.name === POST_ONCE_POLICY_NAME)) return client;
  const retry = policies.find((p) => p.name === SDK_RETRY_POLICY_NAME);
  if (retry === undefined) {
    throw new AppError(
      'internal',
      `botframework-connector: no ${SDK_RETRY_POLICY_NAME} to replace`,
    );
  }
  pipeline.removePolicy({ name: SDK_RETRY_POLICY_NAME });
  pipeline.addPolicy(
    {
      name: POST_ONCE_POLICY_NAME,
      sendRequest: (request, next) =>
        request.method.toUpperCase() === 'POST' ? next(request) : retry.sendRequest(request, next),
    },
    { phase: 'Retry' },
  );
  return client;
}
