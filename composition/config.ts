import { z } from 'zod';

import {
  type DriftDirection,
  driftDirectionSchema,
  type DriftPolicy,
  REPORT_ONLY,
} from '../core/use-cases/drift.js';
import { guidSchema } from '../core/model/ids.js';

import type { StorageConnection } from '../connectors/azure-storage/storage-clients.js';
import { graphConfigSchema } from '../connectors/graph-planner/config.js';
import { isTimeZone } from '../connectors/photoshelter/zoned-time.js';
import { ConfigError } from '../core/errors.js';
import { type BotConfig, botConfigSchema, loadBotConfig } from './bot-config.js';

// t3-env's rationale: an empty string in an env file means "not set", not "set to nothing".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess((value) => (value === '' || value === undefined ? fallback : value), schema);

const ncrontab = z
  .string()
  .regex(
    /^\S+( \S+){5}$/,
    'must be an NCRONTAB expression with six fields (sec min hour day month dow)',
  );

/** Every environment variable Lightdesk reads, documented where it is defined (README lists them). */
export const environmentSchema = z.object({
  PORT: withDefault(z.coerce.number().int().min(0).max(65535), 7071).describe(
    'Port of the local host (console at /, API under /api/). The Functions host ignores it.',
  ),
  LIGHTDESK_DATA_DIR: withDefault(z.string().min(1), '.lightdesk').describe(
    'Where the local host keeps Azurite data and the simulated library between runs.',
  ),
  LOG_LEVEL: withDefault(z.enum(['debug', 'info', 'warn', 'error', 'silent']), 'info').describe(
    'Lowest level written to the log.',
  ),
  AzureWebJobsStorage: optional(z.string().min(1)).describe(
    'Azure Storage connection string (tables and queues). Unset: the local host starts Azurite.',
  ),
  AzureWebJobsStorage__accountName: optional(
    z.string().regex(/^[a-z0-9]{3,24}$/, 'must be a storage account name'),
  ).describe(
    'Storage account reached as the managed identity instead of a connection string (Azure sets it; AzureWebJobsStorage wins when both are set).',
  ),
  AzureWebJobsStorage__clientId: optional(z.string().min(1)).describe(
    'Client id of the user-assigned identity for AzureWebJobsStorage__accountName; unset: DefaultAzureCredential chooses.',
  ),
  EVENTS_QUEUE: withDefault(
    z.string().regex(/^[a-z0-9]([a-z0-9]|-(?!-)){1,55}[a-z0-9]$/, 'must be a valid queue name'),
    'events',
  ).describe('Queue of library events; failing messages go to "<name>-poison".'),
  QUEUE_MAX_DEQUEUE: withDefault(z.coerce.number().int().min(1).max(100), 5).describe(
    'Deliveries of one message before it is moved to the poison queue (host.json maxDequeueCount).',
  ),
  BATCH_WINDOW_SECONDS: withDefault(z.coerce.number().min(0).max(60), 2).describe(
    'How long a review must go without new files before its task details and card are written, so a batch of uploads is written once.',
  ),
  POLL_SCHEDULE: optional(ncrontab).describe(
    'NCRONTAB schedule of pollPhotoShelter. Default every minute; every 10 s against the simulator.',
  ),
  POLL_OVERLAP_SECONDS: withDefault(z.coerce.number().int().min(0).max(86_400), 120).describe(
    'How far behind its cursor each poll looks, to absorb clock skew between PhotoShelter and us.',
  ),
  PHOTOSHELTER_BASE_URL: optional(z.url()).describe(
    'PhotoShelter API host, e.g. https://www.photoshelter.com. Unset: the embedded simulator.',
  ),
  PHOTOSHELTER_WEB_URL: optional(z.url()).describe(
    'Base of gallery links people open, e.g. https://acme.photoshelter.com. Defaults to the API host.',
  ),
  PHOTOSHELTER_API_KEY: optional(z.string().min(1)).describe('PhotoShelter API key (secret).'),
  PHOTOSHELTER_EMAIL: optional(z.string().min(1)).describe('PhotoShelter member login email.'),
  PHOTOSHELTER_PASSWORD: optional(z.string().min(1)).describe(
    'PhotoShelter member password (secret).',
  ),
  PHOTOSHELTER_ORG_ID: optional(
    z.string().regex(/^O0000[A-Za-z0-9._]{11}$/, 'must be an organization id (O0000…)'),
  ).describe('Organization to act in. Unset: the first organization the login reports, if any.'),
  PHOTOSHELTER_TIME_ZONE: optional(
    z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone name Node knows, e.g. America/New_York'),
  ).describe(
    "IANA zone PhotoShelter's naive record times are in. Unset: the session's tz at each login, else UTC with a warning.",
  ),
  ZIFLOW_API_KEY: optional(z.string().min(1)).describe(
    'Ziflow API key of the integration user (secret). Set: rules with review "ziflow" or "both" proof in Ziflow; unset: the embedded Ziflow simulator locally, Ziflow off on Azure.',
  ),
  ZIFLOW_BASE_URL: withDefault(z.url(), 'https://api.ziflow.io/v1').describe(
    'Ziflow API base, e.g. https://api.ziflow.io/v1.',
  ),
  ZIFLOW_WEBHOOK_KEY: optional(
    z
      .string()
      .regex(/^[A-Za-z0-9\\-]{16,255}$/, '16–255 letters, digits, "-" or "\\" (Ziflow\'s rule)'),
  ).describe(
    'Signature key of the Ziflow webhook to PUBLIC_BASE_URL/api/v1/hooks/ziflow (secret); required with ZIFLOW_API_KEY. Lightdesk registers the webhook with it at start-up when missing.',
  ),
  PRESERVICA_BASE_URL: optional(z.url()).describe(
    'Preservica host, e.g. https://eu.preservica.com. Set: rules with `preserve` send packages there; unset: the embedded Preservica simulator locally, Preservica off on Azure.',
  ),
  PRESERVICA_USERNAME: optional(z.string().min(1)).describe(
    'Preservica user Lightdesk logs in as (needs ingest rights; webhooks need ROLE_SDB_MANAGER_USER). Required with PRESERVICA_BASE_URL.',
  ),
  PRESERVICA_PASSWORD: optional(z.string().min(1)).describe(
    "That user's password (secret). Required with PRESERVICA_BASE_URL.",
  ),
  PRESERVICA_TENANT: optional(z.string().min(1)).describe(
    'Preservica tenant; also names the upload bucket (<tenant lowercase>.package.upload). Required with PRESERVICA_BASE_URL.',
  ),
  PRESERVICA_WEBHOOK_SECRET: optional(z.string().min(16)).describe(
    'Shared secret of the Preservica webhooks to PUBLIC_BASE_URL/api/v1/hooks/preservica (secret). Set: subscribed at start-up; unset: ingests are followed by polling only.',
  ),
  PRESERVICA_POLL_SECONDS: withDefault(z.coerce.number().int().min(1).max(3600), 30).describe(
    "Seconds between looks at an ingest's progress (also when the webhook is on, in case it never comes).",
  ),
  SIM_SEED: withDefault(z.coerce.number().int().nonnegative(), 42).describe(
    'Seed of the demo library the embedded simulator generates.',
  ),
  SIM_ASSETS: withDefault(z.coerce.number().int().min(1).max(200_000), 400).describe(
    'Number of images in the generated demo library.',
  ),
  API_KEY: optional(z.string().min(16, 'must be at least 16 characters')).describe(
    'Key callers send as x-api-key to /api/v1 (health excepted). Unset: the API is open (local only).',
  ),
  PUBLIC_BASE_URL: optional(z.url()).describe(
    'Where people and Planner task links reach Lightdesk. Default http://localhost:PORT.',
  ),
  ROUTING_RULES_FILE: withDefault(z.string().min(1), 'config/routing-rules.json').describe(
    'JSON file of routing rules: which galleries go to which plan, reviewers and conversation.',
  ),
  SYNC_PLANNER_SCHEDULE: optional(ncrontab).describe(
    'NCRONTAB schedule of syncPlanner. Default every five minutes; every 15 s against the simulator.',
  ),
  OVERDUE_SCHEDULE: optional(ncrontab).describe(
    'NCRONTAB schedule of sweepOverdue (review.overdue webhooks). Default every five minutes; every 15 s locally.',
  ),
  DRIFT_SCHEDULE: optional(ncrontab).describe(
    'NCRONTAB schedule of checkDrift (PhotoShelter vs Preservica metadata of preserved assets). Default hourly; every 5 minutes locally.',
  ),
  DRIFT_SYNC: withDefault(
    z
      .string()
      .regex(
        /^(\s*(title|caption|keywords|credit|rights)\s*=\s*(report|to-preservica|to-photoshelter)\s*)(,(\s*(title|caption|keywords|credit|rights)\s*=\s*(report|to-preservica|to-photoshelter)\s*))*$|^$/,
        'a comma list of field=direction: fields title, caption, keywords, credit, rights; directions report, to-preservica, to-photoshelter',
      ),
    '',
  ).describe(
    'How each core field that differs between PhotoShelter and Preservica is synced, e.g. "title=to-preservica,rights=to-photoshelter"; fields not named are only reported.',
  ),
  RECONCILE_SCHEDULE: optional(ncrontab).describe(
    'NCRONTAB schedule of reconcileReviews (queues a sync for reviews whose task, card or PhotoShelter status lag). Default every five minutes; every 30 s locally.',
  ),
  WEBHOOK_RETRY_BASE_SECONDS: withDefault(z.coerce.number().int().min(0).max(3600), 30).describe(
    'Wait before a failed webhook delivery is tried again; it doubles each attempt (up to an hour).',
  ),
  WEBHOOK_MAX_FAILURES: withDefault(z.coerce.number().int().min(1).max(100), 5).describe(
    'Failed deliveries in a row after which a webhook subscription is disabled.',
  ),
  WEBHOOKS_QUEUE: withDefault(
    z.string().regex(/^[a-z0-9]([a-z0-9]|-(?!-)){1,55}[a-z0-9]$/, 'must be a valid queue name'),
    'webhooks',
  ).describe(
    'Queue of webhook deliveries (deliverWebhook); failing messages go to "<name>-poison".',
  ),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: optional(z.enum(['true', 'false'])).describe(
    'true: webhook callbacks may be plain http and reach loopback, private and link-local addresses (receivers on this machine). Default true on the local host without an Entra app, false otherwise.',
  ),
  WEBHOOK_MAX_SUBSCRIPTIONS: withDefault(z.coerce.number().int().min(1).max(10_000), 100).describe(
    'Live webhook subscriptions allowed at once; the next subscribe is refused with 429.',
  ),
  WEBHOOK_SIGNING_SECRET: optional(z.string().min(16, 'must be at least 16 characters')).describe(
    'Shared key signing webhook deliveries (secret). Unset: each subscription gets its own key, shown once.',
  ),
  LIGHTDESK_CONSOLE: optional(z.enum(['on', 'off'])).describe(
    'The local console and development sign-in (local host only, loopback Host only). Default: on without an Entra app, off with one.',
  ),
  WEBSITE_INSTANCE_ID: optional(z.string().min(1)).describe(
    'Set by Azure App Service / Functions on every instance: Lightdesk then refuses to start without API_KEY and MicrosoftAppId.',
  ),
  TAB_SSO_CLIENT_ID: optional(guidSchema).describe(
    "Entra app (client) id the tab's Teams SSO tokens are for (the manifest's webApplicationInfo.id). Default: MicrosoftAppId.",
  ),
  TAB_SSO_TENANT_ID: optional(z.string().min(1)).describe(
    'Tenant whose users may open the tab. Default: MicrosoftAppTenantId, then AZURE_TENANT_ID; unset everywhere: any tenant.',
  ),
  ENTRA_OPENID_METADATA_URL: optional(z.url()).describe(
    'Test override: OpenID metadata whose keys sign tab SSO tokens (default https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration).',
  ),
});

