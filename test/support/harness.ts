import { startStripeSimulator, type StripeSimulator } from '../../adapters/stripe/simulator/index.js';
import type { Context } from 'hono';
import type { AuthorizeRequest } from '../../adapters/testkit/contract.js';
import { createApp, merchantServices } from '../../src/api/app.js';
import { renewalJobs } from '../../src/jobs/renewals.js';
import type { AppDeps, AppEnv } from '../../src/api/env.js';
import { tokenBuckets, type RateLimitSettings } from '../../src/api/middleware/rate-limit.js';
import { hashApiKey, keyHint, SCOPES } from '../../src/domain/api-keys.js';
import { fixedKey } from './keys.js';
import { gatewayRegistry } from '../../src/runtime/gateways.js';
import type { GatewayRegistry } from '../../src/orchestrator/gateways.js';
import { PROVIDERS } from '../../src/runtime/providers.js';
import { createRouter, createRoutingState } from '../../src/runtime/routing.js';
import { createRepositories, type Repositories } from '../../src/store/index.js';
import { captureLogger } from './capture-logger.js';
import { TEST_PASSWORDS } from './operators.js';
import { testDatabase, type DriverName, type TestDatabase } from './databases.js';
import { systemClock, type Clock } from '../../src/domain/clock.js';
import { createJobEngine, type JobEngine } from '../../src/jobs/engine.js';
import { reconcilerJobs } from '../../src/jobs/reconciler.js';
import { reconciler } from '../../src/orchestrator/reconcile.js';
import { DEFAULT_SETTLEMENT_POLICY, type SettlementPolicy } from '../../src/orchestrator/settle.js';
import type { BreakerClock } from '../../src/orchestrator/breakers.js';
import { untracedMonitoring } from '../../src/runtime/node/monitoring.js';
import type { KeyManagement } from '../../src/vault/kms.js';

export const STRIPE_WEBHOOK_SECRET = 'whsec_harness_0123456789abcdef';
/** Seals merchant webhook signing secrets (32 bytes, base64). */
export const SECRETS_KEY = 'c3dpdGNoeWFyZC1oYXJuZXNzLXNlY3JldHMta2V5ISE=';

export const CARDS = {
  visa: '4242424242424242',
  mastercard: '5555555555554444',
  genericDecline: '4000000000000002',
  insufficientFunds: '4000000000009995',
  expired: '4000000000000069',
  incorrectCvc: '4000000000000127',
  lost: '4000000000009987',
  stolen: '4000000000009979',
  processingError: '4000000000000119',
  threeDs: '4000002760003184',
} as const;

export function paymentBody(overrides: Record<string, unknown> = {}, card: Record<string, unknown> = {}) {
  return {
    amount: 1999,
    currency: 'USD',
    capture_method: 'automatic',
    payment_method: { type: 'card', card: { number: CARDS.visa, exp_month: 12, exp_year: 2030, cvc: '123', ...card } },
    ...overrides,
  };
}

export interface HarnessHooks {
  /** Rewrites an authorization before it is sent (a test makes the issuer see another card: a card reported lost since). */
  beforeAuthorize: ((request: AuthorizeRequest) => AuthorizeRequest) | null;
  /** Awaited after each authorization answer, before the router sees it: a test holds it back to order a race. */
  afterAuthorize: (() => Promise<void>) | null;
  /** The same for the answers of lookups (the attempt loop's and the reconciler's sync). */
  afterSync: (() => Promise<void>) | null;
}

