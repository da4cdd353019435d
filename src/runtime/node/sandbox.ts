import { serve, type ServerType } from '@hono/node-server';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SimulatorControl } from '../../../adapters/testkit/simulator.js';
import { createApp } from '../../api/app.js';
import { sha256Hex } from '../../api/hash.js';
import type { Logger } from '../../domain/logger.js';
import { createRepositories, type Repositories } from '../../store/index.js';
import { gatewayRegistry } from '../gateways.js';
import { PROVIDERS } from '../providers.js';
import { openDatabase, type OpenDatabase } from './database.js';
import { connectEnvGateways, startSandboxGateways } from './sandbox-gateways.js';
import { loadRoutingFiles } from './routing-files.js';
import { persistLearner } from './learner-persistence.js';
import { createRouter, createRoutingState } from '../routing.js';
import type { Router } from '../../orchestrator/router.js';
import type { BreakerClock, BreakerSettings } from '../../orchestrator/breakers.js';
import type { RetryGuard } from '../../orchestrator/payments.js';
import { formatError } from '../../routing/rules/source.js';
import { systemClock, type Clock } from '../../domain/clock.js';
import { DEFAULT_SETTLEMENT_POLICY, type SettlementPolicy } from '../../orchestrator/settle.js';
import { reconciler } from '../../orchestrator/reconcile.js';
import { createJobEngine, type JobEngine } from '../../jobs/engine.js';
import { reconcilerJobs } from '../../jobs/reconciler.js';
import { webhookJobKinds } from '../../jobs/webhook-delivery.js';
import { maintenanceJobs, startupSweep } from '../../jobs/maintenance.js';
import { operatorService } from '../../admin/operators.js';
import { passwordHasher } from '../../admin/passwords.js';
import { newTotpSecret, totpUri } from '../../admin/totp.js';
import { createSecretBox } from '../../domain/secret-box.js';

export const DEMO_MERCHANT = 'Demo merchant';
export const DEMO_OPERATOR_EMAIL = 'demo@switchyard.local';
const SANDBOX_KEY_LABEL = 'sandbox';

export interface SandboxOptions {
  port: number;
  host: string;
  databaseUrl?: string;
  /** PGlite data directory; omitted means in memory. */
  pgliteDir?: string;
  /** A fixed secret key for the demo merchant; a fresh one is made otherwise. */
  sandboxKey?: string;
  fingerprintSecret?: string;
  /** Where a generated fingerprint secret is kept, so fingerprints stay stable across restarts. */
  fingerprintSecretFile?: string;
  /** Seals merchant webhook signing secrets (32 bytes, base64); generated into `secretsKeyFile` otherwise. */
  secretsKey?: string;
  secretsKeyFile?: string;
  gatewayTimeoutMs: number;
  /** Where fees.yaml and the rules.yaml that seeds the first ruleset version live. */
  routingRulesDir: string;
  /** Seeds routing's exploration draws. */
  routingSeed: number;
  breakers?: BreakerSettings;
  /** The time breakers go by (default: real time). */
  breakerClock?: BreakerClock;
  retryGuard?: RetryGuard;
  /** How often the learner's state is saved in the background (default 30 s). */
  learnerSaveMs?: number;
  /** Where the simulators keep their state and the sandbox its gateway secrets; omitted means in memory. */
  simulatorStateDir?: string;
  /**
   * `in-process` (default): the sandbox runs the simulators. `env`: its accounts read
   * `<PROVIDER>_SIM_*` variables, as `env:` accounts do (standalone simulators, any gateway).
   */
  gateways?: 'in-process' | 'env';
  /** With `gateways: 'env'`: the standalone simulators' control endpoint (variables and webhook URLs). */
  simulatorsControlUrl?: string;
  logger: Logger;
  /** Default: the system clock. */
  clock?: Clock;
  /** Leases and the reconciler's schedule (default DEFAULT_SETTLEMENT_POLICY). */
  settlement?: SettlementPolicy;
  /** How often the job engine looks for due jobs when idle (default 1 s). */
  jobPollMs?: number;
  /** The demo operator's password; a fresh one is made at each start otherwise. */
  operatorPassword?: string;
  /** Where the demo operator's TOTP secret is kept, so an authenticator app keeps working across restarts. */
  operatorTotpSecretFile?: string;
}