/** Every environment variable, from every slice: what .env.example and the README list. */
export const configSlices = [environmentSchema, graphConfigSchema, botConfigSchema] as const;

export type Environment = z.infer<typeof environmentSchema>;

export interface PhotoShelterSettings {
  readonly baseUrl: string;
  readonly webBaseUrl: string;
  readonly apiKey: string;
  readonly email: string;
  readonly password: string;
  readonly orgId: string | undefined;
}

export interface ZiflowSettings {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** The signature key of Lightdesk's webhook subscription. */
  readonly webhookKey: string;
}

export interface PreservicaSettings {
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  readonly tenant: string;
  /** The shared secret of Lightdesk's webhook subscriptions; undefined: polling only. */
  readonly webhookSecret: string | undefined;
}

export interface GraphSettings {
  readonly baseUrl: string;
  readonly tenantId: string | undefined;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
}

/** How the tab proves who is looking (Teams SSO); undefined when no Entra app is configured. */
export interface TabSsoSettings {
  readonly clientId: string;
  /** The Application ID URI the tab asks tokens for: api://{host}/{clientId} (Teams SSO convention). */
  readonly appIdUri: string;
  /** Undefined: tokens from any Entra tenant are accepted (a multi-tenant app). */
  readonly tenantId: string | undefined;
  readonly openIdMetadataUrl: string;
}

