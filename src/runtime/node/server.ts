import { localKms } from '../../vault/kms.js';
import { createApp } from '../../api/app.js';
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
import { reconcilerJobs } from '../../jobs/reconciler.js';
import { webhookJobKinds } from '../../jobs/webhook-delivery.js';
import { createRepositories, type Repositories } from '../../store/index.js';
import { createLookupCache } from '../../store/lookup-cache.js';
import { gatewayRegistry } from '../gateways.js';
import { PROVIDERS } from '../providers.js';
import { createRouter, createRoutingState } from '../routing.js';
import { openDatabase, type MigrationPolicy, type OpenDatabase } from './database.js';
import { DEFAULT_SERVER_LIMITS, listen, type ServerLimits } from './http-server.js';
import { persistLearner } from './learner-persistence.js';
import { persistObservedBins } from './observed-bins-persistence.js';
import { syncRulesets } from './ruleset-sync.js';
import { syncLookups } from './lookup-sync.js';
import { syncBreakers } from './breaker-sync.js';
import { syncLearning } from './learning-sync.js';

export interface ServerOptions {
  host: string;
  port: number;
  database: { url?: string; pgliteDir?: string; migrations: MigrationPolicy };
  fingerprintSecret: string;
  /** Seals merchant webhook signing secrets: 32 bytes, base64, or a keyring, newest first. */
  secretsKey: string | readonly string[];
  /** The card vault's KEKs (32 bytes each, base64, newest first); default: the secrets keyring. */
  vaultKeys?: readonly string[];
  gatewayTimeoutMs: number;
  fees: ReadonlyMap<string, FeeSchedule>;
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
  /** How often the learner's state, and the card facts gateways reported, are saved in the background (default 30 s). */
  learnerSaveMs?: number;
  /** How often cached rulesets are checked against the active versions, should a notification be lost (default 5 s). */
  rulesetCheckMs?: number;
  /** Longest an API key or a merchant's gateway accounts are served from memory, should a notification be lost (default 5 s). */
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
}

export interface Server {
  url: string;
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
    const lookups = createLookupCache({ clock, ttlMs: options.lookupCacheMs ?? 5_000 });
    const repositories = lookups.wrap(createRepositories(database.db));
    const gateways = gatewayRegistry({ providers: PROVIDERS, sandbox: options.sandboxGateways ?? {}, env: options.env, timeoutMs: options.gatewayTimeoutMs });
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
    const learner = await persistLearner(repositories, router.learner, options.learnerSaveMs ?? 30_000, options.logger);
    cleanup.push(() => learner.stop());
    const observedBins = await persistObservedBins(repositories, router.bins.observed, { intervalMs: options.learnerSaveMs ?? 30_000, clock, logger: options.logger });
    cleanup.push(() => observedBins.stop());
    const shared = await shareWithInstances(database, router, options.logger);
    cleanup.push(() => shared.stop());
    const settlement = options.settlement ?? DEFAULT_SETTLEMENT_POLICY;
    const reconcile = reconciler({ repositories, gateways, learner: router.learner, logger: options.logger, clock, policy: settlement });
    const jobs = createJobEngine({
      repositories,
      clock,
      logger: options.logger,
      pollMs: options.jobPollMs,
      kinds: {
        ...reconcilerJobs(reconcile, settlement, clock),
        ...maintenanceJobs(repositories, clock, options.logger),
        ...webhookJobKinds({ repositories, clock, logger: options.logger, secretsKey: options.secretsKey }),
      },
    });
    const app = createApp({
      repositories,
      logger: options.logger,
      fingerprintSecret: options.fingerprintSecret,
      gateways,
      providers: PROVIDERS.map((p) => p.name),
      router,
      retryGuard: options.retryGuard,
      clock,
      settlement,
      jobs,
      secretsKey: options.secretsKey,
      vaultKms: localKms(options.vaultKeys ?? options.secretsKey),
      webhookUrlPolicy: options.webhookUrlPolicy,
      rateLimits: tokenBuckets(options.rateLimit ?? DEFAULT_RATE_LIMIT, clock),
    });

    const server = await listen(app.fetch, options.host, options.port, { ...DEFAULT_SERVER_LIMITS, ...options.serverLimits });
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const url = `http://${options.host}:${port}`;
    const extra = await options.beforeJobs?.(url);
    if (extra) cleanup.push(() => extra.close());
    await startupSweep(repositories, clock, options.logger);
    jobs.start();
    return {
      url,
      driver: database.driver,
      repositories,
      jobs,
      async close() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await jobs.stop();
        await shared.stop();
        await learner.stop();
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

/** Outcomes wait at most this long to go to the other instances: a few dozen share one notification. */
const LEARNING_BATCH_MS = 100;

/**
 * What this instance learns that the others on the same PostgreSQL should know too: learner
 * outcomes and breaker verdicts. PGlite is one process's database (locked to it), so there are
 * no others to tell.
 */
async function shareWithInstances(database: OpenDatabase, router: Router, logger: Logger): Promise<{ stop(): Promise<void> }> {
  if (database.driver !== 'postgres') return { stop: async () => {} };
  const instanceId = crypto.randomUUID();
  const common = { instanceId, db: database.db, subscribe: database.subscribe, logger };
  const learning = await syncLearning({ ...common, learners: router.learner, batchMs: LEARNING_BATCH_MS });
  try {
    const breakers = await syncBreakers({ ...common, breakers: router.breakers });
    return {
      async stop() {
        await breakers.stop();
        await learning.stop();
      },
    };
  } catch (error) {
    await learning.stop();
    throw error;
  }
}
