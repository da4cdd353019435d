import { mkdir } from 'node:fs/promises';
import { pinoLogger } from './logger.js';
import { sandboxConfig } from './config.js';
import { closeOnSignals, exitOnRefusal, unmappedStacks } from './lifecycle.js';
import { startSandbox } from './sandbox.js';
import { offsetFileClock } from './sandbox-clock.js';

/** `npm start`: the one-command sandbox (PGlite, simulators, a demo merchant and key). */
const { sandbox, banner } = await start().catch(exitOnRefusal);
unmappedStacks();
// Before the banner: a supervisor may stop the process as soon as it sees it.
closeOnSignals(() => sandbox.close());
process.stderr.write(banner);

async function start() {
  const config = sandboxConfig(process.env);
  if (!config.databaseUrl) await mkdir(config.dataDir, { recursive: true });
  const sandbox = await startSandbox({
    host: config.host,
    port: config.port,
    stripePort: config.stripePort,
    databaseUrl: config.databaseUrl,
    pgliteDir: config.databaseUrl ? undefined : `${config.dataDir}/pglite`,
    sandboxKey: config.sandboxKey,
    fingerprintSecret: config.fingerprintSecret,
    fingerprintSecretFile: `${config.dataDir}/fingerprint-secret`,
    vaultKeys: config.vaultKeys,
    secretsKey: config.secretsKey,
    secretsKeyFile: `${config.dataDir}/secrets-key`,
    simulatorStateDir: `${config.dataDir}/simulators`,
    gateways: config.gateways,
    simulatorsControlUrl: config.simulatorsControlUrl,
    gatewayTimeoutMs: config.gatewayTimeoutMs,
    routingRulesDir: config.routingRulesDir,
    routingSeed: config.routingSeed,
    logger: pinoLogger(),
    settlement: config.settlement,
    jobPollMs: config.jobPollMs,
    operatorPassword: config.operatorPassword,
    operatorTotpSecretFile: `${config.dataDir}/operator-totp-secret`,
    rateLimit: config.rateLimit,
    serverLimits: config.serverLimits,
    ...(config.clockFile ? { clock: offsetFileClock(config.clockFile) } : {}),
  });
  const banner =
    [
      '',
      `Switchyard sandbox listening on ${sandbox.url}`,
      `  Stripe-compatible API: ${sandbox.stripeUrl} (the stripe SDK with host and port set to it)`,
      `  store:                ${sandbox.driver === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}/pglite`}`,
      ...Object.entries(sandbox.simulators).map(([provider, sim]) => `  ${`${provider} simulator:`.padEnd(22)}${sim.url} (account ${sandbox.accounts[provider]})`),
      ...(config.gateways === 'env' ? Object.entries(sandbox.accounts).map(([provider, account]) => `  ${`${provider}:`.padEnd(22)}env:${provider.toUpperCase()}_SIM (account ${account})`) : []),
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
    ].join('\n') + '\n';
  return { sandbox, banner };
}