export interface Config {
  readonly port: number;
  readonly dataDir: string;
  readonly logLevel: Environment['LOG_LEVEL'];
  /** Undefined: run on an embedded Azurite (local host only). */
  readonly storageConnectionString: StorageConnection | undefined;
  readonly eventsQueue: string;
  readonly maxDequeueCount: number;
  readonly batchWindowMs: number;
  readonly pollSchedule: string;
  readonly pollOverlapMs: number;
  /** Undefined: run against the embedded PhotoShelter simulator (local host only). */
  readonly photoShelter: PhotoShelterSettings | undefined;
  /** `PHOTOSHELTER_TIME_ZONE`, for the real service or the simulator; undefined: the session's. */
  readonly photoShelterTimeZone: string | undefined;
  readonly simulator: { readonly seed: number; readonly assets: number };
  /** Undefined: the embedded Ziflow simulator (local host), or no Ziflow (Azure). */
  readonly ziflow: ZiflowSettings | undefined;
  /** Undefined: the embedded Preservica simulator (local host), or no Preservica (Azure). */
  readonly preservica: PreservicaSettings | undefined;
  /** How long between looks at an ingest's progress. */
  readonly preservicaPollMs: number;
  readonly apiKey: string | undefined;
  readonly publicBaseUrl: string;
  readonly routingRulesFile: string;
  readonly syncPlannerSchedule: string;
  /** Undefined: run against the embedded Graph simulator (local host only). */
  readonly graph: GraphSettings | undefined;
  readonly defaultPlanId: string | undefined;
  readonly bot: BotConfig;
  readonly tabSso: TabSsoSettings | undefined;
  readonly overdueSchedule: string;
  readonly driftSchedule: string;
  /** Per core field, how a difference between PhotoShelter and Preservica is handled. */
  readonly driftPolicy: DriftPolicy;
  readonly reconcileSchedule: string;
  readonly webhooks: {
    readonly retryBaseMs: number;
    readonly maxConsecutiveFailures: number;
    readonly queue: string;
    /** Undefined: each subscription is signed with its own key. */
    readonly signingSecret: string | undefined;
    /** Callbacks may be http and reach loopback/private addresses (the local demo receiver). */
    readonly allowPrivateTargets: boolean;
    /** Live subscriptions allowed at once. */
    readonly maxSubscriptions: number;
  };
  /** Where this process runs: Azure (the Functions entry, or WEBSITE_INSTANCE_ID set) or the local host. */
  readonly host: 'azure' | 'local';
  /** The local console and development sign-in are served (loopback Host only). */
  readonly console: boolean;
}

