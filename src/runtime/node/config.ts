import { z } from 'zod';
import { isApiKey } from '../../domain/api-keys.js';
import { DEFAULT_SETTLEMENT_POLICY, type SettlementPolicy } from '../../orchestrator/settle.js';
import { DEFAULT_RATE_LIMIT, type RateLimitSettings } from '../../api/middleware/rate-limit.js';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from './http-server.js';

/**
 * Every environment variable the router reads, checked at start in one place: a bad value stops
 * the process with a message naming the variable, before anything is opened or written.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** `production`: `npm run serve`. `sandbox`: `npm start`, which may generate its secrets. */
export type Mode = 'production' | 'sandbox';

export interface ServerConfig {
  host: string;
  port: number;
  /** The Stripe-compatible API's port (src/api/stripe-compat); 0: a free one. */
  stripePort: number;
  /** PostgreSQL; unset means PGlite in `<dataDir>/pglite` (the sandbox only). */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Unset in the sandbox only: it keeps a generated one in its data directory. */
  fingerprintSecret: string | undefined;
  /** One key or a keyring, newest first; unset in the sandbox only. */
  secretsKey: string[] | undefined;
  /** The card vault's key-encryption keys, newest first; undefined: the secrets keyring wraps the vault's data keys too. */
  vaultKeys: string[] | undefined;
  gatewayTimeoutMs: number;
  routingRulesDir: string;
  routingSeed: number;
  settlement: SettlementPolicy;
  jobPollMs: number;
  /** Apply pending migrations at start (the sandbox always does). */
  migrate: boolean;
  rateLimit: RateLimitSettings;
  serverLimits: ServerLimits;
}

export interface SandboxConfig extends ServerConfig {
  sandboxKey: string | undefined;
  gateways: 'in-process' | 'env';
  simulatorsControlUrl: string | undefined;
  /** The demo operator's password; generated at each start when unset. */
  operatorPassword: string | undefined;
  /** SWITCHYARD_SANDBOX_CLOCK_FILE: the sandbox's time is real time plus the milliseconds this file holds. */
  clockFile: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const MAX_MS = 30 * 24 * 3_600_000;
const got = (input: unknown) => `got ${JSON.stringify(String(input).slice(0, 60))}`;

/** An empty variable counts as unset. */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema.optional());

const wholeMs = (min: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,10}$/, { error: (issue) => `must be a whole number of milliseconds, ${got(issue.input)}` })
    .transform(Number)
    .refine((ms) => ms >= min && ms <= MAX_MS, { error: (issue) => `must be from ${min} to ${MAX_MS} ms (30 days), ${got(issue.input)}` });

const msList = z
  .string()
  .transform((text) => text.split(','))
  .pipe(z.array(wholeMs(0)).min(1).max(20, { error: 'must list 1 to 20 delays' }));

const port = z
  .string()
  .regex(/^\d{1,5}$/, { error: (issue) => `must be a port number from 0 to 65535, ${got(issue.input)}` })
  .transform(Number)
  .refine((n) => n <= 65_535, { error: (issue) => `must be a port number from 0 to 65535, ${got(issue.input)}` });

const count = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,10}$/, { error: (issue) => `must be a whole number, ${got(issue.input)}` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: (issue) => `must be from ${min} to ${max}, ${got(issue.input)}` });

const seed = z
  .string()
  .regex(/^\d{1,10}$/, { error: (issue) => `must be a whole number, ${got(issue.input)}` })
  .transform(Number)
  .refine((n) => n < 2 ** 31, { error: 'must be below 2147483648' });

const postgresUrl = z.string().refine(
  (text) => {
    try {
      return ['postgres:', 'postgresql:'].includes(new URL(text).protocol);
    } catch {
      return false;
    }
  },
  // The URL may hold a password: it is not repeated.
  { error: 'must be a postgres:// or postgresql:// URL' },
);

const secret = z.string().min(32, { error: 'must be at least 32 characters (openssl rand -base64 32); the value is not shown' });

const secretsKey = z
  .string()
  .transform((text) => text.split(',').map((k) => k.trim()))
  .refine((keys) => keys.every((k) => /^[A-Za-z0-9+/_-]{42,43}={0,2}$/.test(k) && Buffer.from(k, 'base64').length === 32), {
    error: 'must be 32 bytes, base64-encoded (openssl rand -base64 32), or a comma-separated keyring of them, newest first; the value is not shown',
  });

const text = (what: string) => z.string().trim().min(1).max(4096).refine((t) => !/[\u0000-\u001f]/.test(t), { error: `must be ${what}` });

