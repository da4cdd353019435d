/**
 * One Switchyard instance of the cluster bench: the production composition root (`startServer`,
 * as `npm run serve` runs it, with every instance sync) on the bench's PostgreSQL, which the
 * bench has migrated and seeded. Its two gateway accounts are `env:SIM_A` and `env:SIM_B`:
 *
 *   DATABASE_URL=... SIM_A_BASE_URL=... SIM_B_BASE_URL=... tsx bench/cluster/router-process.ts --seed N
 *
 * prints `{"ready":true,"url"}`; request logs go to stdout as in production (JSON lines).
 */
import { pinoLogger } from '../../src/runtime/node/logger.js';
import { loadRoutingFiles } from '../../src/runtime/node/routing-files.js';
import { startServer } from '../../src/runtime/node/server.js';
import { announce, exitOnSignal, option } from '../load/args.js';

if (!process.env.DATABASE_URL) throw new Error('the cluster bench runs its instances on PostgreSQL: DATABASE_URL is required');
const { fees } = await loadRoutingFiles(new URL('../../routing-rules', import.meta.url).pathname);
const server = await startServer({
  host: '127.0.0.1',
  port: 0,
  database: { url: process.env.DATABASE_URL, migrations: 'require' },
  fingerprintSecret: process.env.CLUSTER_FINGERPRINT_SECRET!,
  secretsKey: process.env.CLUSTER_SECRETS_KEY!,
  gatewayTimeoutMs: 10_000,
  fees,
  routingSeed: Number(option('seed')),
  env: process.env,
  webhookUrlPolicy: 'strict',
  logger: pinoLogger(),
  // One key drives the whole load: the bench measures the instances, not the per-key rate limit.
  rateLimit: { perSecond: 1_000_000, burst: 1_000_000 },
});
exitOnSignal(() => server.close());
announce({ url: server.url });
