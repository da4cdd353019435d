import type { RateLimitSettings } from '../../api/middleware/rate-limit.js';
import type { ServerLimits } from './http-server.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SimulatorControl } from '../../../adapters/testkit/simulator.js';
import { generateApiKey, hashApiKey, isApiKey, keyHint, SCOPES } from '../../domain/api-keys.js';
import { systemClock, type Clock } from '../../domain/clock.js';
import { newId } from '../../domain/ids.js';
import { MAX_RULES_PER_MERCHANT, PARAMS } from '../../alerts/rules.js';
import { operatorService } from '../../admin/operators.js';
import { passwordHasher } from '../../admin/passwords.js';
import { newTotpSecret, totpUri } from '../../admin/totp.js';
import { createSecretBox } from '../../domain/secret-box.js';
import type { Logger } from '../../domain/logger.js';
import type { BreakerClock, BreakerSettings } from '../../orchestrator/breakers.js';
import type { RetryGuard } from '../../orchestrator/payments.js';
import type { Router } from '../../orchestrator/router.js';
import type { SettlementPolicy } from '../../orchestrator/settle.js';
import { formatError } from '../../routing/rules/source.js';
import type { JobEngine } from '../../jobs/engine.js';
import type { Repositories } from '../../store/index.js';
import { NODE_PROVIDERS } from './providers.js';
import type { OpenDatabase } from './database.js';
import { loadRoutingFiles } from './routing-files.js';
import { connectEnvGateways, startSandboxGateways } from './sandbox-gateways.js';
import { randomToken } from './random-token.js';
import { startServer, type ServerOptions } from './server.js';

export const DEMO_MERCHANT = 'Demo merchant';
export const DEMO_OPERATOR_EMAIL = 'demo@switchyard.local';
const SANDBOX_KEY_LABEL = 'sandbox';

/** What the sandbox hands to the server unchanged (ServerOptions says what each one is). */
type ServerPassThrough =
  | 'host'
  | 'port'
  | 'stripePort'
  | 'gatewayTimeoutMs'
  | 'routingSeed'
  | 'logger'
  | 'breakers'
  | 'breakerClock'
  | 'retryGuard'
  | 'learnerSaveMs'
  | 'rulesetCheckMs'
  | 'lookupCacheMs'
  | 'clock'
  | 'settlement'
  | 'jobPollMs'
  | 'serverLimits'
  | 'rateLimit'
  | 'traceExporter'
  | 'eventStream'
  | 'vaultKeys';

export interface SandboxOptions extends Pick<ServerOptions, ServerPassThrough> {
  databaseUrl?: string;
  /** PGlite data directory; omitted means in memory. */
  pgliteDir?: string;
  /** A fixed secret key for the demo merchant; a fresh one is made otherwise. */
  sandboxKey?: string;
  fingerprintSecret?: string;
  /** Where a generated fingerprint secret is kept, so fingerprints stay stable across restarts. */
  fingerprintSecretFile?: string;
  /** Seals merchant webhook signing secrets (32 bytes, base64); generated into `secretsKeyFile` otherwise. */
  secretsKey?: string | readonly string[];
  secretsKeyFile?: string;
  /** Where fees.yaml and the rules.yaml that seeds the first ruleset version live. */
  routingRulesDir: string;
  /** Where the simulators keep their state and the sandbox its gateway secrets; omitted means in memory. */
  simulatorStateDir?: string;
  /**
   * `in-process` (default): the sandbox runs the simulators. `env`: its accounts read
   * `<PROVIDER>_SIM_*` variables, as `env:` accounts do (standalone simulators, any gateway).
   */
  gateways?: 'in-process' | 'env';
  /** With `gateways: 'env'`: the standalone simulators' control endpoint (variables and webhook URLs). */
  simulatorsControlUrl?: string;
  /** The demo operator's password; a fresh one is made at each start otherwise. */
  operatorPassword?: string;
  /** Where the demo operator's TOTP secret is kept, so an authenticator app keeps working across restarts. */
  operatorTotpSecretFile?: string;
}

export interface Sandbox {
  url: string;
  /** The Stripe-compatible API, when it is served (stripePort). */
  stripeUrl: string | null;
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
  operator: DemoOperator;
  close(): Promise<void>;
}

