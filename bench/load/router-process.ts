/**
 * Switchyard for the load bench, composed from its public building blocks exactly as the sandbox
 * composes itself (`src/runtime/node/sandbox.ts`), except that its one gateway account,
 * `sandbox:stripe`, points at a simulator in another process (the sandbox always starts its own,
 * in-process simulators, and cannot be pointed elsewhere):
 *
 *   tsx bench/load/router-process.ts --sim-port N --key sk_... [--data-dir DIR]
 *
 * Env: PORT (default 0: a free one), DATABASE_URL (PostgreSQL; PGlite in <data-dir>/pglite
 * otherwise), SWITCHYARD_GATEWAY_TIMEOUT_MS (default 10000). Seeds a merchant with that API key,
 * the stripe account and the active ruleset `default: { route: [stripe] }`, then prints
 * `{"ready":true,"url","driver","counters"}`. Request logs go to stdout as in production (JSON lines).
 * On PostgreSQL, `GET <counters>` answers the statements and commits sent so far (statement-counter.ts).
 * `POST <counters>/profile/start` starts a V8 CPU profile of this process; `POST <counters>/profile/stop`
 * ends it and answers the `.cpuprofile` document (profile.ts: only the measured payments, no startup).
 */
import { serve } from '@hono/node-server';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/api/app.js';
import { tokenBuckets } from '../../src/api/middleware/rate-limit.js';
import { systemClock } from '../../src/domain/clock.js';
import { hashApiKey, keyHint, SCOPES } from '../../src/domain/api-keys.js';
import { createRepositories, type Repositories } from '../../src/store/index.js';
import { createLookupCache, DEFAULT_LOOKUP_CACHE_MS } from '../../src/store/lookup-cache.js';
import { syncLookups } from '../../src/runtime/node/lookup-sync.js';
import { eventFeed } from '../../src/store/event-feed.js';
import { hintEvents } from '../../src/runtime/node/event-hints.js';
import { EVENT_HINT_BATCH_MS } from '../../src/runtime/node/monitoring.js';
import { gatewayRegistry } from '../../src/runtime/gateways.js';
import { pinoLogger } from '../../src/runtime/node/logger.js';
import { openDatabase } from '../../src/runtime/node/database.js';
import { loadRoutingFiles } from '../../src/runtime/node/routing-files.js';
import { NODE_PROVIDERS } from '../../src/runtime/node/providers.js';
import { unmappedStacks } from '../../src/runtime/node/lifecycle.js';
import { createRouter, createRoutingState } from '../../src/runtime/routing.js';
import { announce, exitOnSignal, option } from './args.js';
import { sendJson } from './http-util.js';
import { statementCounter } from './statement-counter.js';

const RULESET = 'default: { route: [stripe] }\n';
const LOAD_BENCH = { type: 'system', id: 'load-bench', name: 'load bench seed' } as const;

const databaseUrl = process.env.DATABASE_URL || undefined;
const dataDir = option('data-dir', '');
if (!databaseUrl && !dataDir) throw new Error('PGlite needs --data-dir');
if (!databaseUrl) await mkdir(dataDir, { recursive: true });

