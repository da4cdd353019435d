import { mkdir } from 'node:fs/promises';
import { DEFAULT_SETTLEMENT_POLICY } from '../../orchestrator/settle.js';
import { jsonLogger } from '../logger.js';
import { startSandbox } from './sandbox.js';
import { durationList, duration } from './settings.js';

const env = process.env;
const dataDir = env.SWITCHYARD_DATA_DIR ?? '.switchyard';
const logger = jsonLogger();

if (!env.DATABASE_URL) await mkdir(dataDir, { recursive: true });
const gateways = env.SWITCHYARD_SANDBOX_GATEWAYS || 'in-process';
if (gateways !== 'in-process' && gateways !== 'env') throw new Error(`SWITCHYARD_SANDBOX_GATEWAYS must be in-process or env, got ${gateways}`);
const sandbox = await startSandbox({
  host: env.HOST ?? '127.0.0.1',
  port: Number(env.PORT ?? 8787),
  databaseUrl: env.DATABASE_URL,
  pgliteDir: env.DATABASE_URL ? undefined : `${dataDir}/pglite`,
  sandboxKey: env.SWITCHYARD_SANDBOX_KEY,
  fingerprintSecret: env.SWITCHYARD_FINGERPRINT_SECRET,
  fingerprintSecretFile: `${dataDir}/fingerprint-secret`,
  secretsKey: env.SWITCHYARD_SECRETS_KEY,
  secretsKeyFile: `${dataDir}/secrets-key`,
  simulatorStateDir: `${dataDir}/simulators`,
  gateways,
  simulatorsControlUrl: env.SWITCHYARD_SIMULATORS_CONTROL_URL,
  gatewayTimeoutMs: Number(env.SWITCHYARD_GATEWAY_TIMEOUT_MS ?? 10_000),
  routingRulesDir: env.SWITCHYARD_ROUTING_RULES ?? 'routing-rules',
  routingSeed: Number(env.SWITCHYARD_ROUTING_SEED ?? Date.now() % 2 ** 31),
  logger,
  settlement: {
    requestLeaseMs: duration(env, 'SWITCHYARD_REQUEST_LEASE_MS', DEFAULT_SETTLEMENT_POLICY.requestLeaseMs),
    retryDelaysMs: durationList(env, 'SWITCHYARD_RECONCILE_DELAYS_MS', DEFAULT_SETTLEMENT_POLICY.retryDelaysMs),
    notFoundAfterMs: duration(env, 'SWITCHYARD_NOT_FOUND_AFTER_MS', DEFAULT_SETTLEMENT_POLICY.notFoundAfterMs),
    actionTtlMs: duration(env, 'SWITCHYARD_ACTION_TTL_MS', DEFAULT_SETTLEMENT_POLICY.actionTtlMs),
  },
  jobPollMs: duration(env, 'SWITCHYARD_JOB_POLL_MS', 1000),
  operatorPassword: env.SWITCHYARD_SANDBOX_OPERATOR_PASSWORD,
  operatorTotpSecretFile: `${dataDir}/operator-totp-secret`,
});

// Before the banner: a supervisor may stop the process as soon as it sees it.
let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

process.stderr.write(
  [
    '',
    `Switchyard sandbox listening on ${sandbox.url}`,
    `  store:                ${sandbox.driver === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${dataDir}/pglite`}`,
    ...Object.entries(sandbox.simulators).map(([provider, sim]) => `  ${`${provider} simulator:`.padEnd(22)}${sim.url} (account ${sandbox.accounts[provider]})`),
    ...(gateways === 'env' ? Object.entries(sandbox.accounts).map(([provider, account]) => `  ${`${provider}:`.padEnd(22)}env:${provider.toUpperCase()}_SIM (account ${account})`) : []),
    `  demo merchant API key: ${sandbox.apiKey}`,
    `  demo merchant id:      ${sandbox.merchantId}`,
    `  demo operator (admin): ${sandbox.operator.email} / ${sandbox.operator.password}`,
    `  operator TOTP secret:  ${sandbox.operator.totpSecret}`,
    `  operator TOTP URI:     ${sandbox.operator.otpauthUri}`,
    '  Activating a ruleset needs the operator: POST /v1/admin/session with email, password and totp_code,',
    '  then POST /v1/routing/rules/{version}/activate?merchant_id=<demo merchant id> with its token.',
    '',
    `  curl ${sandbox.url}/v1/payments -H "Authorization: Bearer ${sandbox.apiKey}"`,
    '',
  ].join('\n') + '\n',
);