const requiredForRealPhotoShelter = [
  'PHOTOSHELTER_API_KEY',
  'PHOTOSHELTER_EMAIL',
  'PHOTOSHELTER_PASSWORD',
] as const;

const requiredForRealPreservica = [
  'PRESERVICA_USERNAME',
  'PRESERVICA_PASSWORD',
  'PRESERVICA_TENANT',
] as const;

/** `DRIFT_SYNC` ("title=to-preservica,…", checked by its schema) over the report-only default. */
function driftPolicyOf(setting: string): DriftPolicy {
  const policy: Record<string, DriftDirection> = { ...REPORT_ONLY };
  for (const pair of setting.split(',')) {
    const [field, direction] = pair.split('=').map((part) => part.trim());
    const parsed = driftDirectionSchema.safeParse(direction);
    if (field !== undefined && field in policy && parsed.success) policy[field] = parsed.data;
  }
  return policy as DriftPolicy;
}

const isSet = (value: string | undefined): boolean => value !== undefined && value !== '';

/**
 * Parses the environment once. Every bad or missing key is reported together, by name only: values
 * may be secrets, so they never appear in the message.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  entry: 'azure' | 'local' = 'local',
): Config {
  const parsed = environmentSchema.safeParse(env);
  const problems: string[] = [];
  const keys: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.map(String).join('.') || '(environment)';
      keys.push(key);
      problems.push(`${key}: ${issue.message}`);
    }
  }
  const graph = graphConfigSchema.safeParse(env);
  if (!graph.success) {
    for (const issue of graph.error.issues) {
      const key = issue.path.map(String).join('.') || '(environment)';
      keys.push(key);
      problems.push(`${key}: ${issue.message}`);
    }
  }
  let bot: BotConfig | undefined;
  try {
    bot = loadBotConfig(env);
  } catch (e: unknown) {
    if (!(e instanceof ConfigError)) throw e;
    keys.push(...e.keys);
    problems.push(e.message.replace(/^Invalid configuration: /, ''));
  }
  const values = parsed.success ? parsed.data : undefined;
  // Checked on the raw environment so the message lists these even when other keys failed to parse.
  if (isSet(env.PHOTOSHELTER_BASE_URL)) {
    for (const key of requiredForRealPhotoShelter) {
      if (!isSet(env[key])) {
        keys.push(key);
        problems.push(`${key}: required when PHOTOSHELTER_BASE_URL is set`);
      }
    }
  }
  if (isSet(env.PRESERVICA_BASE_URL)) {
    for (const key of requiredForRealPreservica) {
      if (!isSet(env[key])) {
        keys.push(key);
        problems.push(`${key}: required when PRESERVICA_BASE_URL is set`);
      }
    }
  }
  if (isSet(env.ZIFLOW_API_KEY) && !isSet(env.ZIFLOW_WEBHOOK_KEY)) {
    keys.push('ZIFLOW_WEBHOOK_KEY');
    problems.push('ZIFLOW_WEBHOOK_KEY: required when ZIFLOW_API_KEY is set');
  }
  // One queue for both would hand deliveries to processEvent and events to deliverWebhook.
  if (values !== undefined && values.WEBHOOKS_QUEUE === values.EVENTS_QUEUE) {
    keys.push('WEBHOOKS_QUEUE');
    problems.push('WEBHOOKS_QUEUE: must differ from EVENTS_QUEUE');
  }
  const host = entry === 'azure' || isSet(env.WEBSITE_INSTANCE_ID) ? 'azure' : 'local';
  // On Azure the API and the bot face the internet: an open API or an unauthenticated bot is a
  // misconfiguration, not a default (docs/security.md).
  if (host === 'azure') {
    for (const key of ['API_KEY', 'MicrosoftAppId'] as const) {
      if (!isSet(env[key])) {
        keys.push(key);
        problems.push(`${key}: required on Azure`);
      }
    }
  }
  if (values === undefined || !graph.success || bot === undefined || problems.length > 0) {
    throw new ConfigError(keys, problems);
  }
  // Graph is real once an app (or managed identity) or a Graph URL is named; otherwise simulated.
  const isGraphConfigured = isSet(env.GRAPH_BASE_URL) || graph.data.AZURE_CLIENT_ID !== undefined;

  const tabSso = tabSsoSettings(values, bot, graph.data.AZURE_TENANT_ID);
  const photoShelter =
    values.PHOTOSHELTER_BASE_URL === undefined
      ? undefined
      : {
          baseUrl: values.PHOTOSHELTER_BASE_URL,
          webBaseUrl: values.PHOTOSHELTER_WEB_URL ?? values.PHOTOSHELTER_BASE_URL,
          apiKey: values.PHOTOSHELTER_API_KEY ?? '',
          email: values.PHOTOSHELTER_EMAIL ?? '',
          password: values.PHOTOSHELTER_PASSWORD ?? '',
          orgId: values.PHOTOSHELTER_ORG_ID,
        };

  return Object.freeze({
    port: values.PORT,
    dataDir: values.LIGHTDESK_DATA_DIR,
    logLevel: values.LOG_LEVEL,
    storageConnectionString:
      values.AzureWebJobsStorage ??
      (values.AzureWebJobsStorage__accountName === undefined
        ? undefined
        : Object.freeze({
            accountName: values.AzureWebJobsStorage__accountName,
            clientId: values.AzureWebJobsStorage__clientId,
          })),
    eventsQueue: values.EVENTS_QUEUE,
    maxDequeueCount: values.QUEUE_MAX_DEQUEUE,
    batchWindowMs: values.BATCH_WINDOW_SECONDS * 1000,
    pollSchedule:
      values.POLL_SCHEDULE ?? (photoShelter === undefined ? '*/10 * * * * *' : '0 * * * * *'),
    pollOverlapMs: values.POLL_OVERLAP_SECONDS * 1000,
    photoShelter: photoShelter === undefined ? undefined : Object.freeze(photoShelter),
    photoShelterTimeZone: values.PHOTOSHELTER_TIME_ZONE,
    simulator: Object.freeze({ seed: values.SIM_SEED, assets: values.SIM_ASSETS }),
    ziflow:
      values.ZIFLOW_API_KEY === undefined
        ? undefined
        : Object.freeze({
            baseUrl: values.ZIFLOW_BASE_URL,
            apiKey: values.ZIFLOW_API_KEY,
            webhookKey: values.ZIFLOW_WEBHOOK_KEY ?? '',
          }),
    preservica:
      values.PRESERVICA_BASE_URL === undefined
        ? undefined
        : Object.freeze({
            baseUrl: values.PRESERVICA_BASE_URL.replace(/\/+$/, ''),
            username: values.PRESERVICA_USERNAME ?? '',
            password: values.PRESERVICA_PASSWORD ?? '',
            tenant: values.PRESERVICA_TENANT ?? '',
            webhookSecret: values.PRESERVICA_WEBHOOK_SECRET,
          }),
    preservicaPollMs: values.PRESERVICA_POLL_SECONDS * 1000,
    apiKey: values.API_KEY,
    publicBaseUrl: (values.PUBLIC_BASE_URL ?? `http://localhost:${values.PORT}`).replace(
      /\/+$/,
      '',
    ),
    routingRulesFile: values.ROUTING_RULES_FILE,
    syncPlannerSchedule:
      values.SYNC_PLANNER_SCHEDULE ?? (isGraphConfigured ? '0 */5 * * * *' : '*/15 * * * * *'),
    graph: isGraphConfigured
      ? Object.freeze({
          baseUrl: graph.data.GRAPH_BASE_URL,
          tenantId: graph.data.AZURE_TENANT_ID,
          clientId: graph.data.AZURE_CLIENT_ID,
          clientSecret: graph.data.AZURE_CLIENT_SECRET,
        })
      : undefined,
    defaultPlanId: graph.data.PLANNER_PLAN_ID,
    bot,
    tabSso,
    driftSchedule: values.DRIFT_SCHEDULE ?? (isGraphConfigured ? '0 0 * * * *' : '0 */5 * * * *'),
    driftPolicy: driftPolicyOf(values.DRIFT_SYNC),
    overdueSchedule:
      values.OVERDUE_SCHEDULE ?? (isGraphConfigured ? '0 */5 * * * *' : '*/15 * * * * *'),
    reconcileSchedule:
      values.RECONCILE_SCHEDULE ?? (isGraphConfigured ? '0 */5 * * * *' : '*/30 * * * * *'),
    webhooks: Object.freeze({
      retryBaseMs: values.WEBHOOK_RETRY_BASE_SECONDS * 1000,
      maxConsecutiveFailures: values.WEBHOOK_MAX_FAILURES,
      queue: values.WEBHOOKS_QUEUE,
      signingSecret: values.WEBHOOK_SIGNING_SECRET,
      // Private receivers are for the demo on a laptop; a real tenant (an Entra app, maybe behind
      // a tunnel) or Azure gets public https targets only unless told otherwise.
      allowPrivateTargets:
        (values.WEBHOOK_ALLOW_PRIVATE_TARGETS ??
          String(host === 'local' && tabSso === undefined)) === 'true',
      maxSubscriptions: values.WEBHOOK_MAX_SUBSCRIPTIONS,
    }),
    host,
    // With an Entra app (a real tenant, maybe behind a tunnel) the console is opt-in.
    console:
      host === 'local' &&
      (values.LIGHTDESK_CONSOLE ?? (tabSso === undefined ? 'on' : 'off')) === 'on',
  });
}

