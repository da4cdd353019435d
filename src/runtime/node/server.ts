import { localKms } from '../../vault/kms.js';
import { createApp, merchantServices } from '../../api/app.js';
import { renewalJobs } from '../../jobs/renewals.js';
import type { AppDeps } from '../../api/env.js';
import { createStripeApp } from '../../api/stripe-compat/app.js';
import { DEFAULT_RATE_LIMIT, tokenBuckets, type RateLimitSettings } from '../../api/middleware/rate-limit.js';
import type { WebhookUrlPolicy } from '../../domain/merchant-webhooks.js';
import type { Logger } from '../../domain/logger.js';
import { systemClock, type Clock } from '../../domain/clock.js';
import type { BreakerClock, BreakerSettings } from '../../orchestrator/breakers.js';
import type { RetryGuard } from '../../orchestrator/payments.js';
import { reconciler } from '../../orchestrator/reconcile.js';
import type { Router } from '../../orchestrator/router.js';
import { DEFAULT_SETTLEMENT_POLICY, type SettlementPolicy } from '../../orchestrator/settle.js';
import type { BinTable } from '../../routing/bins/table.js';
import type { FeeSchedule } from '../../routing/fees/schedule.js';
import { createJobEngine, type JobEngine } from '../../jobs/engine.js';
import { maintenanceJobs, startupSweep } from '../../jobs/maintenance.js';
import { rollupJobs, scheduleRollups } from '../../jobs/rollups.js';
import { alertJobs, scheduleAlerts, type AlertHealth } from '../../jobs/alerts.js';
import type { InstanceCapacity } from '../../analytics/capacity.js';
import { loadInstanceCapacity } from './capacity.js';
import { reconcilerJobs } from '../../jobs/reconciler.js';
import { webhookJobKinds } from '../../jobs/webhook-delivery.js';
import { createRepositories, type Repositories } from '../../store/index.js';
import { createLookupCache, DEFAULT_LOOKUP_CACHE_MS } from '../../store/lookup-cache.js';
import { gatewayRegistry } from '../gateways.js';
import { NODE_PROVIDERS } from './providers.js';
import { createRouter, createRoutingState } from '../routing.js';
import { openDatabase, type MigrationPolicy, type OpenDatabase } from './database.js';
import { closeGracefully, DEFAULT_SERVER_LIMITS, listen, type ServerLimits } from './http-server.js';
import { consoleRoutes } from '../../api/routes/console.js';
import { consoleAssets } from './console-assets.js';
import { persistLearner } from './learner-persistence.js';
import { persistObservedBins } from './observed-bins-persistence.js';
import { syncRulesets } from './ruleset-sync.js';
import { syncLookups } from './lookup-sync.js';
import { syncBreakers } from './breaker-sync.js';
import { syncLearning } from './learning-sync.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import { instrumentGateways, traceRepositories, traceRouter } from './instrument.js';
import { createMetrics } from './metrics.js';
import { startMonitoring, type StreamTiming } from './monitoring.js';
import { otlpExporterFromEnv, startTracing } from './telemetry.js';

export interface ServerOptions {
  host: string;
  port: number;
  /** Where the Stripe-compatible API listens (0: any free port); omitted: it is not served. */
  stripePort?: number;
  database: { url?: string; pgliteDir?: string; migrations: MigrationPolicy };
  fingerprintSecret: string;
  /** Seals merchant webhook signing secrets: 32 bytes, base64, or a keyring, newest first. */
  secretsKey: string | readonly string[];
  /** The card vault's KEKs (32 bytes each, base64, newest first); default: the secrets keyring. */
  vaultKeys?: readonly string[];
  gatewayTimeoutMs: number;
  fees: ReadonlyMap<string, FeeSchedule>;
  /** For the forecast's capacity answer; default: loadInstanceCapacity(env). */
  capacity?: InstanceCapacity;
  /** routing-rules/bins.overrides.yaml, built (default: none). */
  binOverrides?: BinTable;
  /** Seeds routing's exploration draws. */
  routingSeed: number;
  /** Where `env:<PREFIX>` gateway accounts find their credentials. */
  env: Readonly<Record<string, string | undefined>>;
  /** Per provider, the config of an in-process simulator (`sandbox:<provider>` accounts); filled in by the sandbox once they run. */
  sandboxGateways?: Record<string, unknown>;
  webhookUrlPolicy: WebhookUrlPolicy;
  logger: Logger;
  breakers?: BreakerSettings;
  breakerClock?: BreakerClock;
  retryGuard?: RetryGuard;
  /** How often the learner's state is saved in the background (default 30 s). */
  learnerSaveMs?: number;
  /** How often cached rulesets are checked against the active versions, should a notification be lost (default 5 s). */
  rulesetCheckMs?: number;
  /** Longest an API key or a merchant's gateway accounts are served from memory, should a notification be lost (default 60 s: changes arrive by notification). */
  lookupCacheMs?: number;
  clock?: Clock;
  settlement?: SettlementPolicy;
  jobPollMs?: number;
  /** HTTP timeouts and the connection cap (default DEFAULT_SERVER_LIMITS). */
  serverLimits?: Partial<ServerLimits>;
  /** Requests per second and burst, per API key (and per address without one); default DEFAULT_RATE_LIMIT. */
  rateLimit?: RateLimitSettings;
  /** Before the server listens: the sandbox seeds its demo merchant here. */
  prepare?: (context: { repositories: Repositories; router: Router }) => Promise<void>;
  /** After it listens, before background jobs start (they need the gateways): the sandbox starts its simulators here. */
  beforeJobs?: (url: string) => Promise<{ close(): Promise<void> }>;
  /** Where traces go, each span as it ends (tests); default: OTLP when `env` sets OTEL_EXPORTER_OTLP_ENDPOINT, else none. */
  traceExporter?: SpanExporter;
  /** The live event stream's heartbeat and longest life (default 15 s and 1 h), on `timers`. */
  eventStream?: StreamTiming;
}