const logger = pinoLogger();
const counter = statementCounter();
const database = await openDatabase({ url: databaseUrl, pgliteDir: databaseUrl ? undefined : `${dataDir}/pglite`, onQuery: counter.onQuery });
// As the server composes it: API keys and gateway accounts cached, dropped on the admin channel's notifications.
const lookups = createLookupCache({ clock: systemClock, ttlMs: DEFAULT_LOOKUP_CACHE_MS });
// As the server composes it: committed events hinted to the live streams after each commit, batched.
let eventsCommitted = (_merchantIds: readonly string[]) => {};
const repositories = lookups.wrap(countingLookups(createRepositories(database.db, { eventsCommitted: (merchantIds) => eventsCommitted(merchantIds) })));
const lookupSync = await syncLookups({ subscribe: database.subscribe, cache: lookups });
const feed = await eventFeed({ events: repositories.events, timers: systemClock, catchUpMs: 1_000, onError: (error) => logger.warn('events.stream_read_failed', { error: String(error) }) });
const hints = await hintEvents({ instanceId: crypto.randomUUID(), db: database.db, subscribe: database.subscribe, logger, batchMs: EVENT_HINT_BATCH_MS, feed });
eventsCommitted = hints.committed;
const gateways = gatewayRegistry({
  providers: NODE_PROVIDERS,
  sandbox: {
    stripe: { secretKey: 'sk_test_load_bench', webhookSecret: 'whsec_load_bench_unused', host: '127.0.0.1', port: Number(option('sim-port')), protocol: 'http' },
  },
  env: {},
  timeoutMs: Number(process.env.SWITCHYARD_GATEWAY_TIMEOUT_MS ?? 10_000),
});
const { fees } = await loadRoutingFiles(new URL('../../routing-rules', import.meta.url).pathname);
const router = createRouter({ repositories, gateways, logger, fees, state: createRoutingState({ seed: 1 }) });
await seedMerchant(repositories, option('key'));

// One key drives the whole load: the benchmark measures the router, not the per-key rate limit.
const rateLimits = tokenBuckets({ perSecond: 1_000_000, burst: 1_000_000 }, systemClock);
const app = createApp({ repositories, logger, fingerprintSecret: 'load-bench-fingerprint-secret', gateways, providers: NODE_PROVIDERS.map((p) => p.name), router, secretsKey: btoa('load-bench-secrets-key-32-bytes!'), rateLimits });
const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
  const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 0) }, () => resolve(started));
  started.once('error', reject);
});

// Connected on the first profile only, so a router that is not profiled carries no inspector session.
let inspector: Session | undefined;
const control = createServer((request, response) => {
  const answer = async () => {
    if (request.method === 'POST' && request.url === '/profile/start') {
      if (!inspector) {
        inspector = new Session();
        inspector.connect();
      }
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.setSamplingInterval', { interval: 500 });
      await inspector.post('Profiler.start');
      return {};
    }
    if (request.method === 'POST' && request.url === '/profile/stop' && inspector) return (await inspector.post('Profiler.stop')).profile;
    return database.driver === 'postgres' ? counter.counts() : {};
  };
  answer().then(
    (body) => sendJson(response, 200, body),
    (error: unknown) => sendJson(response, 500, { error: String(error) }),
  );
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
// As the production entry points run once up (src/runtime/node/lifecycle.ts).
unmappedStacks();

exitOnSignal(async () => {
  control.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  router.breakers.shutdown();
  await lookupSync.stop();
  await hints.stop();
  await feed.stop();
  await database.close();
});
announce({
  url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  driver: database.driver,
  counters: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
});

/** The two reads the lookup cache makes, counted as they reach the database (statement-counter.ts). */
function countingLookups(inner: Repositories): Repositories {
  const { keyForHash, gatewayAccounts } = inner.merchants;
  return {
    ...inner,
    merchants: {
      ...inner.merchants,
      keyForHash: (...args) => (counter.lookupRead(), keyForHash(...args)),
      gatewayAccounts: (...args) => (counter.lookupRead(), gatewayAccounts(...args)),
    },
  };
}

async function seedMerchant(repositories: Repositories, apiKey: string): Promise<void> {
  const merchants = repositories.merchants;
  const merchantId = await merchants.create(`Load bench ${Date.now()}`);
  await merchants.addApiKey({ merchantId, keyHash: await hashApiKey(apiKey), hint: keyHint(apiKey), label: 'load-bench', scopes: SCOPES });
  await merchants.addGatewayAccount({ merchantId, provider: 'stripe', name: 'stripe', label: 'stripe (load bench simulator)', credentialsRef: 'sandbox:stripe', priority: 0 });
  const checked = router.check(RULESET, 'load-bench ruleset', ['stripe']);
  if ('errors' in checked) throw new Error(`load-bench ruleset is invalid: ${JSON.stringify(checked.errors)}`);
  const { version } = await repositories.routing.addVersion(merchantId, RULESET, LOAD_BENCH);
  await repositories.routing.activate(merchantId, version, LOAD_BENCH);
}