export interface Sandbox {
  url: string;
  apiKey: string;
  merchantId: string;
  driver: OpenDatabase['driver'];
  /** Each provider's simulator, by provider name. */
  simulators: Record<string, SimulatorControl>;
  /** The demo merchant's sandbox gateway account, by provider name. */
  accounts: Record<string, string>;
  repositories: Repositories;
  /** Background work: the reconciler and the purge. */
  jobs: JobEngine;
  /** The demo operator (an admin with TOTP on), who can activate rulesets. */
  operator: { email: string; password: string; totpSecret: string; otpauthUri: string };
  close(): Promise<void>;
}

/** The router with its sandbox: database, migrated; the Stripe simulator; a demo merchant and key. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const database = await openDatabase({ url: options.databaseUrl, pgliteDir: options.pgliteDir });
  const repositories = createRepositories(database.db);
  const { merchantId, apiKey, accounts } = await seedDemoMerchant(repositories, options.sandboxKey);
  const files = await loadRoutingFiles(options.routingRulesDir);

  // Filled in below, once the simulators run; adapters are built on first use.
  const sandboxConfigs: Record<string, unknown> = {};
  const gateways = gatewayRegistry({ providers: PROVIDERS, sandbox: sandboxConfigs, env: process.env, timeoutMs: options.gatewayTimeoutMs });
  const router = createRouter({ repositories, gateways, logger: options.logger, fees: files.fees, state: createRoutingState({ seed: options.routingSeed, breakers: options.breakers, breakerClock: options.breakerClock }) });
  await seedRuleset(repositories, router, merchantId, files.rules);
  const learner = await persistLearner(repositories, router.learner, options.learnerSaveMs ?? 30_000, options.logger);
  const clock = options.clock ?? systemClock;
  const settlement = options.settlement ?? DEFAULT_SETTLEMENT_POLICY;
  // Merchant webhooks: the API seals signing secrets with it, the delivery jobs unseal them.
  const secretsKey = options.secretsKey ?? (await persistentSecret(options.secretsKeyFile));
  const operator = await seedDemoOperator(repositories, secretsKey, clock, options);
  const reconcile = reconciler({ repositories, gateways, learner: router.learner, logger: options.logger, clock, policy: settlement });
  const jobs = createJobEngine({
    repositories,
    clock,
    logger: options.logger,
    pollMs: options.jobPollMs,
    kinds: {
      ...reconcilerJobs(reconcile, settlement, clock),
      ...maintenanceJobs(repositories, clock, options.logger),
      ...webhookJobKinds({ repositories, clock, logger: options.logger, secretsKey }),
    },
  });
  const app = createApp({
    repositories,
    logger: options.logger,
    fingerprintSecret: options.fingerprintSecret ?? (await persistentSecret(options.fingerprintSecretFile)),
    gateways,
    router,
    retryGuard: options.retryGuard,
    clock,
    settlement,
    jobs,
    secretsKey,
    // The sandbox delivers merchant webhooks to http://127.0.0.1 receivers too.
    webhookUrlPolicy: 'local',
  });

  const server = await listen(app.fetch, options.host, options.port);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host}:${port}`;
  const webhookUrl = (provider: string) => `${url}/v1/webhooks/${provider}/${accounts[provider]}`;
  const simulators =
    options.gateways === 'env'
      ? await connectEnvGateways(webhookUrl, { env: process.env, controlUrl: options.simulatorsControlUrl })
      : await startSandboxGateways(webhookUrl, { stateDir: options.simulatorStateDir });
  Object.assign(sandboxConfigs, simulators.configs);
  await simulators.connectWebhooks();
  // Jobs need the gateways, so they start once the simulators run.
  await startupSweep(repositories, clock, options.logger);
  jobs.start();
  return {
    url,
    apiKey,
    merchantId,
    driver: database.driver,
    simulators: simulators.simulators,
    accounts,
    repositories,
    jobs,
    operator,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await jobs.stop();
      await learner.stop();
      await simulators.close();
      router.breakers.shutdown();
      await database.close();
    },
  };
}

/** The demo merchant, one sandbox account per provider (in the providers' order), and a key. */
async function seedDemoMerchant(repositories: Repositories, fixedKey: string | undefined) {
  const merchants = repositories.merchants;
  const merchantId = (await merchants.findByName(DEMO_MERCHANT)) ?? (await merchants.create(DEMO_MERCHANT));
  const existing = await merchants.gatewayAccounts(merchantId);
  const accounts: Record<string, string> = {};
  for (const [priority, provider] of PROVIDERS.entries()) {
    const credentialsRef = `sandbox:${provider.name}`;
    accounts[provider.name] =
      existing.find((a) => a.credentialsRef === credentialsRef)?.id ??
      (await merchants.addGatewayAccount({ merchantId, provider: provider.name, name: provider.name, label: `${provider.name} (sandbox)`, credentialsRef, priority })).id;
  }
  const apiKey = fixedKey ?? `sk_sandbox_${randomToken(24)}`;
  // Only hashes are stored, so the printed key is replaced at each start.
  await merchants.replaceApiKey(merchantId, await sha256Hex(apiKey), apiKey.slice(0, 14), SANDBOX_KEY_LABEL);
  return { merchantId, apiKey, accounts };
}