export interface Server {
  url: string;
  /** The Stripe-compatible API, when it is served. */
  stripeUrl: string | null;
  driver: OpenDatabase['driver'];
  repositories: Repositories;
  jobs: JobEngine;
  close(): Promise<void>;
}

/** The one composition root: store, router, jobs and HTTP API. `npm run serve` uses it as is; the sandbox adds seed data and simulators. */
export async function startServer(options: ServerOptions): Promise<Server> {
  const database = await openDatabase(options.database);
  // What a failed start undoes, newest first.
  const cleanup: (() => Promise<void> | void)[] = [() => database.close()];
  try {
    const clock = options.clock ?? systemClock;
    const lookups = createLookupCache({ clock, ttlMs: options.lookupCacheMs ?? DEFAULT_LOOKUP_CACHE_MS });
    // The repositories tell the live stream what they commit; the stream starts below, with them.
    let eventsCommitted = (_merchantIds: readonly string[]) => {};
    const repositories = lookups.wrap(createRepositories(database.db, { eventsCommitted: (merchantIds) => eventsCommitted(merchantIds) }));
    const exporter = options.traceExporter ?? otlpExporterFromEnv(options.env);
    const tracing = exporter ? startTracing(exporter, { immediate: options.traceExporter !== undefined }) : null;
    if (tracing) cleanup.push(() => tracing.stop());
    const metrics = createMetrics({ jobStats: () => repositories.jobs.stats(), clock });
    const gateways = instrumentGateways(
      gatewayRegistry({ providers: NODE_PROVIDERS, sandbox: options.sandboxGateways ?? {}, env: options.env, timeoutMs: options.gatewayTimeoutMs }),
      metrics,
      tracing?.tracer ?? null,
    );
    const router = createRouter({
      repositories,
      gateways,
      logger: options.logger,
      fees: options.fees,
      binOverrides: options.binOverrides,
      state: createRoutingState({ seed: options.routingSeed, breakers: options.breakers, breakerClock: options.breakerClock }),
    });
    cleanup.push(() => router.breakers.shutdown());
    const rulesets = await syncRulesets({ subscribe: database.subscribe, router, logger: options.logger, checkMs: options.rulesetCheckMs ?? 5_000 });
    cleanup.push(() => rulesets.stop());
    const lookupSync = await syncLookups({ subscribe: database.subscribe, cache: lookups });
    cleanup.push(() => lookupSync.stop());
    await options.prepare?.({ repositories, router });
    const instanceId = crypto.randomUUID();
    // Listening before the learner is restored: what arrives during its catch-up is applied after it.
    const learning = await syncLearning({
      instanceId,
      db: database.db,
      repositories,
      subscribe: database.subscribe,
      learners: router.learner,
      logger: options.logger,
      batchMs: LEARNING_BATCH_MS,
    });
    cleanup.push(() => learning.stop());
    const learner = await persistLearner(repositories, router.learner, options.learnerSaveMs ?? 30_000, options.logger, learning, clock);
    cleanup.push(() => learner.stop());
    const observedBins = await persistObservedBins(repositories, router.bins.observed, {
      intervalMs: OBSERVED_BINS_SAVE_MS,
      clock,
      logger: options.logger,
      ...(database.driver === 'postgres' ? { share: { instanceId, subscribe: database.subscribe } } : {}),
    });
    cleanup.push(() => observedBins.stop());
    const shared = await shareWithInstances(database, router, instanceId, options.logger);
    cleanup.push(() => shared.stop());
    const settlement = options.settlement ?? DEFAULT_SETTLEMENT_POLICY;
    const monitor = await startMonitoring({
      metrics,
      router,
      tracing,
      instanceId,
      db: database.db,
      subscribe: database.subscribe,
      repositories,
      logger: options.logger,
      clock,
      stream: options.eventStream,
    });
    eventsCommitted = monitor.eventsCommitted;
    cleanup.push(() => monitor.stop());
    const reconcile = reconciler({ repositories, gateways, learner: router.learner, logger: options.logger, clock, policy: settlement });
    const capacity = options.capacity ?? (await loadInstanceCapacity(options.env));
    const deps: AppDeps = {
      // Requests are traced down to the store; background jobs are not (their polling would drown the traces).
      repositories: tracing ? traceRepositories(repositories, tracing.tracer) : repositories,
      logger: options.logger,
      fingerprintSecret: options.fingerprintSecret,
      gateways,
      providers: NODE_PROVIDERS.map((p) => p.name),
      router: tracing ? traceRouter(router, tracing.tracer) : router,
      retryGuard: options.retryGuard,
      clock,
      settlement,
      // The engine is built below, with the renewal jobs that need these deps.
      jobs: { wake: () => jobs.wake() },
      secretsKey: options.secretsKey,
      vaultKms: localKms(options.vaultKeys ?? options.secretsKey),
      webhookUrlPolicy: options.webhookUrlPolicy,
      // One set of buckets: a key's rate is the same whichever API it calls.
      rateLimits: tokenBuckets(options.rateLimit ?? DEFAULT_RATE_LIMIT, clock),
      capacity,
      monitoring: monitor.monitoring,
      eventStream: monitor.eventStream,
    };
    const jobs = createJobEngine({
      repositories,
      clock,
      logger: options.logger,
      pollMs: options.jobPollMs,
      kinds: {
        ...reconcilerJobs(reconcile, settlement, clock),
        ...maintenanceJobs(repositories, clock, options.logger),
        ...webhookJobKinds({ repositories, clock, logger: options.logger, secretsKey: options.secretsKey }),
        ...rollupJobs({ repositories, clock, logger: options.logger, fees: options.fees }),
        ...renewalJobs(merchantServices({ ...deps, repositories }).billing),
        ...alertJobs({ repositories, clock, logger: options.logger, capacity, health: alertHealth(router) }),
      },
    });
    const app = createApp(deps);

    consoleRoutes(app, consoleAssets());

    const server = await listen(app.fetch, options.host, options.port, { ...DEFAULT_SERVER_LIMITS, ...options.serverLimits });
    cleanup.push(() => closeGracefully(server));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const url = `http://${options.host}:${port}`;
    const stripeServer =
      options.stripePort === undefined ? undefined : await listen(createStripeApp(deps).fetch, options.host, options.stripePort, { ...DEFAULT_SERVER_LIMITS, ...options.serverLimits });
    if (stripeServer) cleanup.push(() => closeGracefully(stripeServer));
    const stripeAddress = stripeServer?.address();
    const stripeUrl = stripeServer ? `http://${options.host}:${typeof stripeAddress === 'object' && stripeAddress ? stripeAddress.port : options.stripePort}` : null;
    const extra = await options.beforeJobs?.(url);
    if (extra) cleanup.push(() => extra.close());
    await startupSweep(repositories, clock, options.logger);
    await scheduleRollups(repositories, clock);
    await scheduleAlerts(repositories, clock);
    jobs.start();
    return {
      url,
      stripeUrl,
      driver: database.driver,
      repositories,
      jobs,
      async close() {
        // Live streams end first: the server closes once its connections have.
        await monitor.stop();
        if (stripeServer) await closeGracefully(stripeServer);
        await closeGracefully(server);
        await jobs.stop();
        await tracing?.stop();
        await shared.stop();
        await learner.stop();
        await learning.stop();
        await observedBins.stop();
        await extra?.close();
        router.breakers.shutdown();
        await rulesets.stop();
        await lookupSync.stop();
        await database.close();
      },
    };
  } catch (error) {
    for (const step of cleanup.reverse()) await step();
    throw error;
  }
}

