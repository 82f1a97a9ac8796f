import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

import type { Timer } from '@azure/functions';
import { Cron } from 'croner';

import { ensureError } from '../core/errors.js';
import type { LogFields, Logger } from '../core/ports/logger.js';
import { JsonLogger } from '../connectors/system/json-logger.js';
import { SystemClock } from '../connectors/system/system-clock.js';
import { allFunctions, type FunctionProviders } from '../functions/all-functions.js';
import type {
  HttpFunctionDefinition,
  QueueFunctionDefinition,
  TimerFunctionDefinition,
} from '../functions/definition.js';
import { FakeBotConnectorServer } from '../simulators/bot-connector/fake-bot-connector-server.js';
import { FakeGraphServer } from '../simulators/graph/fake-graph-server.js';
import { FakePhotoShelterServer } from '../simulators/photoshelter/fake-photoshelter-server.js';
import { FakePreservicaServer } from '../simulators/preservica/fake-preservica-server.js';
import { FakeZiflowServer } from '../simulators/ziflow/fake-ziflow-server.js';
import { startAzurite } from './azurite.js';
import {
  type Config,
  type GraphSettings,
  loadConfig,
  type PhotoShelterSettings,
} from './config.js';
import { LocalTokenCredential } from './local-token-credential.js';
import { createServices, type Services } from './create-services.js';
import { warmUpRoutes } from '../core/use-cases/warm-up-routes.js';
import { libraryCursorSchema, PHOTOSHELTER_CURSOR } from '../core/use-cases/detect-changes.js';
import { hasMalformedEscape, invocationContext, serveFunction } from './http-adapter.js';
import { type LocalConsoleOptions, serveConsole } from './local-console.js';
import { QueuePump } from './queue-pump.js';

export interface LocalHost {
  readonly url: string;
  readonly simulatorUrl: string | undefined;
  /** The embedded Graph (Planner) simulator, when Graph is not configured. */
  readonly graphUrl: string | undefined;
  /** The embedded Teams (Bot Connector) simulator, when the bot has no app id. */
  readonly teamsUrl: string | undefined;
  /** The embedded Ziflow simulator, when ZIFLOW_API_KEY is not set. */
  readonly ziflowUrl: string | undefined;
  /** The embedded Preservica simulator, when PRESERVICA_BASE_URL is not set. */
  readonly preservicaUrl: string | undefined;
  readonly dataDir: string;
  readonly services: Services;
  /** What the functions were handed (for tests that call a definition directly). */
  readonly providers: FunctionProviders;
  /** Runs one pollPhotoShelter invocation now, as the timer would. */
  poll(): Promise<void>;
  /** Runs one syncPlanner invocation now, as the timer would. */
  syncPlanner(): Promise<void>;
  /** Runs one sweepOverdue invocation now, as the timer would. */
  sweepOverdue(): Promise<void>;
  /** Runs one checkDrift invocation now, as the timer would. */
  checkDrift(): Promise<void>;
  /** Delivers whatever is on the events and webhooks queues now, as the queue triggers would. */
  drainQueue(): Promise<number>;
  stop(): Promise<void>;
}

export interface LocalHostOptions {
  /** Keep Azurite's data in memory only (tests); otherwise under LIGHTDESK_DATA_DIR. */
  readonly inMemoryStorage?: boolean;
  /** Start timers and the queue consumer (default true); tests drive them by hand instead. */
  readonly runTriggers?: boolean;
  readonly logger?: Logger;
  /**
   * Simulators running in their own processes (the chaos run restarts hosts while they keep state).
   * An external Teams gets no install activity: whoever runs it installs the bot once.
   */
  readonly external?: {
    readonly teamsUrl?: string;
    /** The Graph simulator's root URL (the API is under `/v1.0`) and its plan. */
    readonly graph?: { readonly url: string; readonly planId: string };
  };
  /**
   * Start the timers (default: as `runTriggers`). Azure runs each timer on one instance at a time
   * (a blob lease), so several hosts on one storage run them on one only.
   */
  readonly runTimers?: boolean;
  /**
   * Aborting stops start-up wherever it is: what has started is stopped, as stop() would, and
   * startLocalHost rejects with the signal's reason (issue 16: Ctrl-C at any moment).
   */
  readonly signal?: AbortSignal;
  /**
   * Azurite in its own process group (AzuriteOptions.detached), for a caller that handles SIGINT
   * itself: a terminal's Ctrl-C then cannot kill Azurite under work still using it.
   */
  readonly detachAzurite?: boolean;
}

