import { createApp } from '../../api/app.js';
import { consoleRoutes } from '../../api/routes/console.js';
import { workerConsoleAssets, type AssetsBinding } from './console-assets.js';
import { DEFAULT_RATE_LIMIT, tokenBuckets } from '../../api/middleware/rate-limit.js';
import { systemClock } from '../../domain/clock.js';
import { createJobEngine } from '../../jobs/engine.js';
import { maintenanceJobs, schedulePurge } from '../../jobs/maintenance.js';
import { rollupJobs, scheduleRollups } from '../../jobs/rollups.js';
import { reconcilerJobs } from '../../jobs/reconciler.js';
import { webhookJobKinds } from '../../jobs/webhook-delivery.js';
import { reconciler } from '../../orchestrator/reconcile.js';
import { DEFAULT_SETTLEMENT_POLICY } from '../../orchestrator/settle.js';
import { createRepositories } from '../../store/index.js';
import { openPostgres } from '../../store/postgres.js';
import { localKms } from '../../vault/kms.js';
import { gatewayRegistry } from '../gateways.js';
import { isEventStreamRequest, workerEventStream } from './event-stream.js';
import { bundledFees } from './fees.js';
import { workerLogger } from './logger.js';
import { vaultKeyring } from './vault-keys.js';
import { PROVIDERS } from '../providers.js';
import { createRouter, createRoutingState } from '../routing.js';

/**
 * Cloudflare Workers entry. The database must be migrated beforehand (drizzle-kit migrate);
 * gateway accounts use `env:<SECRET>` credentials, resolved from the Worker's secrets. Requests
 * are served by `fetch`; background work (the reconciler, purges) runs on the cron trigger in
 * wrangler.toml, which drains due jobs from the same durable queue the Node server uses.
 */
export interface WorkerEnv {
  /** A Hyperdrive binding in front of PostgreSQL, or a direct URL. */
  HYPERDRIVE?: { connectionString: string };
  DATABASE_URL?: string;
  FINGERPRINT_SECRET: string;
  /** Seals merchant webhook signing secrets: 32 bytes, base64 (openssl rand -base64 32). */
  SECRETS_KEY: string;
  /** The card vault's key-encryption key (or keyring, newest first): a secret; SECRETS_KEY when unset. */
  VAULT_KEK?: string;
  GATEWAY_TIMEOUT_MS?: string;
  /** The built console (wrangler.toml [assets]); absent when the Worker was bundled without it. */
  ASSETS?: AssetsBinding;
  [secret: string]: unknown;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

const logger = workerLogger();
/** Rate limits count across the requests an isolate serves; Cloudflare runs many isolates, so this is a per-isolate limit. */
const rateLimits = tokenBuckets(DEFAULT_RATE_LIMIT, systemClock);
/** Learner and breakers live as long as the isolate; each request gets its own database connection. */
const routingState = createRoutingState({ seed: Date.now() % 2 ** 31 });

/** The services one invocation needs, on a database connection of its own (Workers cannot share sockets across requests). */
function services(env: WorkerEnv) {
  const url = env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL;
  if (!url) return null;
  const store = openPostgres(url, { max: 1 });
  const secrets = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const repositories = createRepositories(store.db);
  const gateways = gatewayRegistry({ providers: PROVIDERS, sandbox: {}, env: secrets, timeoutMs: Number(env.GATEWAY_TIMEOUT_MS ?? 10_000) });
  const router = createRouter({ repositories, gateways, logger, fees: bundledFees(), state: routingState });
  return { store, repositories, gateways, router };
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    const s = services(env);
    if (!s) return new Response('DATABASE_URL or a HYPERDRIVE binding is required', { status: 500 });
    const stream = isEventStreamRequest(request) ? workerEventStream({ repositories: s.repositories, timers: systemClock, logger }) : null;
    const app = createApp({ repositories: s.repositories, logger, fingerprintSecret: env.FINGERPRINT_SECRET, gateways: s.gateways, providers: PROVIDERS.map((p) => p.name), router: s.router, secretsKey: env.SECRETS_KEY, vaultKms: localKms(vaultKeyring(env)), rateLimits, eventStream: stream?.settings });
    if (env.ASSETS) consoleRoutes(app, workerConsoleAssets(env.ASSETS));
    const response = await app.fetch(request);
    // A stream keeps its connection until it ends; every other response is complete here.
    ctx.waitUntil((stream ? stream.finished() : Promise.resolve()).finally(() => s.store.close()));
    return response;
  },

  async scheduled(_controller: unknown, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
    const s = services(env);
    if (!s) throw new Error('DATABASE_URL or a HYPERDRIVE binding is required');
    const clock = systemClock;
    const policy = DEFAULT_SETTLEMENT_POLICY;
    const reconcile = reconciler({ repositories: s.repositories, gateways: s.gateways, learner: s.router.learner, logger, clock, policy });
    const jobs = createJobEngine({
      repositories: s.repositories,
      clock,
      logger,
      kinds: {
        ...reconcilerJobs(reconcile, policy, clock),
        ...maintenanceJobs(s.repositories, clock, logger),
        ...webhookJobKinds({ repositories: s.repositories, clock, logger, secretsKey: env.SECRETS_KEY }),
        ...rollupJobs({ repositories: s.repositories, clock, logger, fees: bundledFees() }),
      },
    });
    ctx.waitUntil(schedulePurge(s.repositories, clock).then(() => scheduleRollups(s.repositories, clock)).then(() => jobs.runDue()).finally(() => s.store.close()));
  },
};