/** What alert rules read of routing state: the merchant's gateway accounts and their breakers. */
function alertHealth(router: Router): AlertHealth {
  return {
    accounts: async (merchantId) => (await router.candidates(merchantId)).map((c) => ({ accountId: c.accountId, name: c.name })),
    breaker: (accountId) => router.breakers.state(accountId),
  };
}

/** Outcomes wait at most this long to go to the log and the other instances: a few dozen share one statement. */
const LEARNING_BATCH_MS = 100;

/**
 * How often card facts gateways reported are saved (and, on PostgreSQL, sent to the other
 * instances): a save with nothing changed sends nothing, and a BIN's facts rarely change twice.
 */
const OBSERVED_BINS_SAVE_MS = 1_000;

/**
 * What this instance learns that the others on the same PostgreSQL should know at once: breaker
 * verdicts (learner outcomes and card facts go with their writes, above). PGlite is one
 * process's database (locked to it), so there are no others to tell.
 */
async function shareWithInstances(database: OpenDatabase, router: Router, instanceId: string, logger: Logger): Promise<{ stop(): Promise<void> }> {
  if (database.driver !== 'postgres') return { stop: async () => {} };
  return syncBreakers({ instanceId, db: database.db, subscribe: database.subscribe, breakers: router.breakers, logger });
}