/** How long stop() waits for running work before it closes servers anyway. */
const STOP_GRACE_MS = 1_500;
/**
 * Issue 16: 3 s from Ctrl-C to exit, with room to exit. Azurite, stopped last, gets what is left
 * of it to save before SIGKILL, and at least AZURITE_MIN_GRACE_MS.
 */
const STOP_BUDGET_MS = 2_400;
const AZURITE_MIN_GRACE_MS = 500;

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * What start-up has started, stopped in reverse order; first the timers and queue consumers stop
 * and work under way gets a bounded wait, while the simulators and Azurite still answer, so it
 * neither retries against closed ports nor holds the stop up.
 */
class Parts {
  /** Set once stop() stops waiting for work still under way. */
  hasAbandonedWork = false;
  private readonly parts: Stoppable[] = [];
  private readonly sources: Stoppable[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped: Promise<void> | undefined;
  private stopBegan = 0;

  constructor(private readonly logger: Logger) {}

  get isStopping(): boolean {
    return this.stopped !== undefined;
  }

  add(part: Stoppable): void {
    this.parts.push(part);
  }

  /** Timers and queue consumers: stopped before anything else, so no new work begins. */
  addSource(source: Stoppable): void {
    this.sources.push(source);
  }

  /** What is left of the stop's budget (STOP_BUDGET_MS). */
  remainingMs(): number {
    return STOP_BUDGET_MS - (performance.now() - this.stopBegan);
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopBegan = performance.now();
      const quiet = Promise.allSettled([...this.sources.map((s) => s.stop()), ...this.inFlight]);
      const waited = await Promise.race([
        quiet.then(() => 'quiet' as const),
        delay(STOP_GRACE_MS, 'late' as const, { ref: false }),
      ]);
      if (waited === 'late') {
        this.logger.info('stopping without waiting longer for work under way', {
          runs: this.inFlight.size,
        });
        this.hasAbandonedWork = true;
      }
      // Every part is stopped even when one fails, so none is left running.
      let failure: unknown;
      for (const part of this.parts.reverse()) {
        await part.stop().catch((e: unknown) => {
          failure ??= e;
        });
      }
      if (failure !== undefined) throw ensureError(failure);
    })();
    return this.stopped;
  }
}

/**
 * The work's logger: once stop() has abandoned the work still under way, what that work then says
 * is about the ports closing under it (ECONNREFUSED, retries), which only alarms; it is dropped.
 */
class WorkLogger implements Logger {
  constructor(
    private readonly inner: Logger,
    private readonly parts: Parts,
  ) {}

  debug(message: string, fields?: LogFields): void {
    if (!this.parts.hasAbandonedWork) this.inner.debug(message, fields);
  }

  info(message: string, fields?: LogFields): void {
    if (!this.parts.hasAbandonedWork) this.inner.info(message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    if (!this.parts.hasAbandonedWork) this.inner.warn(message, fields);
  }

  error(message: string, fields?: LogFields): void {
    if (!this.parts.hasAbandonedWork) this.inner.error(message, fields);
  }

  child(name: string): Logger {
    return new WorkLogger(this.inner.child(name), this.parts);
  }
}

/** `work`, or the signal's reason as soon as it aborts (the work itself runs on). */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = (): void => reject(ensureError(signal.reason));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    work
      .then(resolvePromise, reject)
      .finally(() => signal.removeEventListener('abort', onAbort))
      .catch(() => undefined);
  });
}

/**
 * `npm start`: Azurite and the PhotoShelter simulator unless real ones are configured, then one
 * HTTP server for the functions Azure registers, the timers and a queue consumer
 * (docs/architecture.md).
 */
export async function startLocalHost(
  env: Readonly<Record<string, string | undefined>>,
  options: LocalHostOptions = {},
): Promise<LocalHost> {
  options.signal?.throwIfAborted();
  const config = loadConfig(env);
  const logger = options.logger ?? new JsonLogger('lightdesk', config.logLevel);
  const parts = new Parts(logger);
  try {
    return await start(config, new WorkLogger(logger, parts), options, parts);
  } catch (e: unknown) {
    await parts.stop().catch(() => undefined);
    throw e;
  }
}