/** The files seed a merchant's first ruleset version; after that, versions come from the API. */
async function seedRuleset(repositories: Repositories, router: Router, merchantId: string, rules: { file: string; source: string }) {
  if ((await repositories.routing.versions(merchantId)).length > 0) return;
  const names = (await repositories.merchants.gatewayAccounts(merchantId)).map((a) => a.name);
  const checked = router.check(rules.source, rules.file, names);
  if ('errors' in checked) throw new Error(`${rules.file} is invalid (npm run rules:check):\n${checked.errors.map(formatError).join('\n')}`);
  const seed = { type: 'system', id: `seed:${rules.file}`, name: `seed:${rules.file}` } as const;
  const { version } = await repositories.routing.addVersion(merchantId, rules.source, seed);
  await repositories.routing.activate(merchantId, version, seed);
}

/** The demo operator, an admin: its password is printed at each start, its TOTP secret kept in the data directory. */
async function seedDemoOperator(repositories: Repositories, secretsKey: string, clock: Clock, options: SandboxOptions) {
  const password = options.operatorPassword ?? randomToken(18);
  const totpSecret = await persistentSecret(options.operatorTotpSecretFile, newTotpSecret);
  const operators = operatorService({ repositories, secrets: createSecretBox(secretsKey), passwords: passwordHasher(), clock });
  const seed = { type: 'system', id: 'seed:sandbox', name: 'sandbox' } as const;
  await operators.provision(seed, { email: DEMO_OPERATOR_EMAIL, name: 'Demo Operator', role: 'admin', password, merchantIds: null, totpSecret });
  return { email: DEMO_OPERATOR_EMAIL, password, totpSecret, otpauthUri: totpUri(totpSecret, DEMO_OPERATOR_EMAIL) };
}

async function persistentSecret(file: string | undefined, make = () => randomToken(32)): Promise<string> {
  if (!file) return make();
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = make();
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, secret, { mode: 0o600 });
    return secret;
  }
}

function randomToken(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');
}

function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    server.once('error', reject);
  });
}