export interface Harness {
  hooks: HarnessHooks;
  database: TestDatabase;
  repositories: Repositories;
  stripe: StripeSimulator;
  logs: string[];
  key: string;
  otherKey: string;
  clock: Clock;
  /** The job engine, not started: a test runs due jobs with `jobs.runDue()` after moving its clock. */
  jobs: JobEngine;
  request(method: string, path: string, options?: { body?: unknown; key?: string | null; headers?: Record<string, string> }): Promise<Response>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The API in process, with its real store and the Stripe simulator over HTTP, seeded with two
 * merchants that each have a key and a sandbox Stripe account.
 */
export async function startHarness(
  driver: DriverName,
  options: {
    gatewayTimeoutMs?: number;
    clock?: Clock;
    settlement?: SettlementPolicy;
    idempotencyLeaseMs?: number;
    breakerClock?: BreakerClock;
    /** Default: a limit no functional test reaches, even on a clock that never moves. */
    rateLimit?: RateLimitSettings;
    /** Whom an unauthenticated request counts against (default: one address for all). */
    clientAddress?: (c: Context<AppEnv>) => string;
    /** Where `env:<PREFIX>` gateway accounts read their credentials (default: none). */
    env?: Readonly<Record<string, string>>;
    /** Wraps the vault's data keys (default: the local KMS over SECRETS_KEY). */
    vaultKms?: KeyManagement;
    /** Sees every statement sent to PostgreSQL (databases.ts). */
    onQuery?: (connection: number, query: string) => void;
  } = {},
): Promise<Harness> {
  const clock = options.clock ?? systemClock;
  const settlement = options.settlement ?? DEFAULT_SETTLEMENT_POLICY;
  const database = await testDatabase(driver, { onQuery: options.onQuery });
  // The repositories tell the live stream what they commit; the stream starts below, with them.
  let eventsCommitted = (_merchantIds: readonly string[]) => {};
  const repositories = createRepositories(database.db, { eventsCommitted: (merchantIds) => eventsCommitted(merchantIds) });
  const stripe = await startStripeSimulator();
  const { logger, lines } = captureLogger();
  const registry = gatewayRegistry({
      providers: PROVIDERS,
      sandbox: { stripe: { secretKey: 'sk_test_harness', webhookSecret: STRIPE_WEBHOOK_SECRET, host: stripe.host, port: stripe.port, protocol: 'http' } },
      env: options.env ?? {},
      timeoutMs: options.gatewayTimeoutMs ?? 5_000,
  });
  const hooks: HarnessHooks = { beforeAuthorize: null, afterAuthorize: null, afterSync: null };
  // Every adapter as the registry builds it, with a seam where a test can hold an answer back.
  const gateways: GatewayRegistry = {
    adapterFor(account) {
      const adapter = registry.adapterFor(account);
      if (!adapter) return null;
      return {
        ...adapter,
        async authorize(request) {
          const outcome = await adapter.authorize(hooks.beforeAuthorize?.(request) ?? request);
          await hooks.afterAuthorize?.();
          return outcome;
        },
        async sync(request) {
          const outcome = await adapter.sync(request);
          await hooks.afterSync?.();
          return outcome;
        },
      };
    },
  };
  const router = createRouter({ repositories, gateways, logger, fees: new Map(), state: createRoutingState({ seed: 1, breakerClock: options.breakerClock }) });
  const monitor = await untracedMonitoring({ router, db: database.db, subscribe: database.subscribe, repositories, logger, clock });
  eventsCommitted = monitor.eventsCommitted;
  const deps: AppDeps = {
    monitoring: monitor.monitoring,
    eventStream: monitor.eventStream,
    repositories,
    logger,
    fingerprintSecret: 'test-fingerprint-secret',
    gateways,
    providers: PROVIDERS.map((p) => p.name),
    router,
    // Merchant webhooks: receivers in tests listen on http://127.0.0.1.
    secretsKey: SECRETS_KEY,
    webhookUrlPolicy: 'local',
    clock,
    settlement,
    idempotencyLeaseMs: options.idempotencyLeaseMs,
    rateLimits: tokenBuckets(options.rateLimit ?? { perSecond: 1, burst: 1_000_000 }, clock),
    clientAddress: options.clientAddress ?? (() => 'harness'),
    passwords: TEST_PASSWORDS,
    vaultKms: options.vaultKms,
  };
  const app = createApp(deps);
  const reconcile = reconciler({ repositories, gateways, learner: router.learner, logger, clock, policy: settlement });
  const jobs = createJobEngine({ repositories, clock, logger, kinds: { ...reconcilerJobs(reconcile, settlement, clock), ...renewalJobs(merchantServices(deps).billing) } });
  const key = fixedKey('merchantOne');
  const otherKey = fixedKey('merchantTwo');

  async function seed() {
    for (const [name, apiKey] of [['one', key], ['two', otherKey]] as const) {
      const merchantId = await repositories.merchants.create(name);
      await repositories.merchants.addApiKey({ merchantId, keyHash: await hashApiKey(apiKey), hint: keyHint(apiKey), label: 'test', scopes: SCOPES });
      await repositories.merchants.addGatewayAccount({ merchantId, provider: 'stripe', name: 'stripe', label: 'Stripe', credentialsRef: 'sandbox:stripe' });
    }
  }
  await seed();

  return {
    database,
    repositories,
    stripe,
    logs: lines,
    key,
    otherKey,
    clock,
    jobs,
    hooks,
    request(method, path, { body, key: useKey = key, headers = {} } = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (useKey !== null) (init.headers as Record<string, string>).Authorization = `Bearer ${useKey}`;
      if (body !== undefined) {
        (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
      }
      return Promise.resolve(app.request(path, init));
    },
    async reset() {
      await database.truncate();
      stripe.ledger.reset();
      stripe.faults.clear();
      lines.length = 0;
      hooks.beforeAuthorize = null;
      hooks.afterAuthorize = null;
      hooks.afterSync = null;
      await seed();
    },
    async close() {
      await monitor.stop();
      router.breakers.shutdown();
      await stripe.close();
      await database.close();
    },
  };
}