/** The server of `npm run serve` plus a demo merchant and key, the rules files' first ruleset, and the simulators. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const files = await loadRoutingFiles(options.routingRulesDir);
  // Filled in once the simulators run; adapters are built on first use.
  const sandboxGateways: Record<string, unknown> = {};
  let seeded: Awaited<ReturnType<typeof seedDemoMerchant>> | undefined;
  let simulators: Record<string, SimulatorControl> = {};
  let operator: DemoOperator | undefined;
  // Merchant webhooks: the API seals signing secrets with it, the delivery jobs unseal them; it seals TOTP secrets too.
  const secretsKey = options.secretsKey ?? (await persistentSecret(options.secretsKeyFile));
  const {
    databaseUrl,
    pgliteDir,
    sandboxKey,
    fingerprintSecret,
    fingerprintSecretFile,
    secretsKey: _secretsKey,
    secretsKeyFile: _secretsKeyFile,
    routingRulesDir: _routingRulesDir,
    simulatorStateDir,
    gateways,
    simulatorsControlUrl,
    operatorPassword: _operatorPassword,
    operatorTotpSecretFile: _operatorTotpSecretFile,
    ...passThrough
  } = options;
  const server = await startServer({
    ...passThrough,
    database: { url: databaseUrl, pgliteDir, migrations: 'apply' },
    fingerprintSecret: fingerprintSecret ?? (await persistentSecret(fingerprintSecretFile)),
    secretsKey,
    fees: files.fees,
    binOverrides: files.binOverrides,
    env: process.env,
    sandboxGateways,
    // The sandbox delivers merchant webhooks to http://127.0.0.1 receivers too.
    webhookUrlPolicy: 'local',
    async prepare({ repositories, router }) {
      seeded = await seedDemoMerchant(repositories, options.sandboxKey, options.clock ?? systemClock);
      await seedRuleset(repositories, router, seeded.merchantId, files.rules);
      await seedAlertRules(repositories, seeded.merchantId, options.clock ?? systemClock);
      operator = await seedDemoOperator(repositories, secretsKey, options.clock ?? systemClock, options);
    },
    async beforeJobs(url) {
      const accounts = seeded!.accounts;
      const webhookUrl = (provider: string) => `${url}/v1/webhooks/${provider}/${accounts[provider]}`;
      const started =
        options.gateways === 'env'
          ? await connectEnvGateways(webhookUrl, { env: process.env, controlUrl: options.simulatorsControlUrl })
          : await startSandboxGateways(webhookUrl, { stateDir: options.simulatorStateDir });
      Object.assign(sandboxGateways, started.configs);
      simulators = started.simulators;
      await started.connectWebhooks();
      return started;
    },
  });
  return {
    url: server.url,
    stripeUrl: server.stripeUrl,
    apiKey: seeded!.apiKey,
    merchantId: seeded!.merchantId,
    driver: server.driver,
    simulators,
    accounts: seeded!.accounts,
    repositories: server.repositories,
    jobs: server.jobs,
    operator: operator!,
    close: () => server.close(),
  };
}

/** The demo merchant, one sandbox account per provider (in the providers' order), and a key. */
async function seedDemoMerchant(repositories: Repositories, fixedKey: string | undefined, clock: Clock) {
  const merchants = repositories.merchants;
  const merchantId = (await merchants.findByName(DEMO_MERCHANT)) ?? (await merchants.create(DEMO_MERCHANT));
  const existing = await merchants.gatewayAccounts(merchantId, { includeDisabled: true });
  const accounts: Record<string, string> = {};
  for (const [priority, provider] of NODE_PROVIDERS.entries()) {
    const credentialsRef = `sandbox:${provider.name}`;
    accounts[provider.name] =
      existing.find((a) => a.credentialsRef === credentialsRef)?.id ??
      (await merchants.addGatewayAccount({ merchantId, provider: provider.name, name: provider.name, label: `${provider.name} (sandbox)`, credentialsRef, priority })).id;
  }
  if (fixedKey !== undefined && !isApiKey(fixedKey)) throw new Error('The sandbox key must be sk_test_ (or sk_live_) and 32 letters or digits.');
  const apiKey = fixedKey ?? generateApiKey('test');
  // Only hashes are stored, so the printed key is replaced at each start.
  await merchants.replaceApiKey({ merchantId, keyHash: await hashApiKey(apiKey), hint: keyHint(apiKey), label: SANDBOX_KEY_LABEL, scopes: SCOPES }, clock.now());
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

/**
 * The demo merchant's first alert rules, so an outage `npm run traffic --outage` injects shows up:
 * an open breaker, and an approval rate 20 points below the hour before (a short window and
 * baseline, since a fresh sandbox has no day of history to compare with).
 */
async function seedAlertRules(repositories: Repositories, merchantId: string, clock: Clock) {
  if ((await repositories.alerts.rules(merchantId)).length > 0) return;
  const now = clock.now();
  const rules = [
    { kind: 'breaker_open', name: 'Gateway outage (breaker open)', params: PARAMS.breaker_open.parse({}) },
    { kind: 'approval_drop', name: 'Approval rate drop', params: PARAMS.approval_drop.parse({ window_minutes: 2, baseline_hours: 1, drop_pp: 20, min_attempts: 20 }) },
  ];
  for (const rule of rules) await repositories.alerts.createRule({ id: newId('alr'), merchantId, enabled: true, createdAt: now, updatedAt: now, ...rule }, MAX_RULES_PER_MERCHANT);
}

interface DemoOperator {
  email: string;
  password: string;
  totpSecret: string;
  otpauthUri: string;
}

/** The demo operator, an admin: its password is printed at each start, its TOTP secret kept in the data directory. */
async function seedDemoOperator(repositories: Repositories, secretsKey: string | readonly string[], clock: Clock, options: SandboxOptions): Promise<DemoOperator> {
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