const serverFields = {
  HOST: optional(z.string().regex(/^[A-Za-z0-9.:[\]-]{1,253}$/, { error: (issue) => `must be a host name or IP address, ${got(issue.input)}` })),
  PORT: optional(port),
  SWITCHYARD_STRIPE_PORT: optional(port),
  DATABASE_URL: optional(postgresUrl),
  SWITCHYARD_DATA_DIR: optional(text('a directory')),
  SWITCHYARD_FINGERPRINT_SECRET: optional(secret),
  SWITCHYARD_SECRETS_KEY: optional(secretsKey),
  SWITCHYARD_VAULT_KEK: optional(secretsKey),
  SWITCHYARD_GATEWAY_TIMEOUT_MS: optional(wholeMs(1)),
  SWITCHYARD_ROUTING_RULES: optional(text('a directory')),
  SWITCHYARD_ROUTING_SEED: optional(seed),
  SWITCHYARD_REQUEST_LEASE_MS: optional(wholeMs(1)),
  SWITCHYARD_RECONCILE_DELAYS_MS: optional(msList),
  SWITCHYARD_SETTLEMENT_DELAYS_MS: optional(msList),
  SWITCHYARD_NOT_FOUND_AFTER_MS: optional(wholeMs(0)),
  SWITCHYARD_ACTION_TTL_MS: optional(wholeMs(1)),
  SWITCHYARD_JOB_POLL_MS: optional(wholeMs(1)),
  SWITCHYARD_RATE_LIMIT_PER_SECOND: optional(count(1, 1_000_000)),
  SWITCHYARD_RATE_LIMIT_BURST: optional(count(1, 1_000_000)),
  SWITCHYARD_HEADERS_TIMEOUT_MS: optional(wholeMs(1)),
  SWITCHYARD_REQUEST_TIMEOUT_MS: optional(wholeMs(1)),
  SWITCHYARD_KEEP_ALIVE_TIMEOUT_MS: optional(wholeMs(1)),
  SWITCHYARD_MAX_CONNECTIONS: optional(count(1, 1_000_000)),
  SWITCHYARD_MIGRATE: optional(z.enum(['0', '1'], { error: (issue) => `must be 1 (apply pending migrations at start) or 0, ${got(issue.input)}` })),
};

const sandboxFields = {
  ...serverFields,
  SWITCHYARD_SANDBOX_KEY: optional(z.string().refine(isApiKey, { error: 'must be sk_test_ (or sk_live_) and 32 letters or digits; the value is not shown' })),
  SWITCHYARD_SANDBOX_GATEWAYS: optional(z.enum(['in-process', 'env'], { error: (issue) => `must be in-process or env, ${got(issue.input)}` })),
  SWITCHYARD_SANDBOX_OPERATOR_PASSWORD: optional(z.string().min(12, { error: 'must be at least 12 characters; the value is not shown' }).max(200, { error: 'must be at most 200 characters; the value is not shown' })),
  SWITCHYARD_SANDBOX_CLOCK_FILE: optional(text('a file')),
  SWITCHYARD_SIMULATORS_CONTROL_URL: optional(z.url({ protocol: /^https?$/, error: (issue) => `must be an http(s) URL, ${got(issue.input)}` })),
};

const REQUIRED_IN_PRODUCTION = ['DATABASE_URL', 'SWITCHYARD_FINGERPRINT_SECRET', 'SWITCHYARD_SECRETS_KEY'] as const;