async function start(
  config: Config,
  logger: Logger,
  options: LocalHostOptions,
  parts: Parts,
): Promise<LocalHost> {
  const { signal } = options;
  // Each step that may take a while gives way to the signal at once, and what has started stops.
  // A tracked step gets stop's grace to finish (it logs, so it must not meet closed ports); the
  // storage set-up and the cursor read are idempotent and silent, so they are simply dropped.
  const step = <T>(work: Promise<T>): Promise<T> => abortable(parts.track(work), signal);
  const dropped = <T>(work: Promise<T>): Promise<T> => abortable(work, signal);
  const dataDir = resolve(config.dataDir);
  logger.info('Lightdesk starting', { dataDir });
  if (options.inMemoryStorage !== true) await mkdir(dataDir, { recursive: true });

  let storageConnectionString = config.storageConnectionString;
  if (storageConnectionString === undefined) {
    // Not a step: startAzurite stops its own children on abort, and must not outlive one unseen.
    const azurite = await startAzurite({
      ...(options.inMemoryStorage === true ? {} : { dataDir: join(dataDir, 'azurite') }),
      ...(signal === undefined ? {} : { signal }),
      detached: options.detachAzurite === true,
    });
    parts.add({
      stop: () => azurite.stop({ graceMs: Math.max(AZURITE_MIN_GRACE_MS, parts.remainingMs()) }),
    });
    storageConnectionString = azurite.connectionString;
    logger.info('Azurite started', { tableUrl: azurite.tableUrl, queueUrl: azurite.queueUrl });
  }

  let photoShelter: PhotoShelterSettings | undefined = config.photoShelter;
  let simulatorUrl: string | undefined;
  if (photoShelter === undefined) {
    const simulator = new FakePhotoShelterServer({
      seed: config.simulator.seed,
      assets: config.simulator.assets,
      ...(options.inMemoryStorage === true
        ? {}
        : { stateFile: join(dataDir, 'photoshelter-library.json') }),
    });
    const { url } = await simulator.start(0);
    parts.add(simulator);
    signal?.throwIfAborted();
    simulatorUrl = url;
    photoShelter = {
      baseUrl: url,
      webBaseUrl: url,
      apiKey: simulator.credentials.apiKey,
      email: simulator.credentials.email,
      password: simulator.credentials.password,
      orgId: simulator.credentials.orgId,
    };
    logger.info('PhotoShelter simulator started', { url, assets: config.simulator.assets });
  }

  let graph: GraphSettings | undefined = config.graph;
  let graphUrl: string | undefined;
  let simulatedPlanId: string | undefined;
  const externalGraph = options.external?.graph;
  if (graph === undefined && externalGraph !== undefined) {
    graphUrl = externalGraph.url;
    simulatedPlanId = externalGraph.planId;
    graph = {
      baseUrl: `${externalGraph.url}/v1.0`,
      tenantId: undefined,
      clientId: undefined,
      clientSecret: undefined,
    };
  }
  if (graph === undefined) {
    // Tasks outlive a restart, as the reviews in Azurite do.
    const graphSimulator = new FakeGraphServer(
      options.inMemoryStorage === true ? {} : { stateFile: join(dataDir, 'graph-planner.json') },
    );
    await graphSimulator.start(0);
    parts.add(graphSimulator);
    signal?.throwIfAborted();
    graphUrl = graphSimulator.url;
    simulatedPlanId = graphSimulator.seeded.planId;
    graph = {
      baseUrl: graphSimulator.graphUrl,
      tenantId: undefined,
      clientId: undefined,
      clientSecret: undefined,
    };
    logger.info('Graph (Planner) simulator started', { url: graphUrl });
  }

  // Teams is simulated whenever the bot runs anonymously: real Teams only talks to a registered bot.
  let teams: FakeBotConnectorServer | undefined;
  const externalTeamsUrl = options.external?.teamsUrl;
  if (config.bot.appId === undefined && externalTeamsUrl === undefined) {
    // Cards outlive a restart, as the reviews in Azurite do.
    teams = new FakeBotConnectorServer(
      options.inMemoryStorage === true
        ? {}
        : { stateFile: join(dataDir, 'teams-conversations.json') },
    );
    await teams.start(0);
    parts.add(teams);
    signal?.throwIfAborted();
    logger.info('Teams (Bot Connector) simulator started', { url: teams.url });
  }

  // Ziflow is simulated unless an API key names a real account; its webhook comes back here.
  let ziflow = config.ziflow;
  let ziflowUrl: string | undefined;
  if (ziflow === undefined) {
    const ziflowSimulator = new FakeZiflowServer(
      options.inMemoryStorage === true ? {} : { stateFile: join(dataDir, 'ziflow.json') },
    );
    await ziflowSimulator.start(0);
    parts.add(ziflowSimulator);
    signal?.throwIfAborted();
    ziflowUrl = ziflowSimulator.url;
    const admin = ziflowSimulator.users.find((u) => u.admin);
    if (admin === undefined) throw new TypeError('the Ziflow simulator seeds no admin');
    ziflow = {
      baseUrl: ziflowSimulator.apiUrl,
      apiKey: admin.apiKey,
      webhookKey: randomBytes(24).toString('hex'),
    };
    logger.info('Ziflow simulator started', { url: ziflowUrl });
  }
  // Preservica likewise; its webhooks come back here signed with a secret made for this run.
  let preservica = config.preservica;
  let preservicaUrl: string | undefined;
  if (preservica === undefined) {
    const preservicaSimulator = new FakePreservicaServer(
      options.inMemoryStorage === true ? {} : { stateFile: join(dataDir, 'preservica.json') },
    );
    await preservicaSimulator.start(0);
    parts.add(preservicaSimulator);
    signal?.throwIfAborted();
    preservicaUrl = preservicaSimulator.url;
    preservica = {
      baseUrl: preservicaSimulator.url,
      ...preservicaSimulator.credentials,
      webhookSecret: randomBytes(24).toString('hex'),
    };
    logger.info('Preservica simulator started', { url: preservicaUrl });
  }
  // A simulator's webhooks come to where this host listens (known below); a real service's to the
  // public URL.
  let listeningAt: string | undefined = undefined;
  const hookTargetOf = (isReal: boolean, service: string): string =>
    `${isReal ? config.publicBaseUrl : (listeningAt ?? config.publicBaseUrl)}/api/v1/hooks/${service}`;
  const hookTarget = (): string => hookTargetOf(config.ziflow !== undefined, 'ziflow');
  const preservicaHookTarget = (): string =>
    hookTargetOf(config.preservica !== undefined, 'preservica');

  const services = await dropped(
    createServices(
      config,
      {
        storageConnectionString,
        photoShelter,
        graph,
        ...(config.graph === undefined
          ? { graphCredential: new LocalTokenCredential(), defaultPlanId: simulatedPlanId }
          : {}),
        // Development tokens let the tab be tried outside Teams; they come with the console (off by
        // default with an Entra app) and, like it, only to a loopback Host (local-console.ts).
        devTokens: config.console,
        ziflow: { ...ziflow, hookTarget },
        preservica: {
          ...preservica,
          hookTarget: preservicaHookTarget,
        },
      },
      { logger, clock: new SystemClock() },
    ),
  );
  // One process serves everything, so every provider hands over the same services, built above.
  const providers: FunctionProviders = {
    polling: () => Promise.resolve(services),
    storedReviews: () => Promise.resolve(services),
    reviewLoop: () => Promise.resolve(services),
    bot: () => Promise.resolve(services.bot),
  };
  const definitions = allFunctions(providers);
  const http = definitions.filter((d): d is HttpFunctionDefinition => d.trigger === 'http');
  const timers = definitions.filter((d): d is TimerFunctionDefinition => d.trigger === 'timer');
  const queues = definitions.filter((d): d is QueueFunctionDefinition => d.trigger === 'queue');

  const runTimer = (definition: TimerFunctionDefinition, job?: Cron): Promise<void> =>
    parts.isStopping ? Promise.resolve() : parts.track(invokeTimer(definition, job));
  const invokeTimer = async (definition: TimerFunctionDefinition, job?: Cron): Promise<void> => {
    const timer: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: new Date().toISOString(),
        next: job?.nextRun()?.toISOString() ?? '',
        lastUpdated: new Date().toISOString(),
      },
    };
    try {
      await definition.handler(timer, invocationContext(definition.name, logger));
    } catch (e: unknown) {
      logger.error('timer function failed', {
        name: definition.name,
        error: ensureError(e).message,
      });
    }
  };

  // Before anything listens: health's first 200 invites an upload, so the library's baseline must
  // already be recorded or that upload is folded into it (issue 16). Only a first poll: with a
  // cursor kept, polls stay the timer's, on one host of several (runTimers).
  const cursor = await dropped(
    services.cursors.get(PHOTOSHELTER_CURSOR, libraryCursorSchema).catch(() => undefined),
  );
  if (cursor === undefined) {
    for (const definition of timers) {
      if (definition.scheduleSetting === 'POLL_SCHEDULE')
        await abortable(runTimer(definition), signal);
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((e: unknown) => {
      logger.error('local host request failed', { error: ensureError(e).message });
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'internal', message: 'Internal error' } }));
    });
  });
  const url = await listen(server, config.port);
  parts.add({ stop: () => close(server) });
  signal?.throwIfAborted();

  const consoleOptions: LocalConsoleOptions = {
    enabled: config.console,
    apiKey: config.apiKey,
    settings: {
      simulatorUrl,
      graphUrl,
      teamsUrl: teams?.url ?? externalTeamsUrl,
      ziflowUrl,
      preservicaUrl,
    },
    functions: http,
    logger,
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refuse = (status: number, message: string) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'validation', message } }));
    };
    let path: string;
    try {
      path = new URL(request.url ?? '/', url).pathname;
    } catch {
      return refuse(400, 'The request target is not a valid URL path');
    }
    // Before any route or key check, as the Functions host does.
    if (hasMalformedEscape(path)) return refuse(400, 'The path has a malformed % escape');
    if (await serveConsole(consoleOptions, request, response, url, path)) return;
    if (await serveFunction(http, request, response, url, logger)) return;
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 'not_found', message: `Nothing at ${path}` } }));
  }

  const queueFor = {
    EVENTS_QUEUE: services.queue,
    WEBHOOKS_QUEUE: services.webhookQueue,
  } as const;
  const pumps = queues.map(
    (definition) =>
      new QueuePump(
        queueFor[definition.queueSetting],
        definition,
        services.clock,
        logger.child('queue'),
        {
          maxDequeueCount: config.maxDequeueCount,
          // As host.json tells the Functions host: 32 at a time, more fetched at 16 still running.
          batchSize: 32,
          newBatchThreshold: 16,
          visibilityTimeoutMs: 30_000,
          idleDelayMs: 500,
        },
      ),
  );
  for (const pump of pumps) parts.addSource(pump);
  if (options.runTimers ?? options.runTriggers !== false) {
    for (const definition of timers) {
      // protect: a slow poll is never overlapped by the next tick, as the Functions host guarantees.
      const schedule = {
        POLL_SCHEDULE: config.pollSchedule,
        SYNC_PLANNER_SCHEDULE: config.syncPlannerSchedule,
        OVERDUE_SCHEDULE: config.overdueSchedule,
        RECONCILE_SCHEDULE: config.reconcileSchedule,
        DRIFT_SCHEDULE: config.driftSchedule,
      }[definition.scheduleSetting];
      const job: Cron = new Cron(schedule, { protect: true }, () => runTimer(definition, job));
      parts.addSource({ stop: () => Promise.resolve(job.stop()) });
    }
  }
  if (options.runTriggers !== false) {
    for (const pump of pumps) {
      pump.start();
    }
  }

  listeningAt = url;
  // Ziflow's events come back by its webhook: make sure it points here with our key.
  const { proofing } = services;
  if (proofing !== undefined) {
    const subscribed = await step(
      proofing.ensureWebhook(hookTarget(), ziflow.webhookKey).catch((e: unknown) => {
        logger.error('could not register the Ziflow webhook; Ziflow decisions will not arrive', {
          error: ensureError(e).message,
        });
        return 'failed' as const;
      }),
    );
    logger.info('Ziflow webhook', { target: hookTarget(), subscription: subscribed });
  }

  // Preservica's ingests are reported by its webhook too, when it has a secret to sign with: make sure
  // it points here (the scheduled progress checks cover ingests either way).
  const { preservicaArchive } = services;
  const preservicaSecret = preservica.webhookSecret;
  if (preservicaArchive !== undefined && preservicaSecret !== undefined) {
    const target = preservicaHookTarget();
    const subscribed = await step(
      preservicaArchive.ensureWebhook(target, preservicaSecret).catch((e: unknown) => {
        logger.error(
          'could not subscribe to Preservica webhooks; ingests are followed by polling',
          {
            error: ensureError(e).message,
          },
        );
        return 'failed' as const;
      }),
    );
    logger.info('Preservica webhook', { target, subscription: subscribed });
  }

  if (teams !== undefined) {
    // The demo's routing rules post to the "Photo reviews" channel: install the bot there, as an admin
    // would, so its conversation reference is captured through the real install activity.
    teams.botEndpoint = `${url}/api/messages`;
    const channel = teams.seed.photoReviewsChannel;
    const answer = await step(teams.installBot(channel.id));
    logger.info('Lightdesk installed in the simulated Teams channel', {
      channel: channel.name,
      status: answer.status,
    });
  }
  // Once the bot is installed where the rules post, so the first batch of each rule finds its
  // reviewers, bucket and roster known (and the log names what cannot be served).
  await step(warmUpRoutes({ ...services, logger: logger.child('routes') }));

  return {
    url,
    simulatorUrl,
    graphUrl,
    teamsUrl: teams?.url ?? externalTeamsUrl,
    ziflowUrl,
    preservicaUrl,
    dataDir,
    services,
    providers,
    poll: async () => {
      for (const definition of timers) {
        if (definition.scheduleSetting === 'POLL_SCHEDULE') await runTimer(definition);
      }
    },
    syncPlanner: async () => {
      for (const definition of timers) {
        if (definition.scheduleSetting === 'SYNC_PLANNER_SCHEDULE') await runTimer(definition);
      }
    },
    sweepOverdue: async () => {
      for (const definition of timers) {
        if (definition.scheduleSetting === 'OVERDUE_SCHEDULE') await runTimer(definition);
      }
    },
    checkDrift: async () => {
      for (const definition of timers) {
        if (definition.scheduleSetting === 'DRIFT_SCHEDULE') await runTimer(definition);
      }
    },
    drainQueue: () =>
      parts.isStopping
        ? Promise.resolve(0)
        : parts.track(
            (async () => {
              let handled = 0;
              for (const pump of pumps) handled += await pump.drainOnce();
              return handled;
            })(),
          ),
    stop: () => parts.stop(),
  };
}

