import { pinoLogger } from './logger.js';
import { productionConfig } from './config.js';
import { closeOnSignals, exitOnRefusal, unmappedStacks } from './lifecycle.js';
import { loadRoutingFiles } from './routing-files.js';
import { startServer } from './server.js';

/**
 * `npm run serve`: the production server. Nothing is seeded, no simulator runs, no secret is
 * generated; the configuration is checked whole before anything opens.
 */
const server = await start().catch(exitOnRefusal);
unmappedStacks();
closeOnSignals(() => server.close());
process.stderr.write(`Switchyard listening on ${server.url} (${server.driver === 'postgres' ? 'PostgreSQL' : 'PGlite'}); Stripe-compatible API on ${server.stripeUrl}\n`);

async function start() {
  const config = productionConfig(process.env);
  const { fees, binOverrides } = await loadRoutingFiles(config.routingRulesDir);
  return startServer({
    host: config.host,
    port: config.port,
    stripePort: config.stripePort,
    database: { url: config.databaseUrl, migrations: config.migrate ? 'apply' : 'require' },
    fingerprintSecret: config.fingerprintSecret!,
    vaultKeys: config.vaultKeys,
    secretsKey: config.secretsKey!,
    gatewayTimeoutMs: config.gatewayTimeoutMs,
    fees,
    binOverrides,
    routingSeed: config.routingSeed,
    env: process.env,
    webhookUrlPolicy: 'strict',
    logger: pinoLogger(),
    settlement: config.settlement,
    jobPollMs: config.jobPollMs,
    rateLimit: config.rateLimit,
    serverLimits: config.serverLimits,
  });
}