function parse<S extends z.ZodRawShape>(fields: S, env: Env): z.infer<z.ZodObject<S>> {
  const picked = Object.fromEntries(Object.keys(fields).map((name) => [name, env[name]]));
  const result = z.object(fields).safeParse(picked);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`));
  return result.data;
}

function serverConfig(values: z.infer<z.ZodObject<typeof serverFields>>, now: () => number): ServerConfig {
  return {
    host: values.HOST ?? '127.0.0.1',
    port: values.PORT ?? 8787,
    // The documented pair is 8787/8788; a chosen PORT (tests, benchmarks, several instances) leaves the Stripe API a free port unless it is set too.
    stripePort: values.SWITCHYARD_STRIPE_PORT ?? (values.PORT === undefined ? 8788 : 0),
    databaseUrl: values.DATABASE_URL,
    dataDir: values.SWITCHYARD_DATA_DIR ?? '.switchyard',
    fingerprintSecret: values.SWITCHYARD_FINGERPRINT_SECRET,
    secretsKey: values.SWITCHYARD_SECRETS_KEY,
    vaultKeys: values.SWITCHYARD_VAULT_KEK,
    gatewayTimeoutMs: values.SWITCHYARD_GATEWAY_TIMEOUT_MS ?? 10_000,
    routingRulesDir: values.SWITCHYARD_ROUTING_RULES ?? 'routing-rules',
    routingSeed: values.SWITCHYARD_ROUTING_SEED ?? now() % 2 ** 31,
    settlement: {
      requestLeaseMs: values.SWITCHYARD_REQUEST_LEASE_MS ?? DEFAULT_SETTLEMENT_POLICY.requestLeaseMs,
      retryDelaysMs: values.SWITCHYARD_RECONCILE_DELAYS_MS ?? [...DEFAULT_SETTLEMENT_POLICY.retryDelaysMs],
      notFoundAfterMs: values.SWITCHYARD_NOT_FOUND_AFTER_MS ?? DEFAULT_SETTLEMENT_POLICY.notFoundAfterMs,
      actionTtlMs: values.SWITCHYARD_ACTION_TTL_MS ?? DEFAULT_SETTLEMENT_POLICY.actionTtlMs,
      settlementDelaysMs: values.SWITCHYARD_SETTLEMENT_DELAYS_MS ?? [...DEFAULT_SETTLEMENT_POLICY.settlementDelaysMs],
      settlementWindowMs: DEFAULT_SETTLEMENT_POLICY.settlementWindowMs,
    },
    jobPollMs: values.SWITCHYARD_JOB_POLL_MS ?? 1000,
    migrate: values.SWITCHYARD_MIGRATE === '1',
    rateLimit: {
      perSecond: values.SWITCHYARD_RATE_LIMIT_PER_SECOND ?? DEFAULT_RATE_LIMIT.perSecond,
      burst: values.SWITCHYARD_RATE_LIMIT_BURST ?? DEFAULT_RATE_LIMIT.burst,
    },
    serverLimits: {
      headersTimeoutMs: values.SWITCHYARD_HEADERS_TIMEOUT_MS ?? DEFAULT_SERVER_LIMITS.headersTimeoutMs,
      requestTimeoutMs: values.SWITCHYARD_REQUEST_TIMEOUT_MS ?? DEFAULT_SERVER_LIMITS.requestTimeoutMs,
      keepAliveTimeoutMs: values.SWITCHYARD_KEEP_ALIVE_TIMEOUT_MS ?? DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs,
      maxConnections: values.SWITCHYARD_MAX_CONNECTIONS ?? DEFAULT_SERVER_LIMITS.maxConnections,
    },
  };
}

/** `npm run serve`: PostgreSQL and both secrets are required; nothing is generated. */
export function productionConfig(env: Env, now: () => number = Date.now): ServerConfig {
  const missing = REQUIRED_IN_PRODUCTION.filter((name) => !env[name]);
  const problems: string[] = missing.map((name) => `${name} is required by the production server (npm run serve)`);
  let values: ReturnType<typeof parse<typeof serverFields>> | undefined;
  try {
    values = parse(serverFields, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || !values) throw new ConfigError(problems);
  return serverConfig(values, now);
}

/** `npm start`: everything optional; the sandbox generates what is missing into its data directory. */
export function sandboxConfig(env: Env, now: () => number = Date.now): SandboxConfig {
  const values = parse(sandboxFields, env);
  return {
    ...serverConfig(values, now),
    sandboxKey: values.SWITCHYARD_SANDBOX_KEY,
    gateways: values.SWITCHYARD_SANDBOX_GATEWAYS ?? 'in-process',
    simulatorsControlUrl: values.SWITCHYARD_SIMULATORS_CONTROL_URL,
    operatorPassword: values.SWITCHYARD_SANDBOX_OPERATOR_PASSWORD,
    clockFile: values.SWITCHYARD_SANDBOX_CLOCK_FILE,
  };
}

/** Where the admin CLI and db:migrate work: DATABASE_URL (PostgreSQL), else the sandbox's PGlite in SWITCHYARD_DATA_DIR. */
export function storeConfig(env: Env): { url?: string; pgliteDir?: string } {
  const values = parse({ DATABASE_URL: serverFields.DATABASE_URL, SWITCHYARD_DATA_DIR: serverFields.SWITCHYARD_DATA_DIR }, env);
  return values.DATABASE_URL ? { url: values.DATABASE_URL } : { pgliteDir: `${values.SWITCHYARD_DATA_DIR ?? '.switchyard'}/pglite` };
}

/**
 * The key that seals operators' TOTP secrets, for the admin CLI: SWITCHYARD_SECRETS_KEY, or on the
 * sandbox's PGlite the key the sandbox generated into its data directory (`file`); null when neither.
 */
export function cliSecretsKey(env: Env): { keys: string[] } | { file: string } | null {
  const values = parse({ DATABASE_URL: serverFields.DATABASE_URL, SWITCHYARD_DATA_DIR: serverFields.SWITCHYARD_DATA_DIR, SWITCHYARD_SECRETS_KEY: serverFields.SWITCHYARD_SECRETS_KEY }, env);
  if (values.SWITCHYARD_SECRETS_KEY) return { keys: values.SWITCHYARD_SECRETS_KEY };
  return values.DATABASE_URL ? null : { file: `${values.SWITCHYARD_DATA_DIR ?? '.switchyard'}/secrets-key` };
}

/** The card vault's KEK keyring for the admin CLI (`vault rotate-kek`): SWITCHYARD_VAULT_KEK, else the secrets key, as the server does. */
export function cliVaultKeys(env: Env): { keys: string[] } | null {
  const values = parse({ SWITCHYARD_VAULT_KEK: serverFields.SWITCHYARD_VAULT_KEK }, env);
  return values.SWITCHYARD_VAULT_KEK ? { keys: values.SWITCHYARD_VAULT_KEK } : null;
}