function listen(server: Server, port: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolvePromise(`http://localhost:${address.port}`);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    server.close(() => resolvePromise());
    server.closeAllConnections();
  });
}

/** Stop on these at any moment, start-up included; SIGHUP: the terminal closed. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

async function main(): Promise<void> {
  // Before anything starts, so a signal during start-up stops what has started (issue 16).
  const logger = new JsonLogger('lightdesk', 'info');
  const aborter = new AbortController();
  let host: LocalHost | undefined;
  // Exit 0 after a clean stop, whenever the signal came: npm then reports no failed script.
  const exitAfter = (stopped: Promise<void>): void => {
    stopped
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        process.stderr.write(`shutdown failed: ${ensureError(e).message}\n`);
        process.exit(1);
      });
  };
  const shutdown = (signal: (typeof STOP_SIGNALS)[number]) => {
    // A second Ctrl-C changes nothing: the stop is already bounded, and exiting early orphans Azurite.
    if (aborter.signal.aborted) return;
    logger.info('shutting down', { signal });
    aborter.abort(new Error(`stopped by ${signal}`));
    // During start-up, startLocalHost stops what it started and rejects (below).
    if (host !== undefined) exitAfter(host.stop());
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => shutdown(signal));

  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    host = await startLocalHost(process.env, { signal: aborter.signal, detachAzurite: true });
  } catch (e: unknown) {
    if (aborter.signal.aborted) {
      exitAfter(Promise.resolve());
      return;
    }
    const error = ensureError(e);
    process.stderr.write(`Lightdesk did not start: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  if (aborter.signal.aborted) {
    exitAfter(host.stop());
    return;
  }
  const lines = [
    '',
    'Lightdesk is running.',
    `  console      ${host.url}/`,
    `  health       ${host.url}/api/v1/health`,
    `  API          ${host.url}/api/v1/`,
    ...(host.simulatorUrl === undefined ? [] : [`  PhotoShelter ${host.simulatorUrl} (simulator)`]),
    ...(host.graphUrl === undefined ? [] : [`  Planner      ${host.graphUrl} (Graph simulator)`]),
    ...(host.teamsUrl === undefined
      ? []
      : [`  Teams        ${host.teamsUrl} (Bot Connector simulator)`]),
    ...(host.ziflowUrl === undefined ? [] : [`  Ziflow       ${host.ziflowUrl} (simulator)`]),
    ...(host.preservicaUrl === undefined
      ? []
      : [`  Preservica   ${host.preservicaUrl} (simulator)`]),
    `  bot          ${host.url}/api/messages`,
    `  Ctrl-C stops everything; data stays under ${host.dataDir}.`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
