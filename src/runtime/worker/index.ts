import { createApp } from '../../api/app.js';
import { createRepositories } from '../../store/index.js';
import { openPostgres } from '../../store/postgres.js';
import { gatewayRegistry } from '../gateways.js';
import { jsonLogger } from '../logger.js';
import { PROVIDERS } from '../providers.js';
import { createRouter, createRoutingState } from '../routing.js';

/**
 * Cloudflare Workers entry. The database must be migrated beforehand (drizzle-kit migrate);
 * gateway accounts use `env:<SECRET>` credentials, resolved from the Worker's secrets.
 */
export interface WorkerEnv {
  /** A Hyperdrive binding in front of PostgreSQL, or a direct URL. */
  HYPERDRIVE?: { connectionString: string };
  DATABASE_URL?: string;
  FINGERPRINT_SECRET: string;
  /** Seals merchant webhook signing secrets: 32 bytes, base64 (openssl rand -base64 32). */
  SECRETS_KEY: string;
  GATEWAY_TIMEOUT_MS?: string;
  [secret: string]: unknown;
}

const logger = jsonLogger();
/** Learner and breakers live as long as the isolate; each request gets its own database connection. */
const routingState = createRoutingState({ seed: Date.now() % 2 ** 31 });
/** Fee schedules are files the Worker cannot read at run time: cost scoring sees no fees there yet. */
const NO_FEES = new Map();

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<Response> {
    const url = env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL;
    if (!url) return new Response('DATABASE_URL or a HYPERDRIVE binding is required', { status: 500 });
    // Workers cannot share sockets across requests: one small pool per request, closed after it.
    const store = openPostgres(url, { max: 1 });
    const secrets = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const repositories = createRepositories(store.db);
    const gateways = gatewayRegistry({ providers: PROVIDERS, sandbox: {}, env: secrets, timeoutMs: Number(env.GATEWAY_TIMEOUT_MS ?? 10_000) });
    const router = createRouter({ repositories, gateways, logger, fees: NO_FEES, state: routingState });
    const app = createApp({ repositories, logger, fingerprintSecret: env.FINGERPRINT_SECRET, gateways, router, secretsKey: env.SECRETS_KEY });
    const response = await app.fetch(request);
    ctx.waitUntil(store.close());
    return response;
  },
};