function tabSsoSettings(
  values: Environment,
  bot: BotConfig,
  graphTenant: string | undefined,
): TabSsoSettings | undefined {
  const clientId = values.TAB_SSO_CLIENT_ID ?? bot.appId;
  if (clientId === undefined) return undefined;
  const tenantId = values.TAB_SSO_TENANT_ID ?? bot.tenantId ?? graphTenant;
  const host = new URL(values.PUBLIC_BASE_URL ?? `http://localhost:${values.PORT}`).host;
  return Object.freeze({
    clientId,
    appIdUri: `api://${host}/${clientId}`,
    tenantId,
    openIdMetadataUrl:
      values.ENTRA_OPENID_METADATA_URL ??
      `https://login.microsoftonline.com/${tenantId ?? 'organizations'}/v2.0/.well-known/openid-configuration`,
  });
}

/** The Functions host has no embedded services: storage and PhotoShelter must be configured. */
export function requireHostedServices(config: Config): {
  readonly storageConnectionString: StorageConnection;
  readonly photoShelter: PhotoShelterSettings;
  readonly graph: GraphSettings;
} {
  const { storageConnectionString, photoShelter, graph } = config;
  if (storageConnectionString !== undefined && photoShelter !== undefined && graph !== undefined) {
    return { storageConnectionString, photoShelter, graph };
  }
  const missing: string[] = [];
  if (storageConnectionString === undefined) missing.push('AzureWebJobsStorage');
  if (photoShelter === undefined) missing.push('PHOTOSHELTER_BASE_URL');
  if (graph === undefined) missing.push('GRAPH_BASE_URL');
  throw new ConfigError(
    missing,
    missing.map((key) => `${key}: required when running in Azure Functions`),
  );
}
