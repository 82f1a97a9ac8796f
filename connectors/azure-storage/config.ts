import { z } from 'zod';

import { ValidationError } from '../../core/errors.js';

// Queue names: 3–63 lowercase letters, digits and single hyphens, starting and ending alphanumeric
// (https://learn.microsoft.com/rest/api/storageservices/naming-queues-and-metadata).
const queueNameSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/, 'must be a valid queue name');

// Table names are letters and digits only, starting with a letter; prefixed names stay within 63.
const tablePrefixSchema = z
  .string()
  .regex(
    /^(?:[a-z][a-z0-9]{0,39})?$/,
    'must be lowercase letters and digits, starting with a letter',
  );

/** The tables and queues this connector owns (docs/architecture.md). */
export interface StorageNames {
  readonly tables: {
    readonly cursors: string;
    readonly snapshots: string;
    readonly effects: string;
    readonly audit: string;
    readonly reviews: string;
    readonly conversations: string;
    readonly subscriptions: string;
  };
  readonly queues: {
    readonly events: string;
    readonly eventsPoison: string;
    readonly webhooks: string;
    readonly webhooksPoison: string;
  };
}

export function storageNames(
  options: {
    readonly prefix?: string;
    readonly eventsQueue?: string;
    readonly webhooksQueue?: string;
  } = {},
): StorageNames {
  const prefix = parse('storage prefix', tablePrefixSchema, options.prefix ?? '');
  const events = parse(
    'events queue name',
    queueNameSchema.max(56),
    `${prefix}${options.eventsQueue ?? 'events'}`,
  );
  const webhooks = parse(
    'webhooks queue name',
    queueNameSchema.max(56),
    `${prefix}${options.webhooksQueue ?? 'webhooks'}`,
  );
  return {
    tables: {
      cursors: `${prefix}cursors`,
      snapshots: `${prefix}snapshots`,
      effects: `${prefix}effects`,
      audit: `${prefix}audit`,
      reviews: `${prefix}reviews`,
      conversations: `${prefix}conversations`,
      subscriptions: `${prefix}subscriptions`,
    },
    // The Functions runtime's own poison queue name: "<queue>-poison"
    // (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger#poison-messages).
    queues: {
      events,
      eventsPoison: `${events}-poison`,
      webhooks,
      webhooksPoison: `${webhooks}-poison`,
    },
  };
}

function parse<T>(context: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw ValidationError.fromZod(context, result.error);
  return result.data;
}
