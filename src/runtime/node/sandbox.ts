import { serve, type ServerType } from '@hono/node-server';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { startStripeSimulator, type StripeSimulator } from '../../../adapters/stripe/simulator/index.js';
import { createApp } from '../../api/app.js';
import { sha256Hex } from '../../api/hash.js';
import type { Logger } from '../../domain/logger.js';
import { createRepositories, type Repositories } from '../../store/index.js';
import { gatewayRegistry } from '../gateways.js';
import { openDatabase, type OpenDatabase } from './database.js';

export const DEMO_MERCHANT = 'Demo merchant';
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
  gatewayTimeoutMs: number;
  logger: Logger;
}

export interface Sandbox {
  url: string;
  apiKey: string;
  merchantId: string;
  driver: OpenDatabase['driver'];
  stripe: StripeSimulator;
  repositories: Repositories;
  close(): Promise<void>;
}

/** The router with its sandbox: database, migrated; the Stripe simulator; a demo merchant and key. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const database = await openDatabase({ url: options.databaseUrl, pgliteDir: options.pgliteDir });
  const repositories = createRepositories(database.db);
  const stripe = await startStripeSimulator();
  const { merchantId, apiKey } = await seedDemoMerchant(repositories, options.sandboxKey);

  const app = createApp({
    repositories,
    logger: options.logger,
    fingerprintSecret: options.fingerprintSecret ?? (await persistentSecret(options.fingerprintSecretFile)),
    gateways: gatewayRegistry({
      stripe: { sandbox: { secretKey: 'sk_test_sandbox', host: stripe.host, port: stripe.port, protocol: 'http' } },
      env: process.env,
      timeoutMs: options.gatewayTimeoutMs,
    }),
  });
  const purge = setInterval(() => void repositories.idempotency.purgeExpired(), 60 * 60 * 1000);
  purge.unref();

  const server = await listen(app.fetch, options.host, options.port);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}`,
    apiKey,
    merchantId,
    driver: database.driver,
    stripe,
    repositories,
    async close() {
      clearInterval(purge);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stripe.close();
      await database.close();
    },
  };
}

async function seedDemoMerchant(repositories: Repositories, fixedKey: string | undefined) {
  const merchants = repositories.merchants;
  const merchantId = (await merchants.findByName(DEMO_MERCHANT)) ?? (await merchants.create(DEMO_MERCHANT));
  const accounts = await merchants.gatewayAccounts(merchantId);
  if (!accounts.some((a) => a.credentialsRef === 'sandbox:stripe')) {
    await merchants.addGatewayAccount({ merchantId, provider: 'stripe', label: 'Stripe (sandbox)', credentialsRef: 'sandbox:stripe' });
  }
  const apiKey = fixedKey ?? `sk_sandbox_${randomToken(24)}`;
  // Only hashes are stored, so the printed key is replaced at each start.
  await merchants.revokeApiKeys(merchantId, SANDBOX_KEY_LABEL);
  await merchants.addApiKey(merchantId, await sha256Hex(apiKey), apiKey.slice(0, 14), SANDBOX_KEY_LABEL);
  return { merchantId, apiKey };
}

async function persistentSecret(file: string | undefined): Promise<string> {
  if (!file) return randomToken(32);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomToken(32);
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
